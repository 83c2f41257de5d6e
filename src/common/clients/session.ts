/**
 * ServiceSession: what keystoneauth's Session + Password plugin do for a service. It logs in
 * with the service's credentials, keeps the token until shortly before it expires, finds
 * endpoints in the catalog, and sends requests with X-Auth-Token and the flow's
 * X-Openstack-Request-Id (from the request scope). When a service acts for a user it sends
 * the user's token as X-Auth-Token and its own as X-Service-Token, as upstream does.
 *
 * Bodies are JSON (`body`) or raw (`data`: bytes, or a stream sent as the connection takes it).
 * Responses are parsed JSON (or text), or with `stream: true` a stream read with backpressure
 * that the caller consumes or dumps. A 401 to the service's own token logs in again and sends
 * the request once more, as keystoneauth does, except when the request body was a stream: a
 * consumed stream cannot be sent twice, so then the token is dropped (the next request logs in)
 * and the 401 is thrown. Other non-2xx answers are thrown as ServiceClientError (a streamed
 * one with its body read up to 64 KiB); an unreachable service is ServiceUnavailable.
 */
import type { Readable } from 'node:stream';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { ServiceUnavailable, NuboError } from '../errors.js';
import { currentScope } from '../log/request-scope.js';
import type { ServiceCredentials } from '../service/project.js';
import { clientSpanName } from '../tracing/names.js';
import { activeSpan, endSpan, SpanKind, startChildSpan, traceparentOf } from '../tracing/tracing.js';
import { isStreamBody, readBounded, responseStream, uploadBody, type RequestData, type UploadBody } from './bodies.js';

export type { RequestData, StreamBody } from './bodies.js';

export interface SessionOptions {
  /** Identity root URL, e.g. http://127.0.0.1:8880/identity. */
  authUrl: string;
  credentials: ServiceCredentials;
  region: string;
  interface?: 'public' | 'internal' | 'admin';
  dispatcher?: Dispatcher;
}

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface ClientResponse<T> {
  status: number;
  headers: ResponseHeaders;
  body: T;
}

/** A response whose body is read as it arrives. Read `body` to its end, or call `dump()`. */
export interface StreamResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body, with backpressure; destroying it (or leaving a `for await` early) closes the response. */
  body: Readable;
  /** Discard the body and release the connection. */
  dump(): Promise<void>;
}

export interface RequestOptions {
  /** A JSON body. */
  body?: unknown;
  /**
   * A raw body (content type application/octet-stream unless given): bytes or text, or a stream
   * read as the connection takes it. A streamed body is never sent twice (no re-login retry).
   */
  data?: RequestData;
  headers?: Record<string, string>;
  /** A user token to act with; the session's own token then goes in X-Service-Token. */
  userToken?: string;
  /**
   * The service's URL to use instead of the catalog's (keystoneauth's endpoint_override): e.g.
   * a Swift storage URL recorded in an image location, or another project's account.
   */
  endpointOverride?: string;
  /** Statuses returned instead of thrown (default: any 2xx). */
  accept?: number[];
  /** Aborts the request, and the reading of a streamed response. */
  signal?: AbortSignal;
}

/** Options of a request whose response body is streamed. */
export interface StreamRequestOptions extends RequestOptions {
  stream: true;
}

interface CatalogService {
  type: string;
  endpoints: Array<{ interface: string; region_id?: string; region?: string; url: string }>;
}

/** What undici answered, body unread. */
interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  body: Readable & { dump(opts?: { limit: number }): Promise<void>; text(): Promise<string> };
}

/** A non-2xx answer from another service, keeping its status for the caller to map. */
/** A '.' or '..' path segment, plain or percent-encoded (URL parsing resolves both). */
const DOT_SEGMENT = /\/(\.|%2e){1,2}(\/|\?|$)/i;

export class ServiceClientError extends NuboError {
  constructor(status: number, readonly serviceType: string, readonly responseBody: string) {
    super(status, 'Upstream Error', `${serviceType} answered ${status}: ${responseBody.slice(0, 300)}`);
  }
}

export class ServiceSession {
  private token: { value: string; expiresAt: number; catalog: CatalogService[] } | undefined;
  private pending: Promise<void> | undefined;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly opts: SessionOptions) {
    this.dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  }

  /** The session's own token, fetched or renewed when needed. */
  async getToken(): Promise<string> {
    await this.ensureToken();
    return this.token!.value;
  }

  async endpoint(serviceType: string): Promise<string> {
    await this.ensureToken();
    const iface = this.opts.interface ?? 'public';
    const svc = this.token!.catalog.find((s) => s.type === serviceType);
    const ep = svc?.endpoints.find((e) => e.interface === iface && (e.region_id ?? e.region) === this.opts.region)
      ?? svc?.endpoints.find((e) => e.interface === iface);
    if (!ep) throw new ServiceUnavailable(`no ${iface} endpoint for service type ${serviceType} in region ${this.opts.region}`);
    return ep.url.replace(/\/$/, '');
  }

  /** Whether the catalog has an endpoint of this type for the session's interface. */
  async hasEndpoint(serviceType: string): Promise<boolean> {
    return this.endpoint(serviceType).then(() => true, (err: unknown) => {
      if (err instanceof ServiceUnavailable && this.token) return false;
      throw err;
    });
  }

  invalidate(): void {
    this.token = undefined;
  }

  /**
   * Send a request to `path` below the catalog endpoint of `serviceType` (identity: below
   * the auth URL's /v3). JSON in and out by default; with `stream: true` the response body is
   * returned as a stream.
   */
  request<T = unknown>(serviceType: string, method: Dispatcher.HttpMethod, path: string, opts?: RequestOptions & { stream?: false }): Promise<ClientResponse<T>>;
  request(serviceType: string, method: Dispatcher.HttpMethod, path: string, opts: StreamRequestOptions): Promise<StreamResponse>;
  async request<T>(
    serviceType: string,
    method: Dispatcher.HttpMethod,
    path: string,
    opts: RequestOptions & { stream?: boolean } = {},
  ): Promise<ClientResponse<T> | StreamResponse> {
    // An id of '.' or '..' would be resolved away when the URL is parsed and name another
    // resource (the collection, the API root): no resource has such a name.
    if (DOT_SEGMENT.test(path)) throw new ServiceClientError(404, serviceType, `no resource at ${path.split('?')[0]}`);
    const base = opts.endpointOverride?.replace(/\/$/, '')
      ?? (serviceType === 'identity' ? `${this.opts.authUrl.replace(/\/$/, '')}/v3` : await this.endpoint(serviceType));
    const url = `${base}${path}`;
    let res = await this.send(method, url, opts, serviceType, path);
    if (res.status === 401 && !opts.userToken) {
      this.invalidate(); // our token expired or was revoked: log in again once
      if (!isStreamBody(opts.data)) {
        await res.body.dump().catch(() => undefined);
        res = await this.send(method, url, opts, serviceType, path);
      }
    }
    return opts.stream ? this.streamed(serviceType, url, res, opts) : this.buffered<T>(serviceType, res, opts);
  }

  private async send(method: Dispatcher.HttpMethod, url: string, opts: RequestOptions, serviceType: string, path: string): Promise<RawResponse> {
    const own = await this.getToken();
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.userToken) {
      headers['x-auth-token'] = opts.userToken;
      headers['x-service-token'] = own;
    } else {
      headers['x-auth-token'] = own;
    }
    const scope = currentScope();
    if (scope) headers['x-openstack-request-id'] = scope.globalRequestId ?? scope.requestId;
    let body: string | Uint8Array | Readable | undefined;
    let upload: UploadBody | undefined;
    if (opts.data !== undefined) {
      if (isStreamBody(opts.data)) {
        upload = uploadBody(opts.data);
        body = upload.readable;
      } else {
        body = opts.data;
      }
      headers['content-type'] ??= 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    // A CLIENT span until the response headers arrive, its traceparent sent along.
    const traced = activeSpan() && startChildSpan(clientSpanName(method, serviceType, path), SpanKind.CLIENT, { 'http.request.method': method, 'server.service_type': serviceType });
    if (traced) headers['traceparent'] = traceparentOf(traced.span);
    try {
      const res = await undiciRequest(url, { method, headers, body, dispatcher: this.dispatcher, signal: opts.signal ?? null });
      if (traced) {
        traced.span.setAttribute('http.response.status_code', res.statusCode);
        endSpan(traced.span, res.statusCode >= 500 ? `HTTP ${res.statusCode}` : undefined);
      }
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      if (traced) endSpan(traced.span, err);
      if (upload?.failed) throw upload.failed.err;
      if (opts.signal?.aborted) throw err;
      throw new ServiceUnavailable(`cannot reach ${url}: ${(err as Error).message}`, { cause: err });
    }
  }

  private ok(res: RawResponse, opts: RequestOptions): boolean {
    return opts.accept ? opts.accept.includes(res.status) : res.status >= 200 && res.status < 300;
  }

  private async buffered<T>(serviceType: string, res: RawResponse, opts: RequestOptions): Promise<ClientResponse<T>> {
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new ServiceUnavailable(`connection to ${serviceType} failed while reading the response: ${(err as Error).message}`, { cause: err });
    }
    if (!this.ok(res, opts)) throw new ServiceClientError(res.status, serviceType, text);
    const type = String(res.headers['content-type'] ?? '');
    const parsed = type.includes('json') && text !== '' ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  private async streamed(serviceType: string, url: string, res: RawResponse, opts: RequestOptions): Promise<StreamResponse> {
    if (!this.ok(res, opts)) throw new ServiceClientError(res.status, serviceType, await readBounded(res.body));
    const body = responseStream(res.body, url, opts.signal);
    return {
      status: res.status,
      headers: res.headers,
      body,
      dump: async () => {
        body.destroy();
        await res.body.dump().catch(() => undefined);
      },
    };
  }

  private async ensureToken(): Promise<void> {
    if (this.token && this.token.expiresAt - 60_000 > Date.now()) return;
    this.pending ??= this.login().finally(() => { this.pending = undefined; });
    await this.pending;
  }

  private async login(): Promise<void> {
    const c = this.opts.credentials;
    const url = `${this.opts.authUrl.replace(/\/$/, '')}/v3/auth/tokens`;
    const payload = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: c.username, domain: { name: c.userDomainName }, password: c.password } } },
        scope: { project: { name: c.projectName, domain: { name: c.projectDomainName } } },
      },
    };
    let res;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const traced = startChildSpan('POST identity /v3/auth/tokens', SpanKind.CLIENT, { 'http.request.method': 'POST', 'server.service_type': 'identity' });
    if (traced) headers['traceparent'] = traceparentOf(traced.span);
    try {
      res = await undiciRequest(url, { method: 'POST', headers, body: JSON.stringify(payload), dispatcher: this.dispatcher });
      traced?.span.setAttribute('http.response.status_code', res.statusCode);
      if (traced) endSpan(traced.span);
    } catch (err) {
      if (traced) endSpan(traced.span, err);
      throw new ServiceUnavailable(`cannot reach identity at ${url}: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new ServiceUnavailable(`service user ${c.username} cannot log in to identity (${res.statusCode}): ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { token: { expires_at: string; catalog?: CatalogService[] } };
    const token = res.headers['x-subject-token'];
    this.token = { value: String(token), expiresAt: Date.parse(body.token.expires_at), catalog: body.token.catalog ?? [] };
  }
}
