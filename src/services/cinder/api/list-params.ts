/**
 * Query parameters of Cinder's lists (cinder/api/common.py): pagination (limit, marker,
 * offset), sorting (`sort=key:dir,...` or the older sort_key/sort_dir), the resource filters
 * (unknown ones are a 400 from 3.31), `~` like filters (3.34), time comparisons (3.60:
 * `created_at=gte:2020-01-01T00:00:00`), with_count (3.45); and the page of records they
 * select, with the next link.
 */
import type { FastifyRequest } from 'fastify';
import type { APIVersion } from '../../../common/http/microversion.js';
import { InvalidInput, InvalidMarker, InvalidSortKey } from '../errors.js';
import { boolParam } from './request.js';

export type RawQuery = Record<string, string | string[] | undefined>;

export function param(q: RawQuery, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v.at(-1) : v;
}

export interface ListOptions {
  limit: number | undefined;
  marker: string | undefined;
  offset: number;
  sort: Array<{ key: string; dir: 'asc' | 'desc' }>;
  filters: Record<string, string>;
  withCount: boolean;
  allTenants: boolean;
}

const PAGE_KEYS = ['limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir', 'with_count', 'all_tenants', 'project_id'];

function nonNegative(name: string, raw: string): number {
  if (!/^[0-9]+$/.test(raw)) throw new InvalidInput(`${name} param must be an integer`);
  const n = Number(raw);
  if (n > 0x7fffffff) throw new InvalidInput(`${name} param must be an integer`);
  return n;
}

export function listOptions(req: FastifyRequest, version: APIVersion, allowedFilters: readonly string[], maxLimit: number): ListOptions {
  const q = req.query as RawQuery;
  const rawLimit = param(q, 'limit');
  const limit = rawLimit === undefined ? undefined : Math.min(nonNegative('limit', rawLimit), maxLimit);
  const rawOffset = param(q, 'offset');
  const offset = rawOffset === undefined ? 0 : nonNegative('offset', rawOffset);
  const sort: ListOptions['sort'] = [];
  const sortParam = param(q, 'sort');
  const sortKey = param(q, 'sort_key');
  const sortDir = param(q, 'sort_dir');
  if (sortParam !== undefined && (sortKey !== undefined || sortDir !== undefined)) {
    throw new InvalidInput("The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
  }
  const dirOf = (d: string | undefined): 'asc' | 'desc' => {
    const v = (d ?? 'desc').trim().toLowerCase();
    if (v !== 'asc' && v !== 'desc') throw new InvalidInput(`Unknown sort direction, must be 'desc' or 'asc'`);
    return v;
  };
  if (sortParam !== undefined) {
    for (const part of sortParam.split(',')) {
      const [key, dir] = part.split(':');
      if (!key?.trim()) throw new InvalidInput('Invalid sort parameter');
      sort.push({ key: key.trim(), dir: dirOf(dir) });
    }
  } else if (sortKey !== undefined) {
    sort.push({ key: sortKey.trim(), dir: dirOf(sortDir) });
  }
  const filters: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) {
    if (PAGE_KEYS.includes(k) || v === undefined) continue;
    filters[k] = Array.isArray(v) ? v.at(-1)! : v;
  }
  if (version.atLeast('3.31')) {
    const bad = Object.keys(filters).filter((k) => !allowedFilters.includes(k.replace(/~$/, '')) || (k.endsWith('~') && !version.atLeast('3.34')));
    if (bad.length > 0) throw new InvalidInput(`Invalid filters ${bad.join(', ')} are found in query options.`);
  }
  const withCountRaw = param(q, 'with_count');
  const allTenants = param(q, 'all_tenants');
  return {
    limit, marker: param(q, 'marker'), offset, sort, filters,
    withCount: version.atLeast('3.45') && withCountRaw !== undefined ? boolParam('with_count', withCountRaw) : false,
    allTenants: allTenants !== undefined ? boolParam('all_tenants', allTenants) : false,
  };
}

/** `{"k": "v"}` or Python's `{'k': 'v'}` (what clients send for a metadata filter). */
export function parseDictFilter(name: string, raw: string): Record<string, string> {
  try {
    const v = JSON.parse(raw.replace(/'/g, '"')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  } catch {
    // falls through
  }
  throw new InvalidInput(`Invalid ${name} filter: ${raw}`);
}

const TIME_OPS: Record<string, (a: string, b: string) => boolean> = {
  gt: (a, b) => a > b, gte: (a, b) => a >= b, lt: (a, b) => a < b, lte: (a, b) => a <= b, eq: (a, b) => a === b, neq: (a, b) => a !== b,
};

/** A time filter `op:time` (3.60) as a predicate over stored ISO times. */
export function timeFilter(name: string, raw: string): (value: string | null) => boolean {
  const m = /^(gt|gte|lt|lte|eq|neq):(.+)$/.exec(raw);
  const t = Date.parse(m ? m[2]! : raw);
  if (!Number.isFinite(t)) throw new InvalidInput(`Invalid ${name} filter: ${raw}`);
  const iso = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const op = TIME_OPS[m ? m[1]! : 'eq']!;
  return (value) => value !== null && op(value, iso);
}

/** Sort, then page (marker, offset, limit) a list of records. @throws InvalidSortKey, InvalidMarker */
export function page<T extends { id: string }>(items: T[], o: ListOptions, keyOf: (item: T, key: string) => unknown, defaultSort: ListOptions['sort'] = [{ key: 'created_at', dir: 'desc' }]): T[] {
  const sort = [...(o.sort.length > 0 ? o.sort : defaultSort)];
  if (!sort.some((s) => s.key === 'id')) sort.push({ key: 'id', dir: sort[0]?.dir ?? 'desc' });
  for (const s of sort) if (items.length > 0 && keyOf(items[0]!, s.key) === undefined && s.key !== 'id') throw new InvalidSortKey(s.key);
  const cmp = (a: T, b: T): number => {
    for (const s of sort) {
      const x = s.key === 'id' ? a.id : keyOf(a, s.key);
      const y = s.key === 'id' ? b.id : keyOf(b, s.key);
      if (x === y) continue;
      if (x === null || x === undefined) return s.dir === 'asc' ? -1 : 1;
      if (y === null || y === undefined) return s.dir === 'asc' ? 1 : -1;
      const c = x < y ? -1 : 1;
      return s.dir === 'asc' ? c : -c;
    }
    return 0;
  };
  let sorted = [...items].sort(cmp);
  if (o.marker !== undefined) {
    const at = sorted.findIndex((i) => i.id === o.marker);
    if (at < 0) throw new InvalidMarker(o.marker);
    sorted = sorted.slice(at + 1);
  }
  sorted = sorted.slice(o.offset);
  return o.limit === undefined ? sorted : sorted.slice(0, o.limit);
}

/** The `<collection>_links` next link when the page is full (common.ViewBuilder._get_collection_links). */
export function nextLinks(url: string, query: RawQuery, pageItems: Array<{ id: string }>, limit: number | undefined, maxLimit: number): Array<{ rel: string; href: string }> {
  const size = limit ?? maxLimit;
  if (pageItems.length === 0 || pageItems.length < size) return [];
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k === 'marker' || v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  }
  params.set('marker', pageItems.at(-1)!.id);
  return [{ rel: 'next', href: `${url}?${params.toString()}` }];
}
