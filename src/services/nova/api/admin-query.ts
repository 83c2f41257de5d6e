/**
 * Query strings of the admin resources, checked as nova's query schemas check them: a
 * parameter's last value counts, unknown parameters are a 400 from the microversion whose
 * schema forbids them, booleans are strict, limits non-negative integers, times ISO 8601.
 */
import { BadRequest } from '../../../common/errors.js';
import { parseQueryLimit } from '../../../common/http/query-params.js';

export type RawQuery = Record<string, string | string[] | undefined>;

/** The last value of a parameter, as nova reads req.GET[name]. */
export function lastOf(q: RawQuery, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v.at(-1) : v;
}

/** @throws BadRequest for a parameter outside `known` (additionalProperties: false) */
export function rejectUnknown(q: RawQuery, known: readonly string[]): void {
  for (const key of Object.keys(q)) {
    if (!known.includes(key)) throw new BadRequest(`Invalid input for query parameters ${key}. Additional properties are not allowed ('${key}' was unexpected)`);
  }
}

const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE = ['0', 'f', 'false', 'off', 'n', 'no'];

/** oslo's bool_from_string(strict=True). */
export function strictBoolean(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not one of the accepted boolean values`);
}

/** common.get_limit_and_marker's limit: at most [api] max_limit. */
export function pageLimit(q: RawQuery, maxLimit: number): number {
  const raw = lastOf(q, 'limit');
  if (raw === undefined) return maxLimit;
  return parseQueryLimit(raw, { max: maxLimit }, () => new BadRequest(`Invalid input for query parameters limit. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`));
}

/** A changes-since / changes-before time, as stored (ISO, whole seconds, UTC). */
export function queryTime(name: string, value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`);
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
