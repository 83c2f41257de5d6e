/**
 * The `network-l2-agent` role: the Linux bridge agent of one host (`nubo serve network-l2-agent
 * --host NAME`, or per `[DEFAULT] hosts` entry in `nubo up` with the real data plane), from
 * `[agent]`, `[linux_bridge]`, `[vxlan]`, `[securitygroup]` (the iptables firewall, which keeps
 * what it applied in `<data_dir>/linuxbridge/<host>/firewall.json` for a restarted agent) and
 * `[data_plane] host_namespace` (created at start).
 */
import { resolve } from 'node:path';
import { OperatorError } from '../../../../common/errors.js';
import type { RoleContext, RoleInstance } from '../../../../common/service/project.js';
import { agentGroup, linuxBridgeGroup, securityGroupGroup, vxlanGroup } from '../../config.js';
import { IptablesFirewall } from '../firewall/iptables-firewall.js';
import { hostAgentLifecycle, hostNamespaceOf } from '../data-plane.js';
import { LinuxBridgeAgent } from './lb-agent.js';
import type { VxlanSettings } from './lb-manager.js';

export interface LinuxBridgeAgentRoleInstance extends RoleInstance {
  agent: LinuxBridgeAgent;
}

/** `physnet:interface` pairs. */
export function parseMappings(items: readonly string[], option: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const i = item.lastIndexOf(':');
    if (i <= 0 || i === item.length - 1) throw new OperatorError(`${option}: "${item}" is not <physical_network>:<interface>`);
    out.set(item.slice(0, i), item.slice(i + 1));
  }
  return out;
}

export async function createLinuxBridgeAgent(ctx: RoleContext): Promise<LinuxBridgeAgentRoleInstance> {
  const a = ctx.config.get(agentGroup);
  const v = ctx.config.get(vxlanGroup);
  const hostNamespace = hostNamespaceOf(ctx.config, ctx.host);
  const sg = ctx.config.get(securityGroupGroup);
  const vxlan: VxlanSettings | undefined = v.enable_vxlan && v.local_ip
    ? { localIp: v.local_ip, group: v.l2_population ? '' : v.vxlan_group, l2population: v.l2_population, arpResponder: v.l2_population && v.arp_responder, dstport: v.udp_dstport, ttl: v.ttl }
    : undefined;
  if (v.enable_vxlan && !v.local_ip) ctx.log.warn('Linux bridge agent: [vxlan] local_ip is not set; VXLAN networks are not carried by this host');
  const agent = new LinuxBridgeAgent({
    transport: ctx.transport, host: ctx.host, log: ctx.log, periodic: ctx.periodic, reportInterval: a.report_interval, pollingInterval: a.polling_interval,
    availabilityZone: a.availability_zone, hostNamespace,
    interfaceMappings: parseMappings(ctx.config.get(linuxBridgeGroup).physical_interface_mappings, '[linux_bridge] physical_interface_mappings'), vxlan,
    ...(sg.enable_security_group ? { firewall: new IptablesFirewall({ netns: hostNamespace, log: ctx.log, stateFile: resolve(ctx.dataDir, 'linuxbridge', ctx.host, 'firewall.json'), ipset: sg.enable_ipset }) } : {}),
  });
  return { agent, ...hostAgentLifecycle(hostNamespace, agent) };
}
