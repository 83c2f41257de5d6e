/**
 * The composition root: runs a set of roles in this process, all of the enabled projects'
 * roles (`nubo up`) or the ones named (`nubo serve ROLE...`). Used by the `nubo` command and
 * by tests.
 *
 * Order (the boot of a DevStack, in one process): config -> data dir and secrets -> message
 * bus -> each role created (its project's database opened and migrated on first use; identity
 * first, so the others validate tokens in-process) -> one HTTP server with every API role under
 * its prefix -> identity bootstrap (admin, roles, service users, catalog) -> listen -> roles
 * started, then their periodic tasks -> readiness check.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { ConfigError, defaultGroup, httpGroup, parseHostPort, type Config } from '../common/config/index.js';
import { OperatorError } from '../common/errors.js';
import { createHttpApp } from '../common/http/app.js';
import { mountService } from '../common/http/service-mount.js';
import { createLogger, type Logger } from '../common/log/logger.js';
import { getTransport } from '../common/messaging/index.js';
import type { CatalogEntry } from '../common/service/bootstrap.js';
import { PeriodicTasks } from '../common/service/periodic.js';
import { tracingGroup } from '../common/tracing/options.js';
import { configureTracing, reportTracingProblems } from '../common/tracing/tracing.js';
import type { IdentityProvision, ProjectDef, RoleInstance } from '../common/service/project.js';
import { writeCloudsYaml } from './clouds-yaml.js';
import { isGeneratedSecret } from './secrets.js';
import { loadConfig, type ConfigSources } from './load-config.js';
import { bootstrapGroup, servicesGroup } from './options.js';
import { LocalValidator, ProjectRuntime, projectBaseUrl } from './project-runtime.js';
import { allRoles, identityProject, projectByService, projects, requireRole, type RoleRef } from './projects.js';

export interface CloudOptions extends ConfigSources {
  /** Run only these roles (nubo serve); default: every role of every enabled service. */
  roles?: string[];
  log?: Logger;
}

export interface RunningCloud {
  /** Where the HTTP server listens; undefined when only worker roles run here. */
  url: string | undefined;
  identityUrl: string;
  dataDir: string;
  config: Config;
  /** The roles running in this process. */
  roles: string[];
  adminPassword: string;
  cloudsYaml: string | undefined;
  app: FastifyInstance | undefined;
  close(): Promise<void>;
}

interface Running extends RoleRef {
  instance: RoleInstance;
  periodic: PeriodicTasks;
  runtime: ProjectRuntime;
  /** The host a per-host role runs as. */
  host: string;
}

/** The enabled projects, checked against the registry. */
function enabledProjects(config: Config): ProjectDef[] {
  return config.get(servicesGroup).enabled_services.map((name) => {
    const project = projectByService(name);
    if (!project) throw new ConfigError(`unknown service "${name}" in [DEFAULT] enabled_services; known: ${projects.map((p) => p.service).join(', ')}`);
    return project;
  });
}

/** The roles to run: the named ones, or every all-in-one role of the enabled projects. */
function chooseRoles(config: Config, names: string[] | undefined): RoleRef[] {
  const enabled = enabledProjects(config);
  if (names) return names.map(requireRole);
  const inAllInOne = (r: RoleRef): boolean => (typeof r.role.allInOne === 'function' ? r.role.allInOne(config) : r.role.allInOne !== false);
  return allRoles.filter((r) => enabled.includes(r.project) && inAllInOne(r));
}

/**
 * Port 0 means "any free port"; it is chosen before the catalog URLs are derived from it, and
 * held (a listening socket) until the API listens on it: a port chosen and let go at once could
 * be taken meanwhile as the local port of an outgoing connection (the kernel picks those from
 * the same range, and skips ports that are bound), and the start would fail with EADDRINUSE.
 */
async function reservePort(host: string): Promise<{ port: number; release(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, host, ok));
  const port = (server.address() as AddressInfo).port;
  let released: Promise<void> | undefined;
  return { port, release: () => (released ??= new Promise<void>((ok) => server.close(() => ok()))) };
}

export async function startCloud(opts: CloudOptions = {}): Promise<RunningCloud> {
  let config = loadConfig(opts);
  const bind = parseHostPort(config.get(defaultGroup).bind);
  let reserved: { port: number; release(): Promise<void> } | undefined;
  if (bind.port === 0) {
    const hostPart = bind.host.includes(':') ? `[${bind.host}]` : bind.host;
    reserved = await reservePort(bind.host);
    opts = { ...opts, overrides: { ...opts.overrides, 'DEFAULT.bind': `${hostPart}:${reserved.port}` } };
    config = loadConfig(opts);
  }
  const defaults = config.get(defaultGroup);
  const log = opts.log ?? createLogger({ level: defaults.log_level, format: defaults.log_format });
  const dataDir = resolve(defaults.data_dir);
  const chosen = chooseRoles(config, opts.roles);
  const identityHere = chosen.some((r) => r.project === identityProject && r.role.kind === 'api');
  const identityUrl = projectBaseUrl(config, identityProject);
  const admin = config.get(bootstrapGroup);

  const cleanup: Array<() => Promise<void>> = [];
  /** Each step in reverse order of start; a step that takes long is named in the log while it runs. */
  const close = async (): Promise<void> => {
    for (const fn of cleanup.reverse()) {
      const slow = setInterval(() => log.warn({ step: fn.name || String(fn).slice(0, 120) }, 'shutdown step still running'), 10_000);
      await fn().catch((err) => log.warn({ err }, 'shutdown step failed')).finally(() => clearInterval(slow));
    }
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
    const transport = await getTransport(defaults.transport_url, { controlExchange: defaults.control_exchange });
    cleanup.push(() => transport.close());
    reportTracingProblems((message) => log.warn({ component: 'tracing' }, message));
    const tracing = configureTracing(config.get(tracingGroup), dataDir);
    cleanup.unshift(() => tracing.shutdown()); // last: the spans of the shutdown are kept too

    const localValidator = identityHere ? new LocalValidator() : undefined;
    const runtimes = new Map<ProjectDef, ProjectRuntime>();
    const runtimeOf = (project: ProjectDef): ProjectRuntime => {
      let rt = runtimes.get(project);
      if (!rt) {
        rt = new ProjectRuntime(project, { config, dataDir, identityUrl, transport, log, localValidator, onClose: (fn) => cleanup.push(fn) });
        runtimes.set(project, rt);
      }
      return rt;
    };

    const running: Running[] = [];
    let identity: IdentityProvision | undefined;
    const hosts = defaults.hosts.length > 0 ? defaults.hosts : [defaults.host];
    for (const { project, role, host } of chosen.flatMap((r) => (r.role.perHost ? hosts : [defaults.host]).map((host) => ({ ...r, host })))) {
      const runtime = runtimeOf(project);
      const roleLog = log.child({ service: project.service, role: role.name, ...(role.perHost ? { host } : {}) });
      const periodic = new PeriodicTasks(roleLog);
      const instance = await role.create({
        project, role, config, log: roleLog, dataDir, baseUrl: runtime.baseUrl, identityUrl, region: defaults.region_name,
        host, transport, database: () => runtime.database(), credentials: runtime.credentials, session: runtime.session, periodic,
      });
      if (instance.identity) {
        identity = instance.identity;
        if (localValidator) localValidator.target = instance.identity.tokenValidator;
      }
      running.push({ project, role, instance, periodic, runtime, host });
      phase(`${role.name}${role.perHost ? `@${host}` : ''}: create`);
    }

    const apis = running.filter((r) => r.role.kind === 'api');
    let app: FastifyInstance | undefined;
    if (apis.length > 0) {
      const { body_limit, keep_alive_timeout, max_json_depth } = config.get(httpGroup);
      app = createHttpApp({ log, bodyLimit: body_limit, keepAliveTimeout: keep_alive_timeout, maxJsonDepth: max_json_depth });
      const server = app;
      cleanup.push(() => server.close());
      for (const { project, role, instance, runtime } of apis) {
        if (!instance.routes) throw new OperatorError(`API role ${role.name} has no routes`);
        await mountService(server, instance.routes, {
          prefix: role.prefix ?? project.prefix, fault: project.fault, validator: await runtime.tokenValidator(), authUri: identityUrl,
          trace: { service: project.name, host: defaults.host }, ...(instance.lanes ? { lanes: instance.lanes } : {}),
        });
      }
      phase('http: mount');
    }

    if (identity) {
      const enabled = enabledProjects(config);
      const listening: Record<string, string> = Object.assign({}, ...running.map((r) => r.instance.catalogUrls ?? {}));
      const catalog: CatalogEntry[] = enabled.flatMap((p) => p.catalog.map((c) => ({
        serviceType: c.type, serviceName: c.name ?? p.name, description: p.description,
        url: listening[c.type] ?? (c.url ? c.url(config) : `${projectBaseUrl(config, p)}${c.path}`),
      })));
      const serviceUsers = enabled.map((p) => ({
        name: p.name, password: runtimeOf(p).credentials.password, generated: isGeneratedSecret(config, dataDir, 'service_users', p.service),
      }));
      await identity.bootstrap({
        adminUsername: admin.admin_username, adminPassword: admin.admin_password, adminProjectName: admin.admin_project,
        adminPasswordGenerated: isGeneratedSecret(config, dataDir, 'bootstrap', 'admin_password'),
        region: defaults.region_name, catalog, serviceUsers,
      });
      phase('identity: bootstrap');
    }

    let url: string | undefined;
    if (app) {
      const { host, port } = parseHostPort(defaults.bind);
      try {
        await reserved?.release();
        await app.listen({ host, port });
      } catch (err) {
        throw new OperatorError(`cannot listen on ${defaults.bind}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (set NUBO_BIND or [DEFAULT] bind to a free host:port)`, { cause: err });
      }
      const address = app.server.address();
      url = `http://${host.includes(':') ? `[${host}]` : host}:${typeof address === 'object' && address ? address.port : port}`;
    }

    for (const { instance, periodic, role, host } of running) {
      if (instance.start) await instance.start();
      const name = `${role.name}${role.perHost ? `@${host}` : ''}`;
      if (instance.stop) cleanup.push(named(`stop ${name}`, () => instance.stop!()));
      periodic.start();
      cleanup.push(named(`periodic tasks of ${name}`, () => periodic.stop()));
    }
    phase('listen and start roles');
    if (url) await waitUntilAnswering(url, apis.map((r) => `${r.role.prefix ?? r.project.prefix}${r.role.discoveryPath ?? '/'}`));
    phase('ready check');

    let cloudsYaml: string | undefined;
    if (identity) {
      cloudsYaml = writeCloudsYaml({ dataDir, authUrl: `${identityUrl}/v3`, username: admin.admin_username, password: admin.admin_password, projectName: admin.admin_project, region: defaults.region_name });
    }
    const roles = [...new Set(running.map((r) => r.role.name))];
    const stateFile = resolve(dataDir, 'nubo.state.json');
    writeFileSync(stateFile, JSON.stringify({ pid: process.pid, url, roles, started_at: new Date().toISOString() }), { mode: 0o600 });
    cleanup.unshift(async () => rmSync(stateFile, { force: true }));
    chmodSync(dataDir, 0o700);

    return { url, identityUrl, dataDir, config, roles, adminPassword: admin.admin_password, cloudsYaml, app, close };
  } catch (err) {
    await close();
    throw err;
  } finally {
    await reserved?.release();
  }
}

/** A shutdown step with a name, for the log that says which step is still running. */
function named(name: string, step: () => Promise<void>): () => Promise<void> {
  return Object.defineProperty(step, 'name', { value: name });
}

/** Every API must answer its version document (or its role's discovery path) before the cloud is called ready. */
async function waitUntilAnswering(url: string, paths: string[]): Promise<void> {
  for (const path of new Set(paths)) {
    const res = await request(`${url}${path}`);
    await res.body.dump();
    if (res.statusCode >= 400) throw new OperatorError(`the API at ${url}${path} does not answer (HTTP ${res.statusCode})`);
  }
}
