/**
 * Query strings of the smaller Compute API resources (nova's validation.query_schema with
 * multi_params): the last value of a repeated parameter, unknown parameters refused from 2.75,
 * and non-negative integers (limit, offset) refused with nova's 400.
 */
import { BadRequest } from '../../../common/errors.js';
import { parseQueryInteger } from '../../../common/http/query-params.js';
import type { APIVersion } from '../../../common/http/microversion.js';

export type RawQuery = Record<string, string | string[] | undefined>;

/** The last value of a parameter given once or several times. */
export function lastParam(q: RawQuery, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v.at(-1) : v;
}

/** From 2.75 a parameter the schema does not name is a 400 (additionalProperties false). */
export function rejectUnknownParams(q: RawQuery, known: readonly string[], version: APIVersion): void {
  if (!version.atLeast('2.75')) return;
  for (const key of Object.keys(q)) {
    if (!known.includes(key)) throw new BadRequest(`Invalid input for query parameters ${key}. Additional properties are not allowed ('${key}' was unexpected)`);
  }
}

/** A non-negative integer parameter (parameter_types.non_negative_integer), if given. */
export function nonNegativeParam(q: RawQuery, name: string): number | undefined {
  const raw = lastParam(q, name);
  if (raw === undefined) return undefined;
  return parseQueryInteger(raw, { min: 0 }, () => new BadRequest(`Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`));
}
