/**
 * Query parameters of the simpler Compute API lists (flavors, key pairs): webob's view of a
 * repeated parameter (the last value, or the first with getall()[0]), nova's strict booleans,
 * the 2.75 rule that unknown parameters are a 400, and common.get_limit_and_marker ([api]
 * max_limit caps the page).
 */
import { BadRequest } from '../../../common/errors.js';
import { readQueryInteger } from '../../../common/http/query-params.js';

export type RawQuery = Record<string, string | string[] | undefined>;

function values(q: RawQuery, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

/** req.params.get(key): the last value. */
export function lastParam(q: RawQuery, key: string): string | undefined {
  return values(q, key).at(-1);
}

/** req.GET.getall(key)[0]: the first value. */
export function firstParam(q: RawQuery, key: string): string | undefined {
  return values(q, key)[0];
}

/** A query schema with additionalProperties false (from 2.75). @throws BadRequest */
export function rejectUnknownParams(q: RawQuery, allowed: readonly string[]): void {
  const unknown = Object.keys(q).filter((k) => !allowed.includes(k)).sort();
  if (unknown.length > 0) {
    throw new BadRequest(`Additional properties are not allowed (${unknown.map((k) => `'${k}'`).join(', ')} ${unknown.length > 1 ? 'were' : 'was'} unexpected)`);
  }
}

/** A query parameter limited to some values (a query schema's enum). @throws BadRequest */
export function checkEnumParam(q: RawQuery, key: string, allowed: readonly string[]): void {
  for (const v of values(q, key)) {
    if (!allowed.includes(v)) {
      throw new BadRequest(`Invalid input for query parameters ${key}. Value: ${v}. '${v}' is not one of [${allowed.map((a) => `'${a}'`).join(', ')}]`);
    }
  }
}

const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE = ['0', 'f', 'false', 'off', 'n', 'no'];

/** oslo's bool_from_string(strict=True); undefined when the value is neither. */
export function strictBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  return TRUE.includes(v) ? true : FALSE.includes(v) ? false : undefined;
}

/** common.get_limit_and_marker. @throws BadRequest for a limit that is not a non-negative integer */
export function limitAndMarker(q: RawQuery, maxLimit: number): { limit: number; marker?: string } {
  let limit = maxLimit;
  for (const raw of values(q, 'limit')) {
    if (!/^[0-9]+$/.test(raw)) throw new BadRequest(`Invalid input for query parameters limit. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`);
  }
  const raw = lastParam(q, 'limit');
  if (raw !== undefined) {
    const n = readQueryInteger(raw, { min: 0, clampTo: maxLimit });
    if ('problem' in n) throw new BadRequest('Invalid input received: limit must be an integer');
    limit = Math.min(maxLimit, n.value);
  }
  const marker = lastParam(q, 'marker');
  return marker === undefined ? { limit } : { limit, marker };
}
