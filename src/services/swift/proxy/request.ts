/**
 * A client request as the proxy's controllers take it (the API layer builds it from the HTTP
 * request) and the settings they work with.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../../../common/context.js';
import type { Access, KeystoneAuth } from '../policies/keystoneauth.js';
import type { Rings } from '../ring/all-in-one.js';
import type { MetadataLimits } from '../utils/metadata.js';
import type { StoragePolicies } from '../utils/storage-policy.js';
import { normalizeTimestamp } from '../utils/timestamp.js';
import type { ProxyLog, Timeouts } from './base.js';
import type { ContainerSyncSettings } from './middleware/container-sync.js';
import type { CorsSettings } from './middleware/cors.js';
import type { InfoCache } from './middleware/pipeline.js';

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
  /**
   * Authorized by a signature (tempurl, formpost: swift.authorize_override) within this scope
   * (an account, a container of it; {} for the proxy's own requests): keystoneauth is not asked.
   */
  preauthorized?: { account?: string; container?: string };
  /** The middleware that made this subrequest (swift.source: 'SLO', 'VW', 'BD', ...); undefined for a client's request. */
  source?: string;
  /** How keystoneauth (or a signature) let the request in; set once it is authorized. */
  access?: Access;
  /** The URL path as the client sent it (mount and trailing '/' included): staticweb's redirects and listings. */
  rawPath?: string;
  /** The client's address (tempurl's temp_url_ip_range). */
  remoteAddress?: string;
  /** Account and container HEADs already made for this request (get_account_info / get_container_info), by path. */
  infos?: Map<string, Promise<{ status: number; headers: Record<string, string> }>>;
  /** The proxy's infos kept across requests (middleware/pipeline.ts InfoCache). */
  infoCache?: InfoCache;
  /** How deep in large objects this segment read is (slo.py's recursion limit). */
  nesting?: number;
  /**
   * A middleware's own request into the reserved namespace (names with NUL: object_versioning's
   * hidden containers; X-Backend-Allow-Reserved-Names). Never a client's: only a middleware sets it.
   */
  allowReserved?: boolean;
  /** The X-Timestamp a middleware chose for this write (object_versioning: the version id); else the proxy's clock. */
  timestamp?: string;
  /** The path the client's URL has before /v1 (the endpoint's mount, '/object'): signatures may cover it. */
  mount?: string;
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
  /** cors_allow_origin, cors_expose_headers, strict_cors_mode (default: none, none, strict). */
  cors?: CorsSettings;
  /** The symlink filter's symloop_max (default 2). */
  symloopMax?: number;
}

export interface ProxyDeps {
  rings: Rings;
  /** The storage policies (default: Policy-0 alone). */
  policies?: StoragePolicies;
  auth: KeystoneAuth;
  settings: ProxySettings;
  timeouts: Timeouts;
  log: ProxyLog;
  /** The container_sync middleware's realms and checks (none: the middleware is not in the pipeline). */
  containerSync?: ContainerSyncSettings;
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
