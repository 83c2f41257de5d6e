/**
 * Network IP availability (neutron/db/network_ip_availability_db.py): per network and per
 * subnet, how many addresses the allocation pools hold and how many are allocated.
 */
import type { NeutronContext } from '../common/context.js';
import { parseIp, rangeSize } from '../common/netaddr.js';
import type { ListQuery } from '../db/listing.js';
import { groupBy, type Store } from '../db/store.js';
import { NetworkNotFound } from '../errors.js';
import type { IpCount, NetworkIpAvailability, SubnetIpAvailability } from '../types/ip-availability.js';
import type { ResourceHandlers } from './types.js';

/** A number when it is exact as one; the routes' serializer writes bigints as JSON integers. */
function exact(n: bigint): IpCount {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export class IpAvailabilityManager implements ResourceHandlers<NetworkIpAvailability> {
  constructor(private readonly store: Store) {}

  private async compute(networkIds?: string[]): Promise<NetworkIpAvailability[]> {
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
    return nets.map((n): NetworkIpAvailability => {
      const subs = (bySubnet.get(n.id) ?? []).map((s): SubnetIpAvailability => {
        const version: 4 | 6 = Number(s.ip_version) === 6 ? 6 : 4;
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

  async list(_ctx: NeutronContext, q: ListQuery): Promise<NetworkIpAvailability[]> {
    let rows = await this.compute();
    const { network_id: ids, network_name: names, project_id: projects, ip_version: versions } = q.filters;
    if (ids) rows = rows.filter((r) => ids.includes(r.network_id));
    if (names) rows = rows.filter((r) => names.includes(r.network_name));
    if (projects) rows = rows.filter((r) => projects.includes(r.project_id));
    if (versions) {
      const wanted = versions.map(Number);
      rows = rows.filter((r) => r.subnet_ip_availability.some((s) => wanted.includes(s.ip_version)));
    }
    return rows;
  }

  async get(_ctx: NeutronContext, id: string): Promise<NetworkIpAvailability> {
    const rows = await this.compute([id]);
    if (!rows[0]) throw new NetworkNotFound(id);
    return rows[0];
  }
}
