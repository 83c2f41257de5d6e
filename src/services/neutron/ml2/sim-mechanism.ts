/**
 * The `nubo_sim` mechanism driver: the agent-based driver (AgentMechanismDriverBase) of Nubo's
 * simulated L2 agent (agent/sim-l2-agent.ts, role `network-sim-agent`). It binds a port only
 * when an alive agent of type "Nubo simulated L2 agent" on the port's host reports that it can
 * reach one of the network's segments (its `physical_networks` for flat and VLAN, its
 * `tunnel_types` for VXLAN and Geneve), with binding:vif_type "tap": the hypervisor plugs a
 * tap device the agent then reports up, which makes the port ACTIVE.
 */
import { AGENT_TYPE_NUBO_SIM } from '../rpc/topics.js';
import { type AgentInfo, type MechanismDriver, type PortBindingContext, type Segment, VIF_TYPE_TAP } from './driver-api.js';

const VNIC_NORMAL = 'normal';

export class NuboSimMechanismDriver implements MechanismDriver {
  readonly name = 'nubo_sim';

  async bindPort(c: PortBindingContext): Promise<void> {
    if ((c.current['binding:vnic_type'] ?? VNIC_NORMAL) !== VNIC_NORMAL) return;
    for (const agent of await c.hostAgents(AGENT_TYPE_NUBO_SIM)) {
      if (!agent.alive) continue;
      const segment = c.segments.find((s) => canReach(s, agent));
      if (segment) {
        c.setBinding(segment, VIF_TYPE_TAP, { port_filter: false, connectivity: 'l2' });
        return;
      }
    }
  }
}

/** check_segment_for_agent: local always; flat and VLAN on a wired physical network; the agent's tunnel types. */
export function canReach(segment: Segment, agent: Pick<AgentInfo, 'configurations'>): boolean {
  const conf = agent.configurations;
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  if (segment.network_type === 'local') return true;
  if (segment.network_type === 'flat' || segment.network_type === 'vlan') {
    const physnets = list(conf.physical_networks);
    return segment.physical_network !== null && (physnets.includes('*') || physnets.includes(segment.physical_network));
  }
  return list(conf.tunnel_types).includes(segment.network_type);
}
