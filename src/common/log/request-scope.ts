/**
 * The request scope: request ids (and the authenticated context) of the work in progress,
 * carried through async calls by AsyncLocalStorage so that log lines, REST clients and RPC
 * calls made while serving a request pick them up without threading them by hand.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ActiveSpan } from '../tracing/tracing.js';

export interface RequestScope {
  /** This service's id for the request: `req-<uuid>`. */
  requestId: string;
  /** The id of the whole user request across services (from the caller's X-Openstack-Request-Id). */
  globalRequestId?: string;
  /** Anything else the layers above attach (the RequestContext). */
  context?: unknown;
  /**
   * The HTTP request being served, for records that name its client (CADF initiators: address
   * and user agent); read when needed, so that serving a request copies nothing.
   */
  client?: RequestClient;
  /** The span of this work when it is traced (tracing/tracing.ts). */
  trace?: ActiveSpan;
}

/** What the request scope offers of the HTTP request (a FastifyRequest is one). */
export interface RequestClient {
  readonly ip: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** Bind the scope to the rest of the current async execution (used by the HTTP onRequest hook). */
export function enterScope(scope: RequestScope): void {
  storage.enterWith(scope);
}

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** oslo.middleware accepts only well-formed ids from callers; anything else is ignored. */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}
