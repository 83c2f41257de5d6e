/**
 * Lists of one resource table with Neutron's query semantics, in SQL: filters (each attribute
 * a list of accepted values, OR within an attribute, AND across attributes), tag filters,
 * sorting on sort keys with the id as the last key, and keyset pagination from a marker row
 * (neutron_lib.db.model_query / sqlalchemyutils.paginate_query). Project visibility comes in
 * as a where-clause built by the caller.
 *
 * Filter and sort attributes are named by the request, so their columns are referenced
 * dynamically (Kysely's DynamicReferenceBuilder); each comes from the resource's ListSpec,
 * never from the request itself.
 */
import { DynamicReferenceBuilder, type Expression, type ExpressionBuilder, expressionBuilder, type SelectQueryBuilder, sql, type SqlBool } from 'kysely';
import type { NeutronDB } from './schema.js';
import type { Db } from './store.js';

/** Tables that back a listable resource (all have an `id` primary key). */
export type ListTable = 'networks' | 'subnets' | 'ports' | 'routers' | 'floatingips' | 'portforwardings' | 'securitygroups'
  | 'securitygrouprules' | 'subnetpools' | 'address_scopes' | 'rbac_policies' | 'agents' | 'trunks'
  | 'qos_policies' | 'qos_bandwidth_limit_rules' | 'qos_dscp_marking_rules' | 'qos_minimum_bandwidth_rules'
  | 'meteringlabels' | 'meteringlabelrules' | 'address_groups';
import { readQueryInteger } from '../../../common/http/query-params.js';

export type ColumnKind = 'string' | 'bool' | 'int';

/** `key=value` query filters (fixed_ips=subnet_id=...), by key. */
export type KeyValueFilter = Readonly<Record<string, string[]>>;

/** One accepted value of a filter, as the attribute's converter made it from the query string. */
export type FilterValue = string | number | boolean | null | KeyValueFilter;

/** A value converted from a request, as a filter value: scalars stay, anything else is taken as its text. */
export function toFilterValue(v: unknown): FilterValue {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
}

export function isKeyValueFilter(v: FilterValue | undefined): v is KeyValueFilter {
  return typeof v === 'object' && v !== null;
}

export interface ColumnSpec<TB extends ListTable> {
  column: keyof NeutronDB[TB] & string;
  kind: ColumnKind;
}

/** Builds the WHERE condition of one filter attribute that is not a plain column (subqueries). */
export type FilterHook<TB extends ListTable> = (eb: ExpressionBuilder<NeutronDB, TB>, values: FilterValue[]) => Expression<SqlBool>;

export interface ListSpec<TB extends ListTable> {
  table: TB;
  /** API attribute -> column, for filters and sorting. */
  columns: Readonly<Record<string, ColumnSpec<TB>>>;
  hooks?: Readonly<Record<string, FilterHook<TB>>>;
  /** resource_type in the tags table, when the resource is taggable. */
  tagType?: string;
}

export interface ListQuery {
  filters: Readonly<Record<string, FilterValue[]>>;
  /** [attribute, ascending] pairs. */
  sorts: Array<[string, boolean]>;
  limit?: number;
  marker?: string;
  pageReverse?: boolean;
}

type Query<TB extends ListTable, O> = SelectQueryBuilder<NeutronDB, TB, O>;

/** A column of `table` named at run time (from a ListSpec). */
export function columnRef(table: string, column: string): DynamicReferenceBuilder<string> {
  return new DynamicReferenceBuilder(`${table}.${column}`);
}

function coerce(kind: ColumnKind, v: FilterValue): FilterValue {
  if (kind === 'bool') return v === true || v === 1 || v === '1' || (typeof v === 'string' && v.toLowerCase() === 'true') ? 1 : 0;
  if (kind === 'int') {
    if (typeof v === 'number') return v;
    // A filter value that is no integer in range matches no row (NaN is dropped below).
    const read = readQueryInteger(String(v), { pythonInt: true });
    return 'value' in read ? read.value : NaN;
  }
  return v;
}

/** Attributes stored in a column of the same name, all of one kind. */
export function columnsOf<TB extends ListTable>(kind: ColumnKind, ...names: Array<keyof NeutronDB[TB] & string>): Record<string, ColumnSpec<TB>> {
  return Object.fromEntries(names.map((column) => [column, { column, kind }]));
}

/** Attributes stored in a column of the same name, compared as strings. */
export function stringColumns<TB extends ListTable>(...names: Array<keyof NeutronDB[TB] & string>): Record<string, ColumnSpec<TB>> {
  return columnsOf<TB>('string', ...names);
}

function columnFilter<TB extends ListTable>(eb: ExpressionBuilder<NeutronDB, TB>, spec: ColumnSpec<TB>, table: TB, values: FilterValue[]): Expression<SqlBool> {
  const col = columnRef(table, spec.column);
  const vals = values.map((v) => coerce(spec.kind, v));
  const nonNull = vals.filter((v) => v !== null && !(typeof v === 'number' && Number.isNaN(v)));
  const parts: Array<Expression<SqlBool>> = [];
  if (nonNull.length) parts.push(eb(col, 'in', nonNull));
  if (vals.some((v) => v === null)) parts.push(eb(col, 'is', null));
  return parts.length ? eb.or(parts) : eb.lit(false);
}

/** Applies filters (including tags, tags-any, not-tags, not-tags-any) to a query on spec.table. */
export function applyFilters<TB extends ListTable, O>(qb: Query<TB, O>, spec: ListSpec<TB>, filters: Readonly<Record<string, FilterValue[]>>): Query<TB, O> {
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
    if (col) qb = qb.where((eb) => columnFilter(eb, col, spec.table, values));
  }
  return qb;
}

function applyTagFilter<TB extends ListTable, O>(qb: Query<TB, O>, spec: ListSpec<TB>, attr: string, tags: string[]): Query<TB, O> {
  if (tags.length === 0 || !spec.tagType) return qb;
  const tagType = spec.tagType;
  const sub = expressionBuilder<NeutronDB, never>();
  const tagged = (tag: string) => sub.selectFrom('tags').select('tags.tag')
    .where('tags.resource_type', '=', tagType)
    .whereRef('tags.resource_id', '=', columnRef(spec.table, 'id'))
    .where('tags.tag', '=', tag);
  switch (attr) {
    case 'tags': // all of them
      return qb.where((eb) => eb.and(tags.map((t) => eb.exists(tagged(t)))));
    case 'tags-any':
      return qb.where((eb) => eb.or(tags.map((t) => eb.exists(tagged(t)))));
    case 'not-tags': // not all of them
      return qb.where((eb) => eb.not(eb.and(tags.map((t) => eb.exists(tagged(t))))));
    default: // not-tags-any: none of them
      return qb.where((eb) => eb.not(eb.or(tags.map((t) => eb.exists(tagged(t))))));
  }
}

/** The marker row's values of the sort columns, as the database returns them. */
async function markerValues(db: Db, table: ListTable, columns: string[], marker: string): Promise<unknown[] | undefined> {
  const res = await sql<Record<string, unknown>>`select * from ${sql.table(table)} where id = ${marker}`.execute(db);
  const row = res.rows[0];
  return row ? columns.map((c) => row[c] ?? null) : undefined;
}

/**
 * Orders and pages the query. The id is always the last sort key so the order is total; the
 * marker row's values give the keyset condition. Returns the rows in the requested order.
 */
export async function runPaged<TB extends ListTable, O>(db: Db, qb: Query<TB, O>, spec: ListSpec<TB>, q: ListQuery): Promise<O[]> {
  const sorts: Array<[string, boolean]> = q.sorts.filter(([k]) => spec.columns[k]);
  if (!sorts.some(([k]) => k === 'id')) sorts.push(['id', true]);
  const reverse = q.pageReverse === true;
  const columns = sorts.map(([attr]) => spec.columns[attr]?.column ?? 'id');
  const keys = sorts.map(([, asc], i) => ({ col: columnRef(spec.table, columns[i]!), asc: reverse ? !asc : asc }));

  if (q.marker !== undefined) {
    const values = await markerValues(db, spec.table, columns, q.marker);
    if (!values) return [];
    qb = qb.where((eb) => {
      // (k1 > v1) or (k1 = v1 and k2 > v2) or ...
      const ors = keys.map((key, i) => {
        const ands = keys.slice(0, i).map((prev, j) => (values[j] === null ? eb(prev.col, 'is', null) : eb(prev.col, '=', values[j])));
        const v = values[i];
        const cmp = v === null
          ? (key.asc ? eb(key.col, 'is not', null) : eb.lit(false))
          : eb.or([eb(key.col, key.asc ? '>' : '<', v), ...(key.asc ? [] : [eb(key.col, 'is', null)])]);
        return eb.and([...ands, cmp]);
      });
      return eb.or(ors);
    });
  }
  for (const key of keys) qb = qb.orderBy(key.col, key.asc ? 'asc' : 'desc');
  if (q.limit !== undefined && q.limit > 0) qb = qb.limit(q.limit);
  const rows = await qb.execute();
  return reverse ? rows.reverse() : rows;
}
