/**
 * The `network-sim-agent` role: Nubo's simulated agents of one host (run once per
 * `[DEFAULT] hosts` entry, like nova-compute): the L2 agent, configured by `[agent]` and
 * `[sim_agent]`, and, unless `[sim_agent] dhcp_and_l3` is off, a DHCP and an L3 agent, so that
 * the agent-scheduler APIs and router port statuses behave as with real agents.
 */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { agentGroup, simAgentGroup } from '../config.js';
import { SimDhcpAgent } from './sim-dhcp-agent.js';
import { SimL2Agent } from './sim-l2-agent.js';
import { SimL3Agent } from './sim-l3-agent.js';

export interface SimAgentRoleInstance extends RoleInstance {
  agent: SimL2Agent;
  dhcp: SimDhcpAgent | undefined;
  l3: SimL3Agent | undefined;
}

export async function createSimAgent(ctx: RoleContext): Promise<SimAgentRoleInstance> {
  const a = ctx.config.get(agentGroup);
  const sim = ctx.config.get(simAgentGroup);
  const common = { transport: ctx.transport, host: ctx.host, log: ctx.log, reportInterval: a.report_interval, availabilityZone: a.availability_zone, periodic: ctx.periodic };
  const agent = new SimL2Agent({ ...common, physicalNetworks: [...sim.physical_networks], tunnelTypes: [...sim.tunnel_types] });
  const dhcp = sim.dhcp_and_l3 ? new SimDhcpAgent(common) : undefined;
  const l3 = sim.dhcp_and_l3 ? new SimL3Agent(common) : undefined;
  return {
    agent, dhcp, l3,
    start: async () => {
      await agent.start();
      await dhcp?.start();
      await l3?.start();
    },
    stop: async () => {
      await l3?.stop();
      await dhcp?.stop();
      await agent.stop();
    },
  };
}
