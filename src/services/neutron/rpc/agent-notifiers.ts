/**
 * Server-to-agent notifications (neutron/api/rpc/agentnotifiers/{dhcp,l3}_rpc_agent_api.py
 * and ML2's AgentNotifierApi): RPC casts telling DHCP agents about network, subnet and port
 * changes on the networks they host (scheduling the network when it has no agent yet), L3
 * agents about routers to resync, and L2 agents (fanout) about port, network and security
 * group changes. Each subscribes to the AFTER_* events it cares about (`subscribe`).
 */
import type { Logger } from '../../../common/log/logger.js';
import { type MessageContext, RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { NeutronContext } from '../common/context.js';
import type { EventRegistry } from '../common/events.js';
import type { AgentRow } from '../db/schema.js';
import type { Segment } from '../ml2/driver-api.js';
import type { FloatingIp } from '../types/floating-ip.js';
import type { Port } from '../types/port.js';
import type {
  NetworkCreatedPayload, NetworkDeletedPayload, NetworkUpdatedPayload, PortDeletedPayload, PortPayload, PortUpdateArgs, SubnetDeletedPayload,
  SubnetPayload,
} from './payloads.js';
import { agentNotifierTopic, TOPIC_DHCP_AGENT, TOPIC_L3_AGENT, VERSIONS } from './topics.js';

/** neutron_lib ROUTER_INTERFACE_OWNERS. */
const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];

/** dhcp_rpc_agent_api METHOD_PRIORITY_MAP. */
const PRIORITY = {
  network_create_end: 3, network_update_end: 3, network_delete_end: 2,
  subnet_create_end: 3, subnet_update_end: 3, subnet_delete_end: 2,
  port_create_end: 4, port_update_end: 2, port_delete_end: 2,
} as const;

/** What each DHCP agent cast carries. */
interface DhcpCasts {
  network_create_end: NetworkCreatedPayload;
  network_update_end: NetworkUpdatedPayload;
  network_delete_end: NetworkDeletedPayload;
  subnet_create_end: SubnetPayload;
  subnet_update_end: SubnetPayload;
  subnet_delete_end: SubnetDeletedPayload;
  port_create_end: PortPayload;
  port_update_end: PortPayload;
  port_delete_end: PortDeletedPayload;
}

type DhcpMethod = keyof DhcpCasts;

/** The DHCP agents hosting networks, and the scheduler that adds some. */
export interface DhcpAgentScheduler {
  dhcpAgentsFor(networkId: string): Promise<AgentRow[]>;
  scheduleNetwork(networkId: string): Promise<AgentRow[]>;
}

/** The L3 agents hosting routers, and the scheduler that adds one. */
export interface L3AgentScheduler {
  l3AgentsFor(routerId: string): Promise<AgentRow[]>;
  scheduleRouter(routerId: string): Promise<AgentRow | undefined>;
}

/** Attributes of a port whose change DHCP agents must hear about. */
const DHCP_PORT_ATTRIBUTES = ['fixed_ips', 'mac_address', 'extra_dhcp_opts', 'dns_name', 'dns_assignment'] as const;

export class DhcpAgentNotifier {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly agents: DhcpAgentScheduler, private readonly log: Logger) {
    this.client = new RpcClient(transport, { topic: TOPIC_DHCP_AGENT, version: VERSIONS.dhcpAgent });
  }

  subscribe(events: EventRegistry): void {
    events.subscribe('network', 'after_create', ({ ctx, current }) => this.notify(ctx, 'network_create_end', { network: current }, current.id));
    events.subscribe('network', 'after_update', ({ ctx, current }) => this.notify(ctx, 'network_update_end', { network: current }, current.id));
    events.subscribe('network', 'after_delete', ({ ctx, current }) => this.notify(ctx, 'network_delete_end', { network_id: current.id }, current.id));
    events.subscribe('subnet', 'after_create', ({ ctx, current }) => this.notify(ctx, 'subnet_create_end', { subnet: current }, current.network_id));
    events.subscribe('subnet', 'after_update', ({ ctx, current }) => this.notify(ctx, 'subnet_update_end', { subnet: current }, current.network_id));
    events.subscribe('subnet', 'after_delete', ({ ctx, current }) =>
      this.notify(ctx, 'subnet_delete_end', { subnet_id: current.id, network_id: current.network_id }, current.network_id));
    events.subscribe('port', 'after_create', ({ ctx, current }) => this.notify(ctx, 'port_create_end', { port: current }, current.network_id));
    events.subscribe('port', 'after_update', async ({ ctx, current, original }) => {
      if (this.portChangeMatters(original, current)) await this.notify(ctx, 'port_update_end', { port: current }, current.network_id);
    });
    events.subscribe('port', 'after_delete', ({ ctx, current }) =>
      this.notify(ctx, 'port_delete_end', { port_id: current.id, network_id: current.network_id, fixed_ips: current.fixed_ips }, current.network_id));
  }

  private portChangeMatters(orig: Port, cur: Port): boolean {
    return DHCP_PORT_ATTRIBUTES.some((k) => JSON.stringify(orig[k]) !== JSON.stringify(cur[k]));
  }

  private notify<M extends DhcpMethod>(ctx: NeutronContext, method: M, payload: DhcpCasts[M], networkId: string): Promise<void> {
    return this.notifyAgents(ctx.toMessage(), method, payload, networkId);
  }

  /** _notify_agents: network deletes fan out; others go to the hosting agents (scheduling first). */
  async notifyAgents<M extends DhcpMethod>(ctx: MessageContext, method: M, body: DhcpCasts[M], networkId: string): Promise<void> {
    const payload: DhcpCasts[M] = { ...body, priority: PRIORITY[method] };
    if (method === 'network_delete_end') {
      await this.client.prepare({ fanout: true }).cast(ctx, method, { payload });
      return;
    }
    if (method === 'network_create_end') return;
    let hosting = await this.agents.dhcpAgentsFor(networkId);
    const reservedDhcp = 'port' in payload && payload.port.device_owner === 'network:dhcp';
    if (method === 'subnet_create_end' || (method === 'port_create_end' && !reservedDhcp)) {
      const added = await this.agents.scheduleNetwork(networkId);
      for (const a of added) await this.networkAddedToAgent(ctx, networkId, a.host, a.topic || TOPIC_DHCP_AGENT);
      hosting = [...hosting, ...added];
    }
    const enabled = hosting.filter((a) => Number(a.admin_state_up));
    if (!enabled.length) {
      this.log.debug({ networkId, method }, 'network is not hosted by any dhcp agent');
      return;
    }
    for (const a of enabled) await this.client.prepare({ server: a.host, topic: a.topic || TOPIC_DHCP_AGENT }).cast(ctx, method, { payload });
  }

  async networkRemovedFromAgent(ctx: MessageContext, networkId: string, host: string): Promise<void> {
    const payload: NetworkDeletedPayload = { network_id: networkId, priority: PRIORITY.network_delete_end };
    await this.client.prepare({ server: host }).cast(ctx, 'network_delete_end', { payload });
  }

  async networkAddedToAgent(ctx: MessageContext, networkId: string, host: string, topic = TOPIC_DHCP_AGENT): Promise<void> {
    const payload: NetworkCreatedPayload = { network: { id: networkId }, priority: PRIORITY.network_create_end };
    await this.client.prepare({ server: host, topic }).cast(ctx, 'network_create_end', { payload });
  }
}

export class L3AgentNotifier {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly agents: L3AgentScheduler, private readonly log: Logger) {
    this.client = new RpcClient(transport, { topic: TOPIC_L3_AGENT, version: '1.0' });
  }

  subscribe(events: EventRegistry): void {
    events.subscribe('router', 'after_create', ({ ctx, current }) => this.routersUpdated(ctx.toMessage(), [current.id], 'create_router'));
    events.subscribe('router', 'after_update', ({ ctx, current }) => this.routersUpdated(ctx.toMessage(), [current.id], 'update_router'));
    // fanout, as L3AgentNotifyAPI.router_deleted: the router's agent bindings went with its row
    events.subscribe('router', 'after_delete', ({ ctx, current }) => this.client.prepare({ fanout: true }).cast(ctx.toMessage(), 'router_deleted', { router_id: current.id }));
    events.subscribe('router_interface', 'after_create', ({ ctx, routerId }) => this.routersUpdated(ctx.toMessage(), [routerId], 'add_router_interface'));
    events.subscribe('router_interface', 'after_delete', ({ ctx, routerId }) => this.routersUpdated(ctx.toMessage(), [routerId], 'remove_router_interface'));
    events.subscribe('floatingip', 'after_create', ({ ctx, current }) => this.floatingIpChanged(ctx, 'create', current));
    events.subscribe('floatingip', 'after_update', ({ ctx, current, original }) => this.floatingIpChanged(ctx, 'update', current, original));
    events.subscribe('floatingip', 'after_delete', ({ ctx, current }) => this.floatingIpChanged(ctx, 'delete', current));
    events.subscribe('port_forwarding', 'after_change', ({ ctx, routerIds }) => this.routersUpdated(ctx.toMessage(), routerIds, 'port_forwarding'));
  }

  /** The routers serving a floating IP before and after the change resync. */
  private async floatingIpChanged(ctx: NeutronContext, action: string, current: FloatingIp, original?: FloatingIp): Promise<void> {
    const ids = new Set<string>();
    if (current.router_id) ids.add(current.router_id);
    if (original?.router_id) ids.add(original.router_id);
    if (ids.size) await this.routersUpdated(ctx.toMessage(), [...ids], `${action}_floatingip`);
  }

  /** routers_updated to the agents hosting the routers, scheduling unhosted routers first. */
  async routersUpdated(ctx: MessageContext, routerIds: string[], operation: string): Promise<void> {
    const byHost = new Map<string, string[]>();
    for (const id of routerIds) {
      let agents = await this.agents.l3AgentsFor(id);
      if (!agents.length) {
        const chosen = await this.agents.scheduleRouter(id);
        if (chosen) agents = [chosen];
      }
      for (const a of agents) if (Number(a.admin_state_up)) byHost.set(a.host, [...(byHost.get(a.host) ?? []), id]);
    }
    if (!byHost.size) {
      this.log.debug({ routerIds, operation }, 'no L3 agent hosts these routers');
      return;
    }
    for (const [host, ids] of byHost) await this.client.prepare({ server: host }).cast(ctx, 'routers_updated', { routers: ids });
  }

  async routerAddedToAgent(ctx: MessageContext, routerIds: string[], host: string): Promise<void> {
    await this.client.prepare({ server: host, version: '1.1' }).cast(ctx, 'router_added_to_agent', { payload: routerIds });
  }

  async routerRemovedFromAgent(ctx: MessageContext, routerId: string, host: string): Promise<void> {
    await this.client.prepare({ server: host }).cast(ctx, 'router_removed_from_agent', { payload: { router_id: routerId } });
  }
}

/** ML2's AgentNotifierApi: fanout casts every L2 agent receives. */
export class L2AgentNotifier {
  private readonly portUpdate: RpcClient;
  private readonly portDelete: RpcClient;
  private readonly networkUpdate: RpcClient;
  private readonly networkDelete: RpcClient;
  private readonly sgUpdate: RpcClient;

  /** `portsOf`: the ports of these ids that still exist (a QoS policy change is a port_update of each port it applies to). */
  constructor(
    transport: Transport, private readonly segmentsOf: (networkId: string) => Promise<Segment[]>,
    private readonly portsOf: (ids: readonly string[]) => Promise<Port[]> = async () => [],
    /** get_secgroup_ids_for_address_group */
    private readonly groupsUsingAddressGroup: (addressGroupId: string) => Promise<string[]> = async () => [],
  ) {
    const make = (topic: string) => new RpcClient(transport, { topic, version: '1.0', fanout: true });
    this.portUpdate = make(agentNotifierTopic('port', 'update'));
    this.portDelete = make(agentNotifierTopic('port', 'delete'));
    this.networkUpdate = make(agentNotifierTopic('network', 'update'));
    this.networkDelete = make(agentNotifierTopic('network', 'delete'));
    this.sgUpdate = make(agentNotifierTopic('security_group', 'update'));
  }

  subscribe(events: EventRegistry): void {
    events.subscribe('port', 'after_update', ({ ctx, current, original }) => this.portUpdated(ctx.toMessage(), current, original));
    events.subscribe('port', 'after_delete', ({ ctx, current }) =>
      this.portDelete.cast(ctx.toMessage(), 'port_delete', { port_id: current.id, network_id: current.network_id }));
    // a port joining or leaving its groups changes their members (_notify_sg_on_port_change)
    events.subscribe('port', 'after_create', ({ ctx, current }) => this.membersUpdated(ctx.toMessage(), [current]));
    events.subscribe('port', 'after_delete', ({ ctx, current }) => this.membersUpdated(ctx.toMessage(), [current]));
    events.subscribe('network', 'after_update', ({ ctx, current }) => this.networkUpdate.cast(ctx.toMessage(), 'network_update', { network: current }));
    events.subscribe('network', 'after_delete', ({ ctx, current }) => this.networkDelete.cast(ctx.toMessage(), 'network_delete', { network_id: current.id }));
    const ruleUpdated = (ctx: NeutronContext, groupId: string) => this.sgUpdate.cast(ctx.toMessage(), 'security_groups_rule_updated', { security_groups: [groupId] });
    events.subscribe('security_group_rule', 'after_create', ({ ctx, current }) => ruleUpdated(ctx, current.security_group_id));
    events.subscribe('security_group_rule', 'after_delete', ({ ctx, current }) => ruleUpdated(ctx, current.security_group_id));
    events.subscribe('security_group', 'after_update', ({ ctx, current }) => ruleUpdated(ctx, current.id));
    events.subscribe('security_group', 'after_delete', ({ ctx, current }) => ruleUpdated(ctx, current.id));
    // the QoS push of upstream (QosPolicy UPDATED to the agents) as a port_update of each port the policy applies to
    events.subscribe('qos_policy', 'after_update', async ({ ctx, portIds }) => {
      for (const port of await this.portsOf(portIds)) await this.portUpdated(ctx.toMessage(), port, port);
    });
    // address_group_updated as the classic agent handles it: the rules of the groups naming it changed
    events.subscribe('address_group', 'after_update', async ({ ctx, current, original }) => {
      if (JSON.stringify(current.addresses) === JSON.stringify(original.addresses)) return;
      const groups = await this.groupsUsingAddressGroup(current.id);
      if (groups.length) await this.sgUpdate.cast(ctx.toMessage(), 'security_groups_rule_updated', { security_groups: groups });
    });
  }

  private async portUpdated(ctx: MessageContext, current: Port, original: Port): Promise<void> {
    const seg = (await this.segmentsOf(current.network_id))[0];
    const args: PortUpdateArgs = {
      port: current, network_type: seg?.network_type ?? null, segmentation_id: seg?.segmentation_id ?? null, physical_network: seg?.physical_network ?? null,
    };
    await this.portUpdate.cast(ctx, 'port_update', { ...args });
    // check_and_notify_security_group_member_changed: new groups, or new addresses in the same ones
    const sorted = (list: readonly string[]) => JSON.stringify([...list].sort());
    if (sorted(original.security_groups) !== sorted(current.security_groups)) await this.membersUpdated(ctx, [original, current]);
    else if (JSON.stringify(original.fixed_ips) !== JSON.stringify(current.fixed_ips)) await this.membersUpdated(ctx, [current]);
  }

  /** notify_security_groups_member_updated_bulk: the groups of these ports (DHCP and router ports aside). */
  private async membersUpdated(ctx: MessageContext, ports: readonly Port[]): Promise<void> {
    const groups = new Set<string>();
    for (const p of ports) if (p.device_owner !== 'network:dhcp' && !ROUTER_INTERFACE_OWNERS.includes(p.device_owner)) p.security_groups.forEach((g) => groups.add(g));
    if (groups.size) await this.sgUpdate.cast(ctx, 'security_groups_member_updated', { security_groups: [...groups] });
  }
}
