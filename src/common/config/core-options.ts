/**
 * The option groups of the shared plumbing: [DEFAULT], [database], [http]. Projects declare
 * their own groups in their folders; the launcher adds [DEFAULT] enabled_services and the
 * per-project groups generated from its registry (src/cmd/options.ts).
 */
import { hostname } from 'node:os';
import { DEFAULT_MAX_JSON_DEPTH } from '../http/json-body.js';
import { defineGroup, opt, parseHostPort, type Values } from './options.js';

export const defaultGroup = defineGroup('DEFAULT', 'General options', {
  data_dir: opt.str('./data', 'Directory for SQLite databases, image files and other state.', {
    env: 'NUBO_DATA_DIR',
  }),
  bind: opt.hostPort('127.0.0.1:8880', 'Address the API server listens on, host:port ([::1]:8880 for IPv6).', {
    env: 'NUBO_BIND',
  }),
  public_url: opt.url(
    '',
    'Base URL clients use to reach the API (the service catalog is built from it). Empty: derived from bind.',
  ),
  transport_url: opt.url(
    'inproc://',
    'Messaging transport: inproc:// (in one process) or rabbit://user:password@host:5672/vhost.',
  ),
  control_exchange: opt.str('openstack', 'Default exchange for RPC and notifications.'),
  log_level: opt.enum(['trace', 'debug', 'info', 'warn', 'error'], 'info', 'Lowest level of messages logged.'),
  graceful_shutdown_timeout: opt.int(60, 'Seconds a stop (SIGTERM, SIGINT) may take to let work in flight finish before the process exits anyway (oslo.service\'s option; 0: wait as long as it takes).', { min: 0 }),
  log_format: opt.enum(['json', 'pretty'], 'json', 'Log line format: json (one object a line) or pretty.'),
  region_name: opt.str('RegionOne', 'Region name in the service catalog.'),
  host: opt.str(hostname(), 'Name of this host, used for per-host RPC topics and agent records.'),
  hosts: opt.list([], 'The hosts this process plays: each per-host role (a compute host, an agent) runs once for each. Empty: only [DEFAULT] host. In all-in-one, several names give several simulated hosts, e.g. compute1,compute2,compute3.'),
});

export const databaseGroup = defineGroup('database', 'Database connection', {
  connection: opt.str(
    'sqlite',
    'Database of each service. "sqlite": one file per service in data_dir; ' +
      '"sqlite:///abs/path.db": that SQLite file; "postgresql://user:pw@host/nubo_{service}" or ' +
      '"mysql://root@host/nubo_{service}": a server, where {service} is replaced by the service name.',
  ),
  max_pool_size: opt.int(5, 'Largest number of open connections per service (PostgreSQL and MySQL).', { min: 1 }),
  pool_timeout: opt.int(30, 'Seconds a statement waits for a free pooled connection (PostgreSQL) before failing.', { min: 1 }),
  connection_debug: opt.int(
    0,
    'Verbosity of SQL debugging information, as oslo.db: 0 logs none, 50 and up logs every statement with its ' +
      'duration (one "sql" line each, with the request id).',
    { min: 0, max: 100 },
  ),
});

export const httpGroup = defineGroup('http', 'HTTP server', {
  body_limit: opt.int(1048576, 'Largest request body accepted, in bytes (1 MiB).', { min: 1 }),
  max_json_depth: opt.int(
    DEFAULT_MAX_JSON_DEPTH,
    'Deepest nesting of objects and arrays accepted in a JSON request body; deeper bodies get 400. ' +
      'OpenStack bodies nest a few levels, Heat templates a few dozen.',
    { min: 1 },
  ),
  keep_alive_timeout: opt.int(65000, 'How long an idle keep-alive connection stays open, in milliseconds.', { min: 0 }),
});

/** All groups of this module, for `Config.load({ groups: [...coreGroups, ...serviceGroups] })`. */
export const coreGroups = [defaultGroup, databaseGroup, httpGroup] as const;

/** `connection` with `{service}` replaced by the service's name (`nubo_{service}` -> `nubo_image`). */
export function serviceConnection(connection: string, service: string): string {
  return connection.replaceAll('{service}', service);
}

/**
 * The public base URL, without a trailing slash: `public_url` when set, otherwise
 * `http://<bind>`, with a wildcard bind address (0.0.0.0, ::) replaced by the loopback address.
 */
export function publicBaseUrl(values: Pick<Values<typeof defaultGroup.opts>, 'public_url' | 'bind'>): string {
  if (values.public_url !== '') return values.public_url.replace(/\/+$/, '');
  const { host, port } = parseHostPort(values.bind);
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
