/**
 * Lists of one resource table with Neutron's query semantics, in SQL: filters (each attribute
 * a list of accepted values, OR within an attribute, AND across attributes), tag filters,
 * sorting on sort keys with the id as the last key, and keyset pagination from a marker row
 * (neutron_lib.db.model_query / sqlalchemyutils.paginate_query). Project visibility comes in
 * as a where-clause built by the caller.
 */
import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import { readQueryInteger } from '../../../common/http/query-params.js';

export type ColumnKind = 'string' | 'bool' | 'int';

export interface ColumnSpec {
  column: string;
  kind: ColumnKind;
}

/** Builds a WHERE condition for one filter attribute on the table. */
export type FilterHook = (eb: ExpressionBuilder<any, any>, values: unknown[]) => ReturnType<ExpressionBuilder<any, any>['and']>;

export interface ListSpec {
  table: string;
  /** API attribute -> column, for filters and sorting. */
  columns: Record<string, ColumnSpec>;
  /** Filters that are not a plain column (subqueries). */
  hooks?: Record<string, FilterHook>;
  /** resource_type in the tags table, when the resource is taggable. */
  tagType?: string;
}

export interface ListQuery {
  filters: Record<string, unknown[]>;
  /** [attribute, ascending] pairs. */
  sorts: Array<[string, boolean]>;
  limit?: number;
  marker?: string;
  pageReverse?: boolean;
}

type Builder = SelectQueryBuilder<any, any, any>;

function coerce(kind: ColumnKind, v: unknown): unknown {
  if (kind === 'bool') return v === true || v === 1 || v === '1' || (typeof v === 'string' && v.toLowerCase() === 'true') ? 1 : 0;
  if (kind === 'int') {
    if (typeof v === 'number') return v;
    // A filter value that is no integer in range matches no row (NaN is dropped below).
    const read = readQueryInteger(String(v), { pythonInt: true });
    return 'value' in read ? read.value : NaN;
  }
  return v;
}

/** Attributes stored in a column of the same name, compared as strings. */
export function stringColumns(...names: string[]): Record<string, ColumnSpec> {
  return Object.fromEntries(names.map((c) => [c, { column: c, kind: 'string' }]));
}

export function columnFilter(spec: ColumnSpec, table: string) {
  return (eb: ExpressionBuilder<any, any>, values: unknown[]) => {
    const col = `${table}.${spec.column}`;
    const vals = values.map((v) => coerce(spec.kind, v));
    const nonNull = vals.filter((v) => v !== null && !(typeof v === 'number' && Number.isNaN(v)));
    const parts = [];
    if (nonNull.length) parts.push(eb(col, 'in', nonNull));
    if (vals.some((v) => v === null)) parts.push(eb(col, 'is', null));
    return parts.length ? eb.or(parts) : eb.and([eb.lit(1), eb.lit(0)].map((l) => eb(l, '=', eb.lit(1))));
  };
}

/** Applies filters (including tags, tags-any, not-tags, not-tags-any) to a query on spec.table. */
export function applyFilters(qb: Builder, spec: ListSpec, filters: Record<string, unknown[]>): Builder {
  for (const [attr, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    if (spec.tagType && (attr === 'tags' || attr === 'tags-any' || attr === 'not-tags' || attr === 'not-tags-any')) {
      qb = applyTagFilter(qb, spec, attr, values.flatMap((v) => String(v).split(',')).filter((t) => t !== ''));
      continue;
    }
    const hook = spec.hooks?.[attr];
    if (hook) {
      qb = qb.where((eb) => hook(eb, values));
      continue;
    }
    const col = spec.columns[attr];
    if (col) qb = qb.where((eb) => columnFilter(col, spec.table)(eb, values));
  }
  return qb;
}

function applyTagFilter(qb: Builder, spec: ListSpec, attr: string, tags: string[]): Builder {
  if (tags.length === 0) return qb;
  const idCol = `${spec.table}.id`;
  const tagged = (tag: string) => (eb: ExpressionBuilder<any, any>) =>
    eb.exists(eb.selectFrom('tags').select('tags.tag')
      .where('tags.resource_type', '=', spec.tagType!)
      .whereRef('tags.resource_id', '=', idCol)
      .where('tags.tag', '=', tag));
  switch (attr) {
    case 'tags': // all of them
      return qb.where((eb) => eb.and(tags.map((t) => tagged(t)(eb))));
    case 'tags-any':
      return qb.where((eb) => eb.or(tags.map((t) => tagged(t)(eb))));
    case 'not-tags': // not all of them
      return qb.where((eb) => eb.not(eb.and(tags.map((t) => tagged(t)(eb)))));
    default: // not-tags-any: none of them
      return qb.where((eb) => eb.not(eb.or(tags.map((t) => tagged(t)(eb)))));
  }
}

/**
 * Orders and pages the query. The id is always the last sort key so the order is total; the
 * marker row's values give the keyset condition. Returns the rows in the requested order.
 */
export async function runPaged<R>(
  db: Kysely<any>,
  qb: Builder,
  spec: ListSpec,
  q: ListQuery,
): Promise<R[]> {
  const sorts: Array<[string, boolean]> = q.sorts.filter(([k]) => spec.columns[k]);
  if (!sorts.some(([k]) => k === 'id')) sorts.push(['id', true]);
  const reverse = q.pageReverse === true;
  const keys = sorts.map(([attr, asc]) => ({ col: `${spec.table}.${spec.columns[attr]!.column}`, asc: reverse ? !asc : asc }));

  if (q.marker !== undefined) {
    const markerRow = await db.selectFrom(spec.table).selectAll().where('id', '=', q.marker).executeTakeFirst();
    if (!markerRow) return [];
    const values = sorts.map(([attr]) => markerRow[spec.columns[attr]!.column]);
    qb = qb.where((eb) => {
      // (k1 > v1) or (k1 = v1 and k2 > v2) or ...
      const ors = keys.map((key, i) => {
        const ands = keys.slice(0, i).map((prev, j) => (values[j] === null ? eb(prev.col, 'is', null) : eb(prev.col, '=', values[j])));
        const v = values[i];
        const cmp = v === null
          ? (key.asc ? eb(key.col, 'is not', null) : eb.lit(false))
          : eb.or([eb(key.col, key.asc ? '>' : '<', v), ...(key.asc ? [] : [eb(key.col, 'is', null)])]);
        return eb.and([...ands, cmp as any]);
      });
      return eb.or(ors);
    });
  }
  for (const key of keys) qb = qb.orderBy(key.col, key.asc ? 'asc' : 'desc');
  if (q.limit !== undefined && q.limit > 0) qb = qb.limit(q.limit);
  const rows = (await qb.execute()) as R[];
  return reverse ? rows.reverse() : rows;
}
