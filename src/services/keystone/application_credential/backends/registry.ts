/** The application credential drivers by `[application_credential] driver` name. */
import type { Kysely } from 'kysely';
import type { AuthDB } from '../../db/auth-schema.js';
import { hashOptionsFrom } from '../../identity/password-hashing.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { ApplicationCredentialDriver } from './base.js';
import { SqlApplicationCredentialDriver } from './sql.js';

export const applicationCredentialDrivers = new DriverRegistry<ApplicationCredentialDriver>('application_credential', {
  sql: (c) => new SqlApplicationCredentialDriver(c.db as Kysely<AuthDB>, hashOptionsFrom(c.config.identity)),
});
