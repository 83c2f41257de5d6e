/**
 * The per-request log line (http/app.ts), written without pino's general path: its fields are
 * fixed and never secret, so the line is put together as text and handed to the logger's own
 * destination, exactly as pino would write it (level, time, the logger's bindings, the request
 * ids the mixin adds, the fields, `msg`). Every request writes one, and pino's path (mixin
 * object, merge, a generic loop over the fields with a stringifier each) costs several times this.
 * A logger this does not know how to mirror (custom formatters, hooks, message key or prefix)
 * gets the line through pino itself.
 */
import { pino } from 'pino';
import type { Logger } from './logger.js';
import { requestIdsMixin, unredactedLogger } from './logger.js';
import type { RequestScope } from './request-scope.js';

export interface RequestLineFields {
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  user: string | undefined;
  project: string | undefined;
}

export type RequestLineWriter = (scope: RequestScope | undefined, fields: RequestLineFields) => void;

const INFO = 30;
const S = pino.symbols as unknown as Record<string, symbol>;

interface PinoInternals {
  levelVal: number;
  [key: symbol]: unknown;
}

/** Printable ASCII but `"` and backslash: a string of these is its own JSON text between quotes. */
const NO_ESCAPES = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * JSON.stringify of a string. The line's strings (request ids, method, path, user and project
 * ids) almost never need an escape, and testing for that costs a third of stringifying.
 */
function jsonString(s: string): string {
  return NO_ESCAPES.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** Mirrors createLogger's mixin: the request ids of the line's scope. */
function ids(scope: RequestScope | undefined): string {
  if (!scope) return '';
  const req = `,"req_id":${jsonString(scope.requestId)}`;
  return scope.globalRequestId && scope.globalRequestId !== scope.requestId ? `${req},"global_req_id":${jsonString(scope.globalRequestId)}` : req;
}

export function requestLineWriter(log: Logger): RequestLineWriter {
  const p = log as unknown as PinoInternals;
  const formatters = p[S.formattersSym!] as { level?: unknown; log?: unknown; bindings?: unknown } | undefined;
  const hooks = p[S.hooksSym!] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  const levels = p[S.lsCacheSym!] as Record<number, string> | undefined;
  const stream = p[S.streamSym!] as { write(line: string): unknown } | undefined;
  const mirrorable = levels?.[INFO] !== undefined && stream !== undefined && typeof p[S.timeSym!] === 'function'
    && typeof p[S.chindingsSym!] === 'string' && p[S.messageKeySym!] === 'msg' && !p[S.msgPrefixSym!] && !p[S.nestedKeySym!]
    && !formatters?.log && !hooks?.logMethod && !hooks?.streamWrite && p[S.mixinMergeStrategySym!] === undefined
    && p[S.mixinSym!] === requestIdsMixin && (stream as Record<symbol, unknown>)[S.needsMetadataGsym!] !== true;
  if (!mirrorable) {
    const plain = unredactedLogger(log);
    return (_scope, fields) => plain.info(fields, 'request');
  }
  const levelText = levels[INFO]!;
  const time = p[S.timeSym!] as () => string;
  return (scope, f) => {
    if (p.levelVal > INFO) return;
    let line = `${levelText}${time()}${p[S.chindingsSym!] as string}${ids(scope)},"method":${jsonString(f.method)},"path":${jsonString(f.path)},"status":${f.status},"duration_ms":${Number.isFinite(f.duration_ms) ? f.duration_ms : null}`;
    if (f.user !== undefined) line += `,"user":${jsonString(f.user)}`;
    if (f.project !== undefined) line += `,"project":${jsonString(f.project)}`;
    stream.write(`${line},"msg":"request"}\n`);
  };
}
