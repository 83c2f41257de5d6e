/**
 * The test harness every project uses: one API role of a project mounted as the launcher mounts
 * it (its prefix, fault format and token check), over a fresh database (SQLite in a temporary
 * data dir, or a fresh PostgreSQL/MariaDB database that is dropped at the end), an in-process
 * bus and a fake token validator. Requests go through app.inject. For tests only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ServiceSession } from '../clients/session.js';
import { Config, coreGroups } from '../config/index.js';
import { dropDatabase, migrate, openDatabase, parseDatabaseUrl, type Database, type DatabaseTarget } from '../db/index.js';
import { createHttpApp } from '../http/app.js';
import { mountService } from '../http/service-mount.js';
import { createLogger, type Logger } from '../log/logger.js';
import { getTransport, osloMessagingNotificationsGroup, type Transport } from '../messaging/index.js';
import { osloPolicyGroup } from '../policy/index.js';
import { PeriodicTasks } from '../service/periodic.js';
import type { ProjectDef, RoleContext, RoleInstance } from '../service/project.js';
import { FakeTokens } from './fake-tokens.js';

export { FakeTokens, type Persona } from './fake-tokens.js';

export interface HarnessOptions {
  project: ProjectDef;
  /** The API role (default: the project's first API role). */
  role?: string;
  /** Configuration values ('group.key' -> value). */
  overrides?: Record<string, string>;
  /**
   * postgresql://... or mysql://... to run on a fresh database of that server (dropped at close).
   * Default: NUBO_TEST_HARNESS_DB_URL when set (scripts/test.mjs runs the projects' API suites
   * once more on each server dialect with it), else SQLite.
   */
  serverUrl?: string;
  /** Or a database the test made itself (it drops it). */
  target?: DatabaseTarget;
  /** The session the role uses to call other projects (default: one pointing at a closed port). */
  session?: ServiceSession;
  /** Build the role another way (tests that inject a notification sink, ...). */
  create?: (ctx: RoleContext) => Promise<RoleInstance>;
  /** The logger of the role and the HTTP app (default: silent unless NUBO_TEST_LOG is set). */
  log?: Logger;
  /** Call the role's start() (RPC servers) after mounting; default true. */
  start?: boolean;
}

export interface InjectResult {
  status: number;
  /** The body parsed as JSON when it is JSON, the text otherwise. */
  body: any;
  text: string;
  headers: Record<string, unknown>;
}

export interface Harness<I extends RoleInstance = RoleInstance> {
  app: FastifyInstance;
  instance: I;
  tokens: FakeTokens;
  config: Config;
  db: Database<any>;
  transport: Transport;
  dataDir: string;
  periodic: PeriodicTasks;
  /** A request below the project's prefix, with X-Auth-Token when `token` is given. */
  request(method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>): Promise<InjectResult>;
  close(): Promise<void>;
}

export async function startHarness<I extends RoleInstance = RoleInstance>(opts: HarnessOptions): Promise<Harness<I>> {
  const { project } = opts;
  const role = project.roles.find((r) => (opts.role ? r.name === opts.role : r.kind === 'api'));
  if (!role) throw new Error(`${project.name} has no role ${opts.role ?? '(api)'}`);
  const dataDir = mkdtempSync(join(tmpdir(), `nubo-${project.name}-`));
  const serverUrl = opts.serverUrl ?? (opts.target ? undefined : process.env.NUBO_TEST_HARNESS_DB_URL || undefined);
  let url = 'sqlite';
  if (serverUrl) {
    const u = new URL(serverUrl);
    u.pathname = `/nubo_test_${randomBytes(4).toString('hex')}_${project.name}`;
    url = u.toString();
  }
  const target = opts.target ?? parseDatabaseUrl(url, { service: project.name, dataDir });
  const ownDatabase = !opts.target && target.dialect !== 'sqlite';
  const db = await openDatabase<any>(target, { createIfMissing: true, maxPoolSize: 10 });
  await migrate(db, project.migrations, { table: `${project.name}_migrations` });
  const groups = [...new Set([...coreGroups, osloPolicyGroup, osloMessagingNotificationsGroup, ...project.configGroups])];
  const config = Config.load({ groups, env: {}, overrides: { 'DEFAULT.data_dir': dataDir, ...opts.overrides } });
  const log = opts.log ?? createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
  const transport = await getTransport(`inproc://${project.name}-${randomBytes(4).toString('hex')}`);
  const credentials = { username: project.name, password: 'x', projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default' };
  const session = opts.session ?? new ServiceSession({ authUrl: 'http://127.0.0.1:9/identity', credentials, region: 'RegionOne' });
  const periodic = new PeriodicTasks(log);
  const ctx: RoleContext = {
    project, role, config, log, dataDir, baseUrl: `http://nubo.test${project.prefix}`, identityUrl: 'http://nubo.test/identity',
    region: 'RegionOne', host: 'testhost', transport, database: async () => db, credentials, session, periodic,
  };
  const instance = (await (opts.create ?? role.create)(ctx)) as I;
  const tokens = new FakeTokens();
  const app = createHttpApp({ log, bodyLimit: 1 << 20, keepAliveTimeout: 5000 });
  const prefix = role.prefix ?? project.prefix;
  if (instance.routes) await mountService(app, instance.routes, { prefix, fault: project.fault, validator: tokens, authUri: ctx.identityUrl });
  await app.ready();
  if (opts.start !== false) {
    await instance.start?.();
    periodic.start();
  }
  return {
    app, instance, tokens, config, db, transport, dataDir, periodic,
    async request(method, path, token, body, headers = {}) {
      const res = await app.inject({
        method: method as 'GET',
        url: `${prefix}${path}`,
        headers: { ...(token ? { 'x-auth-token': token } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      let parsed: unknown = res.body;
      if (String(res.headers['content-type'] ?? '').includes('json') && res.body !== '') parsed = JSON.parse(res.body);
      return { status: res.statusCode, body: parsed, text: res.body, headers: res.headers };
    },
    async close() {
      await periodic.stop();
      await instance.stop?.();
      await app.close();
      await transport.close();
      await db.close();
      if (ownDatabase) await dropDatabase(target);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
