/**
 * q-plugin, SecurityGroupServerRpcCallback (neutron/api/rpc/handlers/securitygroups_rpc.py
 * with securitygroups_rpc_base.SecurityGroupInfoAPIMixin): what an L2 agent's firewall asks
 * about its devices, in the RPC 1.3 shape:
 *   security_group_info_for_devices(devices) -> {
 *     devices: {port_id: port (fixed_ips as addresses, device, security_group_source_groups)},
 *     security_groups: {sg_id: [rule: direction, ethertype, protocol, port_range_min/max,
 *       source_ip_prefix (ingress) or dest_ip_prefix (egress), remote_group_id or
 *       remote_address_group_id, stateful]},
 *     sg_member_ips: {remote_sg_id: {IPv4|IPv6: [[ip, mac], ...]}}  (fixed IPs and allowed pairs),
 *       and {address_group_id: {IPv4|IPv6: [[cidr, null], ...]}}  (the group's addresses)
 *   }
 * Trusted ports (device_owner network:*) are left out, as net.is_port_trusted.
 */
import type { MessageContext } from '../../../common/messaging/index.js';
import { NeutronContext } from '../common/context.js';
import { cidrToString, parseCidr } from '../common/netaddr.js';
import type { Db } from '../db/store.js';
import type { PortManager } from '../managers/ports.js';
import type { Port } from '../types/port.js';
import { stringListArg } from './args.js';
import type { RpcArgs } from './payloads.js';
import { resolveDevice } from './server-callbacks.js';

export interface SecurityGroupRpcDeps {
  ports: PortManager;
  db: Db;
}

type EtherType = 'IPv4' | 'IPv6';

/** A rule as the agents' firewalls get it. */
export interface SecurityGroupRuleInfo {
  direction: string;
  ethertype: string;
  protocol?: string;
  port_range_min?: number;
  port_range_max?: number;
  source_ip_prefix?: string;
  dest_ip_prefix?: string;
  remote_group_id?: string;
  remote_address_group_id?: string;
  stateful: boolean;
}

/** A device as the agents' firewalls get it: the port, its addresses as plain strings. */
export type SecurityGroupDevice = Omit<Port, 'fixed_ips'> & {
  device: string;
  fixed_ips: string[];
  security_group_rules: SecurityGroupRuleInfo[];
  security_group_source_groups: string[];
  security_group_remote_address_groups: string[];
};

export interface SecurityGroupInfo {
  devices: Record<string, SecurityGroupDevice>;
  security_groups: Record<string, SecurityGroupRuleInfo[]>;
  sg_member_ips: Record<string, Partial<Record<EtherType, Array<[ip: string, mac: string | null]>>>>;
}

export const SECURITY_GROUP_RPC_VERSION = '1.3';

/** Notes that a rule of `ethertype` names remote `id`. */
function addTo(remote: Map<string, Set<EtherType>>, id: string, ethertype: EtherType): void {
  const types = remote.get(id) ?? new Set<EtherType>();
  types.add(ethertype);
  remote.set(id, types);
}

function isTrusted(port: Port): boolean {
  return port.device_owner.startsWith('network:');
}

export class SecurityGroupServerRpcCallback {
  readonly target = { version: SECURITY_GROUP_RPC_VERSION };

  constructor(private readonly d: SecurityGroupRpcDeps) {}

  async security_group_info_for_devices(_ctx: MessageContext, args: RpcArgs): Promise<SecurityGroupInfo> {
    const devices: Record<string, SecurityGroupDevice> = {};
    for (const device of stringListArg(args, 'devices')) {
      const port = await resolveDevice(this.d.ports, this.d.db, device);
      if (!port || isTrusted(port)) continue;
      devices[port.id] = { ...port, device, fixed_ips: port.fixed_ips.map((f) => f.ip_address), security_group_rules: [], security_group_source_groups: [], security_group_remote_address_groups: [] };
    }
    return this.infoFor(devices);
  }

  private async infoFor(devices: Record<string, SecurityGroupDevice>): Promise<SecurityGroupInfo> {
    const info: SecurityGroupInfo = { devices, security_groups: {}, sg_member_ips: {} };
    const groupIds = [...new Set(Object.values(devices).flatMap((d) => d.security_groups))];
    for (const id of groupIds) info.security_groups[id] = [];
    if (groupIds.length === 0) return info;
    const db = this.d.db;
    const [rules, groups] = await Promise.all([
      db.selectFrom('securitygrouprules').selectAll().where('security_group_id', 'in', groupIds).orderBy('created_at').orderBy('id').execute(),
      db.selectFrom('securitygroups').select(['id', 'stateful']).where('id', 'in', groupIds).execute(),
    ]);
    const stateful = new Map(groups.map((g) => [g.id, Boolean(Number(g.stateful))]));
    const remote = new Map<string, Set<EtherType>>();
    const remoteAddressGroups = new Map<string, Set<EtherType>>();
    for (const r of rules) {
      const ethertype = r.ethertype as EtherType;
      const rule: SecurityGroupRuleInfo = { direction: r.direction, ethertype, stateful: stateful.get(r.security_group_id) ?? true };
      if (r.protocol !== null) rule.protocol = r.protocol;
      if (r.port_range_min !== null) rule.port_range_min = Number(r.port_range_min);
      if (r.port_range_max !== null) rule.port_range_max = Number(r.port_range_max);
      if (r.remote_ip_prefix !== null) {
        const c = parseCidr(r.remote_ip_prefix, true);
        rule[r.direction === 'ingress' ? 'source_ip_prefix' : 'dest_ip_prefix'] = c ? cidrToString(c) : r.remote_ip_prefix;
      }
      if (r.remote_group_id !== null) {
        rule.remote_group_id = r.remote_group_id;
        addTo(remote, r.remote_group_id, ethertype);
        for (const d of Object.values(devices)) {
          if (d.security_groups.includes(r.security_group_id) && !d.security_group_source_groups.includes(r.remote_group_id)) d.security_group_source_groups.push(r.remote_group_id);
        }
      }
      if (r.remote_address_group_id !== null) {
        rule.remote_address_group_id = r.remote_address_group_id;
        addTo(remoteAddressGroups, r.remote_address_group_id, ethertype);
        for (const d of Object.values(devices)) {
          if (d.security_groups.includes(r.security_group_id) && !d.security_group_remote_address_groups.includes(r.remote_address_group_id)) {
            d.security_group_remote_address_groups.push(r.remote_address_group_id);
          }
        }
      }
      const list = info.security_groups[r.security_group_id]!;
      if (!list.some((x) => JSON.stringify(x) === JSON.stringify(rule))) list.push(rule);
    }
    await this.memberIps(info, remote);
    await this.addressGroupIps(info, remoteAddressGroups);
    return info;
  }

  /**
   * _select_ips_for_remote_address_group: each address group's addresses (CIDRs, MAC null) in
   * sg_member_ips next to the remote groups' members, so that the firewall expands both alike.
   */
  private async addressGroupIps(info: SecurityGroupInfo, groups: Map<string, Set<EtherType>>): Promise<void> {
    if (groups.size === 0) return;
    const lists = new Map<string, Partial<Record<EtherType, Array<[string, null]>>>>();
    for (const [id, types] of groups) {
      const byType = Object.fromEntries([...types].map((t) => [t, []]));
      lists.set(id, byType);
      info.sg_member_ips[id] = byType;
    }
    const rows = await this.d.db.selectFrom('address_associations').select(['address_group_id', 'address'])
      .where('address_group_id', 'in', [...groups.keys()]).orderBy('address').execute();
    for (const { address_group_id: id, address } of rows) {
      const version = parseCidr(address, true)?.version;
      lists.get(id)?.[version === 6 ? 'IPv6' : 'IPv4']?.push([address, null]);
    }
  }

  /** _select_ips_for_remote_group: the fixed IPs and allowed pairs of each remote group's ports, with their MACs. */
  private async memberIps(info: SecurityGroupInfo, remote: Map<string, Set<EtherType>>): Promise<void> {
    if (remote.size === 0) return;
    const groupIds = [...remote.keys()];
    for (const [id, types] of remote) info.sg_member_ips[id] = Object.fromEntries([...types].map((t) => [t, []]));
    const db = this.d.db;
    const [fixed, pairs] = await Promise.all([
      db.selectFrom('securitygroupportbindings').innerJoin('ports', 'ports.id', 'securitygroupportbindings.port_id')
        .innerJoin('ipallocations', 'ipallocations.port_id', 'ports.id')
        .select(['securitygroupportbindings.security_group_id as sg', 'ipallocations.ip_address as ip', 'ports.mac_address as mac'])
        .where('securitygroupportbindings.security_group_id', 'in', groupIds).execute(),
      db.selectFrom('securitygroupportbindings').innerJoin('allowedaddresspairs', 'allowedaddresspairs.port_id', 'securitygroupportbindings.port_id')
        .select(['securitygroupportbindings.security_group_id as sg', 'allowedaddresspairs.ip_address as ip', 'allowedaddresspairs.mac_address as mac'])
        .where('securitygroupportbindings.security_group_id', 'in', groupIds).execute(),
    ]);
    for (const { sg, ip, mac } of [...fixed, ...pairs]) {
      const version = parseCidr(ip, true)?.version;
      const list = version ? info.sg_member_ips[sg]?.[version === 4 ? 'IPv4' : 'IPv6'] : undefined;
      if (list && !list.some(([i, m]) => i === ip && m === mac)) list.push([ip, mac]);
    }
  }
}
