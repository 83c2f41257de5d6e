/**
 * A client request as the proxy's controllers take it (the API layer builds it from the HTTP
 * request) and the settings they work with.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../../../common/context.js';
import type { KeystoneAuth } from '../policies/keystoneauth.js';
import type { Rings } from '../ring/all-in-one.js';
import type { MetadataLimits } from '../utils/metadata.js';
import { normalizeTimestamp } from '../utils/timestamp.js';
import type { ProxyLog, Timeouts } from './base.js';

export interface SwiftRequest {
  ctx: RequestContext;
  method: string;
  account: string;
  container?: string;
  object?: string;
  /** The raw query string ('' or 'format=json&limit=2'). */
  query: string;
  headers: IncomingHttpHeaders;
  body?: Readable;
}

export interface ProxySettings {
  maxFileSize: number;
  maxObjectNameLength: number;
  maxContainerNameLength: number;
  maxAccountNameLength: number;
  containerListingLimit: number;
  accountListingLimit: number;
  accountAutocreate: boolean;
  /** PUT and DELETE of accounts by the reseller admin (allow_account_management). */
  allowAccountManagement?: boolean;
  recheckContainerMs: number;
  meta: MetadataLimits;
}

export interface ProxyDeps {
  rings: Rings;
  auth: KeystoneAuth;
  settings: ProxySettings;
  timeouts: Timeouts;
  log: ProxyLog;
}

/** X-Timestamps of this proxy: the clock with 10 µs steps, never twice the same. */
export class Clock {
  private last = 0n;

  next(): string {
    const nowUs = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 100));
    this.last = nowUs > this.last ? nowUs : this.last + 1n;
    const s = this.last.toString();
    return normalizeTimestamp(`${s.slice(0, -5)}.${s.slice(-5)}`);
  }
}

export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s;
}
