/**
 * What route handlers read from a request: the caller's context, microversion and admin flag,
 * the project of the URL (`/v3/{project_id}/...`, optional from 3.67), and the body checks
 * every Cinder controller makes (a body with the resource key, else 400 "Missing required
 * element ...").
 */
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/context.js';
import type { APIVersion } from '../../../common/http/microversion.js';
import { BadRequest } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';

export interface Caller {
  ctx: RequestContext;
  version: APIVersion;
  isAdmin: boolean;
  /** The project named in the URL, or the caller's. */
  urlProject: string;
}

export function caller(req: FastifyRequest, deps: ApiDeps): Caller {
  const params = req.params as { project_id?: string };
  return { ctx: req.ctx, version: req.apiVersion, isAdmin: deps.policy.isAdmin(req.ctx), urlProject: params.project_id ?? req.ctx.projectId ?? '' };
}

/** The object under `key` of a request body (wsgi's assert_valid_body). @throws BadRequest */
export function bodyOf(body: unknown, key: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest(`Missing required element '${key}' in request body.`);
  const inner = (body as Record<string, unknown>)[key];
  if (inner === undefined) throw new BadRequest(`Missing required element '${key}' in request body.`);
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) throw new BadRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(inner)}. ${JSON.stringify(inner)} is not of type 'object'`);
  return inner as Record<string, unknown>;
}

/** A string field of at most `max` characters, or null/absent. @throws BadRequest */
export function optString(o: Record<string, unknown>, key: string, max = 255, allowNull = true): string | null | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v === null && allowNull) return null;
  if (typeof v !== 'string') throw new BadRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'string'`);
  if (v.length > max) throw new BadRequest(`Invalid input for field/attribute ${key}. Value: ${v}. '${v}' is too long`);
  return v;
}

/** A metadata object: string keys of 1-255 characters, string values of at most 255. @throws BadRequest */
export function metadataOf(v: unknown, field = 'metadata'): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`Invalid input for field/attribute ${field}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'object'`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (k.length < 1 || k.length > 255) throw new BadRequest(`Invalid input for field/attribute ${field}. Value: ${JSON.stringify(v)}. '${k}' does not match any of the regexes: '^[\\x20-\\x7F]{1,255}$'`);
    if (typeof val !== 'string') throw new BadRequest(`Invalid input for field/attribute ${k}. Value: ${JSON.stringify(val)}. ${JSON.stringify(val)} is not of type 'string'`);
    if (val.length > 255) throw new BadRequest(`Invalid input for field/attribute ${k}. Value: ${val}. '${val}' is too long`);
    out[k] = val;
  }
  return out;
}

const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE = ['0', 'f', 'false', 'off', 'n', 'no'];

/** utils.get_bool_param / strutils.bool_from_string(strict=True). @throws BadRequest */
export function boolParam(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const v = String(value).trim().toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new BadRequest(`Invalid value '${String(value)}' for ${name}: Unrecognized value '${String(value)}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
}

/** A size in GiB as Cinder's schemas take it (an integer, or a string of digits), 1 to DB_MAX_INT. @throws BadRequest */
export function sizeOf(name: string, v: unknown): number {
  const n = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new BadRequest(`Invalid input for field/attribute ${name}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'integer', 'string'`);
  if (n < 1) throw new BadRequest(`Invalid input for field/attribute ${name}. Value: ${String(v)}. ${String(v)} is less than the minimum of 1`);
  if (n > 0x7fffffff) throw new BadRequest(`Invalid input for field/attribute ${name}. Value: ${String(v)}. ${String(v)} is greater than the maximum of 2147483647`);
  return n;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function uuidOf(name: string, v: unknown, allowNull = true): string | null {
  if (v === null && allowNull) return null;
  if (typeof v !== 'string' || !UUID.test(v)) throw new BadRequest(`Invalid input for field/attribute ${name}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not a 'uuid'`);
  return v;
}
