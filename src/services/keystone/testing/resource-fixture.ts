/**
 * Test support: the resource side over a fresh, migrated database (SQLite by default, or any
 * dialect of TEST_DIALECTS), with an event recorder and fast password hashing. Notifications
 * are sent only when an audit (an IdentityNotifier on a test bus) is given.
 */
import { createLogger } from '../../../common/log/logger.js';
import { type Database, migrate, openDatabase } from '../../../common/db/index.js';
import { TEST_DIALECTS, type TestDialect } from '../../../common/db/testing/dialects.js';
import { defaultResourceConfig, type ResourceConfig } from '../config.js';
import { migrations } from '../db/migrations/index.js';
import type { KeystoneDB } from '../db/schema.js';
import { createResourceManagers, type ResourceManagers } from '../managers.js';
import type { IdentityAudit } from '../notifications/audit.js';
import { type KeystoneEventMap, KeystoneEvents } from '../providers.js';

export interface ResourceFixture {
  m: ResourceManagers;
  config: ResourceConfig;
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

export async function resourceFixture(
  overrides: Overrides = {},
  dialect: TestDialect = TEST_DIALECTS[0]!,
  opts: { audit?: IdentityAudit } = {},
): Promise<ResourceFixture> {
  const { target, cleanup } = await dialect.fresh('keystone');
  const database = await openDatabase<KeystoneDB>(target, { createIfMissing: true });
  await migrate(database, migrations, { table: 'keystone_migrations' });
  const config = defaultResourceConfig({ ...overrides, identity: { password_hash_rounds: 4, ...overrides?.identity } });
  const events = new KeystoneEvents();
  const emitted: ResourceFixture['emitted'] = [];
  for (const name of EVENT_NAMES) events.on(name, (payload: unknown) => { emitted.push([name, payload]); });
  const m = createResourceManagers(database, config, events, createLogger({ level: 'silent' }), opts.audit ? { audit: opts.audit } : {});
  return {
    m, config, events, emitted, database,
    async close() {
      await database.close();
      await cleanup();
    },
  };
}

/** A domain named `name` (id = name). */
export async function makeDomain(m: ResourceManagers, id = 'default', name = 'Default'): Promise<string> {
  await m.resource.createDomain(id, { name, enabled: true });
  return id;
}
