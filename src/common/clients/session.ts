/**
 * ServiceSession: what keystoneauth's Session + Password plugin do for a service. It logs in
 * with the service's credentials, keeps the token until shortly before it expires, finds
 * endpoints in the catalog, and sends requests with X-Auth-Token and the flow's
 * X-Openstack-Request-Id (from the request scope). When a service acts for a user it sends
 * the user's token as X-Auth-Token and its own as X-Service-Token, as upstream does.
 */
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { ServiceUnavailable, NuboError } from '../errors.js';
import { currentScope } from '../log/request-scope.js';
import type { ServiceCredentials } from '../service/project.js';

export interface SessionOptions {
  /** Identity root URL, e.g. http://127.0.0.1:8880/identity. */
  authUrl: string;
  credentials: ServiceCredentials;
  region: string;
  interface?: 'public' | 'internal' | 'admin';
  dispatcher?: Dispatcher;
}

export interface ClientResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** A user token to act with; the session's own token then goes in X-Service-Token. */
  userToken?: string;
  /** Statuses returned instead of thrown (default: any 2xx). */
  accept?: number[];
}

interface CatalogService {
  type: string;
  endpoints: Array<{ interface: string; region_id?: string; region?: string; url: string }>;
}

/** A non-2xx answer from another service, keeping its status for the caller to map. */
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

  invalidate(): void {
    this.token = undefined;
  }

  /** Send a request to `path` below the catalog endpoint of `serviceType`. */
  async request<T = unknown>(serviceType: string, method: Dispatcher.HttpMethod, path: string, opts: RequestOptions = {}): Promise<ClientResponse<T>> {
    const base = serviceType === 'identity' ? `${this.opts.authUrl.replace(/\/$/, '')}/v3` : await this.endpoint(serviceType);
    const res = await this.send(method, `${base}${path}`, opts);
    if (res.status === 401 && !opts.userToken) {
      this.invalidate(); // our token expired or was revoked: log in again once
      return this.checked(serviceType, await this.send(method, `${base}${path}`, opts), opts);
    }
    return this.checked(serviceType, res, opts);
  }

  private async send(method: Dispatcher.HttpMethod, url: string, opts: RequestOptions): Promise<ClientResponse<string>> {
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
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    try {
      const res = await undiciRequest(url, { method, headers, body, dispatcher: this.dispatcher });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    } catch (err) {
      throw new ServiceUnavailable(`cannot reach ${url}: ${(err as Error).message}`, { cause: err });
    }
  }

  private checked<T>(serviceType: string, res: ClientResponse<string>, opts: RequestOptions): ClientResponse<T> {
    const ok = opts.accept ? opts.accept.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!ok) throw new ServiceClientError(res.status, serviceType, res.body);
    const type = String(res.headers['content-type'] ?? '');
    const parsed = type.includes('json') && res.body !== '' ? JSON.parse(res.body) : res.body;
    return { ...res, body: parsed as T };
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
    try {
      res = await undiciRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), dispatcher: this.dispatcher });
    } catch (err) {
      throw new ServiceUnavailable(`cannot reach identity at ${url}: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new ServiceUnavailable(`service user ${c.username} cannot log in to identity (${res.statusCode}): ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { token: { expires_at: string; catalog?: CatalogService[] } };
    const token = res.headers['x-subject-token'];
    this.token = { value: String(token), expiresAt: Date.parse(body.token.expires_at), catalog: body.token.catalog ?? [] };
  }
}
