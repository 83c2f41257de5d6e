/** The credential drivers by `[credential] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { CredentialDriver } from './base.js';
import { SqlCredentialDriver } from './sql.js';

export const credentialDrivers = new DriverRegistry<CredentialDriver>('credential', {
  sql: (c) => new SqlCredentialDriver(c.db as Kysely<KeystoneDB>),
});
