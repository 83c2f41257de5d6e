/** The endpoint filter drivers by `[endpoint_filter] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { EndpointFilterDriver } from './base.js';
import { SqlEndpointFilterDriver } from './sql.js';

export const endpointFilterDrivers = new DriverRegistry<EndpointFilterDriver>('endpoint_filter', {
  sql: (c) => new SqlEndpointFilterDriver(c.db as Kysely<KeystoneDB>),
});
