/**
 * The identity drivers by `[identity] driver` name. The SQL driver keeps its password-check
 * cache (bootstrap's) in the data directory when there is one.
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import { PasswordCheckCache } from '../password-check-cache.js';
import type { IdentityDriver } from './base.js';
import { SqlIdentityDriver } from './sql.js';

export const identityDrivers = new DriverRegistry<IdentityDriver>('identity', {
  sql: (c) => new SqlIdentityDriver(c.db as Kysely<KeystoneDB>, {
    identity: c.config.identity,
    compliance: c.config.securityCompliance,
    log: c.log,
    checkCache: c.dataDir ? new PasswordCheckCache(join(c.dataDir, 'keystone-password-check.json')) : undefined,
  }),
});
