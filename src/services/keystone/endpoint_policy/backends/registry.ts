/** The endpoint policy drivers by `[endpoint_policy] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { EndpointPolicyDriver } from './base.js';
import { SqlEndpointPolicyDriver } from './sql.js';

export const endpointPolicyDrivers = new DriverRegistry<EndpointPolicyDriver>('endpoint_policy', {
  sql: (c) => new SqlEndpointPolicyDriver(c.db as Kysely<KeystoneDB>),
});
