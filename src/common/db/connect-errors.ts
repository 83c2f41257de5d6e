/**
 * Turns a driver's connection failure into one line an operator can act on
 * ("connection refused (is PostgreSQL running and reachable?)"). The codes are the drivers'
 * own: Node socket errors, PostgreSQL SQLSTATEs, MySQL errnos and better-sqlite3 result codes.
 */
import { dirname } from 'node:path';
import { firstLine } from './errors.js';
import type { DatabaseTarget } from './url.js';

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** The error's code, looking into AggregateError (Node tries every address of a host name). */
function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as DriverError;
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  if (Array.isArray(e.errors) && e.errors.length > 0) return codeOf(e.errors[0]);
  return undefined;
}

function errnoOf(err: unknown): number | undefined {
  const errno = (err as DriverError | null)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

/** Reason (with a hint) for a failure to connect to or open `target`. */
export function explainConnectError(err: unknown, target: DatabaseTarget): string {
  const code = codeOf(err);
  const message = firstLine(err);

  if (target.dialect === 'sqlite') {
    const where = target.filename;
    if (code === 'EACCES' || code === 'EPERM') return `permission denied for ${dirname(where)} (check the data directory's owner and mode)`;
    if (code === 'ENOTDIR' || code === 'EEXIST') return `${dirname(where)} is not a directory (check the data directory)`;
    if (code === 'EROFS' || code?.startsWith('SQLITE_READONLY')) return `${where} is on a read-only file system or not writable`;
    if (code?.startsWith('SQLITE_CANTOPEN')) return `cannot open ${where} (does the directory exist and is it writable?)`;
    if (code === 'SQLITE_NOTADB') return `${where} is not a SQLite database`;
    if (code?.startsWith('SQLITE_CORRUPT')) return `${where} is corrupt (restore it from a backup)`;
    if (code?.startsWith('SQLITE_BUSY')) return `${where} is locked by another process`;
    return message;
  }

  const product = target.dialect === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
  const timeoutS = target.connectTimeoutMs / 1000;
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused (is ${product} running and reachable?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host "${target.host}" not found (check the host name in the URL)`;
    case 'ETIMEDOUT':
      return `connection timed out after ${timeoutS}s (is the host reachable, or is a firewall dropping packets?)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host "${target.host}" unreachable (check the network and the host in the URL)`;
    case 'ENOENT':
      return `no ${product} socket at ${target.socketPath ?? '(none)'} (is ${product} running locally?)`;
    case 'EACCES':
      return target.socketPath === undefined
        ? 'permission denied (check the host and port in the URL)'
        : `permission denied on the socket ${target.socketPath} (check its mode)`;
    case 'ECONNRESET':
    case 'PROTOCOL_CONNECTION_LOST':
      return `the server closed the connection (is it ${product}, and does TLS match?)`;
  }
  if (/timeout/i.test(message) && /connect/i.test(message)) {
    return `connection timed out after ${timeoutS}s (is the host reachable, or is a firewall dropping packets?)`;
  }

  const user = `user "${target.user}"`;
  if (target.dialect === 'postgres') {
    switch (code) {
      case '28P01':
      case '28000':
        return `authentication failed for ${user} (check the user and password in the URL, and pg_hba.conf)`;
      case '3D000':
        return `database "${target.database}" does not exist (create it, or let Nubo create it)`;
      case '42501':
        return `${user} lacks the privilege to connect to "${target.database}" (GRANT CONNECT/CREATE to it)`;
      case '53300':
        return 'too many connections (raise max_connections or lower the pool size)';
      case '57P03':
        return 'the server is starting up or shutting down (retry in a moment)';
    }
  } else {
    switch (errnoOf(err)) {
      case 1045:
        return `access denied for ${user} (check the user and password in the URL)`;
      case 1044:
        return `${user} has no access to database "${target.database}" (GRANT ALL ON ${target.database}.* to it)`;
      case 1049:
        return `database "${target.database}" does not exist (create it, or let Nubo create it)`;
      case 1040:
        return 'too many connections (raise max_connections or lower the pool size)';
    }
  }
  return message;
}
