/**
 * Nubo's simulated DHCP agent (run by the `network-sim-agent` role beside the simulated L2
 * agent, where the Linux data plane is off): a DHCP agent over Neutron's agent RPC that serves
 * no DHCP. It reports its state as a "DHCP agent" (configurations say `simulated`), so the
 * server's DHCP scheduler hosts networks on it and the agent-scheduler API
 * (/v2.0/agents/{id}/dhcp-networks, /v2.0/networks/{id}/dhcp-agents) works as on a cloud with
 * real agents; the casts it receives change nothing. Leases come from the real agent
 * (agent/dhcp/) only.
 */
import { AGENT_TYPE_DHCP, TOPIC_DHCP_AGENT } from '../rpc/topics.js';
import { AgentRuntime, type DhcpAgentHandlers } from './agent-base.js';
import type { SimAgentOptions } from './sim-agent-options.js';

export const SIM_DHCP_AGENT_BINARY = 'neutron-nubo-sim-dhcp-agent';

/** Every cast is accepted and changes nothing: there is no dnsmasq to tell. */
class SimDhcpEndpoint implements DhcpAgentHandlers {
  async network_create_end(): Promise<void> {}
  async network_update_end(): Promise<void> {}
  async network_delete_end(): Promise<void> {}
  async subnet_create_end(): Promise<void> {}
  async subnet_update_end(): Promise<void> {}
  async subnet_delete_end(): Promise<void> {}
  async port_create_end(): Promise<void> {}
  async port_update_end(): Promise<void> {}
  async port_delete_end(): Promise<void> {}
  async agent_updated(): Promise<void> {}
}

export class SimDhcpAgent {
  readonly runtime: AgentRuntime;

  constructor(private readonly o: SimAgentOptions) {
    this.runtime = new AgentRuntime(o.transport, {
      binary: SIM_DHCP_AGENT_BINARY, host: o.host, topic: TOPIC_DHCP_AGENT, agentType: AGENT_TYPE_DHCP, availabilityZone: o.availabilityZone,
      configurations: () => ({ dhcp_driver: 'none', simulated: true }),
    }, { kind: 'dhcp', handlers: new SimDhcpEndpoint() }, o.reportInterval, o.periodic);
  }

  async start(): Promise<void> {
    await this.runtime.start((err) => this.o.log.warn({ err }, 'simulated DHCP agent: Failed reporting state! (neutron-server not reachable yet)'));
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
  }
}
