/**
 * Test harness of the image service: the service mounted on a Fastify app (as the launcher
 * does) over a temporary SQLite database and data dir, with a fake token validator whose
 * tokens name a project and roles, and a notification recorder. For tests only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TokenInfo, TokenValidator } from '../../common/auth/token-info.js';
import { ServiceSession } from '../../common/clients/session.js';
import { Config, coreGroups } from '../../common/config/index.js';
import { migrate, openDatabase, parseDatabaseUrl, type Database, type DatabaseTarget } from '../../common/db/index.js';
import { Unauthorized } from '../../common/errors.js';
import { createHttpApp } from '../../common/http/app.js';
import { mountService } from '../../common/http/service-mount.js';
import { createLogger } from '../../common/log/logger.js';
import { getTransport, type Transport } from '../../common/messaging/index.js';
import { glanceGroups } from './config.js';
import { glanceMigrations } from './db/migrations.js';
import { buildImageService, type ImageInstance } from './index.js';
import type { NotificationSink } from './notifications.js';

export interface Persona {
  project: string;
  roles: string[];
  user?: string;
}

/** Tokens of the fake validator: `<name>` -> persona. */
export class FakeValidator implements TokenValidator {
  readonly tokens = new Map<string, Persona>();

  async validate(token: string): Promise<TokenInfo> {
    const p = this.tokens.get(token);
    if (!p) throw new Unauthorized('The token is not valid.');
    return {
      userId: p.user ?? `user-${p.project}`, userName: p.user ?? `user-${p.project}`, userDomainId: 'default', userDomainName: 'Default',
      projectId: p.project, projectName: p.project, projectDomainId: 'default', projectDomainName: 'Default',
      system: false, roles: p.roles, roleIds: p.roles, methods: ['password'], expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      issuedAt: new Date().toISOString(), auditIds: ['a'], isAdminProject: true,
    };
  }
}

export interface Recorded {
  priority: string;
  eventType: string;
  payload: unknown;
}

export interface TestGlance {
  app: FastifyInstance;
  service: ImageInstance;
  validator: FakeValidator;
  notifications: Recorded[];
  dataDir: string;
  db: Database<any>;
  transport: Transport;
  /** Register a token for a persona and return it. */
  token(name: string, persona: Persona): string;
  close(): Promise<void>;
}

/**
 * @param overrides configuration values ('group.key' -> value)
 * @param opts.bus send notifications on the in-process bus (a real Notifier) instead of recording them
 * @param opts.target the database (default: SQLite in the data dir)
 */
export async function startTestGlance(overrides: Record<string, string> = {}, opts: { bus?: boolean; target?: DatabaseTarget } = {}): Promise<TestGlance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nubo-glance-'));
  const config = Config.load({
    groups: [...coreGroups, ...glanceGroups],
    env: {},
    overrides: { 'DEFAULT.data_dir': dataDir, 'image.use_keystone_limits': 'false', ...overrides },
  });
  const log = createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
  const db = await openDatabase(opts.target ?? parseDatabaseUrl('sqlite', { service: 'glance', dataDir }), { createIfMissing: true });
  await migrate(db, glanceMigrations, { table: 'glance_migrations' });
  const transport: Transport = await getTransport(`inproc://${dataDir}`);
  const validator = new FakeValidator();
  const notifications: Recorded[] = [];
  const sink: NotificationSink = {
    notify: async (priority, eventType, payload) => {
      notifications.push({ priority, eventType, payload });
    },
  };
  const credentials = { username: 'glance', password: 'x', projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default' };
  const service = await buildImageService({
    ctx: {
      name: 'image', config, log, dataDir, baseUrl: 'http://localhost/image', identityUrl: 'http://localhost/identity',
      region: 'RegionOne', host: 'test', db, transport, tokenValidator: validator, credentials,
      session: new ServiceSession({ authUrl: 'http://127.0.0.1:9/identity', credentials, region: 'RegionOne' }),
    },
    ...(opts.bus ? {} : { sink }),
  });
  const app = createHttpApp({ log, bodyLimit: 1 << 20, keepAliveTimeout: 5000 });
  await mountService(app, service.routes, { prefix: '/image', fault: service.fault, validator, authUri: 'http://localhost/identity' });
  await app.ready();
  return {
    app, service, validator, notifications, dataDir, db, transport,
    token(name, persona) {
      validator.tokens.set(name, persona);
      return name;
    },
    async close() {
      await service.drain();
      await app.close();
      await db.close();
      await transport.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
