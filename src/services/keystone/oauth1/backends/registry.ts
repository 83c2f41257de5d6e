/** The OAuth1 drivers by `[oauth1] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { OAuth1Driver } from './base.js';
import { SqlOAuth1Driver } from './sql.js';

export const oauth1Drivers = new DriverRegistry<OAuth1Driver>('oauth1', {
  sql: (c) => new SqlOAuth1Driver(c.db as Kysely<KeystoneDB>),
});
