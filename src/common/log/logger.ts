/**
 * Structured logging (pino). Every line written while a request is being served carries that
 * request's ids: a pino mixin reads them from the request-scope store (log/request-scope.ts).
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { BatchedOutput } from './batched-output.js';
import { currentScope } from './request-scope.js';

export type { Logger };

export interface LoggerSettings {
  level?: string;
  /** 'json' (default) or 'pretty' (single human-readable line per record). */
  format?: 'json' | 'pretty';
  /** Where lines go; default stdout. */
  destination?: NodeJS.WritableStream;
}

const REDACT = [
  'password', '*.password', '*.*.password', 'token', 'auth_token', 'headers["x-auth-token"]',
  'headers["x-subject-token"]', 'headers["x-service-token"]', 'secret', '*.secret',
];

/**
 * pino's stdTimeFunctions.isoTime, with the text made once per millisecond: every request
 * writes a line, and under load many lines share a millisecond.
 */
let lastMs = NaN;
let lastTime = '';
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** The request ids of the scope a line is written in (request-line.ts writes the same fields). */
export function requestIdsMixin(): Record<string, string> {
  const scope = currentScope();
  if (!scope) return {};
  return scope.globalRequestId && scope.globalRequestId !== scope.requestId
    ? { req_id: scope.requestId, global_req_id: scope.globalRequestId }
    : { req_id: scope.requestId };
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { pid: process.pid },
    timestamp: isoTime,
    redact: { paths: REDACT, censor: '***' },
    mixin: requestIdsMixin,
  };
  if (settings.format === 'pretty') {
    return pino(options, prettyStream(settings.destination ?? process.stdout));
  }
  return pino(options, settings.destination ?? stdoutDestination());
}

let stdout: BatchedOutput | undefined;

/** Standard output, written once per turn of the event loop (batched-output.ts); one for every logger. */
function stdoutDestination(): NodeJS.WritableStream {
  stdout ??= new BatchedOutput(process.stdout.fd ?? 1);
  return stdout as unknown as NodeJS.WritableStream;
}

/**
 * A child of `log` for lines whose fields are fixed and never secret (the per-request line of
 * http/app.ts): it skips the redaction pass. The wildcard paths above make pino run a redactor
 * on every field of every line, which costs more than the rest of writing such a line.
 */
export function unredactedLogger(log: Logger): Logger {
  return log.child({}, { redact: [] });
}

/** A dependency-free one-line formatter: `time LEVEL [req-id] msg key=value ...`. */
function prettyStream(out: NodeJS.WritableStream): NodeJS.WritableStream & { write(s: string): boolean } {
  const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
  return {
    write(line: string): boolean {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        const { time, level, msg, req_id, pid: _pid, hostname: _h, ...rest } = rec;
        const extras = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        const id = req_id ? ` [${String(req_id)}]` : '';
        return out.write(`${String(time)} ${levels[Number(level)] ?? level}${id} ${String(msg ?? '')}${extras ? ' ' + extras : ''}\n`);
      } catch {
        return out.write(line);
      }
    },
  } as NodeJS.WritableStream & { write(s: string): boolean };
}
