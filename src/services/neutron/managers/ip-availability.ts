/**
 * Network IP availability (neutron/db/network_ip_availability_db.py): per network and per
 * subnet, how many addresses the allocation pools hold and how many are allocated.
 */
import type { NeutronContext } from '../context.js';
import { parseIp, rangeSize } from '../common/netaddr.js';
import type { ListQuery } from '../db/listing.js';
import { groupBy, type Store } from '../db/store.js';
import { NetworkNotFound } from '../errors.js';
import type { Dict, ResourceHandlers } from './types.js';

/** A number when it is exact as one; the routes' serializer writes bigints as JSON integers. */
function exact(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export class IpAvailabilityManager implements ResourceHandlers {
  constructor(private readonly store: Store) {}

  private async compute(networkIds?: string[]): Promise<Dict[]> {
    const db = this.store.db;
    let nq = db.selectFrom('networks').select(['id', 'name', 'project_id']).orderBy('id');
    if (networkIds) nq = nq.where('id', 'in', networkIds.length ? networkIds : ['']);
    const nets = await nq.execute();
    if (nets.length === 0) return [];
    const ids = nets.map((n) => n.id);
    const subnets = await db.selectFrom('subnets').select(['id', 'name', 'cidr', 'ip_version', 'network_id']).where('network_id', 'in', ids).execute();
    const sids = subnets.map((s) => s.id);
    const pools = sids.length ? await db.selectFrom('ipallocationpools').selectAll().where('subnet_id', 'in', sids).execute() : [];
    const used = sids.length ? await db.selectFrom('ipallocations').select(['subnet_id', 'ip_address']).where('subnet_id', 'in', sids).execute() : [];
    const poolsBy = groupBy(pools, (p) => p.subnet_id);
    const usedBy = groupBy(used, (u) => u.subnet_id);
    const bySubnet = groupBy(subnets, (s) => s.network_id);
    return nets.map((n) => {
      const subs = (bySubnet.get(n.id) ?? []).map((s) => {
        const version = Number(s.ip_version) as 4 | 6;
        const total = (poolsBy.get(s.id) ?? []).reduce((sum, p) => sum + rangeSize({ version, first: parseIp(p.first_ip)!.value, last: parseIp(p.last_ip)!.value }), 0n);
        return { subnet_id: s.id, subnet_name: s.name, cidr: s.cidr, ip_version: version, total_ips: exact(total), used_ips: (usedBy.get(s.id) ?? []).length };
      });
      return {
        network_id: n.id,
        network_name: n.name,
        tenant_id: n.project_id,
        project_id: n.project_id,
        total_ips: exact(subs.reduce((a, s) => a + BigInt(s.total_ips), 0n)),
        used_ips: subs.reduce((a, s) => a + s.used_ips, 0),
        subnet_ip_availability: subs,
      };
    });
  }

  async list(_ctx: NeutronContext, q: ListQuery): Promise<Dict[]> {
    let rows = await this.compute();
    const f = q.filters;
    if (f.network_id) rows = rows.filter((r) => f.network_id!.includes(r.network_id));
    if (f.network_name) rows = rows.filter((r) => f.network_name!.includes(r.network_name));
    if (f.project_id) rows = rows.filter((r) => f.project_id!.includes(r.project_id));
    if (f.ip_version) {
      const versions = f.ip_version.map(Number);
      rows = rows.filter((r) => (r.subnet_ip_availability as Dict[]).some((s) => versions.includes(Number(s.ip_version))));
    }
    return rows;
  }

  async get(_ctx: NeutronContext, id: string): Promise<Dict> {
    const rows = await this.compute([id]);
    if (!rows[0]) throw new NetworkNotFound(id);
    return rows[0];
  }
}
