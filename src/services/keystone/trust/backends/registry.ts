/** The trust drivers by `[trust] driver` name. */
import type { Kysely } from 'kysely';
import type { AuthDB } from '../../db/auth-schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { TrustDriver } from './base.js';
import { SqlTrustDriver } from './sql.js';

export const trustDrivers = new DriverRegistry<TrustDriver>('trust', {
  sql: (c) => new SqlTrustDriver(c.db as Kysely<AuthDB>),
});
