/**
 * Subnet pools (neutron/db/db_base_plugin_v2.py subnetpool methods, neutron/ipam/subnet_alloc.py):
 * prefixes of one IP version, prefix-length bounds, per-project prefix quota, the default pool
 * of each IP family, and allocation of subnet CIDRs from the pool (any or specific), with
 * the pool row locked so two subnets never get overlapping prefixes.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { dialectOf } from '../../../common/db/index.js';
import type { NeutronContext } from '../context.js';
import { isSet } from '../api/attributes/spec.js';
import { type Cidr, cidrExclude, cidrMerge, cidrToString, cidrWithin, compareCidrs, parseCidr } from '../common/netaddr.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged } from '../db/listing.js';
import type { SubnetPoolRow } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, groupBy, now, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  AddressScopeNotFound, AddressScopePrefixConflict, EmptySubnetPoolPrefixList, IllegalSubnetPoolUpdate,
  IllegalSubnetPoolIpVersionAssociationToAddressScope, IllegalSubnetPoolPrefixBounds, IllegalSubnetPoolPrefixUpdate, InvalidInput,
  MaxPrefixSubnetAllocationError, MinPrefixSubnetAllocationError, PrefixVersionMismatch, SubnetAllocationError, SubnetPoolInUse,
  SubnetPoolNotFound, SubnetPoolQuotaExceeded,
} from '../errors.js';
import type { Dict, ResourceHandlers, WriteOptions } from './types.js';
import { sharedFilter, sharedOrOwned } from './visibility.js';

const INFO = { 4: { max: 32, min: 8, quotaUnits: 32 }, 6: { max: 128, min: 64, quotaUnits: 64 } } as const;

const spec: ListSpec = {
  table: 'subnetpools',
  tagType: 'subnetpools',
  columns: Object.fromEntries([
    'id', 'name', 'project_id', 'ip_version', 'default_prefixlen', 'min_prefixlen', 'max_prefixlen', 'shared', 'is_default', 'default_quota',
    'address_scope_id', 'description', 'created_at', 'updated_at', 'revision_number',
  ].map((c) => [c, { column: c, kind: ['shared', 'is_default'].includes(c) ? 'bool' : ['ip_version', 'default_prefixlen', 'min_prefixlen', 'max_prefixlen', 'default_quota', 'revision_number'].includes(c) ? 'int' : 'string' }])) as ListSpec['columns'],
};

function parsePrefixes(list: unknown): Cidr[] {
  const prefixes = (Array.isArray(list) ? list : []).map((p) => parseCidr(String(p))!);
  if (prefixes.length === 0) throw new EmptySubnetPoolPrefixList();
  if (new Set(prefixes.map((p) => p.version)).size > 1) throw new PrefixVersionMismatch();
  return cidrMerge(prefixes);
}

export class SubnetPoolManager implements ResourceHandlers {
  constructor(private readonly store: Store) {}

  private get db(): Db {
    return this.store.db;
  }

  private visible(ctx: NeutronContext, qb: any): any {
    return ctx.unscoped ? qb : qb.where(sharedOrOwned(ctx, 'subnetpools', 'subnetpool'));
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Dict[]> {
    const withShared: ListSpec = { ...spec, hooks: { shared: sharedFilter(ctx, 'subnetpools', 'subnetpool') } };
    const qb = applyFilters(this.visible(ctx, (this.db as Kysely<any>).selectFrom('subnetpools').selectAll('subnetpools')), withShared, q.filters);
    return this.view(await runPaged<SubnetPoolRow>(this.db, qb, spec, q), this.db, ctx);
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<SubnetPoolRow> {
    const row = await this.visible(ctx, (db as Kysely<any>).selectFrom('subnetpools').selectAll('subnetpools').where('subnetpools.id', '=', id)).executeTakeFirst();
    if (!row) throw new SubnetPoolNotFound(id);
    return row as SubnetPoolRow;
  }

  async get(ctx: NeutronContext, id: string): Promise<Dict> {
    return (await this.view([await this.getRow(ctx, id)], this.db, ctx))[0]!;
  }

  /** Neutron shows the prefix lengths as strings (_make_subnetpool_dict). */
  async view(rows: SubnetPoolRow[], db: Db = this.db, ctx?: NeutronContext): Promise<Dict[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [prefixes, tags, grants] = await Promise.all([
      db.selectFrom('subnetpoolprefixes').selectAll().where('subnetpool_id', 'in', ids).execute(),
      tagsOf(db, 'subnetpools', ids),
      db.selectFrom('rbac_policies').select(['object_id', 'target_project']).where('object_type', '=', 'subnetpool').where('object_id', 'in', ids).execute(),
    ]);
    const by = groupBy(prefixes, (p) => p.subnetpool_id);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      project_id: r.project_id,
      prefixes: (by.get(r.id) ?? []).map((p) => parseCidr(p.cidr)!).sort(compareCidrs).map(cidrToString),
      default_quota: r.default_quota === null ? null : Number(r.default_quota),
      ip_version: Number(r.ip_version),
      default_prefixlen: String(r.default_prefixlen),
      min_prefixlen: String(r.min_prefixlen),
      max_prefixlen: String(r.max_prefixlen),
      is_default: Boolean(Number(r.is_default)),
      shared: Boolean(Number(r.shared)) || grants.some((g) => g.object_id === r.id && (g.target_project === '*' || g.target_project === ctx?.projectId)),
      address_scope_id: r.address_scope_id,
      tags: tags.get(r.id) ?? [],
      ...standardView(r),
    }));
  }

  private bounds(version: 4 | 6, body: Dict, cur?: SubnetPoolRow): { min: number; max: number; def: number } {
    const pick = (k: string, fallback: number) => (isSet(body[k]) ? Number(body[k]) : fallback);
    const min = pick('min_prefixlen', cur ? Number(cur.min_prefixlen) : INFO[version].min);
    const max = pick('max_prefixlen', cur ? Number(cur.max_prefixlen) : INFO[version].max);
    const def = pick('default_prefixlen', cur ? Number(cur.default_prefixlen) : min);
    if (min > max) throw new IllegalSubnetPoolPrefixBounds('min_prefixlen', min, 'max_prefixlen', max);
    if (max > INFO[version].max) throw new IllegalSubnetPoolPrefixBounds('max_prefixlen', max, 'ip_version_max', INFO[version].max);
    if (def < min) throw new IllegalSubnetPoolPrefixBounds('default_prefixlen', def, 'min_prefixlen', min);
    if (def > max) throw new IllegalSubnetPoolPrefixBounds('default_prefixlen', def, 'max_prefixlen', max);
    return { min, max, def };
  }

  /**
   * _validate_address_scope_id: the scope must be visible (404), the caller's or shared with it,
   * of the pool's IP version, and its pools' prefixes must stay disjoint.
   */
  private async checkScope(db: Db, ctx: NeutronContext, scopeId: string | null, poolId: string, version: number, prefixes: Cidr[]): Promise<void> {
    if (!scopeId) return;
    let qb = (db as Kysely<any>).selectFrom('address_scopes').selectAll('address_scopes').where('address_scopes.id', '=', scopeId);
    if (!ctx.unscoped) qb = qb.where(sharedOrOwned(ctx, 'address_scopes', 'address_scope'));
    const scope = await qb.executeTakeFirst();
    if (!scope) throw new AddressScopeNotFound(scopeId);
    if (Number(scope.ip_version) !== version) throw new IllegalSubnetPoolIpVersionAssociationToAddressScope(poolId, scopeId, Number(scope.ip_version));
    const others = await db.selectFrom('subnetpools').innerJoin('subnetpoolprefixes', 'subnetpoolprefixes.subnetpool_id', 'subnetpools.id')
      .select('subnetpoolprefixes.cidr').where('subnetpools.address_scope_id', '=', scopeId).where('subnetpools.id', '!=', poolId).execute();
    for (const o of others) {
      const c = parseCidr(o.cidr)!;
      if (prefixes.some((p) => cidrWithin(p, c) || cidrWithin(c, p))) throw new AddressScopePrefixConflict();
    }
  }

  /** Pools in a shared address scope that is not the caller's cannot be changed (_check_subnetpool_update_allowed). */
  private async checkUpdateAllowed(db: Db, ctx: NeutronContext, pool: SubnetPoolRow): Promise<void> {
    if (!pool.address_scope_id || ctx.unscoped) return;
    const scope = await db.selectFrom('address_scopes').select('project_id').where('id', '=', pool.address_scope_id).executeTakeFirst();
    if (scope && scope.project_id !== ctx.projectId) {
      throw new IllegalSubnetPoolUpdate(`subnetpool ${pool.id} cannot be updated when associated with shared address scope ${pool.address_scope_id}`);
    }
  }

  private async checkDefault(db: Db, version: number, exceptId?: string): Promise<void> {
    let qb = db.selectFrom('subnetpools').select('id').where('is_default', '=', 1).where('ip_version', '=', version);
    if (exceptId) qb = qb.where('id', '!=', exceptId);
    if (await qb.executeTakeFirst()) {
      throw new InvalidInput(`A default subnetpool for this IP family has already been set. Only one default may exist per IP family`);
    }
  }

  async create(ctx: NeutronContext, body: Dict): Promise<Dict> {
    const prefixes = parsePrefixes(body.prefixes);
    const version = prefixes[0]!.version;
    const { min, max, def } = this.bounds(version, body);
    const id = randomUUID();
    const row = await this.store.write(async (tx) => {
      const scopeId = isSet(body.address_scope_id) ? (body.address_scope_id as string | null) : null;
      await this.checkScope(tx, ctx, scopeId, id, version, prefixes);
      if (body.is_default === true) await this.checkDefault(tx, version);
      const t = now();
      const values: SubnetPoolRow = {
        id, project_id: String(body.project_id), name: String(body.name), ip_version: version, default_prefixlen: def, min_prefixlen: min,
        max_prefixlen: max, shared: body.shared === true ? 1 : 0, is_default: body.is_default === true ? 1 : 0,
        default_quota: isSet(body.default_quota) ? Number(body.default_quota) : null, address_scope_id: scopeId,
        description: String(body.description ?? ''), revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('subnetpools').values(values).execute();
      for (const p of prefixes) await tx.insertInto('subnetpoolprefixes').values({ subnetpool_id: id, cidr: cidrToString(p) }).execute();
      if (isSet(body.tags)) await setTags(tx, 'subnetpools', id, body.tags as string[]);
      return values;
    });
    return (await this.view([row], this.db, ctx))[0]!;
  }

  async update(ctx: NeutronContext, id: string, body: Dict, opts: WriteOptions): Promise<Dict> {
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      if (!ctx.unscoped && row.project_id !== ctx.projectId) throw new SubnetPoolNotFound(id);
      const version = Number(row.ip_version) as 4 | 6;
      const set: Partial<SubnetPoolRow> = {};
      if ('name' in body) set.name = String(body.name);
      if ('description' in body) set.description = String(body.description);
      if ('default_quota' in body) set.default_quota = body.default_quota === null ? null : Number(body.default_quota);
      if (['min_prefixlen', 'max_prefixlen', 'default_prefixlen'].some((k) => k in body)) {
        const b = this.bounds(version, body, row);
        Object.assign(set, { min_prefixlen: b.min, max_prefixlen: b.max, default_prefixlen: b.def });
      }
      if ('is_default' in body) {
        if (body.is_default === true) await this.checkDefault(tx, version, id);
        set.is_default = body.is_default ? 1 : 0;
      }
      await this.checkUpdateAllowed(tx, ctx, row);
      const old = (await tx.selectFrom('subnetpoolprefixes').select('cidr').where('subnetpool_id', '=', id).execute()).map((p) => parseCidr(p.cidr)!);
      let next = old;
      if ('prefixes' in body) {
        next = parsePrefixes(body.prefixes);
        if (next[0]!.version !== version) throw new PrefixVersionMismatch();
        if (!old.every((o) => next.some((n) => cidrWithin(o, n)))) throw new IllegalSubnetPoolPrefixUpdate('Existing prefixes must be a subset of the new prefixes');
      }
      const scopeId = 'address_scope_id' in body ? ((body.address_scope_id as string | null) ?? null) : row.address_scope_id;
      await this.checkScope(tx, ctx, scopeId, id, version, next);
      if ('address_scope_id' in body) set.address_scope_id = scopeId;
      if ('prefixes' in body) await this.writePrefixes(tx, id, next);
      await bumpRevision(tx, 'subnetpools', id, set);
    });
    return this.get(ctx, id);
  }

  private async writePrefixes(tx: Db, id: string, prefixes: Cidr[]): Promise<void> {
    await tx.deleteFrom('subnetpoolprefixes').where('subnetpool_id', '=', id).execute();
    for (const p of cidrMerge(prefixes)) await tx.insertInto('subnetpoolprefixes').values({ subnetpool_id: id, cidr: cidrToString(p) }).execute();
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const used = await tx.selectFrom('subnets').select('id').where('subnetpool_id', '=', id).executeTakeFirst();
      if (used) throw new SubnetPoolInUse(id, 'Subnet pool has existing allocations');
      await tx.deleteFrom('tags').where('resource_type', '=', 'subnetpools').where('resource_id', '=', id).execute();
      await tx.deleteFrom('subnetpools').where('id', '=', id).execute();
    });
  }

  /** PUT /subnetpools/{id}/add_prefixes and remove_prefixes (subnetpool-prefix-ops). */
  async changePrefixes(ctx: NeutronContext, id: string, body: Dict, add: boolean): Promise<Dict> {
    const list = body.prefixes;
    if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || !parseCidr(p))) throw new InvalidInput(`Invalid data format for prefixes: '${JSON.stringify(list)}'`);
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      const old = (await tx.selectFrom('subnetpoolprefixes').select('cidr').where('subnetpool_id', '=', id).execute()).map((p) => parseCidr(p.cidr)!);
      const given = (list as string[]).map((p) => parseCidr(p)!);
      if (given.some((g) => g.version !== Number(row.ip_version))) throw new PrefixVersionMismatch();
      let next: Cidr[];
      if (add) next = [...old, ...given];
      else {
        const allocated = (await tx.selectFrom('subnets').select('cidr').where('subnetpool_id', '=', id).execute()).map((s) => parseCidr(s.cidr)!);
        for (const g of given) {
          if (allocated.some((a) => cidrWithin(a, g) || cidrWithin(g, a))) {
            throw new IllegalSubnetPoolPrefixUpdate(`Removing prefix ${cidrToString(g)} would leave allocations orphaned`);
          }
        }
        next = old.flatMap((o) => cidrExclude(o, given));
      }
      await this.writePrefixes(tx, id, next);
      await bumpRevision(tx, 'subnetpools', id);
    });
    const pool = await this.get(ctx, id);
    return { prefixes: pool.prefixes };
  }

  /** The pool a subnet request names (subnetpool_id, or the default pool with use_default_subnetpool). */
  async resolvePoolId(ctx: NeutronContext, s: Dict): Promise<string | undefined> {
    const useDefault = s.use_default_subnetpool === true;
    if (isSet(s.subnetpool_id) && useDefault) {
      throw new InvalidInput('subnetpool_id and use_default_subnetpool cannot both be specified');
    }
    if (isSet(s.subnetpool_id)) {
      await this.getRow(ctx, String(s.subnetpool_id));
      return String(s.subnetpool_id);
    }
    if (!useDefault) return undefined;
    const version = isSet(s.cidr) ? parseCidr(String(s.cidr))!.version : isSet(s.ip_version) ? Number(s.ip_version) : 4;
    const row = await this.db.selectFrom('subnetpools').select('id').where('is_default', '=', 1).where('ip_version', '=', version).executeTakeFirst();
    if (!row) throw new InvalidInput(`No default subnetpool found for IPv${version}`);
    return row.id;
  }

  /** Allocates the subnet's CIDR from the pool, inside the subnet's transaction. */
  async allocateCidr(tx: Db, _ctx: NeutronContext, poolId: string, s: Dict, subnetId: string): Promise<string> {
    let lock = tx.selectFrom('subnetpools').selectAll().where('id', '=', poolId);
    if (dialectOf(tx) !== 'sqlite') lock = lock.forUpdate();
    const pool = await lock.executeTakeFirst();
    if (!pool) throw new SubnetPoolNotFound(poolId);
    const version = Number(pool.ip_version) as 4 | 6;
    if (isSet(s.ip_version) && Number(s.ip_version) !== version) {
      throw new InvalidInput(`Cannot allocate IPv${String(s.ip_version)} subnet from IPv${version} subnet pool`);
    }
    const specific = isSet(s.cidr) ? parseCidr(String(s.cidr))! : undefined;
    const prefixlen = specific ? specific.prefixlen : isSet(s.prefixlen) ? Number(s.prefixlen) : Number(pool.default_prefixlen);
    if (prefixlen > Number(pool.max_prefixlen)) throw new MaxPrefixSubnetAllocationError(prefixlen, Number(pool.max_prefixlen));
    if (prefixlen < Number(pool.min_prefixlen)) throw new MinPrefixSubnetAllocationError(prefixlen, Number(pool.min_prefixlen));
    const prefixes = (await tx.selectFrom('subnetpoolprefixes').select('cidr').where('subnetpool_id', '=', poolId).execute()).map((p) => parseCidr(p.cidr)!);
    const allocated = await tx.selectFrom('subnets').select(['cidr', 'project_id']).where('subnetpool_id', '=', poolId).where('id', '!=', subnetId).execute();
    if (pool.default_quota !== null) {
      const unit = INFO[version].quotaUnits;
      const used = allocated.filter((a) => a.project_id === s.project_id).reduce((n, a) => n + 2 ** (unit - parseCidr(a.cidr)!.prefixlen), 0);
      if (used + 2 ** (unit - prefixlen) > Number(pool.default_quota)) throw new SubnetPoolQuotaExceeded();
    }
    const available = prefixes.flatMap((p) => cidrExclude(p, allocated.map((a) => parseCidr(a.cidr)!)))
      .sort((a, b) => b.prefixlen - a.prefixlen || compareCidrs(a, b));
    if (specific) {
      if (available.some((a) => cidrWithin(specific, a))) return cidrToString(specific);
      throw new SubnetAllocationError('Cannot allocate requested subnet from the available set of prefixes');
    }
    for (const a of available) {
      if (prefixlen >= a.prefixlen) return cidrToString({ version: a.version, network: a.network, prefixlen });
    }
    throw new SubnetAllocationError(`Insufficient prefix space to allocate subnet size /${prefixlen}`);
  }
}
