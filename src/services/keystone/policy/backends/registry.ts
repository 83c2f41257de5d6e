/** The policy drivers by `[policy] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { PolicyDriver } from './base.js';
import { SqlPolicyDriver } from './sql.js';

export const policyDrivers = new DriverRegistry<PolicyDriver>('policy', {
  sql: (c) => new SqlPolicyDriver(c.db as Kysely<KeystoneDB>),
});
