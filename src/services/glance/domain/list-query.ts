/**
 * GET /v2/images query parameters turned into a typed query (glance's RequestDeserializer.index
 * and the filter handling of glance/db/sqlalchemy/api.py): filters with the `in:`, `gt:`, `gte:`,
 * `lt:`, `lte:`, `eq:`, `neq:` operators, *_min/*_max ranges, tag and property filters, the
 * classic `sort_key`/`sort_dir` and the `sort=key:dir,...` forms, marker and limit.
 */
import { BadRequest } from '../../../common/errors.js';
import { checkQueryMarker, parseQueryInteger, parseQueryLimit } from '../../../common/http/query-params.js';
import { setOwnValue } from '../../../common/own.js';
import { VISIBILITIES, type Visibility } from './image.js';

export type CompareOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';
export type SortDir = 'asc' | 'desc';
export type MemberStatusFilter = 'pending' | 'accepted' | 'rejected' | 'all';

/** Columns of the images table a filter may name directly. */
export const IMAGE_COLUMNS = [
  'id', 'name', 'disk_format', 'container_format', 'size', 'virtual_size', 'status', 'checksum', 'os_hash_algo',
  'os_hash_value', 'min_disk', 'min_ram', 'owner', 'protected', 'os_hidden', 'created_at', 'updated_at',
] as const;
export type ImageColumn = (typeof IMAGE_COLUMNS)[number];
const NUMERIC_COLUMNS: ReadonlySet<string> = new Set(['size', 'virtual_size', 'min_disk', 'min_ram']);

export type Condition =
  | { kind: 'compare'; column: ImageColumn; op: CompareOp; value: string | number }
  | { kind: 'in'; column: ImageColumn; values: string[] }
  | { kind: 'never' }
  | { kind: 'all'; conditions: Condition[] }
  /** Any of the conditions; an empty list matches everything. */
  | { kind: 'any'; conditions: Condition[] };

export const SORT_KEYS = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at'] as const;
export type SortKey = (typeof SORT_KEYS)[number] | 'created_at' | 'id';

export interface ImageListQuery {
  conditions: Condition[];
  /** Custom property equality filters. */
  properties: Record<string, string>;
  tags: string[];
  osHidden: boolean;
  visibility: Visibility | 'all' | undefined;
  memberStatus: MemberStatusFilter;
  sortKeys: SortKey[];
  sortDirs: SortDir[];
  marker: string | undefined;
  limit: number;
}

/** Query parameters as a list of pairs (repeated keys kept, in order). */
export type QueryPairs = ReadonlyArray<readonly [string, string]>;

export interface ListLimits {
  limitDefault: number;
  limitMax: number;
}

function take(params: Array<[string, string]>, key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < params.length; ) {
    if (params[i]![0] === key) {
      out.push(params[i]![1]);
      params.splice(i, 1);
    } else {
      i++;
    }
  }
  return out;
}

function takeOne(params: Array<[string, string]>, key: string): string | undefined {
  // webob's params.pop returns the first value and drops that key entirely
  const values = take(params, key);
  return values[0];
}

/** A `limit` as glance's _validate_limit reads it (Python int(), not negative); huge values stand for "all". */
export function parseLimit(raw: string): number {
  return parseQueryLimit(raw, { pythonInt: true }, (problem) =>
    new BadRequest(problem === 'syntax' ? 'limit param must be an integer' : 'limit param must be positive'));
}

/** A `marker` (ids and namespace names are far shorter than the bound). */
export function checkMarker<T extends string | undefined>(raw: T): T {
  return checkQueryMarker(raw, () => new BadRequest('Invalid marker: too long.'));
}

/** An integer filter value (Python int()), within the safe integer range. */
function integerFilter(raw: string, message: string): number {
  return parseQueryInteger(raw, { pythonInt: true }, () => new BadRequest(message));
}

function validateSortKey(key: string): SortKey {
  if (!(SORT_KEYS as readonly string[]).includes(key)) {
    throw new BadRequest(`Invalid sort key: ${key}. It must be one of the following: ${SORT_KEYS.join(', ')}.`);
  }
  return key as SortKey;
}

function validateSortDir(dir: string): SortDir {
  if (dir !== 'asc' && dir !== 'desc') throw new BadRequest(`Invalid sort direction: ${dir}`);
  return dir;
}

/** glance.common.utils.split_filter_op: `gte:2024-...` -> ['gte', '2024-...']; a bare ISO time stays whole. */
export function splitFilterOp(expression: string): [string, string] {
  const i = expression.indexOf(':');
  if (i < 0) return ['eq', expression];
  if (parseIsoTime(expression) !== undefined) return ['eq', expression];
  return [expression.slice(0, i), expression.slice(i + 1)];
}

/** ISO 8601 date-time as oslo's parse_isotime accepts it; undefined when not one. */
export function parseIsoTime(s: string): Date | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', tz = 'Z'] = m;
  const zone = tz === 'Z' ? 'Z' : tz.length === 3 ? `${tz}:00` : tz.includes(':') ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** glance.common.utils.split_filter_value_for_quotes: `a,"b,c",d` -> ['a', 'b,c', 'd']. */
export function splitFilterValueForQuotes(value: string): string[] {
  let open = false;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '"' || (i > 0 && value[i - 1] === '\\')) continue;
    if (!open) {
      if (i > 0 && value[i - 1] !== ',') throw new BadRequest(`Invalid filter value ${value}. There is no comma before opening quotation mark.`);
    } else if (i + 1 < value.length && value[i + 1] !== ',') {
      throw new BadRequest(`Invalid filter value ${value}. There is no comma after closing quotation mark.`);
    }
    open = !open;
  }
  if (open) throw new BadRequest(`Invalid filter value ${value}. The quote is not closed.`);
  const out: string[] = [];
  const re = /"([^"\\]*(?:\\.[^"\\]*)*)",?|([^,]+),?|,/g;
  for (const m of value.matchAll(re)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

/**
 * A created_at/updated_at filter. Times are stored with milliseconds but Glance compares the
 * whole-second times it shows, so each operator becomes a range on the stored value.
 */
function timeCondition(column: 'created_at' | 'updated_at', raw: string): Condition {
  const [op, value] = splitFilterOp(raw);
  const time = parseIsoTime(value);
  if (!time) throw new BadRequest(`Bad "${column}" query filter format. Use ISO 8601 DateTime notation.`);
  const ms = time.getTime();
  const whole = ms % 1000 === 0;
  const floor = ms - (((ms % 1000) + 1000) % 1000);
  const at = (t: number): string => new Date(t).toISOString();
  const cmp = (o: CompareOp, t: number): Condition => ({ kind: 'compare', column, op: o, value: at(t) });
  switch (op) {
    case 'gt': return cmp('gte', floor + 1000);
    case 'gte': return cmp('gte', whole ? ms : floor + 1000);
    case 'lt': return cmp('lt', whole ? ms : floor + 1000);
    case 'lte': return cmp('lt', floor + 1000);
    case 'eq': return whole ? { kind: 'all', conditions: [cmp('gte', ms), cmp('lt', ms + 1000)] } : { kind: 'never' };
    case 'neq': return whole ? { kind: 'any', conditions: [cmp('lt', ms), cmp('gte', ms + 1000)] } : { kind: 'any', conditions: [] };
    default: throw new BadRequest('Unable to filter on a unknown operator.');
  }
}

function columnValue(column: ImageColumn, raw: string): string | number {
  if (!NUMERIC_COLUMNS.has(column) && column !== 'protected' && column !== 'os_hidden') return raw;
  if (column === 'protected' || column === 'os_hidden') return raw.toLowerCase() === 'true' ? 1 : 0;
  return integerFilter(raw, `Invalid value '${raw}' for parameter '${column}': must be an integer.`);
}

export function parseImageListQuery(pairs: QueryPairs, limits: ListLimits): ImageListQuery {
  const params = pairs.map(([k, v]) => [k, v] as [string, string]);
  const limitRaw = takeOne(params, 'limit');
  const marker = checkMarker(takeOne(params, 'marker'));
  const memberStatus = takeOne(params, 'member_status') ?? 'accepted';
  if (!['pending', 'accepted', 'rejected', 'all'].includes(memberStatus)) throw new BadRequest(`Invalid status: ${memberStatus}`);
  const tags = take(params, 'tag').map((t) => t.trim());

  let sortKeys: SortKey[] = [];
  let sortDirs: SortDir[] = [];
  const sort = take(params, 'sort');
  if (sort.length > 0) {
    if (params.some(([k]) => k === 'sort_key' || k === 'sort_dir')) throw new BadRequest('Old and new sorting syntax cannot be combined');
    for (const part of sort[0]!.trim().split(',')) {
      const i = part.indexOf(':');
      const key = i < 0 ? part : part.slice(0, i);
      const dir = i < 0 || part.slice(i + 1) === '' ? 'desc' : part.slice(i + 1);
      sortKeys.push(validateSortKey(key.trim()));
      sortDirs.push(validateSortDir(dir.trim()));
    }
  } else {
    sortKeys = take(params, 'sort_key').map((k) => validateSortKey(k.trim()));
    sortDirs = take(params, 'sort_dir').map((d) => validateSortDir(d.trim()));
    if (sortDirs.length > 1 && sortDirs.length !== sortKeys.length) throw new BadRequest('Number of sort dirs does not match the number of sort keys');
  }
  if (sortKeys.length === 0) sortKeys = ['created_at'];
  if (sortDirs.length === 0) sortDirs = ['desc'];

  // What is left are filters (the last value of a repeated key wins, as a webob MultiDict.get).
  const filters = new Map<string, string>();
  for (const [k, v] of params) filters.set(k, v);

  const visibilityRaw = filters.get('visibility');
  filters.delete('visibility');
  if (visibilityRaw && ![...VISIBILITIES, 'all'].includes(visibilityRaw)) throw new BadRequest(`Invalid visibility value: ${visibilityRaw}`);
  if (filters.get('changes-since')) throw new BadRequest('The "changes-since" filter is no longer available on v2.');

  const osHiddenRaw = (filters.get('os_hidden') ?? 'false').toLowerCase();
  filters.delete('os_hidden');
  if (osHiddenRaw !== 'true' && osHiddenRaw !== 'false') {
    throw new BadRequest(`Invalid value '${osHiddenRaw}' for 'os_hidden' filter. Valid values are 'true' or 'false'.`);
  }
  const conditions: Condition[] = [];
  const protectedRaw = filters.get('protected');
  if (protectedRaw !== undefined) {
    filters.delete('protected');
    if (protectedRaw !== 'true' && protectedRaw !== 'false') {
      throw new BadRequest(`Invalid value '${protectedRaw}' for 'protected' filter. Valid values are 'true' or 'false'.`);
    }
    conditions.push({ kind: 'compare', column: 'protected', op: 'eq', value: protectedRaw === 'true' ? 1 : 0 });
  }

  const properties: Record<string, string> = {};
  for (const [key, value] of filters) {
    if (key.endsWith('_min') || key.endsWith('_max')) {
      const column = key.slice(0, -4);
      const bound = integerFilter(value, 'Unable to filter on a range with a non-numeric value.');
      if (!(IMAGE_COLUMNS as readonly string[]).includes(column)) throw new BadRequest(`Unable to filter on a range of ${column}.`);
      conditions.push({ kind: 'compare', column: column as ImageColumn, op: key.endsWith('_min') ? 'gte' : 'lte', value: bound });
    } else if (key === 'created_at' || key === 'updated_at') {
      conditions.push(timeCondition(key, value));
    } else if (['name', 'id', 'status', 'container_format', 'disk_format'].includes(key)) {
      const [op, rest] = splitFilterOp(value);
      if (op === 'in') conditions.push({ kind: 'in', column: key as ImageColumn, values: splitFilterValueForQuotes(rest) });
      else if (op === 'eq') conditions.push({ kind: 'compare', column: key as ImageColumn, op: 'eq', value: rest });
      else throw new BadRequest(`Unable to filter by unknown operator '${op}'.`);
    } else if ((IMAGE_COLUMNS as readonly string[]).includes(key)) {
      conditions.push({ kind: 'compare', column: key as ImageColumn, op: 'eq', value: columnValue(key as ImageColumn, value) });
    } else {
      setOwnValue(properties, key, value);
    }
  }

  return {
    conditions,
    properties,
    tags,
    osHidden: osHiddenRaw === 'true',
    visibility: visibilityRaw ? (visibilityRaw as Visibility | 'all') : undefined,
    memberStatus: memberStatus as MemberStatusFilter,
    sortKeys,
    sortDirs,
    marker,
    limit: Math.min(limits.limitMax, limitRaw !== undefined ? parseLimit(limitRaw) : limits.limitDefault),
  };
}
