/** The domain configuration drivers by `[domain_config] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { DomainConfigDriver } from './base.js';
import { SqlDomainConfigDriver } from './sql.js';

export const domainConfigDrivers = new DriverRegistry<DomainConfigDriver>('domain_config', {
  sql: (c) => new SqlDomainConfigDriver(c.db as Kysely<KeystoneDB>),
});
