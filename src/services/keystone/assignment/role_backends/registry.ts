/** The role drivers by `[role] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { RoleDriver } from './base.js';
import { SqlRoleDriver } from './sql.js';

export const roleDrivers = new DriverRegistry<RoleDriver>('role', {
  sql: (c) => new SqlRoleDriver(c.db as Kysely<KeystoneDB>),
});
