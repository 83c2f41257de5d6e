/**
 * The `network-l3-agent` role: the L3 agent of one host (`nubo serve network-l3-agent --host
 * NAME`, or per `[DEFAULT] hosts` entry in `nubo up` with the real data plane), from `[agent]`,
 * `[l3_agent]` (radvd's options too), `[DEFAULT] metadata_proxy_socket` and `[data_plane] host_namespace`.
 */
import { resolve } from 'node:path';
import type { RoleContext, RoleInstance } from '../../../../common/service/project.js';
import { agentGroup, l3AgentGroup } from '../../config.js';
import { hostAgentLifecycle, hostNamespaceOf } from '../data-plane.js';
import { metadataSocketPath } from '../metadata/metadata-agent-role.js';
import { L3Agent } from './l3-agent.js';

export interface L3AgentRoleInstance extends RoleInstance {
  agent: L3Agent;
}

export async function createL3Agent(ctx: RoleContext): Promise<L3AgentRoleInstance> {
  const a = ctx.config.get(agentGroup);
  const l3 = ctx.config.get(l3AgentGroup);
  const hostNamespace = hostNamespaceOf(ctx.config, ctx.host);
  const agent = new L3Agent({
    transport: ctx.transport, host: ctx.host, log: ctx.log, periodic: ctx.periodic, reportInterval: a.report_interval, availabilityZone: a.availability_zone,
    hostNamespace, stateDir: resolve(ctx.dataDir, 'l3', ctx.host), resyncInterval: l3.resync_interval, checkChildProcessesInterval: a.check_child_processes_interval,
    metadata: { enabled: l3.enable_metadata_proxy, socketPath: metadataSocketPath(ctx) },
    radvd: { binary: l3.radvd_binary, user: l3.radvd_user, minInterval: l3.min_rtr_adv_interval, maxInterval: l3.max_rtr_adv_interval },
  });
  return { agent, ...hostAgentLifecycle(hostNamespace, agent) };
}
