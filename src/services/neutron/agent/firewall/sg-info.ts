/**
 * From the server's security_group_info_for_devices answer (rpc/securitygroups.ts) to the
 * firewall (the agent side of neutron/agent/securitygroups_rpc.py SecurityGroupAgentRpc):
 * rules with source/dest_ip_prefix become remote_ip_prefix, members [ip, mac] become IPs,
 * and devices become FirewallPorts. An L2 agent calls syncFirewall after
 * security_groups_rule_updated / security_groups_member_updated casts and for new devices.
 */
import type { SecurityGroupDevice, SecurityGroupInfo, SecurityGroupRuleInfo } from '../../rpc/securitygroups.js';
import type { Direction, EtherType, FirewallDriver, FirewallPort, FirewallRule, GroupMembers } from './types.js';

export interface FirewallInputs {
  ports: FirewallPort[];
  rules: Map<string, FirewallRule[]>;
  members: Map<string, GroupMembers>;
}

function ruleOf(r: SecurityGroupRuleInfo): FirewallRule {
  const prefix = r.direction === 'ingress' ? r.source_ip_prefix : r.dest_ip_prefix;
  return {
    direction: r.direction as Direction, ethertype: r.ethertype as EtherType,
    ...(r.protocol !== undefined ? { protocol: r.protocol } : {}),
    ...(r.port_range_min !== undefined ? { port_range_min: r.port_range_min } : {}),
    ...(r.port_range_max !== undefined ? { port_range_max: r.port_range_max } : {}),
    ...(prefix !== undefined ? { remote_ip_prefix: prefix } : {}),
    ...(r.remote_group_id !== undefined ? { remote_group_id: r.remote_group_id } : {}),
    ...(r.stateful === false ? { stateful: false } : {}),
    ...(r.remote_address_group_id !== undefined ? { remote_address_group_id: r.remote_address_group_id } : {}),
  };
}

function portOf(d: SecurityGroupDevice, bridgeOf: (networkId: string) => string | undefined): FirewallPort {
  const bridge = bridgeOf(d.network_id);
  return {
    id: d.id, device: d.device, mac_address: d.mac_address, fixed_ips: d.fixed_ips,
    allowed_address_pairs: d.allowed_address_pairs.map((p) => ({ ip_address: p.ip_address, mac_address: p.mac_address })),
    port_security_enabled: d.port_security_enabled, security_groups: d.security_groups, network_id: d.network_id,
    ...(bridge ? { bridge } : {}),
  };
}

export function firewallInputs(info: SecurityGroupInfo, bridgeOf: (networkId: string) => string | undefined = () => undefined): FirewallInputs {
  const rules = new Map(Object.entries(info.security_groups).map(([id, list]) => [id, list.map(ruleOf)]));
  const members = new Map(Object.entries(info.sg_member_ips).map(([id, byType]): [string, GroupMembers] => [id, {
    ...(byType.IPv4 ? { IPv4: byType.IPv4.map(([ip]) => ip) } : {}),
    ...(byType.IPv6 ? { IPv6: byType.IPv6.map(([ip]) => ip) } : {}),
  }]));
  return { ports: Object.values(info.devices).map((d) => portOf(d, bridgeOf)), rules, members };
}

/** Rules and members, then the ports (prepared when new, updated otherwise), in one apply. */
export async function syncFirewall(fw: FirewallDriver, inputs: FirewallInputs): Promise<void> {
  await fw.deferApply(async () => {
    for (const [id, rules] of inputs.rules) await fw.updateSecurityGroupRules(id, rules);
    for (const [id, members] of inputs.members) await fw.updateSecurityGroupMembers(id, members);
    for (const port of inputs.ports) {
      if (fw.ports.has(port.device)) await fw.updatePortFilter(port);
      else await fw.preparePortFilter(port);
    }
  });
}
