/**
 * The `network-sim-agent` role: Nubo's simulated L2 agent of one host (run once per
 * `[DEFAULT] hosts` entry, like nova-compute), configured by `[agent]` and `[sim_agent]`.
 */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { agentGroup, simAgentGroup } from '../config.js';
import { SimL2Agent } from './sim-l2-agent.js';

export interface SimAgentRoleInstance extends RoleInstance {
  agent: SimL2Agent;
}

export async function createSimAgent(ctx: RoleContext): Promise<SimAgentRoleInstance> {
  const a = ctx.config.get(agentGroup);
  const sim = ctx.config.get(simAgentGroup);
  const agent = new SimL2Agent({
    transport: ctx.transport, host: ctx.host, log: ctx.log, reportInterval: a.report_interval, availabilityZone: a.availability_zone,
    physicalNetworks: [...sim.physical_networks], tunnelTypes: [...sim.tunnel_types], periodic: ctx.periodic,
  });
  return { agent, start: () => agent.start(), stop: () => agent.stop() };
}
