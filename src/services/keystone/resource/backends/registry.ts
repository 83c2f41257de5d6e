/** The resource drivers by `[resource] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { ResourceDriver } from './base.js';
import { SqlResourceDriver } from './sql.js';

export const resourceDrivers = new DriverRegistry<ResourceDriver>('resource', {
  sql: (c) => new SqlResourceDriver(c.db as Kysely<KeystoneDB>),
});
