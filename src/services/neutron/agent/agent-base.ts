/**
 * What an agent process is, on the bus: it consumes its own topic (dhcp_agent / l3_agent with
 * server = its host) and, for L2 agents, the fanout notifier topics; it runs the endpoints a
 * concrete agent implements (the casts in ../rpc/agent-notifiers.ts) and reports its state.
 * A real Linux bridge / namespace / dnsmasq agent is built by implementing these handler
 * interfaces; this module holds no data-plane code.
 */
import { RpcServer, type Transport } from '../../../common/messaging/index.js';
import type { Dict } from '../events.js';
import { agentNotifierTopic, TOPIC_DHCP_AGENT, TOPIC_L3_AGENT, VERSIONS } from '../rpc/topics.js';
import { type AgentIdentity, StateReporter } from './state-reporter.js';

/** Casts a DHCP agent receives (neutron/agent/dhcp/agent.py DhcpAgent). */
export interface DhcpAgentHandlers {
  network_create_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  network_update_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  network_delete_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  subnet_create_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  subnet_update_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  subnet_delete_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  port_create_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  port_update_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  port_delete_end(ctx: Dict, args: { payload: Dict }): Promise<void>;
  agent_updated(ctx: Dict, args: { payload: Dict }): Promise<void>;
}

/** Casts an L3 agent receives (neutron/agent/l3/agent.py L3NATAgent). */
export interface L3AgentHandlers {
  routers_updated(ctx: Dict, args: { routers: string[] }): Promise<void>;
  router_deleted(ctx: Dict, args: { router_id: string }): Promise<void>;
  router_added_to_agent(ctx: Dict, args: { payload: string[] }): Promise<void>;
  router_removed_from_agent(ctx: Dict, args: { payload: { router_id: string } }): Promise<void>;
  agent_updated(ctx: Dict, args: { payload: Dict }): Promise<void>;
}

/** Fanout casts an L2 agent receives (ML2 AgentNotifierApi consumers). */
export interface L2AgentHandlers {
  port_update(ctx: Dict, args: { port: Dict; network_type: string | null; segmentation_id: number | null; physical_network: string | null }): Promise<void>;
  port_delete(ctx: Dict, args: { port_id: string; network_id?: string }): Promise<void>;
  network_update(ctx: Dict, args: { network: Dict }): Promise<void>;
  network_delete(ctx: Dict, args: { network_id: string }): Promise<void>;
  security_groups_rule_updated(ctx: Dict, args: { security_groups: string[] }): Promise<void>;
  security_groups_member_updated(ctx: Dict, args: { security_groups: string[] }): Promise<void>;
}

export type AgentKind =
  | { kind: 'dhcp'; handlers: DhcpAgentHandlers }
  | { kind: 'l3'; handlers: L3AgentHandlers }
  | { kind: 'l2'; handlers: L2AgentHandlers };

/** Binds handlers to the topics of one agent process and keeps its heartbeat going. */
export class AgentRuntime {
  private readonly servers: RpcServer[] = [];
  readonly reporter: StateReporter;

  constructor(private readonly transport: Transport, readonly identity: AgentIdentity, private readonly agent: AgentKind, reportIntervalSeconds: number) {
    this.reporter = new StateReporter(transport, identity, reportIntervalSeconds);
  }

  private endpoint(version: string): object {
    const h = this.agent.handlers as unknown as Record<string, unknown>;
    const ep: Record<string, unknown> = { target: { version } };
    for (const name of Object.keys(h).concat(Object.getOwnPropertyNames(Object.getPrototypeOf(h)))) {
      if (name !== 'constructor' && typeof h[name] === 'function') ep[name] = (h[name] as (...a: unknown[]) => unknown).bind(h);
    }
    return ep;
  }

  async start(onReportError?: (err: unknown) => void): Promise<void> {
    const host = this.identity.host;
    if (this.agent.kind === 'dhcp') {
      this.servers.push(new RpcServer(this.transport, { topic: TOPIC_DHCP_AGENT, server: host }, [this.endpoint(VERSIONS.dhcpAgent)]));
    } else if (this.agent.kind === 'l3') {
      this.servers.push(new RpcServer(this.transport, { topic: TOPIC_L3_AGENT, server: host }, [this.endpoint(VERSIONS.l3Agent)]));
    } else {
      const ep = this.endpoint(VERSIONS.l2Agent);
      for (const [table, op] of [['port', 'update'], ['port', 'delete'], ['network', 'update'], ['network', 'delete'], ['security_group', 'update']] as const) {
        this.servers.push(new RpcServer(this.transport, { topic: agentNotifierTopic(table, op), server: host }, [ep]));
      }
    }
    for (const s of this.servers) await s.start();
    await this.reporter.start(onReportError);
  }

  async stop(): Promise<void> {
    this.reporter.stop();
    for (const s of this.servers) await s.stop();
  }
}
