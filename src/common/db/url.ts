/**
 * Database URLs as OpenStack deployers write them (`[database] connection = ...`), turned into a
 * typed target for openDatabase. Written by hand: the forms are SQLAlchemy's plus Nubo's
 * `sqlite` shorthand, and no library covers that mix.
 *
 * Accepted forms:
 * - `sqlite`                          => `<dataDir>/<service>.db`
 * - `sqlite:///abs/path.db`           => that absolute path
 * - `sqlite://relative/path.db`       => relative to the data dir
 * - `sqlite::memory:`, `sqlite://:memory:`, `sqlite://` => an in-memory database
 * - `postgresql://user:pw@host:5432/name` (also `postgres://`, `postgresql+<driver>://`)
 * - `mysql://user:pw@host:3306/name`      (also `mariadb://`, `mysql+<driver>://`, `mariadb+<driver>://`)
 *
 * A literal `{service}` anywhere in the database name or SQLite path is replaced by the service
 * name (`nubo_{service}` -> `nubo_keystone`). An empty host means the local Unix socket.
 * Query parameters: PostgreSQL `sslmode`, `host` (socket directory), `connect_timeout` (s);
 * MySQL `charset` (utf8/utf8mb4; Nubo always talks utf8mb4), `unix_socket`, `connect_timeout` (s).
 * Anything else is rejected rather than silently ignored.
 */
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { DatabaseUrlError } from './errors.js';

export interface SqliteTarget {
  readonly dialect: 'sqlite';
  readonly service: string;
  /** Absolute file path, or `:memory:`. */
  readonly filename: string;
  /** Normalised URL, safe to print. */
  readonly url: string;
}

export interface ServerTarget {
  readonly dialect: 'postgres' | 'mysql';
  readonly service: string;
  /** Host name or IP address; empty when `socketPath` is used. */
  readonly host: string;
  readonly port: number;
  /** Unix socket (MySQL: the socket file; PostgreSQL: the socket directory). */
  readonly socketPath?: string;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
  /** TLS: undefined = off; `verify` false = encrypted but the certificate is not checked. */
  readonly tls?: { readonly verify: boolean };
  readonly connectTimeoutMs: number;
  /** Normalised URL with the password masked, safe to print. */
  readonly url: string;
}

export type DatabaseTarget = SqliteTarget | ServerTarget;

export interface ParseDatabaseUrlOptions {
  /** Service that owns the database (`keystone`); names the SQLite file and fills `{service}`. */
  readonly service: string;
  /** Directory for SQLite files. */
  readonly dataDir: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const SERVICE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** Conservative on purpose: names are quoted in CREATE/DROP DATABASE and must fit PG (63) and MySQL (64). */
const DATABASE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$/;

/** Replaces the password of a URL-like string with `***` (also for strings that don't parse). */
export function maskUrl(url: string): string {
  return url.replace(/^([A-Za-z][\w+.-]*:\/\/[^:@/]*:)[^]*@/, '$1***@');
}

export function parseDatabaseUrl(url: string, opts: ParseDatabaseUrlOptions): DatabaseTarget {
  const raw = url.trim();
  if (!SERVICE_RE.test(opts.service)) {
    throw new DatabaseUrlError(maskUrl(raw), `invalid service name "${opts.service}"`);
  }
  const scheme = /^([A-Za-z][\w+.-]*):/.exec(raw)?.[1]?.toLowerCase() ?? raw.toLowerCase();
  const base = scheme.split('+')[0];
  if (base === 'sqlite') return parseSqlite(raw, opts);
  if (base === 'postgresql' || base === 'postgres') return parseServer(raw, 'postgres', opts);
  if (base === 'mysql' || base === 'mariadb') return parseServer(raw, 'mysql', opts);
  throw new DatabaseUrlError(
    maskUrl(raw),
    raw === '' ? 'empty URL' : 'unsupported scheme (use sqlite, postgresql:// or mysql://)',
  );
}

function parseSqlite(raw: string, opts: ParseDatabaseUrlOptions): SqliteTarget {
  const dataDir = resolve(opts.dataDir);
  const memory = (): SqliteTarget => ({ dialect: 'sqlite', service: opts.service, filename: ':memory:', url: 'sqlite::memory:' });
  const file = (filename: string): SqliteTarget => ({ dialect: 'sqlite', service: opts.service, filename, url: `sqlite://${filename}` });

  if (raw.toLowerCase() === 'sqlite') return file(join(dataDir, `${opts.service}.db`));
  if (raw.toLowerCase() === 'sqlite::memory:') return memory();
  if (!raw.toLowerCase().startsWith('sqlite://')) {
    throw new DatabaseUrlError(raw, 'expected sqlite, sqlite:///abs/path.db, sqlite://relative/path.db or sqlite::memory:');
  }
  const rest = raw.slice('sqlite://'.length);
  if (rest.includes('?') || rest.includes('#')) {
    throw new DatabaseUrlError(raw, 'SQLite URLs take no query parameters');
  }
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch (err) {
    throw new DatabaseUrlError(raw, 'bad percent-encoding in the path', { cause: err });
  }
  if (path === '' || path === ':memory:') return memory();
  path = path.replaceAll('{service}', opts.service);
  return file(isAbsolute(path) ? normalize(path) : resolve(dataDir, path));
}

function parseServer(raw: string, dialect: 'postgres' | 'mysql', opts: ParseDatabaseUrlOptions): ServerTarget {
  const masked = maskUrl(raw);
  const fail = (reason: string, cause?: unknown): never => {
    throw new DatabaseUrlError(masked, reason, cause === undefined ? undefined : { cause });
  };
  // libpq-style `postgresql://user@/db?host=/socket/dir` has an empty host, which the WHATWG
  // parser refuses after credentials: parse it with a placeholder host, then drop that.
  const SOCKET_HOST = 'unix-socket.invalid';
  const emptyHost = /^[^:]+:\/\/[^/?#]*@(?=[/?#]|$)/.test(raw);
  let u: URL;
  try {
    u = new URL(emptyHost ? raw.replace(/@(?=[/?#]|$)/, `@${SOCKET_HOST}`) : raw);
  } catch (err) {
    return fail('not a valid URL', err);
  }
  const decode = (s: string, what: string): string => {
    try {
      return decodeURIComponent(s);
    } catch (err) {
      return fail(`bad percent-encoding in the ${what}`, err);
    }
  };

  const user = decode(u.username, 'user name') || (dialect === 'postgres' ? 'postgres' : 'root');
  const password = u.password === '' ? undefined : decode(u.password, 'password');
  const host = emptyHost ? '' : u.hostname.replace(/^\[(.*)\]$/, '$1');
  const defaultPort = dialect === 'postgres' ? 5432 : 3306;
  const port = u.port === '' ? defaultPort : Number(u.port);

  const dbPath = decode(u.pathname.replace(/^\//, ''), 'database name');
  if (dbPath === '') fail('the URL names no database (add /<name>, e.g. /nubo_{service})');
  const database = dbPath.replaceAll('{service}', opts.service);
  if (!DATABASE_NAME_RE.test(database)) {
    fail(`unsupported database name "${database}" (letters, digits, _ - $; at most 63 characters)`);
  }

  let socketPath: string | undefined;
  let tls: ServerTarget['tls'];
  let connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  for (const [key, value] of u.searchParams) {
    if (key === 'connect_timeout') {
      const seconds = Number(value);
      if (!Number.isFinite(seconds) || seconds <= 0) fail(`connect_timeout must be a positive number of seconds, got "${value}"`);
      connectTimeoutMs = seconds * 1000;
    } else if (dialect === 'postgres' && key === 'sslmode') {
      if (value === 'disable' || value === 'allow' || value === 'prefer') tls = undefined;
      else if (value === 'require') tls = { verify: false };
      else if (value === 'verify-ca' || value === 'verify-full') tls = { verify: true };
      else fail(`unsupported sslmode "${value}"`);
    } else if (dialect === 'postgres' && key === 'host') {
      socketPath = value;
    } else if (dialect === 'mysql' && key === 'unix_socket') {
      socketPath = value;
    } else if (dialect === 'mysql' && key === 'charset') {
      if (!/^utf8(mb4|mb3)?$/i.test(value)) fail(`unsupported charset "${value}" (Nubo always uses utf8mb4)`);
    } else {
      fail(`unsupported parameter "${key}"`);
    }
  }
  if (host === '' && socketPath === undefined) {
    socketPath = dialect === 'postgres' ? '/var/run/postgresql' : '/run/mysqld/mysqld.sock';
  }

  const scheme = dialect === 'postgres' ? 'postgresql' : 'mysql';
  const auth = `${encodeURIComponent(user)}${password === undefined ? '' : ':***'}@`;
  const hostPart = host === '' ? '' : `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `${scheme}://${auth}${hostPart}/${database}${u.search}`;

  return {
    dialect,
    service: opts.service,
    host,
    port,
    ...(socketPath === undefined ? {} : { socketPath }),
    user,
    ...(password === undefined ? {} : { password }),
    database,
    ...(tls === undefined ? {} : { tls }),
    connectTimeoutMs,
    url,
  };
}

/** A copy of a server target pointing at another database on the same server (admin tasks, tests). */
export function withDatabase(target: ServerTarget, database: string): ServerTarget {
  if (!DATABASE_NAME_RE.test(database)) {
    throw new DatabaseUrlError(target.url, `unsupported database name "${database}"`);
  }
  const url = target.url.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
  return { ...target, database, url };
}
