/**
 * What every placement handler does with its request and response, as upstream's decorators
 * and util.py do: version gates (version_handler: 404 below the route's microversion),
 * require_content (415), check_accept (406), extract_json ("Malformed JSON" / "JSON does not
 * validate"), validate_query_params, JSON bodies (allocation ratios as Python floats), the
 * Location header, and from 1.15 `cache-control: no-cache` with `last-modified`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/context.js';
import { pyFloat } from '../../../common/policy/python-values.js';
import { HTTPBadRequest, HTTPMethodNotAllowed, HTTPNotAcceptable, HTTPNotFound, HTTPUnsupportedMediaType } from '../errors.js';
import { acceptable } from './accept.js';
import { acceptOf } from './fault.js';
import { type JsonSchema, validationError } from './jsonschema.js';
import type { APIVersion } from './microversion.js';
import type { Query } from './query-params.js';

/** One request as a handler sees it. */
export interface Call {
  req: FastifyRequest;
  reply: FastifyReply;
  version: APIVersion;
  ctx: RequestContext;
  params: Record<string, string>;
  query: Query;
  /** The path prefix the API is mounted at ('/placement'). */
  prefix: string;
}

/**
 * microversion.version_handler: the route exists from `min` (to `max`); outside, 404 (or the
 * given status, 405 for DELETE of all inventories before 1.5).
 */
export function requireVersion(call: Call, min: string, max?: string, status: 404 | 405 = 404): void {
  if (call.version.inRange(min, max)) return;
  throw status === 405 ? new HTTPMethodNotAllowed() : new HTTPNotFound();
}

/** util.require_content('application/json'). */
export function requireJson(call: Call): void {
  const type = String(call.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HTTPUnsupportedMediaType(`The media type ${type === '' ? 'None' : type} is not supported, use application/json`);
  }
}

/** util.check_accept('application/json'). */
export function checkAccept(call: Call): void {
  if (!acceptable(acceptOf(call.req), 'application/json')) throw new HTTPNotAcceptable('Only application/json is provided');
}

/** Python's json error text is not reproduced; the JavaScript parser's message follows the prefix. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HTTPBadRequest(`Malformed JSON: ${text.trim() === '' ? 'Expecting value: line 1 column 1 (char 0)' : (err as Error).message}`);
  }
}

/** util.extract_json: the body parsed and validated against `schema`. */
export function extractJson<T = any>(call: Call, schema: JsonSchema): T {
  const raw = call.req.body;
  const data = parseJson(typeof raw === 'string' ? raw : raw === undefined ? '' : String(raw));
  const error = validationError(schema, data);
  if (error !== undefined) throw new HTTPBadRequest(`JSON does not validate: ${error}`);
  return data as T;
}

/** util.validate_query_params: dict(req.GET) (last values) against `schema`. */
export function validateQuery(call: Call, schema: JsonSchema): void {
  const error = validationError(schema, call.query.toDict());
  if (error !== undefined) throw new HTTPBadRequest(`Invalid query string parameters: ${error}`);
}

/** A number JSON shows with Python's float repr (1.0, not 1): inventory allocation ratios. */
export class PyFloat {
  constructor(readonly value: number) {}
}

const FLOAT_MARK = '\u0000float:';

/** JSON of a body; `floats` when it holds PyFloat values (the replacer costs on large bodies). */
function serialize(body: unknown, floats: boolean): string {
  if (!floats) return JSON.stringify(body);
  const text = JSON.stringify(body, (_k, v: unknown) => (v instanceof PyFloat ? `${FLOAT_MARK}${pyFloat(v.value)}` : v));
  return text.replace(/"\\u0000float:([^"]*)"/g, '$1');
}

/** Timestamps of rows -> the latest (util.pick_last_modified), now when none has one. */
export function lastModified(rows: ReadonlyArray<{ created_at: string | null; updated_at: string | null }>): Date {
  let best: number | undefined;
  for (const r of rows) {
    const t = r.updated_at ?? r.created_at;
    if (t === null) continue;
    const ms = Date.parse(t);
    if (best === undefined || ms > best) best = ms;
  }
  return best === undefined ? new Date() : new Date(best);
}

/** From 1.15: cache-control no-cache and last-modified. */
export function cacheHeaders(call: Call, modified: Date = new Date()): void {
  if (!call.version.atLeast('1.15')) return;
  call.reply.header('cache-control', 'no-cache');
  call.reply.header('last-modified', modified.toUTCString());
}

export function sendJson(call: Call, body: unknown, status = 200, opts: { floats?: boolean } = {}): FastifyReply {
  return call.reply.code(status).type('application/json').send(serialize(body, opts.floats ?? false));
}

/** A response without body or content type. */
export function sendEmpty(call: Call, status: number): FastifyReply {
  return call.reply.code(status).send();
}

/** An API path with the mount prefix ('/placement/resource_providers/...'), as links show it. */
export function apiPath(call: Call, path: string): string {
  return `${call.prefix}${path}`;
}

/** The absolute URL webob puts in Location headers. */
export function setLocation(call: Call, path: string): void {
  const proto = call.req.protocol;
  const host = call.req.headers.host ?? 'localhost';
  call.reply.header('location', `${proto}://${host}${apiPath(call, path)}`);
}
