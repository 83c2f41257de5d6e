/**
 * Ids in the paths of the admin resources: an integer id (nova's utils.validate_integer) or,
 * from the microversion that switched a resource to uuids, a uuid ('Invalid uuid %s').
 */
import { BadRequest } from '../../../common/errors.js';

/** Ids beyond this can name no row (the columns are 32-bit integers). */
const MAX_DB_ID = 2 ** 31 - 1;
const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The integer of `raw`, or null when it cannot name a row. @throws BadRequest when it is not an integer */
export function integerId(raw: string, name = 'id'): number | null {
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw new BadRequest(`Invalid input received: ${name} must be an integer`);
  const n = Number(raw);
  return n >= 1 && n <= MAX_DB_ID ? n : null;
}

/** oslo's is_uuid_like. */
export function isUuidLike(raw: string): boolean {
  return UUID_LIKE.test(raw);
}

/** @throws BadRequest 'Invalid uuid <id>' */
export function requireUuid(raw: string): string {
  if (!isUuidLike(raw)) throw new BadRequest(`Invalid uuid ${raw}`);
  return raw;
}
