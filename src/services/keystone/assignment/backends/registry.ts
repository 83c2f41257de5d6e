/** The assignment drivers by `[assignment] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { AssignmentDriver } from './base.js';
import { SqlAssignmentDriver } from './sql.js';

export const assignmentDrivers = new DriverRegistry<AssignmentDriver>('assignment', {
  sql: (c) => new SqlAssignmentDriver(c.db as Kysely<KeystoneDB>),
});
