/**
 * List request parameters, as neutron.api.api_common reads them: `fields`, filters (every
 * other key, repeated keys OR'ed, values converted by the attribute map, unknown keys refused:
 * the filter-validation extension), `sort_key`/`sort_dir` pairs, `limit`, `marker`,
 * `page_reverse`, and the `<collection>_links` of a page.
 */
import { type FilterValue, type ListQuery, toFilterValue } from '../db/listing.js';
import { ownValue } from '../../../common/own.js';
import { checkQueryMarker, parseQueryLimit } from '../../../common/http/query-params.js';
import { HTTPBadRequest, NeutronBadRequest } from '../errors.js';
import type { AttrMap } from './attributes/spec.js';
import type { Fields } from './fields.js';

export type QueryParams = Record<string, string | string[] | undefined>;

const RESERVED = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']);
const TAG_FILTERS = new Set(['tags', 'tags-any', 'not-tags', 'not-tags-any']);

export function listArg(q: QueryParams, name: string): string[] {
  const v = q[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.filter((s) => s !== '');
}

function allValues(q: QueryParams, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export interface ParsedList extends ListQuery {
  fields: string[];
}

export interface ParseOptions {
  attrs: AttrMap;
  /** Extra filter names the resource accepts beyond is_filter attributes. */
  extraFilters?: readonly string[];
  taggable?: boolean;
  /** pagination_max_limit (<= 0: none). */
  maxLimit: number;
}

export function parseListQuery(q: QueryParams, opts: ParseOptions): ParsedList {
  const filters: Record<string, FilterValue[]> = {};
  const invalid: string[] = [];
  for (const key of Object.keys(q)) {
    if (RESERVED.has(key)) continue;
    const values = allValues(q, key);
    const isTag = opts.taggable && TAG_FILTERS.has(key);
    const spec = ownValue(opts.attrs, key) ?? (key === 'project_id' ? opts.attrs.tenant_id : undefined);
    if (!isTag && !spec?.filter && !opts.extraFilters?.includes(key)) {
      invalid.push(key);
      continue;
    }
    let converted: FilterValue[];
    if (spec?.convertList) {
      const c = spec.convertList(values.filter((v) => v !== ''));
      converted = [c];
    } else if (spec?.convert) {
      const convert = spec.convert;
      converted = values.map((v) => (v === '' ? v : toFilterValue(convert(v))));
    } else {
      converted = values;
    }
    if (converted.length) filters[key] = converted;
  }
  if (invalid.length) throw new HTTPBadRequest(`[${invalid.map((k) => `'${k}'`).join(', ')}] is invalid attribute for filtering`);
  if (filters.tenant_id && filters.project_id) {
    throw new NeutronBadRequest('filters', 'Both tenant_id and project_id passed as filters');
  }
  if (filters.tenant_id) {
    filters.project_id = filters.tenant_id;
    delete filters.tenant_id;
  }

  const sortKeys = listArg(q, 'sort_key');
  const sortDirs = listArg(q, 'sort_dir');
  if (sortKeys.length !== sortDirs.length) throw new HTTPBadRequest('The number of sort_keys and sort_dirs must be same');
  const validKeys = new Set(Object.entries(opts.attrs).filter(([, s]) => s.sort).map(([k]) => k));
  if (validKeys.has('tenant_id')) validKeys.add('project_id');
  const absent = sortKeys.filter((k) => !validKeys.has(k));
  if (absent.length) throw new HTTPBadRequest(`[${absent.map((k) => `'${k}'`).join(', ')}] is invalid attribute for sort_keys`);
  const badDirs = sortDirs.filter((d) => d !== 'asc' && d !== 'desc');
  if (badDirs.length) throw new HTTPBadRequest(`[${badDirs.map((d) => `'${d}'`).join(', ')}] is invalid value for sort_dirs, valid value is 'asc' and 'desc'`);
  const sorts = sortKeys.map((k, i): [string, boolean] => [k === 'tenant_id' ? 'project_id' : k, sortDirs[i] === 'asc']);

  const limitText = allValues(q, 'limit')[0];
  let limit = limitText === undefined ? undefined
    : parseQueryLimit(limitText, {}, () => new NeutronBadRequest('limit', `Limit must be an integer 0 or greater and not '${limitText}'`));
  if (opts.maxLimit > 0) limit = Math.min(opts.maxLimit, limit ?? 0) || opts.maxLimit;
  if (limit === 0) limit = undefined;
  const marker = limit ? checkQueryMarker(allValues(q, 'marker')[0], () => new NeutronBadRequest('marker', 'Marker is too long')) : undefined;
  const pageReverse = (allValues(q, 'page_reverse')[0] ?? 'False').toLowerCase() === 'true';
  return { filters, sorts, limit, marker, pageReverse: limit ? pageReverse : false, fields: listArg(q, 'fields') };
}

/** `<collection>_links` of one page (api_common.get_pagination_links). */
export function paginationLinks(
  baseUrl: string,
  q: QueryParams,
  items: Fields[],
  limit: number | undefined,
  pageReverse: boolean,
): Array<{ rel: string; href: string }> {
  const links: Array<{ rel: string; href: string }> = [];
  if (!limit) return links;
  const params = (mutate: (p: Array<[string, string]>) => void): string => {
    const p: Array<[string, string]> = [];
    for (const [k, v] of Object.entries(q)) for (const one of v === undefined ? [] : Array.isArray(v) ? v : [v]) p.push([k, one]);
    mutate(p);
    return new URLSearchParams(p).toString();
  };
  if (!(items.length < limit && !pageReverse)) {
    links.push({
      rel: 'next',
      href: `${baseUrl}?${params((p) => {
        remove(p, 'marker');
        remove(p, 'page_reverse');
        const last = items[items.length - 1];
        if (last) p.push(['marker', String(last.id)]);
      })}`,
    });
  }
  if (!(items.length < limit && pageReverse)) {
    links.push({
      rel: 'previous',
      href: `${baseUrl}?${params((p) => {
        remove(p, 'marker');
        remove(p, 'page_reverse');
        const first = items[0];
        if (first) p.push(['marker', String(first.id)]);
        p.push(['page_reverse', 'True']);
      })}`,
    });
  }
  return links;
}

function remove(p: Array<[string, string]>, key: string): void {
  for (let i = p.length - 1; i >= 0; i--) if (p[i]![0] === key) p.splice(i, 1);
}
