/**
 * Bad requests for one route. From its schema where it has one (body fields of the wrong type,
 * missing required fields, extra and prototype-named fields, out-of-range numbers, over-long
 * strings, deep nesting), from the shape of what the route's resource looks like where it has
 * none (Neutron and Glance validate in code: each known attribute gets bad values), and generic
 * mutations for every route (path parameters, query strings, raw bodies, content types,
 * headers), and mutations of a body the route once accepted (the fuzz seed's requests). Cases
 * come in families; planRoute takes the core family (the inputs behind past
 * 500s) first, then from each other family in turn, so a small budget still covers every kind
 * of input.
 */
import type { RouteEntry } from '../../../src/common/http/route-table.js';
import type { Prng } from './prng.js';
import {
  BAD_BODIES, BAD_HEADERS, deepArrays, UNPRINTABLE, BAD_PARAM_VALUES, BAD_QUERY_VALUES, BAD_VALUES, CONTENT_TYPES, GENERIC_QUERY_NAMES, PROTO_KEYS,
  type Fragment,
} from './values.js';

export interface FuzzRequest {
  readonly method: string;
  /** Path and query, encoded. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** What was mutated, for the failure report. */
  readonly label: string;
}

/** What the cases of a route are built from. */
export interface RouteContext {
  readonly route: RouteEntry;
  /** A value for each path parameter: a real id where one was found, else a well-formed unknown one. */
  readonly params: Readonly<Record<string, string>>;
  /** The body's wrapper key (`network`) and attribute names, from the resource as the service shows it. */
  readonly shape?: { readonly wrapper?: string; readonly attrs: readonly string[] };
  /** Filter names for the query string (attributes of the listed items). */
  readonly queryNames: readonly string[];
  /** A body this route (or its collection's create) accepted, to mutate one member at a time. */
  readonly template?: unknown;
}

type Family = 'core' | 'param' | 'query' | 'body-schema' | 'body-template' | 'body-shape' | 'body-raw' | 'content-type' | 'header';

const PARAM = /:([A-Za-z0-9_]+)/g;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const MARK = '\u0001FUZZ\u0001';
const KEY_MARK = '\u0001KEY\u0001';
const JSON_HEADERS = { 'content-type': 'application/json' };

export function paramNames(url: string): string[] {
  return [...url.matchAll(PARAM)].map((m) => m[1]!);
}

/** The route's path with parameters filled (values percent-encoded unless `raw`). */
export function fillPath(url: string, values: Readonly<Record<string, string>>, raw: ReadonlySet<string> = new Set()): string {
  return url.replace(PARAM, (_m, name: string) => {
    const v = values[name] ?? '';
    return raw.has(name) ? v : encodeURIComponent(v);
  });
}

/** JSON text of `value` with the MARK string replaced by `fragment` and KEY_MARK keys by `key`. */
function render(value: unknown, fragment?: Fragment, key?: string): string {
  let text = JSON.stringify(value);
  if (fragment) text = text.replace(JSON.stringify(MARK), () => fragment.text);
  if (key !== undefined) text = text.replace(JSON.stringify(KEY_MARK), () => JSON.stringify(key));
  return text;
}

// ---- bodies from a JSON schema ----------------------------------------------------------------

type Schema = Record<string, unknown>;

function firstType(s: Schema): string | undefined {
  const t = s.type;
  if (Array.isArray(t)) return ['object', 'string', 'integer', 'number', 'boolean', 'array', 'null'].find((x) => t.includes(x));
  return typeof t === 'string' ? t : s.properties ? 'object' : undefined;
}

/** A value the schema most likely accepts (required properties only). */
function sample(s: Schema, depth = 0): unknown {
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum.find((v) => v !== null) ?? s.enum[0];
  switch (firstType(s)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const name of (s.required ?? []) as string[]) if (depth < 6) out[name] = sample(props[name] ?? {}, depth + 1);
      return out;
    }
    case 'string': {
      const format = s.format;
      if (format === 'uuid') return '6f1c2a7e-0000-4000-8000-000000000001';
      if (format === 'email') return 'fuzz@example.com';
      if (format === 'date-time') return '2030-01-01T00:00:00Z';
      if (format === 'uri' || format === 'url') return 'http://example.com/';
      return 'fuzz1'.padEnd(Number(s.minLength ?? 0), 'x');
    }
    case 'integer':
    case 'number':
      return Number(s.minimum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return Number(s.minItems ?? 0) > 0 ? [sample((s.items ?? {}) as Schema, depth + 1)] : [];
    case 'null':
      return null;
    default:
      return 'fuzz1';
  }
}

/** Paths of the properties a schema names (depth-first, to four levels). */
function propertyPaths(s: Schema, prefix: string[] = []): string[][] {
  if (prefix.length >= 4) return [];
  const props = (s.properties ?? {}) as Record<string, Schema>;
  return Object.entries(props).flatMap(([name, sub]) => [[...prefix, name], ...propertyPaths(sub, [...prefix, name])]);
}

/** Object paths of a schema (where required fields and extra keys live). */
function objectPaths(s: Schema, prefix: string[] = []): Array<{ path: string[]; schema: Schema }> {
  if (firstType(s) !== 'object' || prefix.length >= 4) return [];
  const props = (s.properties ?? {}) as Record<string, Schema>;
  return [{ path: prefix, schema: s }, ...Object.entries(props).flatMap(([n, sub]) => objectPaths(sub, [...prefix, n]))];
}

/** A copy of `base` with `value` at `path` (intermediate objects created; array indexes kept). */
function setAt(base: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(base) && /^\d+$/.test(head)) {
    const copy = [...base];
    copy[Number(head)] = setAt(copy[Number(head)], rest, value);
    return copy;
  }
  const obj: Record<string, unknown> = base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
  Object.defineProperty(obj, head, { value: setAt(obj[head], rest, value), enumerable: true, writable: true, configurable: true });
  return obj;
}

function getAt(base: unknown, path: readonly string[]): unknown {
  let v = base;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** Paths of every member of a JSON value (object keys and array indexes), to five levels. */
function valuePaths(value: unknown, prefix: string[] = []): string[][] {
  if (!value || typeof value !== 'object' || prefix.length >= 5) return [];
  const keys = Array.isArray(value) ? value.map((_v, i) => String(i)) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...valuePaths((value as Record<string, unknown>)[k], [...prefix, k])]);
}

/** Mutations of a body the route accepted once: each member replaced, each key dropped, keys added. */
function templateBodies(base: unknown, prng: Prng): Array<{ label: string; body: string }> {
  const out: Array<{ label: string; body: string }> = [];
  for (const path of valuePaths(base)) {
    for (const bad of prng.sample(BAD_VALUES, 4)) out.push({ label: `${path.join('.')}=${bad.label}`, body: render(setAt(base, path, MARK), bad) });
    const parent = getAt(base, path.slice(0, -1));
    if (parent && typeof parent === 'object' && !Array.isArray(parent)) {
      const without = { ...(parent as Record<string, unknown>) };
      delete without[path[path.length - 1]!];
      out.push({ label: `without ${path.join('.')}`, body: render(setAt(base, path.slice(0, -1), without)) });
    }
  }
  for (const path of [[], ...valuePaths(base)].filter((p) => { const v = getAt(base, p); return v && typeof v === 'object' && !Array.isArray(v); })) {
    const at = getAt(base, path) as Record<string, unknown>;
    for (const key of ['fuzz_extra', ...PROTO_KEYS]) {
      out.push({ label: `extra ${[...path, key].join('.')}`, body: render(setAt(base, path, { ...at, [KEY_MARK]: 1 }), undefined, key) });
    }
  }
  return out;
}

function schemaBodies(schema: Schema, prng: Prng): Array<{ label: string; body: string }> {
  const base = sample(schema);
  const out: Array<{ label: string; body: string }> = [];
  for (const path of propertyPaths(schema)) {
    for (const bad of prng.sample(BAD_VALUES, 6)) out.push({ label: `${path.join('.')}=${bad.label}`, body: render(setAt(base, path, MARK), bad) });
  }
  for (const { path, schema: obj } of objectPaths(schema)) {
    const at = getAt(base, path);
    for (const name of (obj.required ?? []) as string[]) {
      if (at && typeof at === 'object') {
        const without = { ...(at as Record<string, unknown>) };
        delete without[name];
        out.push({ label: `missing ${[...path, name].join('.')}`, body: render(setAt(base, path, without)) });
      }
    }
    for (const key of ['fuzz_extra', ...PROTO_KEYS]) {
      const withKey = { ...(at && typeof at === 'object' ? (at as Record<string, unknown>) : {}), [KEY_MARK]: 1 };
      out.push({ label: `extra ${[...path, key].join('.')}`, body: render(setAt(base, path, withKey), undefined, key) });
    }
    for (const bad of prng.sample(BAD_VALUES, 3)) out.push({ label: `${path.join('.') || 'body'}=${bad.label}`, body: render(setAt(base, path, MARK), bad) });
  }
  return out;
}

// ---- bodies from a resource's shape -----------------------------------------------------------

function shapeBodies(ctx: RouteContext, prng: Prng): Array<{ label: string; body: string; contentType?: string }> {
  const shape = ctx.shape;
  const out: Array<{ label: string; body: string; contentType?: string }> = [];
  const wrap = (inner: unknown): unknown => (shape?.wrapper ? { [shape.wrapper]: inner } : inner);
  const attrs = shape ? [...shape.attrs] : [];
  for (const attr of attrs) {
    for (const bad of prng.sample(BAD_VALUES, 4)) out.push({ label: `${attr}=${bad.label}`, body: render(wrap({ [attr]: MARK }), bad) });
  }
  for (const key of PROTO_KEYS) out.push({ label: `attribute ${key}`, body: render(wrap({ [KEY_MARK]: 'x' }), undefined, key) });
  if (shape?.wrapper) {
    for (const bad of prng.sample(BAD_VALUES, 6)) out.push({ label: `${shape.wrapper}=${bad.label}`, body: render({ [shape.wrapper]: MARK }, bad) });
    out.push({ label: `empty ${shape.wrapper}`, body: render({ [shape.wrapper]: {} }) });
    out.push({ label: `${shape.wrapper} and extra key`, body: render({ [shape.wrapper]: {}, fuzz_extra: 1 }) });
  }
  if (ctx.route.method === 'PATCH') {
    const patch = 'application/openstack-images-v2.1-json-patch';
    for (const attr of [...prng.sample(attrs, 4), ...PROTO_KEYS.slice(0, 3)]) {
      const bad = prng.pick(BAD_VALUES);
      out.push({ label: `json-patch replace /${attr}=${bad.label}`, contentType: patch, body: render([{ op: 'replace', path: `/${attr}`, value: MARK }], bad) });
    }
    for (const ops of [
      [{ op: '__proto__', path: '/name' }], [{ op: 'add', path: '/__proto__/polluted', value: 1 }], [{ op: 'remove', path: '/constructor' }],
      [{ op: 'add', path: '/tags/-', value: 'x' }], [{ op: 'replace', path: '', value: {} }], [{ path: '/name' }], [{ op: 'add', path: 'no-slash', value: 1 }],
      [{ op: 'add', path: `/${'x/'.repeat(200)}`, value: 1 }], [{ op: 'move', from: '/name', path: '/name/x' }],
    ]) out.push({ label: `json-patch ${JSON.stringify(ops).slice(0, 60)}`, contentType: patch, body: JSON.stringify(ops) });
  }
  return out;
}

// ---- the cases of a route ---------------------------------------------------------------------

function candidates(ctx: RouteContext, prng: Prng): Map<Family, FuzzRequest[]> {
  const { route } = ctx;
  const method = route.method;
  const path = fillPath(route.url, ctx.params);
  const families = new Map<Family, FuzzRequest[]>();
  const add = (family: Family, req: FuzzRequest): void => {
    const list = families.get(family) ?? [];
    list.push(req);
    families.set(family, list);
  };
  const hasBody = BODY_METHODS.has(method);
  const goodBody = ctx.shape?.wrapper ? JSON.stringify({ [ctx.shape.wrapper]: {} }) : '{}';
  const withBody = (extra: Partial<FuzzRequest> & { label: string }): FuzzRequest =>
    ({ method, path, headers: hasBody ? JSON_HEADERS : {}, ...(hasBody ? { body: goodBody } : {}), ...extra });

  // Always tried: the inputs behind past 500s (prototype names, huge limits, deep bodies, unprintable objects).
  for (const name of paramNames(route.url).slice(0, 2)) {
    for (const value of ['__proto__', 'constructor']) add('core', withBody({ label: `param ${name}=${value}`, path: fillPath(route.url, { ...ctx.params, [name]: value }) }));
  }
  if (method === 'GET') {
    add('core', withBody({ label: 'query limit=99999999999999999999', path: `${path}?limit=99999999999999999999` }));
    add('core', withBody({ label: 'query marker=x*300', path: `${path}?limit=1&marker=${'x'.repeat(300)}` }));
  }
  if (hasBody) {
    add('core', { method, path, headers: JSON_HEADERS, body: deepArrays(10_000), label: 'body 10000-deep' });
    add('core', { method, path, headers: { 'content-type': 'text/plain' }, body: deepArrays(10_000), label: 'body 10000-deep as text/plain' });
    add('core', withBody({ label: 'body constructor key', body: render(ctx.shape?.wrapper ? { [ctx.shape.wrapper]: { [KEY_MARK]: 1 } } : { [KEY_MARK]: 1 }, undefined, 'constructor') }));
    const attrs = ctx.shape?.attrs ?? [];
    if (attrs.length > 0) {
      const attr = prng.pick(attrs);
      const inner = { [attr]: MARK };
      add('core', withBody({ label: `body ${attr}=${UNPRINTABLE.label}`, body: render(ctx.shape?.wrapper ? { [ctx.shape.wrapper]: inner } : inner, UNPRINTABLE) }));
    }
  }

  for (const name of paramNames(route.url)) {
    for (const value of BAD_PARAM_VALUES) {
      add('param', withBody({ label: `param ${name}=${value.slice(0, 40)}`, path: fillPath(route.url, { ...ctx.params, [name]: value }) }));
    }
    for (const raw of ['%ZZ', '%C0%AF', '%']) {
      add('param', withBody({ label: `param ${name}=raw ${raw}`, path: fillPath(route.url, { ...ctx.params, [name]: raw }, new Set([name])) }));
    }
  }

  const schemaQuery = Object.keys(((route.schema?.querystring as Schema | undefined)?.properties ?? {}) as object);
  for (const name of schemaQuery) {
    for (const value of prng.sample(BAD_QUERY_VALUES, 4)) {
      add('query', withBody({ label: `query ${name}=${value.slice(0, 40)} (schema)`, path: `${path}?${encodeURIComponent(name)}=${encodeURIComponent(value)}` }));
    }
  }
  const names = [...new Set([...schemaQuery, ...GENERIC_QUERY_NAMES, ...ctx.queryNames])];
  const queries = method === 'GET' || method === 'HEAD' ? 40 : 6;
  for (let i = 0; i < queries; i++) {
    const name = prng.pick(names);
    const value = prng.pick(BAD_QUERY_VALUES);
    const repeat = prng.int(4) === 0 ? `&${encodeURIComponent(name)}=${encodeURIComponent(prng.pick(BAD_QUERY_VALUES))}` : '';
    add('query', withBody({ label: `query ${name}=${value.slice(0, 40)}${repeat ? ' (repeated)' : ''}`, path: `${path}?${encodeURIComponent(name)}=${encodeURIComponent(value)}${repeat}` }));
  }
  for (const raw of ['%ZZ=1', 'limit=%ZZ', 'marker=%C0%AF', '=', '&&&', `${'a=1&'.repeat(300)}b=2`]) {
    add('query', withBody({ label: `raw query ${raw.slice(0, 30)}`, path: `${path}?${raw}` }));
  }

  if (hasBody && route.schema?.body) {
    for (const { label, body } of schemaBodies(route.schema.body as Schema, prng)) add('body-schema', withBody({ label: `body ${label}`, body }));
  }
  if (hasBody && ctx.template !== undefined) {
    for (const { label, body } of templateBodies(ctx.template, prng)) add('body-template', withBody({ label: `body ${label}`, body }));
  }
  if (hasBody) {
    for (const { label, body, contentType } of shapeBodies(ctx, prng)) {
      add('body-shape', withBody({ label: `body ${label}`, body, headers: { 'content-type': contentType ?? 'application/json' } }));
    }
  }
  for (const bad of BAD_BODIES) {
    if (hasBody || prng.int(3) === 0) add('body-raw', { method, path, headers: JSON_HEADERS, body: bad.text, label: `body ${bad.label}` });
  }
  if (hasBody) {
    add('body-raw', { method, path, headers: JSON_HEADERS, label: 'no body' });
    add('body-raw', { method, path, headers: {}, label: 'no body, no content type' });
  }

  for (const type of CONTENT_TYPES) {
    if (!hasBody && prng.int(4) !== 0) continue;
    add('content-type', { method, path, headers: type ? { 'content-type': type } : {}, body: goodBody, label: `content-type '${type}'` });
  }
  for (const headers of BAD_HEADERS) {
    add('header', withBody({ label: `header ${JSON.stringify(headers)}`, headers: { ...(hasBody ? JSON_HEADERS : {}), ...headers } }));
  }
  return families;
}

/**
 * Up to `budget` cases of the route, taken from each family in turn (each family shuffled), so
 * every kind of bad input is tried before any kind is tried twice.
 */
export function planRoute(ctx: RouteContext, prng: Prng, budget: number): FuzzRequest[] {
  const all = candidates(ctx, prng);
  // Core cases fill at most half a small budget, so the other families still get a turn.
  const core = all.get('core') ?? [];
  const out: FuzzRequest[] = core.length <= budget / 2 ? [...core] : prng.sample(core, Math.ceil(budget / 2));
  all.delete('core');
  const families = [...all.values()].map((list) => prng.sample(list, list.length));
  for (let round = 0; out.length < budget && families.some((f) => f.length > round); round++) {
    for (const f of families) {
      if (out.length >= budget) break;
      const req = f[round];
      if (req) out.push(req);
    }
  }
  return out;
}
