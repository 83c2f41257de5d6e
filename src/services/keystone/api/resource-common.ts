/**
 * What every resource-side route shares (keystone/server/flask/common.py ResourceBase):
 * the dependencies, policy enforcement, list hints from the query string, `links` on members
 * and collections, and the domain a create falls back to.
 */
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/context.js';
import { checkQueryMarker, parseQueryLimit } from '../../../common/http/query-params.js';
import type { ServicePolicy } from '../../../common/policy/index.js';
import type { ResourceConfig } from '../config.js';
import { ValidationError } from '../errors.js';
import { Hints } from '../lib/hints.js';
import type { KeystoneManagers } from '../managers.js';
import { enforceCall, type EnforceInput } from '../policies/enforcer.js';

export interface ResourceDeps {
  managers: KeystoneManagers;
  policy: ServicePolicy;
  config: ResourceConfig;
  /** Public identity URL without the version ('http://host:8880/identity'); links are built from it. */
  baseUrl: string;
}

export type Query = Record<string, string | string[] | undefined>;
export type Params = Record<string, string>;
export type Body = Record<string, unknown>;

export const query = (req: FastifyRequest): Query => (req.query ?? {}) as Query;
export const params = (req: FastifyRequest): Params => (req.params ?? {}) as Params;
export const body = (req: FastifyRequest): Body => ((req.body ?? {}) as Body);

/** The single value of a query parameter (the last one when repeated). */
export function qs(req: FastifyRequest, name: string): string | undefined {
  const v = query(req)[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** query_filter_is_true: present and not '0' (`?parents_as_list` alone counts as true). */
export function queryFlag(req: FastifyRequest, name: string): boolean {
  const v = query(req)[name];
  if (v === undefined) return false;
  return (Array.isArray(v) ? v[v.length - 1] : v) !== '0';
}

export function authorize(deps: ResourceDeps, req: FastifyRequest, action: string, input: Omit<EnforceInput, 'params'> = {}): void {
  enforceCall(deps.policy, req.ctx, action, { params: params(req), body: req.body, ...input });
}

/**
 * enforce_call without a target on a resource class with get_member_from_driver (keystone's
 * _extract_member_target_data): the member the path names is loaded first, so a missing one is
 * its 404 before any policy check, and it becomes `target.<member>`. Routes with a body schema run
 * this as their preValidation hook: upstream validates the body after enforcement.
 */
export async function authorizeMember(
  deps: ResourceDeps, req: FastifyRequest, action: string, member: string, load: () => Promise<object>,
): Promise<void> {
  const ref = await load();
  authorize(deps, req, action, { target: { [member]: ref } });
}

/** The filter values a policy may look at (filter_attr). */
export function filterValues(req: FastifyRequest, filters: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of filters) {
    const v = qs(req, f);
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/**
 * build_driver_hints: exact filters for the supported names, `name__contains` style inexact
 * filters (`__icontains` etc. are case-insensitive), marker and limit (capped by list_limit).
 */
export function buildHints(req: FastifyRequest, supported: readonly string[], listLimit = 0): Hints {
  const hints = new Hints();
  for (const [key, raw] of Object.entries(query(req))) {
    if (raw === undefined) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (supported.includes(key)) {
        hints.add(key, value);
        continue;
      }
      const i = key.indexOf('__');
      if (i < 0 || !supported.includes(key.slice(0, i))) continue;
      let comparator = key.slice(i + 2);
      let caseSensitive = true;
      if (comparator.startsWith('i')) {
        caseSensitive = false;
        comparator = comparator.slice(1);
      }
      if (comparator === 'contains' || comparator === 'startswith' || comparator === 'endswith') {
        hints.add(key.slice(0, i), value, comparator, caseSensitive);
      }
    }
  }
  const marker = checkQueryMarker(qs(req, 'marker'), () => new ValidationError('Invalid input for query parameters marker: it is too long.'));
  if (marker) hints.marker = marker;
  const limitText = qs(req, 'limit');
  if (limitText !== undefined && limitText !== '') {
    hints.limit = parseQueryLimit(limitText, { pythonInt: true, ...(listLimit > 0 ? { max: listLimit } : {}) }, () =>
      new ValidationError(`Invalid input for query parameters limit. Value: ${limitText}. '${limitText}' is not of type 'integer'`));
  } else if (listLimit > 0) {
    hints.limit = listLimit;
  }
  return hints;
}

/** `${baseUrl}/v3/${path}`. */
export function v3Url(deps: ResourceDeps, path: string): string {
  return `${deps.baseUrl.replace(/\/+$/, '')}/v3/${path.replace(/^\/+/, '')}`;
}

/** The request URL as Keystone's full_url shows it (path below /v3 plus the query string). */
export function selfUrl(deps: ResourceDeps, req: FastifyRequest): string {
  const url = req.url;
  const i = url.indexOf('/v3/');
  const rest = i >= 0 ? url.slice(i + 4) : url.endsWith('/v3') ? '' : url;
  return v3Url(deps, rest);
}

/** Adds links.self (`<collection>/<id>`) to a member. */
export function withLink<T extends { id: string }>(deps: ResourceDeps, collection: string, ref: T): T & { links: { self: string } } {
  return { ...ref, links: { self: v3Url(deps, `${collection}/${ref.id}`) } };
}

export function wrapMember<T extends { id: string }>(deps: ResourceDeps, collection: string, memberKey: string, ref: T): Record<string, unknown> {
  return { [memberKey]: withLink(deps, collection, ref) };
}

/** wrap_collection: members with self links, collection links, next/truncated when paginated. */
export function wrapCollection<T extends { id: string }>(
  deps: ResourceDeps, req: FastifyRequest, collection: string, refs: T[], hints?: Hints, opts: { linkMembers?: boolean; key?: string } = {},
): Record<string, unknown> {
  const key = opts.key ?? collection;
  const members = opts.linkMembers === false ? refs : refs.map((r) => withLink(deps, collection, r));
  const links: Record<string, string | null> = { self: selfUrl(deps, req), previous: null, next: null };
  if (hints && hints.truncated && refs.length > 0 && (hints.limit !== undefined || hints.marker !== undefined)) {
    const args = new URLSearchParams();
    for (const [k, v] of Object.entries(query(req))) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) args.append(k, one);
    args.set('marker', refs[refs.length - 1]!.id);
    args.set('limit', String(hints.limit ?? ''));
    const path = selfUrl(deps, req).split('?')[0];
    links.next = `${path}?${args.toString()}`;
  }
  const out: Record<string, unknown> = { [key]: members, links };
  if (hints?.truncated) out.truncated = true;
  return out;
}

/**
 * _normalize_domain_id: a create without domain_id goes to the token's domain when it is
 * domain-scoped, else to the default domain.
 */
export function normalizeDomainId(deps: ResourceDeps, ctx: RequestContext, ref: Body): Body {
  if (ref.domain_id) return ref;
  return { ...ref, domain_id: ctx.domainId ?? deps.config.identity.default_domain_id };
}

/** _require_matching_id: a body id must be the path id. */
export function requireMatchingId(ref: Body, pathId: string | undefined): void {
  if (ref.id !== undefined && ref.id !== null && ref.id !== pathId) throw new ValidationError('Cannot change ID');
}

/** Runs `fn`, returning undefined when it throws a 404 (target building tolerates missing entities). */
export async function orUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

/** JSON schema pieces shared by the routes (keystone/api/validation/parameter_types.py). */
export const schemas = {
  boolean: { type: ['boolean', 'string', 'null'], enum: [true, 'True', 'TRUE', 'true', false, 'False', 'FALSE', 'false', null] },
  name: { type: 'string', minLength: 1, maxLength: 255, pattern: '\\S+' },
  idString: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' },
  nullableIdString: { type: ['string', 'null'], minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' },
  description: { type: ['string', 'null'] },
  /** The body wrapper: `{"<key>": {...}}` and nothing else. */
  wrap(key: string, inner: Record<string, unknown>): Record<string, unknown> {
    return { type: 'object', properties: { [key]: inner }, required: [key], additionalProperties: false };
  },
} as const;
