/**
 * Keystone's time strings: `isotime(at, subsecond=True)` drops the microseconds and writes
 * `2026-11-22T10:35:27.000000Z`; `parse_expiration_date` reads a client's `expires_at`.
 */
import { BadRequest } from '../../../common/errors.js';

/** `YYYY-MM-DDTHH:MM:SS.000000Z` (subsecond) or `YYYY-MM-DDTHH:MM:SSZ`, always whole seconds. */
export function isoTime(secondsOrDate: number | Date, subsecond = true): string {
  const ms = typeof secondsOrDate === 'number' ? secondsOrDate * 1000 : secondsOrDate.getTime();
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  return subsecond ? `${base}.000000Z` : `${base}Z`;
}

/** Seconds since the epoch, whole seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A parsed time: milliseconds since the epoch and the microseconds within that millisecond. */
interface ParsedTime {
  ms: number;
  micro: number;
}

function parseTime(text: string): ParsedTime | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const micros = Number(`${frac}000000`.slice(0, 6));
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.floor(micros / 1000));
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return { ms, micro: micros % 1000 };
}

/**
 * Parse an ISO 8601 time (oslo's parse_isotime); a time without a zone is UTC. Returns
 * milliseconds since the epoch or undefined when the text is not such a time.
 */
export function parseIsoTime(text: string): number | undefined {
  return parseTime(text)?.ms;
}

/**
 * keystone.common.utils.parse_expiration_date: a `Z` is appended when missing; an unreadable
 * time is 400 "Timestamp not in expected format", a past one 400 "must not be before now".
 * Returns the time in UTC with its microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
 */
export function parseExpirationDate(text: string): string {
  const withZ = text.endsWith('Z') ? text : `${text}Z`;
  const t = parseTime(withZ);
  if (t === undefined) {
    throw new BadRequest('Timestamp not in expected format. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
  }
  if (t.ms <= Date.now()) {
    throw new BadRequest("The 'expires_at' must not be before now. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.");
  }
  return microIso(t);
}

function microIso(t: ParsedTime): string {
  const d = new Date(t.ms);
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds() * 1000 + t.micro).padStart(6, '0')}Z`;
}

/** oslo's strtime of a stored time: `YYYY-MM-DDTHH:MM:SS.ffffff`, no zone (Keystone's JSON of datetimes). */
export function strtime(iso: string): string {
  const t = parseTime(iso);
  return t ? microIso(t).slice(0, -1) : iso;
}
