/** The catalog drivers by `[catalog] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { CatalogDriver } from './base.js';
import { SqlCatalogDriver } from './sql.js';

export const catalogDrivers = new DriverRegistry<CatalogDriver>('catalog', {
  sql: (c) => new SqlCatalogDriver(c.db as Kysely<KeystoneDB>),
});
