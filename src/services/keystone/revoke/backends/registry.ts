/** The revocation event drivers by `[revoke] driver` name. */
import type { Kysely } from 'kysely';
import type { AuthDB } from '../../db/auth-schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { RevokeDriver } from './base.js';
import { SqlRevokeDriver } from './sql.js';

export const revokeDrivers = new DriverRegistry<RevokeDriver>('revoke', {
  sql: (c) => new SqlRevokeDriver(c.db as Kysely<AuthDB>),
});
