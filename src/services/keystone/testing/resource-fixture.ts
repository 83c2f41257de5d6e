/**
 * Test support: every Keystone manager (service.ts createManagers) over a fresh, migrated
 * database (SQLite by default, or any dialect of TEST_DIALECTS), with an event recorder and
 * fast password hashing. Notifications are sent only when an audit (an IdentityNotifier on a
 * test bus) is given; other drivers can be plugged in through `drivers`.
 */
import { createLogger } from '../../../common/log/logger.js';
import { type Database, migrate, openDatabase } from '../../../common/db/index.js';
import { TEST_DIALECTS, type TestDialect } from '../../../common/db/testing/dialects.js';
import { defaultAuthConfig, type AuthConfig } from '../auth-config.js';
import { defaultResourceConfig, type ResourceConfig } from '../config.js';
import { migrations } from '../db/migrations/index.js';
import type { KeystoneDB } from '../db/schema.js';
import type { KeystoneManagers } from '../managers.js';
import { type KeystoneEventMap, KeystoneEvents } from '../events.js';
import type { IdentityAudit } from '../rpc/audit.js';
import { createManagers, type DriverRegistries } from '../service.js';

export interface ResourceFixture {
  m: KeystoneManagers;
  config: ResourceConfig;
  authConfig: AuthConfig;
  events: KeystoneEvents;
  /** Every event emitted, in order: [name, payload]. */
  emitted: Array<[keyof KeystoneEventMap, unknown]>;
  database: Database<KeystoneDB>;
  close(): Promise<void>;
}

type Overrides = Parameters<typeof defaultResourceConfig>[0];

const EVENT_NAMES: Array<keyof KeystoneEventMap> = [
  'user.password_changed', 'user.disabled', 'user.deleted', 'project.disabled', 'project.deleted', 'domain.disabled',
  'domain.deleted', 'assignment.removed', 'user.removed_from_group', 'role.deleted',
];

export interface ResourceFixtureOptions {
  audit?: IdentityAudit;
  /** Options of the auth groups as `'group.key'` raw strings (see defaultAuthConfig). */
  authOverrides?: Record<string, string>;
  drivers?: Partial<DriverRegistries>;
}

export async function resourceFixture(
  overrides: Overrides = {},
  dialect: TestDialect = TEST_DIALECTS[0]!,
  opts: ResourceFixtureOptions = {},
): Promise<ResourceFixture> {
  const { target, cleanup } = await dialect.fresh('keystone');
  const database = await openDatabase<KeystoneDB>(target, { createIfMissing: true });
  await migrate(database, migrations, { table: 'keystone_migrations' });
  const config = defaultResourceConfig({ ...overrides, identity: { password_hash_rounds: 4, ...overrides?.identity } });
  const events = new KeystoneEvents();
  const emitted: ResourceFixture['emitted'] = [];
  for (const name of EVENT_NAMES) events.on(name, (payload: unknown) => { emitted.push([name, payload]); });
  const authConfig = defaultAuthConfig(opts.authOverrides);
  const m = createManagers({
    db: database.db, config, authConfig, events, log: createLogger({ level: 'silent' }),
    ...(opts.audit ? { audit: opts.audit } : {}), ...(opts.drivers ? { drivers: opts.drivers } : {}),
  });
  return {
    m, config, authConfig, events, emitted, database,
    async close() {
      await database.close();
      await cleanup();
    },
  };
}

/** A domain named `name` (id = name). */
export async function makeDomain(m: KeystoneManagers, id = 'default', name = 'Default'): Promise<string> {
  await m.resource.createDomain(id, { name, enabled: true });
  return id;
}
