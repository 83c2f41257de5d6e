/**
 * What the fuzz test knows about a running cloud without knowing its services: the ids of
 * existing resources (from GETs of the collections in the route table), so path parameters
 * can name real resources and requests reach past the 404; the attribute names of each
 * resource (from a GET of one member), for bodies and filters of routes without a schema; the
 * bodies the seed's requests got accepted with, as templates of their routes.
 * Ids present before the fuzz resources were made are "protected" (the admin, the service
 * users, the catalog, the fuzzer's own identities) and never used, so no request can lock the
 * fuzzer out or break the services' own calls.
 */
import { request } from 'undici';
import type { RouteEntry } from '../../../src/common/http/route-table.js';
import { fillPath, paramNames, type RouteContext } from './cases.js';
import type { Prng } from './prng.js';
import type { AcceptedRequest } from './seed.js';

type Json = unknown;

/** Values a response lists: ids of the items of its first array, or the keys of a lone object. */
function listedValues(body: Json): string[] {
  const top = body && typeof body === 'object' && !Array.isArray(body) ? Object.values(body as Record<string, Json>) : [body];
  const list = top.find(Array.isArray) as Json[] | undefined;
  if (list) {
    return list.flatMap((item) => {
      if (typeof item === 'string') return [item];
      if (!item || typeof item !== 'object') return [];
      const o = item as Record<string, Json>;
      const v = o.id ?? o.member_id ?? o.namespace ?? o.name;
      return typeof v === 'string' ? [v] : [];
    });
  }
  const lone = top.length === 1 ? top[0] : undefined;
  return lone && typeof lone === 'object' && !Array.isArray(lone) ? Object.keys(lone as object) : [];
}

/** The resource in a member response: `{"network": {...}}` -> wrapper and attributes; `{...}` -> attributes. */
function memberShape(body: Json): { wrapper?: string; attrs: string[] } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const entries = Object.entries(body as Record<string, Json>);
  if (entries.length === 1 && entries[0]![1] && typeof entries[0]![1] === 'object' && !Array.isArray(entries[0]![1])) {
    return { wrapper: entries[0]![0], attrs: Object.keys(entries[0]![1] as object) };
  }
  return { attrs: entries.map(([k]) => k) };
}

/** First item's attribute names in a list response. */
function itemAttrs(body: Json): string[] {
  const top = body && typeof body === 'object' && !Array.isArray(body) ? Object.values(body as Record<string, Json>) : [body];
  const list = top.find(Array.isArray) as Json[] | undefined;
  const first = list?.find((i) => i && typeof i === 'object');
  return first ? Object.keys(first as object) : [];
}

const servicePrefix = (url: string): string => url.split('/').slice(0, 2).join('/');

export class CloudMap {
  readonly #base: string;
  readonly #token: string;
  readonly #routes: readonly RouteEntry[];
  readonly #gets = new Map<string, Promise<Json>>();
  #protected = new Set<string>();
  #accepted: readonly AcceptedRequest[] = [];

  constructor(baseUrl: string, adminToken: string, routes: readonly RouteEntry[]) {
    this.#base = baseUrl;
    this.#token = adminToken;
    this.#routes = routes;
  }

  /** Requests the cloud accepted: their bodies become templates of their routes. */
  useTemplates(accepted: readonly AcceptedRequest[]): void {
    this.#accepted = accepted;
  }

  /** A body accepted by `route`, else by the create of its collection (for updates of a member). */
  #template(route: RouteEntry): unknown {
    const matcher = (url: string): RegExp => new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`);
    const own = matcher(route.url.replace(/\.json$/, '')); // Neutron's `.json` twins take the same bodies
    const exact = this.#accepted.find((a) => a.method === route.method && own.test(a.path));
    if (exact) return exact.body;
    const collection = route.url.replace(/\.json$/, '').replace(/\/:[A-Za-z0-9_]+$/, '');
    if (collection === route.url || route.method === 'POST') return undefined;
    const create = matcher(collection);
    return this.#accepted.find((a) => a.method === 'POST' && create.test(a.path))?.body;
  }

  /** GET with the admin token, cached; undefined unless 2xx JSON. */
  get(path: string): Promise<Json> {
    let p = this.#gets.get(path);
    if (!p) {
      p = (async () => {
        const res = await request(`${this.#base}${path}`, { headers: { 'x-auth-token': this.#token, accept: 'application/json' } });
        const text = await res.body.text();
        if (res.statusCode >= 300) return undefined;
        try {
          return JSON.parse(text) as Json;
        } catch {
          return undefined;
        }
      })();
      this.#gets.set(path, p);
    }
    return p;
  }

  /** Every id listed by a parameterless collection GET, now: these are never fuzzed. */
  async protectExisting(extra: readonly string[] = []): Promise<void> {
    for (const r of this.#collections()) for (const v of listedValues(await this.get(r.url))) this.#protected.add(v);
    for (const v of extra) this.#protected.add(v);
    this.#gets.clear();
  }

  #collections(): RouteEntry[] {
    return this.#routes.filter((r) => r.method === 'GET' && paramNames(r.url).length === 0 && !r.url.endsWith('.json'));
  }

  /** Unprotected values listed at `path`. */
  async #listed(path: string): Promise<string[]> {
    return listedValues(await this.get(path)).filter((v) => !this.#protected.has(v));
  }

  /** Collections of the same service whose last segment is `segment` ('networks', 'roles'). */
  async #bySegment(prefix: string, segment: string): Promise<string[]> {
    for (const r of this.#collections()) {
      if (servicePrefix(r.url) === prefix && r.url.endsWith(`/${segment}`)) {
        const found = await this.#listed(r.url);
        if (found.length) return found;
      }
    }
    return [];
  }

  /** Path parameter values: real unprotected ids where the cloud lists some, else well-formed unknown ids. */
  async params(route: RouteEntry, prng: Prng): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    const segments = route.url.split('/');
    const prefix = servicePrefix(route.url);
    for (let i = 0; i < segments.length; i++) {
      const m = /^:([A-Za-z0-9_]+)$/.exec(segments[i]!);
      if (!m) continue;
      const name = m[1]!;
      const collection = fillPath(segments.slice(0, i).join('/'), values);
      const base = name.replace(/_?[iI]d$/, '').replace(/^(prior|implied)_/, '');
      const found = (await this.#listed(collection)).concat(
        await this.#bySegment(prefix, segments[i - 1] ?? ''),
        await this.#bySegment(prefix, `${base}s`),
        prefix === '/identity' ? [] : await this.#bySegment('/identity', `${base}s`),
      );
      values[name] = found[0] ?? prng.uuid();
    }
    return values;
  }

  /** The route's context: real params, the resource's shape (for body routes) and filter names. */
  async context(route: RouteEntry, prng: Prng): Promise<RouteContext> {
    const params = await this.params(route, prng);
    let shape: RouteContext['shape'];
    let queryNames: string[] = [];
    const memberRoute = paramNames(route.url).length > 0 && /\/:[A-Za-z0-9_]+$/.test(route.url)
      ? route
      : this.#routes.find((r) => r.method === 'GET' && r.url.startsWith(`${route.url}/:`) && !r.url.slice(route.url.length + 2).includes('/'));
    if (memberRoute) {
      const memberParams = memberRoute === route ? params : await this.params(memberRoute, prng);
      shape = memberShape(await this.get(fillPath(memberRoute.url, memberParams)));
    }
    if (route.method === 'GET' || route.method === 'HEAD') queryNames = itemAttrs(await this.get(fillPath(route.url, params)));
    const template = this.#template(route);
    return { route, params, ...(shape ? { shape } : {}), queryNames, ...(template !== undefined ? { template } : {}) };
  }
}
