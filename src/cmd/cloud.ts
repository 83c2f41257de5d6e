/**
 * The composition root: builds a running cloud (all-in-one, or the services named by
 * `only` for scale-out) from the configuration. Used by `nubo up`, `nubo serve` and tests.
 *
 * Order (the boot of a DevStack, in one process): config -> data dir and secrets -> message
 * bus -> each service's database (migrated) -> identity (in-process token validation) -> the
 * other services -> one HTTP server with every service under its prefix -> identity bootstrap
 * (admin, roles, service users, catalog) -> background workers -> readiness check.
 */
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { HttpTokenValidator } from '../common/auth/http-validator.js';
import { RevocationListener, revocationPoolName } from '../common/auth/revocation-listener.js';
import type { TokenInfo, TokenValidator } from '../common/auth/token-info.js';
import { ServiceSession } from '../common/clients/session.js';
import {
  Config, ConfigError, coreGroups, databaseGroup, defaultGroup, httpGroup, parseHostPort, publicBaseUrl, serviceConnection,
  type GroupDef,
} from '../common/config/index.js';
import { migrate, openDatabase, parseDatabaseUrl, type Database } from '../common/db/index.js';
import { OperatorError } from '../common/errors.js';
import { createHttpApp } from '../common/http/app.js';
import { mountService } from '../common/http/service-mount.js';
import { createLogger, type Logger } from '../common/log/logger.js';
import { getTransport, type Transport } from '../common/messaging/index.js';
import type { CatalogEntry, IdentityInstance, ServiceInstance, ServicePlugin } from '../common/service/plugin.js';
import { writeCloudsYaml } from './clouds-yaml.js';
import { bootstrapGroup, endpointsGroup, launcherGroups, serviceUsersGroup } from './options.js';
import { ensureSecrets, secretsPath } from './secrets.js';
import { identity as identityPlugin, pluginByName, servicePlugins } from './service-registry.js';

export interface CloudOptions {
  configFiles?: string[];
  env?: Record<string, string | undefined>;
  overrides?: Record<string, string>;
  /** Run only these services (nubo serve); default: every enabled service. */
  only?: string[];
  log?: Logger;
}

export interface RunningCloud {
  url: string;
  identityUrl: string;
  dataDir: string;
  config: Config;
  services: string[];
  adminPassword: string;
  cloudsYaml: string | undefined;
  app: FastifyInstance;
  close(): Promise<void>;
}

const allGroups = (): GroupDef<any>[] => [...coreGroups, ...launcherGroups, ...servicePlugins.flatMap((p) => p.configGroups)];

/**
 * Load the configuration. `ensure` (what a running cloud does) creates the data dir and
 * generates missing secrets; `if-present` only reads secrets.conf when it exists.
 */
export function loadConfig(opts: Pick<CloudOptions, 'configFiles' | 'env' | 'overrides'>, secrets: 'ensure' | 'if-present' = 'ensure'): Config {
  const base = { groups: allGroups(), env: opts.env ?? process.env, overrides: opts.overrides ?? {} };
  const first = Config.load({ ...base, files: opts.configFiles ?? [] });
  const dataDir = resolve(first.get(defaultGroup).data_dir);
  if (secrets === 'ensure') {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    ensureSecrets(dataDir, { bootstrap: first.get(bootstrapGroup).admin_password ? [] : ['admin_password'], service_users: servicePlugins.map((p) => p.name) });
  } else if (!existsSync(secretsPath(dataDir))) {
    return first;
  }
  // secrets.conf comes first so that the operator's own files win over generated values.
  return Config.load({ ...base, files: [secretsPath(dataDir), ...(opts.configFiles ?? [])] });
}

/** The services this process runs, validated against the registry. */
function chooseServices(config: Config, only: string[] | undefined): ServicePlugin[] {
  const enabled = config.get(defaultGroup).enabled_services;
  for (const name of [...enabled, ...(only ?? [])]) {
    if (!pluginByName(name)) {
      throw new ConfigError(`unknown service "${name}" in [DEFAULT] enabled_services or on the command line; known: ${servicePlugins.map((p) => p.name).join(', ')}`);
    }
  }
  const names = only ?? enabled;
  return servicePlugins.filter((p) => names.includes(p.name));
}

export function serviceBaseUrl(config: Config, plugin: ServicePlugin): string {
  const configured = (config.get(endpointsGroup) as Record<string, string>)[plugin.name];
  return configured && configured !== '' ? configured.replace(/\/$/, '') : `${publicBaseUrl(config.get(defaultGroup))}${plugin.prefix}`;
}

/** Open (creating if needed) and migrate one service's database. */
export async function openServiceDatabase(config: Config, plugin: ServicePlugin, dataDir: string): Promise<Database<any>> {
  const { connection, max_pool_size } = config.get(databaseGroup);
  const target = parseDatabaseUrl(serviceConnection(connection, plugin.project), { service: plugin.project, dataDir });
  const db = await openDatabase(target, { maxPoolSize: max_pool_size, createIfMissing: true });
  await migrate(db, plugin.migrations, { table: `${plugin.project}_migrations` });
  return db;
}

/** Forwards to identity's in-process validator once identity exists. */
class LocalValidator implements TokenValidator {
  target: TokenValidator | undefined;
  validate(token: string, opts?: { allowExpired?: boolean }): Promise<TokenInfo> {
    if (!this.target) throw new OperatorError('identity is not ready');
    return this.target.validate(token, opts);
  }
}

/** Port 0 means "any free port"; it is chosen before the catalog URLs are derived from it. */
async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, host, ok));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

export async function startCloud(opts: CloudOptions = {}): Promise<RunningCloud> {
  let config = loadConfig(opts);
  const bind = parseHostPort(config.get(defaultGroup).bind);
  if (bind.port === 0) {
    const hostPart = bind.host.includes(':') ? `[${bind.host}]` : bind.host;
    opts = { ...opts, overrides: { ...opts.overrides, 'DEFAULT.bind': `${hostPart}:${await freePort(bind.host)}` } };
    config = loadConfig(opts);
  }
  const defaults = config.get(defaultGroup);
  const log = opts.log ?? createLogger({ level: defaults.log_level, format: defaults.log_format });
  const dataDir = resolve(defaults.data_dir);
  const plugins = chooseServices(config, opts.only);
  const identityLocal = plugins.includes(identityPlugin as ServicePlugin);
  const identityUrl = serviceBaseUrl(config, identityPlugin as ServicePlugin);
  const serviceUsers = config.get(serviceUsersGroup) as Record<string, string>;
  const admin = config.get(bootstrapGroup);

  const cleanup: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    for (const fn of cleanup.reverse()) await fn().catch((err) => log.warn({ err }, 'shutdown step failed'));
    cleanup.length = 0;
  };

  // Start-up phases are logged at debug level with their duration (`log_level = debug`).
  let mark = performance.now();
  log.debug({ phase: 'process start to launcher (module loading, config)', ms: Math.round(mark) }, 'start-up phase');
  const phase = (name: string): void => {
    const now = performance.now();
    log.debug({ phase: name, ms: Math.round(now - mark) }, 'start-up phase');
    mark = now;
  };

  try {
    const transport: Transport = await getTransport(defaults.transport_url, { controlExchange: defaults.control_exchange });
    cleanup.push(() => transport.close());

    const localValidator = new LocalValidator();
    const instances: Array<{ plugin: ServicePlugin; instance: ServiceInstance; tokenValidator: TokenValidator }> = [];
    for (const plugin of plugins) {
      const db = await openServiceDatabase(config, plugin, dataDir);
      cleanup.push(() => db.close());
      phase(`${plugin.name}: database`);
      const credentials = { username: plugin.project, password: serviceUsers[plugin.name] ?? '', projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default' };
      const session = new ServiceSession({ authUrl: identityUrl, credentials, region: defaults.region_name });
      let tokenValidator: TokenValidator = localValidator;
      if (!identityLocal) {
        // Identity announces revocations on the bus; each process's cache hears all of them.
        const httpValidator = new HttpTokenValidator(session);
        const pool = revocationPoolName(defaults.host, parseHostPort(defaults.bind).port, plugin.name);
        const revocations = new RevocationListener(transport, httpValidator, { pool, log });
        await revocations.start();
        cleanup.push(() => revocations.stop());
        tokenValidator = httpValidator;
      }
      const instance = await plugin.create({
        name: plugin.name, config, log: log.child({ service: plugin.name }), dataDir, baseUrl: serviceBaseUrl(config, plugin), identityUrl,
        region: defaults.region_name, host: defaults.host, db, transport, tokenValidator, credentials, session,
      });
      if (plugin === (identityPlugin as ServicePlugin)) localValidator.target = (instance as IdentityInstance).tokenValidator;
      instances.push({ plugin, instance, tokenValidator });
      phase(`${plugin.name}: create`);
    }

    const { body_limit, keep_alive_timeout, max_json_depth } = config.get(httpGroup);
    const app = createHttpApp({ log, bodyLimit: body_limit, keepAliveTimeout: keep_alive_timeout, maxJsonDepth: max_json_depth });
    cleanup.push(() => app.close());
    for (const { plugin, instance, tokenValidator } of instances) {
      await mountService(app, instance.routes, { prefix: plugin.prefix, fault: instance.fault, validator: tokenValidator, authUri: identityUrl });
    }

    phase('http: mount');
    if (identityLocal) {
      const enabled = config.get(defaultGroup).enabled_services.map((n) => pluginByName(n)!);
      const catalog: CatalogEntry[] = enabled.map((p) => ({ serviceType: p.serviceType, serviceName: p.project, description: p.description, url: `${serviceBaseUrl(config, p)}${p.catalogPath}` }));
      const idInstance = instances.find((i) => i.plugin === (identityPlugin as ServicePlugin))!.instance as IdentityInstance;
      await idInstance.bootstrap({
        adminUsername: admin.admin_username, adminPassword: admin.admin_password, adminProjectName: admin.admin_project,
        region: defaults.region_name, catalog,
        serviceUsers: enabled.map((p) => ({ name: p.project, password: serviceUsers[p.name] ?? '' })),
      });
    }

    phase('identity: bootstrap');
    const { host, port } = parseHostPort(defaults.bind);
    try {
      await app.listen({ host, port });
    } catch (err) {
      throw new OperatorError(`cannot listen on ${defaults.bind}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (set NUBO_BIND or [DEFAULT] bind to a free host:port)`, { cause: err });
    }
    const address = app.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;

    for (const { instance } of instances) {
      if (instance.start) {
        await instance.start();
        if (instance.stop) cleanup.push(() => instance.stop!());
      }
    }
    phase('listen and start workers');
    await waitUntilAnswering(url, plugins);
    phase('ready check');

    let cloudsYaml: string | undefined;
    if (identityLocal) {
      cloudsYaml = writeCloudsYaml({ dataDir, authUrl: `${identityUrl}/v3`, username: admin.admin_username, password: admin.admin_password, projectName: admin.admin_project, region: defaults.region_name });
    }
    const stateFile = resolve(dataDir, 'nubo.state.json');
    writeFileSync(stateFile, JSON.stringify({ pid: process.pid, url, services: plugins.map((p) => p.name), started_at: new Date().toISOString() }), { mode: 0o600 });
    cleanup.unshift(async () => rmSync(stateFile, { force: true }));
    chmodSync(dataDir, 0o700);

    return { url, identityUrl, dataDir, config, services: plugins.map((p) => p.name), adminPassword: admin.admin_password, cloudsYaml, app, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Every service must answer its version document before the cloud is called ready. */
async function waitUntilAnswering(url: string, plugins: ServicePlugin[]): Promise<void> {
  for (const p of plugins) {
    const res = await request(`${url}${p.prefix}/`);
    await res.body.dump();
    if (res.statusCode >= 400) throw new OperatorError(`${p.name} does not answer at ${url}${p.prefix}/ (HTTP ${res.statusCode})`);
  }
}
