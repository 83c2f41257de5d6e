/**
 * Server-to-agent notifications (neutron/api/rpc/agentnotifiers/{dhcp,l3}_rpc_agent_api.py
 * and ML2's AgentNotifierApi): RPC casts telling DHCP agents about network, subnet and port
 * changes on the networks they host (scheduling the network when it has no agent yet), L3
 * agents about routers to resync, and L2 agents (fanout) about port, network and security
 * group changes. All are driven by the event bus after the change is committed.
 */
import type { Logger } from '../../../common/log/logger.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { Dict, ResourceEvent } from '../events.js';
import type { AgentManager } from '../managers/agents.js';
import { agentNotifierTopic, TOPIC_DHCP_AGENT, TOPIC_L3_AGENT, VERSIONS } from './topics.js';

/** dhcp_rpc_agent_api METHOD_PRIORITY_MAP. */
const PRIORITY: Record<string, number> = {
  network_create_end: 3, network_update_end: 3, network_delete_end: 2,
  subnet_create_end: 3, subnet_update_end: 3, subnet_delete_end: 2,
  port_create_end: 4, port_update_end: 2, port_delete_end: 2,
};

export class DhcpAgentNotifier {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly agents: AgentManager, private readonly log: Logger) {
    this.client = new RpcClient(transport, { topic: TOPIC_DHCP_AGENT, version: VERSIONS.dhcpAgent });
  }

  async onEvent(e: ResourceEvent): Promise<void> {
    if (e.resource !== 'network' && e.resource !== 'subnet' && e.resource !== 'port') return;
    const obj = e.current;
    const networkId = String(e.resource === 'network' ? obj.id : obj.network_id);
    const method = `${e.resource}_${e.action}_end`;
    if (e.resource === 'port' && e.action === 'update' && !this.portChangeMatters(e.original, obj)) return;
    let payload: Dict;
    if (e.action === 'delete') {
      payload = { [`${e.resource}_id`]: obj.id };
      if (e.resource !== 'network') payload.network_id = networkId;
      if (e.resource === 'port') payload.fixed_ips = obj.fixed_ips;
    } else {
      payload = { [e.resource]: obj };
    }
    await this.notifyAgents(e.ctx.toMessage(), method, payload, networkId);
  }

  private portChangeMatters(orig: Dict | undefined, cur: Dict): boolean {
    if (!orig) return true;
    return ['fixed_ips', 'mac_address', 'extra_dhcp_opts', 'dns_name', 'dns_assignment'].some((k) => JSON.stringify(orig[k]) !== JSON.stringify(cur[k]));
  }

  /** _notify_agents: network deletes fan out; others go to the hosting agents (scheduling first). */
  async notifyAgents(ctx: Dict, method: string, payload: Dict, networkId: string): Promise<void> {
    payload.priority = PRIORITY[method];
    if (method === 'network_delete_end') {
      await this.client.prepare({ fanout: true }).cast(ctx, method, { payload });
      return;
    }
    if (method === 'network_create_end') return;
    let hosting = await this.agents.dhcpAgentsFor(networkId);
    const reservedDhcp = method === 'port_create_end' && (payload.port as Dict | undefined)?.device_owner === 'network:dhcp';
    if (method === 'subnet_create_end' || (method === 'port_create_end' && !reservedDhcp)) {
      const added = await this.agents.scheduleNetwork(networkId);
      for (const a of added) {
        await this.client.prepare({ server: a.host, topic: a.topic || TOPIC_DHCP_AGENT }).cast(ctx, 'network_create_end', { payload: { network: { id: networkId }, priority: PRIORITY.network_create_end } });
      }
      hosting = [...hosting, ...added];
    }
    const enabled = hosting.filter((a) => Number(a.admin_state_up));
    if (!enabled.length) {
      this.log.debug({ networkId, method }, 'network is not hosted by any dhcp agent');
      return;
    }
    for (const a of enabled) await this.client.prepare({ server: a.host, topic: a.topic || TOPIC_DHCP_AGENT }).cast(ctx, method, { payload });
  }

  async networkRemovedFromAgent(ctx: Dict, networkId: string, host: string): Promise<void> {
    await this.client.prepare({ server: host }).cast(ctx, 'network_delete_end', { payload: { network_id: networkId, priority: PRIORITY.network_delete_end } });
  }

  async networkAddedToAgent(ctx: Dict, networkId: string, host: string): Promise<void> {
    await this.client.prepare({ server: host }).cast(ctx, 'network_create_end', { payload: { network: { id: networkId }, priority: PRIORITY.network_create_end } });
  }
}

export class L3AgentNotifier {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly agents: AgentManager, private readonly log: Logger) {
    this.client = new RpcClient(transport, { topic: TOPIC_L3_AGENT, version: '1.0' });
  }

  async onEvent(e: ResourceEvent): Promise<void> {
    const ctx = e.ctx.toMessage();
    if (e.resource === 'router') {
      if (e.action === 'delete') {
        for (const a of await this.agents.l3AgentsFor(String(e.current.id))) await this.client.prepare({ server: a.host }).cast(ctx, 'router_deleted', { router_id: e.current.id });
        return;
      }
      await this.routersUpdated(ctx, [String(e.current.id)], e.action === 'create' ? 'create_router' : 'update_router');
    } else if (e.resource === 'router_interface') {
      await this.routersUpdated(ctx, [e.routerId], e.action === 'create' ? 'add_router_interface' : 'remove_router_interface');
    } else if (e.resource === 'floatingip') {
      const ids = new Set<string>();
      if (e.current.router_id) ids.add(String(e.current.router_id));
      if (e.original?.router_id) ids.add(String(e.original.router_id));
      if (ids.size) await this.routersUpdated(ctx, [...ids], `${e.action}_floatingip`);
    }
  }

  /** routers_updated to the agents hosting the routers, scheduling unhosted routers first. */
  async routersUpdated(ctx: Dict, routerIds: string[], operation: string): Promise<void> {
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

  async routerAddedToAgent(ctx: Dict, routerIds: string[], host: string): Promise<void> {
    await this.client.prepare({ server: host, version: '1.1' }).cast(ctx, 'router_added_to_agent', { payload: routerIds });
  }

  async routerRemovedFromAgent(ctx: Dict, routerId: string, host: string): Promise<void> {
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

  constructor(transport: Transport, private readonly segmentsOf: (networkId: string) => Promise<Array<{ network_type: string; segmentation_id: number | null; physical_network: string | null }>>) {
    const make = (topic: string) => new RpcClient(transport, { topic, version: '1.0', fanout: true });
    this.portUpdate = make(agentNotifierTopic('port', 'update'));
    this.portDelete = make(agentNotifierTopic('port', 'delete'));
    this.networkUpdate = make(agentNotifierTopic('network', 'update'));
    this.networkDelete = make(agentNotifierTopic('network', 'delete'));
    this.sgUpdate = make(agentNotifierTopic('security_group', 'update'));
  }

  async onEvent(e: ResourceEvent): Promise<void> {
    const ctx = e.ctx.toMessage();
    if (e.resource === 'port' && e.action === 'update') {
      const seg = (await this.segmentsOf(String(e.current.network_id)))[0];
      await this.portUpdate.cast(ctx, 'port_update', {
        port: e.current, network_type: seg?.network_type ?? null, segmentation_id: seg?.segmentation_id ?? null, physical_network: seg?.physical_network ?? null,
      });
      const before = JSON.stringify(e.original?.security_groups ?? []);
      const after = JSON.stringify(e.current.security_groups ?? []);
      if (before !== after) {
        const groups = [...new Set([...(e.original?.security_groups as string[] ?? []), ...(e.current.security_groups as string[] ?? [])])];
        await this.sgUpdate.cast(ctx, 'security_groups_member_updated', { security_groups: groups });
      }
    } else if (e.resource === 'port' && e.action === 'delete') {
      await this.portDelete.cast(ctx, 'port_delete', { port_id: e.current.id, network_id: e.current.network_id });
    } else if (e.resource === 'network' && e.action === 'update') {
      await this.networkUpdate.cast(ctx, 'network_update', { network: e.current });
    } else if (e.resource === 'network' && e.action === 'delete') {
      await this.networkDelete.cast(ctx, 'network_delete', { network_id: e.current.id });
    } else if (e.resource === 'security_group_rule') {
      await this.sgUpdate.cast(ctx, 'security_groups_rule_updated', { security_groups: [e.current.security_group_id] });
    } else if (e.resource === 'security_group' && e.action !== 'create') {
      await this.sgUpdate.cast(ctx, 'security_groups_rule_updated', { security_groups: [e.current.id] });
    }
  }
}
