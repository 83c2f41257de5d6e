/**
 * ServiceProxy, the base of the typed service clients (openstacksdk's Proxy): one service's
 * REST API through a ServiceSession. It finds the catalog endpoint of the first of the service's
 * types the catalog has (the official type, then the aliases of service-types-authority), adds
 * the API version to paths unless the endpoint has one already (`…/v2.1`, `…/v3/<project>`),
 * sends the microversion headers, and acts for a user when made with `forUser(token)`.
 * Errors are the session's: ServiceClientError (non-2xx, with its status), ServiceUnavailable.
 */
import type { Dispatcher } from 'undici';
import type { ClientResponse, RequestOptions, ServiceSession, StreamResponse } from './session.js';

export interface ProxyOptions {
  /** Act for this user: their token in X-Auth-Token, the session's in X-Service-Token. */
  userToken?: string;
  /** Send to this URL instead of the catalog's endpoint (paths go below it as they are). */
  endpointOverride?: string;
}

/** What a client needs to know about its service. */
export interface ServiceDescription {
  /** Catalog types, official first: ['block-storage', 'volumev3', 'volume']. */
  types: readonly string[];
  /** Version path prefix for unversioned endpoints ('v2', 'v2.0', 'v2.1', 'v3'); none: paths go below the endpoint as they are. */
  version?: string;
  /** Microversioned APIs: the service name of OpenStack-API-Version, the legacy header if any, and the default. */
  microversion?: { service: string; legacyHeader?: string; default: string };
}

export interface ProxyRequestOptions extends Omit<RequestOptions, 'userToken'> {
  /** The microversion to ask for instead of the client's default. */
  microversion?: string;
}

type QueryValue = string | number | boolean;

/** `?a=1&b=x&b=y` from the defined entries (arrays repeat the key, as Neutron's filters); '' if none. */
export function query(params: Record<string, QueryValue | readonly QueryValue[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) q.append(key, String(v));
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** A path segment (an id, a name) escaped for a URL. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

/** An endpoint that already names an API version: `…/v2.1`, `…/v3/<project id>`. */
const VERSIONED = /\/v\d+(\.\d+)?(\/[^/]+)?$/;

export abstract class ServiceProxy {
  protected abstract readonly service: ServiceDescription;
  private resolved: Promise<{ type: string; prefix: string }> | undefined;

  constructor(
    readonly session: ServiceSession,
    protected readonly options: ProxyOptions = {},
  ) {}

  /** The same client acting for a user (their token; the session's as service token). */
  forUser(userToken: string): this {
    const Client = this.constructor as new (session: ServiceSession, options: ProxyOptions) => this;
    return new Client(this.session, { ...this.options, userToken });
  }

  /** The same client talking to `endpoint` instead of the catalog's (keystoneauth's endpoint_override). */
  at(endpoint: string): this {
    const Client = this.constructor as new (session: ServiceSession, options: ProxyOptions) => this;
    return new Client(this.session, { ...this.options, endpointOverride: endpoint });
  }

  /** A JSON request; the parsed body comes back. */
  protected async json<T>(method: Dispatcher.HttpMethod, path: string, opts: ProxyRequestOptions = {}): Promise<ClientResponse<T>> {
    const { type, fullPath, options } = await this.prepare(path, opts);
    return this.session.request<T>(type, method, fullPath, options);
  }

  /** A request whose response body is streamed. */
  protected async stream(method: Dispatcher.HttpMethod, path: string, opts: ProxyRequestOptions = {}): Promise<StreamResponse> {
    const { type, fullPath, options } = await this.prepare(path, opts);
    return this.session.request(type, method, fullPath, { ...options, stream: true });
  }

  private async prepare(path: string, opts: ProxyRequestOptions): Promise<{ type: string; fullPath: string; options: RequestOptions }> {
    const { type, prefix } = await this.resolve();
    const { microversion, ...rest } = opts;
    const headers: Record<string, string> = { ...rest.headers };
    const mv = this.service.microversion;
    if (mv) {
      const version = microversion ?? mv.default;
      headers['openstack-api-version'] = `${mv.service} ${version}`;
      if (mv.legacyHeader) headers[mv.legacyHeader] = version;
    }
    const options: RequestOptions = {
      ...rest, headers,
      ...(this.options.userToken ? { userToken: this.options.userToken } : {}),
      ...(this.options.endpointOverride ? { endpointOverride: this.options.endpointOverride } : {}),
    };
    return { type, fullPath: `${this.options.endpointOverride ? '' : prefix}${path}`, options };
  }

  /** The catalog type to use and the version prefix its endpoint needs (looked up once). */
  private resolve(): Promise<{ type: string; prefix: string }> {
    this.resolved ??= this.lookup().catch((err: unknown) => {
      this.resolved = undefined;
      throw err;
    });
    return this.resolved;
  }

  private async lookup(): Promise<{ type: string; prefix: string }> {
    const { types, version } = this.service;
    const first = types[0]!;
    if (types.length === 1 && version === undefined) return { type: first, prefix: '' };
    let type = first;
    for (const t of types) {
      if (await this.session.hasEndpoint(t)) {
        type = t;
        break;
      }
    }
    if (version === undefined) return { type, prefix: '' };
    const url = await this.session.endpoint(type); // throws ServiceUnavailable naming the official type when none is there
    return { type, prefix: VERSIONED.test(new URL(url).pathname) ? '' : `/${version}` };
  }
}
