/**
 * Attribute converters (neutron_lib.api.converters): turn request values into their canonical
 * form, throwing InvalidInput with upstream's message when they cannot.
 */
import { parseQueryInteger } from '../../../../common/http/query-params.js';
import { normalizeMac } from '../../common/mac.js';
import { formatIp, parseCidr, parseIp } from '../../common/netaddr.js';
import { InvalidInput } from '../../errors.js';
import { show } from './validators.js';

const TRUE = new Set(['true', '1', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['false', '0', 'f', 'no', 'n', 'off']);

/** oslo strutils.bool_from_string(strict=True). */
export function toBoolean(data: unknown): boolean {
  if (typeof data === 'boolean') return data;
  const s = typeof data === 'string' || typeof data === 'number' ? String(data).trim().toLowerCase() : '';
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new InvalidInput(`'${show(data)}' cannot be converted to boolean`);
}

export function toBooleanIfNotNone(data: unknown): boolean | null {
  return data === null ? null : toBoolean(data);
}

export function toInt(data: unknown): number {
  if (typeof data === 'boolean') return data ? 1 : 0;
  if (typeof data === 'number' && Number.isFinite(data)) return Math.trunc(data);
  const notInteger = (): InvalidInput => new InvalidInput(`'${show(data)}' is not an integer`);
  if (typeof data !== 'string') throw notInteger();
  // Query filters arrive here as strings: strictly parsed, within the safe integer range.
  return parseQueryInteger(data, { pythonInt: true }, (problem) => {
    if (problem === 'syntax') return notInteger();
    const bound = problem === 'too_large' ? `no larger than '${Number.MAX_SAFE_INTEGER}'` : `at least '${-Number.MAX_SAFE_INTEGER}'`;
    return new InvalidInput(`'${data.trim()}' is too ${problem === 'too_large' ? 'large' : 'small'} - must be ${bound}`);
  });
}

export function toIntIfNotNone(data: unknown): number | null {
  return data === null ? null : toInt(data);
}

export function noneToEmptyList(data: unknown): unknown {
  return data === null ? [] : data;
}

export function noneToEmptyDict(data: unknown): unknown {
  return data === null ? {} : data;
}

/** IPv6 addresses in compact form; anything else unchanged. */
export function ipToCanonical(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  const ip = parseIp(data);
  return ip && ip.version === 6 ? formatIp(6, ip.value) : data;
}

export function cidrToCanonical(data: unknown): unknown {
  if (data === null) throw new InvalidInput(`${show(data)} is not in a CIDR format`);
  if (typeof data !== 'string') return data;
  const c = parseCidr(data, true);
  if (!c) return data; // the validator reports it
  return `${c.version === 6 ? formatIp(6, c.ip) : data.split('/')[0]}/${c.prefixlen}`;
}

export function allocationPoolsToCanonical(data: unknown): unknown {
  if (data === null) return [];
  if (!Array.isArray(data)) return data;
  return data.map((pool) =>
    typeof pool === 'object' && pool !== null && !Array.isArray(pool)
      ? Object.fromEntries(Object.entries(pool).map(([k, v]) => [k, ipToCanonical(v)]))
      : pool,
  );
}

export function sanitizedMac(data: unknown): unknown {
  return typeof data === 'string' ? (normalizeMac(data) ?? data) : data;
}

export function caseInsensitive(data: unknown): unknown {
  if (data === null) return null;
  if (typeof data !== 'string') throw new InvalidInput(`Input value ${show(data)} must be string type`);
  return data.toLowerCase();
}

/** `key=value` strings of a query (fixed_ips=subnet_id=...) into {key: [values]}. */
export function kvpListToDict(list: string[]): Record<string, string[]> {
  if (list.length === 1 && list[0] === 'True') return {};
  const map = new Map<string, string[]>();
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq).trim();
    if (eq < 0 || key === '') throw new InvalidInput(`'${item}' is not of the form <key>=[value]`);
    const value = item.slice(eq + 1).trim();
    const values = map.get(key) ?? [];
    if (!values.includes(value)) values.push(value);
    map.set(key, values);
  }
  return Object.fromEntries(map);
}
