/**
 * The `network-dhcp-agent` role: the DHCP agent of one host (`nubo serve network-dhcp-agent
 * --host NAME`, or per `[DEFAULT] hosts` entry in `nubo up` with the real data plane), from
 * `[agent]`, `[dhcp_agent]` (with enable_isolated_metadata: the metadata proxy of
 * isolated networks, ../metadata/dhcp-metadata.ts), `[DEFAULT] dns_domain` and `[data_plane] host_namespace`.
 */
import { resolve } from 'node:path';
import type { RoleContext, RoleInstance } from '../../../../common/service/project.js';
import { agentGroup, dhcpAgentGroup, neutronDefaultGroup } from '../../config.js';
import { hostAgentLifecycle, hostNamespaceOf } from '../data-plane.js';
import { IsolatedMetadataProxies } from '../metadata/dhcp-metadata.js';
import { metadataSocketPath } from '../metadata/metadata-agent-role.js';
import { DhcpAgent } from './dhcp-agent.js';

export interface DhcpAgentRoleInstance extends RoleInstance {
  agent: DhcpAgent;
}

export async function createDhcpAgent(ctx: RoleContext): Promise<DhcpAgentRoleInstance> {
  const a = ctx.config.get(agentGroup);
  const d = ctx.config.get(dhcpAgentGroup);
  const hostNamespace = hostNamespaceOf(ctx.config, ctx.host);
  const confDir = d.dhcp_confs ? resolve(d.dhcp_confs) : resolve(ctx.dataDir, 'dhcp');
  const agent = new DhcpAgent({
    transport: ctx.transport, host: ctx.host, log: ctx.log, periodic: ctx.periodic, reportInterval: a.report_interval, availabilityZone: a.availability_zone,
    hostNamespace, confDir: resolve(confDir, ctx.host), resyncInterval: d.resync_interval, checkChildProcessesInterval: a.check_child_processes_interval,
    settings: {
      binary: d.dnsmasq_binary, dnsServers: [...d.dnsmasq_dns_servers], leaseDuration: d.dhcp_lease_duration, leaseMax: d.dnsmasq_lease_max,
      dnsDomain: ctx.config.get(neutronDefaultGroup).dns_domain, isolatedMetadata: d.enable_isolated_metadata,
    },
    ...(d.enable_isolated_metadata ? { extension: new IsolatedMetadataProxies(resolve(ctx.dataDir, 'dhcp-metadata', ctx.host), metadataSocketPath(ctx)) } : {}),
  });
  return { agent, ...hostAgentLifecycle(hostNamespace, agent) };
}
