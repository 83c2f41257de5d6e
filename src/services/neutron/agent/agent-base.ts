/**
 * What an agent process is, on the bus: it consumes its own topic (dhcp_agent / l3_agent with
 * server = its host) and, for L2 agents, the fanout notifier topics; it runs the endpoints a
 * concrete agent implements (the casts in ../rpc/agent-notifiers.ts) and reports its state.
 * A real Linux bridge / namespace / dnsmasq agent is built by implementing these handler
 * interfaces; this module holds no data-plane code.
 */
import { type MessageContext, RpcServer, type RpcEndpoint, type Transport } from '../../../common/messaging/index.js';
import type { PeriodicTasks } from '../../../common/service/periodic.js';
import type { Network } from '../types/network.js';
import type {
  NetworkCreatedPayload, NetworkDeletedPayload, NetworkUpdatedPayload, PortDeletedPayload, PortPayload, PortUpdateArgs, SubnetDeletedPayload,
  SubnetPayload,
} from '../rpc/payloads.js';
import type { FdbEntries } from '../ml2/l2pop/fdb.js';
import { agentNotifierTopic, TOPIC_DHCP_AGENT, TOPIC_L2POP, TOPIC_L3_AGENT, TOPIC_METERING_AGENT, VERSIONS } from '../rpc/topics.js';
import type { MeteringRouter } from '../types/metering.js';
import { type AgentIdentity, StateReporter } from './state-reporter.js';

/** Casts a DHCP agent receives (neutron/agent/dhcp/agent.py DhcpAgent). */
export interface DhcpAgentHandlers {
  network_create_end(ctx: MessageContext, args: { payload: NetworkCreatedPayload }): Promise<void>;
  network_update_end(ctx: MessageContext, args: { payload: NetworkUpdatedPayload }): Promise<void>;
  network_delete_end(ctx: MessageContext, args: { payload: NetworkDeletedPayload }): Promise<void>;
  subnet_create_end(ctx: MessageContext, args: { payload: SubnetPayload }): Promise<void>;
  subnet_update_end(ctx: MessageContext, args: { payload: SubnetPayload }): Promise<void>;
  subnet_delete_end(ctx: MessageContext, args: { payload: SubnetDeletedPayload }): Promise<void>;
  port_create_end(ctx: MessageContext, args: { payload: PortPayload }): Promise<void>;
  port_update_end(ctx: MessageContext, args: { payload: PortPayload }): Promise<void>;
  port_delete_end(ctx: MessageContext, args: { payload: PortDeletedPayload }): Promise<void>;
  agent_updated(ctx: MessageContext, args: { payload: { admin_state_up?: boolean } }): Promise<void>;
}

/** Casts an L3 agent receives (neutron/agent/l3/agent.py L3NATAgent). */
export interface L3AgentHandlers {
  routers_updated(ctx: MessageContext, args: { routers: string[] }): Promise<void>;
  router_deleted(ctx: MessageContext, args: { router_id: string }): Promise<void>;
  router_added_to_agent(ctx: MessageContext, args: { payload: string[] }): Promise<void>;
  router_removed_from_agent(ctx: MessageContext, args: { payload: { router_id: string } }): Promise<void>;
  agent_updated(ctx: MessageContext, args: { payload: { admin_state_up?: boolean } }): Promise<void>;
}

/** Casts a metering agent receives (neutron/services/metering/agents/metering_agent.py MeteringAgent). */
export interface MeteringAgentHandlers {
  router_deleted(ctx: MessageContext, args: { router_id: string }): Promise<void>;
  routers_updated(ctx: MessageContext, args: { routers?: MeteringRouter[] }): Promise<void>;
  add_metering_label(ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void>;
  remove_metering_label(ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void>;
  add_metering_label_rule(ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void>;
  remove_metering_label_rule(ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void>;
  update_metering_label_rules(ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void>;
}

/** Fanout casts an L2 agent receives (ML2 AgentNotifierApi consumers). */
export interface L2AgentHandlers {
  port_update(ctx: MessageContext, args: PortUpdateArgs): Promise<void>;
  port_delete(ctx: MessageContext, args: { port_id: string; network_id?: string }): Promise<void>;
  network_update(ctx: MessageContext, args: { network: Network }): Promise<void>;
  network_delete(ctx: MessageContext, args: { network_id: string }): Promise<void>;
  security_groups_rule_updated(ctx: MessageContext, args: { security_groups: string[] }): Promise<void>;
  security_groups_member_updated(ctx: MessageContext, args: { security_groups: string[] }): Promise<void>;
}

/** The l2population casts (l2population_rpc.L2populationRpcCallBackMixin), for agents that take part. */
export interface L2popHandlers {
  add_fdb_entries(ctx: MessageContext, args: { fdb_entries: FdbEntries }): Promise<void>;
  remove_fdb_entries(ctx: MessageContext, args: { fdb_entries: FdbEntries }): Promise<void>;
}

export type AgentKind =
  | { kind: 'dhcp'; handlers: DhcpAgentHandlers }
  | { kind: 'l3'; handlers: L3AgentHandlers }
  | { kind: 'metering'; handlers: MeteringAgentHandlers }
  | { kind: 'l2'; handlers: L2AgentHandlers | (L2AgentHandlers & L2popHandlers); l2population?: boolean };

/** Binds handlers to the topics of one agent process and keeps its heartbeat going. */
export class AgentRuntime {
  private readonly servers: RpcServer[] = [];
  readonly reporter: StateReporter;

  /** `periodic`: the tasks of the agent's role, which carry its heartbeat. */
  constructor(
    private readonly transport: Transport,
    readonly identity: AgentIdentity,
    private readonly agent: AgentKind,
    reportIntervalSeconds: number,
    private readonly periodic: PeriodicTasks,
  ) {
    this.reporter = new StateReporter(transport, identity, reportIntervalSeconds);
  }

  /** The handlers as an RPC endpoint: their methods (own or of their class), bound, and the API version. */
  private endpoint(version: string): RpcEndpoint {
    const h: object = this.agent.handlers;
    const ep: Record<string, unknown> = { target: { version } };
    for (const name of Object.keys(h).concat(Object.getOwnPropertyNames(Object.getPrototypeOf(h)))) {
      const fn: unknown = Reflect.get(h, name);
      if (name !== 'constructor' && typeof fn === 'function') ep[name] = fn.bind(h);
    }
    return ep;
  }

  /** `onFirstReportFailure`: see StateReporter.start. */
  async start(onFirstReportFailure?: (err: unknown) => void): Promise<void> {
    const host = this.identity.host;
    if (this.agent.kind === 'dhcp') {
      this.servers.push(new RpcServer(this.transport, { topic: TOPIC_DHCP_AGENT, server: host }, [this.endpoint(VERSIONS.dhcpAgent)], { trace: { service: 'neutron', host } }));
    } else if (this.agent.kind === 'l3') {
      this.servers.push(new RpcServer(this.transport, { topic: TOPIC_L3_AGENT, server: host }, [this.endpoint(VERSIONS.l3Agent)], { trace: { service: 'neutron', host } }));
    } else if (this.agent.kind === 'metering') {
      this.servers.push(new RpcServer(this.transport, { topic: TOPIC_METERING_AGENT, server: host }, [this.endpoint(VERSIONS.meteringAgent)], { trace: { service: 'neutron', host } }));
    } else {
      const ep = this.endpoint(VERSIONS.l2Agent);
      for (const [table, op] of [['port', 'update'], ['port', 'delete'], ['network', 'update'], ['network', 'delete'], ['security_group', 'update']] as const) {
        this.servers.push(new RpcServer(this.transport, { topic: agentNotifierTopic(table, op), server: host }, [ep], { trace: { service: 'neutron', host } }));
      }
      if (this.agent.l2population) {
        this.servers.push(new RpcServer(this.transport, { topic: TOPIC_L2POP, server: host }, [this.endpoint(VERSIONS.l2pop)], { trace: { service: 'neutron', host } }));
      }
    }
    for (const s of this.servers) await s.start();
    await this.reporter.start(this.periodic, onFirstReportFailure);
  }

  async stop(): Promise<void> {
    for (const s of this.servers) await s.stop();
  }
}
