/**
 * Test support: the Network service mounted on a Fastify app with a fake token validator
 * (tokens name their project and roles: `proj-a:member`, `admin-proj:admin,member,reader`),
 * a fresh database (SQLite by default, PostgreSQL when asked) and an in-process bus. Requests
 * go through app.inject. For tests only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TokenInfo, TokenValidator } from '../../../common/auth/token-info.js';
import { Config, coreGroups } from '../../../common/config/index.js';
import { dropDatabase, migrate, openDatabase, parseDatabaseUrl, type Database } from '../../../common/db/index.js';
import { Unauthorized } from '../../../common/errors.js';
import { createHttpApp } from '../../../common/http/app.js';
import { mountService } from '../../../common/http/service-mount.js';
import { createLogger } from '../../../common/log/logger.js';
import { getTransport, type Transport } from '../../../common/messaging/index.js';
import { neutronConfigGroups } from '../config.js';
import { migrations } from '../db/migrations/index.js';
import type { NeutronDB } from '../db/schema.js';
import { NetworkService, networkFault } from '../service.js';

/** token = "<project>:<role>,<role>" */
export class FakeValidator implements TokenValidator {
  async validate(token: string): Promise<TokenInfo> {
    const [project, roles] = token.split(':');
    if (!project || roles === undefined) throw new Unauthorized();
    const now = new Date();
    return {
      userId: `user-${project}`, userName: `user-${project}`, userDomainId: 'default', userDomainName: 'Default',
      projectId: project, projectName: project, projectDomainId: 'default', projectDomainName: 'Default',
      system: false, roles: roles.split(',').filter(Boolean), roleIds: [], methods: ['password'],
      expiresAt: new Date(now.getTime() + 3600_000).toISOString(), issuedAt: now.toISOString(), auditIds: ['x'], isAdminProject: true,
    };
  }
}

export const ADMIN = 'admin-proj:admin,member,reader';
export const tokenFor = (project: string) => `${project}:member,reader`;

export interface Harness {
  app: FastifyInstance;
  service: NetworkService;
  database: Database<NeutronDB>;
  transport: Transport;
  /** `body` is the parsed JSON answer, left untyped for the tests to read as they assert. */
  request(method: string, url: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** postgresql://... or mysql://... to run on that server (a fresh database is created and dropped). */
  serverUrl?: string;
  overrides?: Record<string, string>;
  session?: ConstructorParameters<typeof NetworkService>[0]['session'];
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-neutron-'));
  let url = 'sqlite';
  // NEUTRON_TEST_DB_URL runs every API test file on that server instead of SQLite
  const serverUrl = opts.serverUrl ?? process.env.NEUTRON_TEST_DB_URL;
  if (serverUrl) {
    const u = new URL(serverUrl);
    u.pathname = `/nubo_test_${randomBytes(4).toString('hex')}_neutron`;
    url = u.toString();
  }
  const target = parseDatabaseUrl(url, { service: 'neutron', dataDir: dir });
  const database = await openDatabase<NeutronDB>(target, { createIfMissing: true, maxPoolSize: 10 });
  await migrate(database, migrations, { table: 'neutron_migrations' });
  const config = Config.load({ groups: [...coreGroups, ...neutronConfigGroups], env: {}, overrides: opts.overrides ?? {} });
  const log = createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
  const transport = await getTransport(`inproc://neutron-${randomBytes(4).toString('hex')}`);
  const session = opts.session ?? {
    endpoint: async () => { throw new Error('no catalog in tests'); },
    request: async () => { throw new Error('no catalog in tests'); },
  };
  const service = new NetworkService({ config, log, database, transport, session: session as never, baseUrl: 'http://nubo.test/network', host: 'testhost' });
  await service.start();
  const app = createHttpApp({ log, bodyLimit: 1 << 20, keepAliveTimeout: 5000 });
  await mountService(app, service.routes(), { prefix: '/network', fault: networkFault, validator: new FakeValidator(), authUri: 'http://nubo.test/identity' });
  await app.ready();
  return {
    app, service, database, transport,
    async request(method, path, token, body, headers = {}) {
      const res = await app.inject({
        method: method as never, url: `/network${path}`,
        headers: { 'x-auth-token': token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      let parsed: unknown;
      try {
        parsed = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        parsed = res.body;
      }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
    async close() {
      await service.stop();
      await app.close();
      await transport.close();
      await database.close();
      if (target.dialect !== 'sqlite') await dropDatabase(target);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
