/**
 * The Placement API as Nova calls it (what keystoneauth's adapter does for nova's report
 * client): JSON requests below the catalog's `placement` endpoint with the microversion in
 * OpenStack-API-Version. Errors keep Placement's error code (`placement.concurrent_update`,
 * `placement.inventory.inuse`...) so callers can retry exactly the conflicts upstream retries.
 */
import type { Dispatcher } from 'undici';
import { ServiceClientError, ServiceProxy, type ServiceDescription } from '../../../../common/clients/index.js';

/** A non-2xx answer of Placement, with its error code when it sent one. */
export class PlacementError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, readonly detail: string, readonly url: string) {
    super(`placement answered ${status}${code ? ` (${code})` : ''} to ${url}: ${detail}`);
    this.name = 'PlacementError';
  }

  get isConcurrentUpdate(): boolean {
    return this.status === 409 && this.code === 'placement.concurrent_update';
  }
}

function parseError(err: ServiceClientError, url: string): PlacementError {
  let code: string | undefined;
  let detail = err.responseBody;
  try {
    const body = JSON.parse(err.responseBody) as { errors?: Array<{ code?: string; detail?: string }> };
    code = body.errors?.[0]?.code;
    detail = body.errors?.[0]?.detail ?? detail;
  } catch {
    // not JSON: keep the text
  }
  return new PlacementError(err.status, code, detail, url);
}

export class PlacementClient extends ServiceProxy {
  protected readonly service: ServiceDescription = { types: ['placement'], microversion: { service: 'placement', default: '1.39' } };

  /** A request; `accept` lists statuses returned rather than thrown (e.g. 404 for a lookup). */
  async call<T>(method: Dispatcher.HttpMethod, path: string, opts: { body?: unknown; version?: string; accept?: number[] } = {}): Promise<{ status: number; body: T }> {
    try {
      const res = await this.json<T>(method, path, {
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        ...(opts.version ? { microversion: opts.version } : {}),
        ...(opts.accept ? { accept: opts.accept } : {}),
      });
      return { status: res.status, body: res.body };
    } catch (err) {
      if (err instanceof ServiceClientError) throw parseError(err, path);
      throw err;
    }
  }
}
