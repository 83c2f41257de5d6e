/**
 * RPC topics and agent types of Neutron (neutron_lib.agent.topics, neutron_lib.constants).
 * Servers and agents on the same bus find each other by these names.
 */
export const TOPIC_PLUGIN = 'q-plugin';
export const TOPIC_L3PLUGIN = 'q-l3-plugin';
export const TOPIC_REPORTS = 'q-reports-plugin';
export const TOPIC_DHCP_AGENT = 'dhcp_agent';
export const TOPIC_L3_AGENT = 'l3_agent';
export const TOPIC_METERING_AGENT = 'metering_agent';
export const TOPIC_METERING_PLUGIN = 'q-metering-plugin';
export const AGENT_PREFIX = 'q-agent-notifier';
/** The l2population driver's casts to L2 agents (AGENT-L2POPULATION-UPDATE). */
export const TOPIC_L2POP = `${AGENT_PREFIX}-l2population-update`;

/** get_topic_name: `q-agent-notifier-port-update` and friends (fanout topics of L2 agents). */
export function agentNotifierTopic(table: 'port' | 'network' | 'security_group' | 'port_binding', operation: 'update' | 'delete' | 'create'): string {
  return `${AGENT_PREFIX}-${table}-${operation}`;
}

export const AGENT_TYPE_DHCP = 'DHCP agent';
export const AGENT_TYPE_L3 = 'L3 agent';
export const AGENT_TYPE_LINUXBRIDGE = 'Linux bridge agent';
export const AGENT_TYPE_METADATA = 'Metadata agent';
export const AGENT_TYPE_METERING = 'Metering agent';
/** Nubo's simulated L2 agent (agent/sim-l2-agent.ts); the nubo_sim mechanism driver binds on its hosts. */
export const AGENT_TYPE_NUBO_SIM = 'Nubo simulated L2 agent';

/** RPC API versions of the endpoints (oslo_messaging targets of upstream). */
export const VERSIONS = {
  state: '1.4',
  dhcpPlugin: '1.8',
  ml2: '1.9',
  l3Plugin: '1.12',
  metadataPlugin: '1.0',
  dhcpAgent: '1.0',
  l3Agent: '1.4',
  meteringAgent: '1.0',
  meteringPlugin: '1.0',
  l2Agent: '1.4',
  l2pop: '1.0',
} as const;
