/**
 * Sends fuzz requests over HTTP with a few connections and a per-request timeout, and collects
 * every request that answered 5xx (but 501 Not Implemented), hung past the timeout, or lost its connection (the server
 * crashed or gave up on it). Each worker has its own connection, replaced after a failure, so
 * a hung request never holds up the requests behind it.
 */
import { Client, errors } from 'undici';
import type { FuzzRequest } from './cases.js';

/** Who sends a request: the token (none for anonymous) and a name for the report. */
export interface FuzzIdentity {
  readonly name: string;
  readonly token?: string;
}

export interface FuzzJob {
  readonly identity: FuzzIdentity;
  readonly request: FuzzRequest;
}

export interface FuzzFailure {
  readonly method: string;
  readonly url: string;
  /** The status, or 'timeout' / 'connection error: ...'. */
  readonly status: number | string;
  readonly identity: string;
  readonly label: string;
  /** Start of the response body. */
  readonly detail: string;
}

export interface FuzzResult {
  readonly requests: number;
  readonly failures: FuzzFailure[];
  readonly statuses: ReadonlyMap<number, number>;
  readonly ms: number;
}

export interface RunOptions {
  concurrency?: number;
  timeoutMs?: number;
}

export async function runFuzz(baseUrl: string, jobs: readonly FuzzJob[], opts: RunOptions = {}): Promise<FuzzResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const newClient = (): Client => new Client(baseUrl, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const failures: FuzzFailure[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  let next = 0;

  /** Sends one request on `client`; false when the connection must be replaced. */
  const one = async (client: Client, { identity, request }: FuzzJob): Promise<boolean> => {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (identity.token) headers['x-auth-token'] = identity.token;
    const fail = (status: number | string, detail: string): void => {
      failures.push({ method: request.method, url: request.path, status, identity: identity.name, label: request.label, detail: detail.slice(0, 300) });
    };
    try {
      const res = await client.request({
        path: request.path, method: request.method as 'GET', headers, body: request.body, signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      // 501 is an answer, not a failure: upstream gives it on purpose (Neutron's POST /quotas).
      if (res.statusCode >= 500 && res.statusCode !== 501) fail(res.statusCode, text);
      return true;
    } catch (err) {
      const e = err as Error;
      if (e instanceof errors.InvalidArgumentError) throw new Error(`the fuzz test built an invalid request (${request.method} ${request.path}): ${e.message}`, { cause: e });
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError' || e instanceof errors.HeadersTimeoutError || e instanceof errors.BodyTimeoutError;
      fail(timedOut ? 'timeout' : `connection error: ${e.message}`, '');
      return false;
    }
  };

  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, async () => {
    let client = newClient();
    try {
      while (next < jobs.length) {
        if (!(await one(client, jobs[next++]!))) {
          void client.destroy().catch(() => {});
          client = newClient();
        }
      }
    } finally {
      await client.destroy().catch(() => {});
    }
  }));
  return { requests: jobs.length, failures, statuses, ms: performance.now() - started };
}

/** One line per failure: `METHOD url -> status (identity; what was mutated): body`. */
export function formatFailures(failures: readonly FuzzFailure[]): string {
  return failures.map((f) => `${f.method} ${f.url.slice(0, 200)} -> ${f.status} (${f.identity}; ${f.label}): ${f.detail.replace(/\s+/g, ' ').slice(0, 160)}`).join('\n');
}
