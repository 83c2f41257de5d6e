/**
 * Agents (neutron/db/agents_db.py, agentschedulers_db.py, the DHCP and L3 schedulers): the
 * agent table filled by report_state heartbeats, liveness from `[DEFAULT] agent_down_time`,
 * availability zones derived from agents, and the scheduling of networks onto DHCP agents and
 * routers onto L3 agents (the least loaded alive agent), with the agent-scheduler API's views.
 */
import { randomUUID } from 'node:crypto';
import type { NeutronContext } from '../common/context.js';
import { applyFilters, columnsOf, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { AgentRow } from '../db/schema.js';
import { type Db, now, parseJsonObject, type Store } from '../db/store.js';
import { AgentNotFound, HTTPConflict, NetworkNotFound, NeutronBadRequest, RouterNotFound } from '../errors.js';
import type { AgentInfo } from '../ml2/driver-api.js';
import type { Agent, AgentState, AgentUpdate, AvailabilityZone, ZoneResource } from '../types/agent.js';
import type { ResourceHandlers } from './types.js';

export const AGENT_TYPE_DHCP = 'DHCP agent';
export const AGENT_TYPE_L3 = 'L3 agent';
export const AGENT_NEW = 'new';
export const AGENT_ALIVE = 'alive';
export const AGENT_REVIVED = 'revived';

const spec: ListSpec<'agents'> = {
  table: 'agents',
  columns: {
    ...stringColumns<'agents'>('id', 'agent_type', 'binary', 'topic', 'host', 'description', 'availability_zone'),
    ...columnsOf<'agents'>('bool', 'admin_state_up'),
  },
};

/** What report_state answers: new, alive or revived. */
export interface AgentReport {
  status: string;
  id: string;
  adminStateUp: boolean;
}

/** Agent timestamps as Neutron shows them: "2017-09-12 19:40:38". */
function apiTime(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}

export class AgentManager implements ResourceHandlers<Agent, never, AgentUpdate> {
  constructor(private readonly store: Store, private readonly downTimeSeconds: number, private readonly agentsPerNetwork: number) {}

  private get db(): Db {
    return this.store.db;
  }

  isAlive(row: Pick<AgentRow, 'heartbeat_timestamp'>): boolean {
    return Date.now() - Date.parse(row.heartbeat_timestamp) <= this.downTimeSeconds * 1000;
  }

  view(r: AgentRow): Agent {
    return {
      id: r.id,
      agent_type: r.agent_type,
      binary: r.binary,
      topic: r.topic,
      host: r.host,
      admin_state_up: Boolean(Number(r.admin_state_up)),
      created_at: apiTime(r.created_at),
      started_at: apiTime(r.started_at),
      heartbeat_timestamp: apiTime(r.heartbeat_timestamp),
      alive: this.isAlive(r),
      configurations: parseJsonObject(r.configurations),
      description: r.description,
      availability_zone: r.availability_zone,
      resources_synced: r.resources_synced === null ? null : Boolean(Number(r.resources_synced)),
    };
  }

  async list(_ctx: NeutronContext, q: ListQuery): Promise<Agent[]> {
    const { alive, ...filters } = q.filters;
    const qb = applyFilters(this.db.selectFrom('agents').selectAll('agents'), spec, filters);
    let rows = (await runPaged(this.db, qb, spec, { ...q, filters })).map((r) => this.view(r));
    if (alive?.length) rows = rows.filter((r) => alive.map((a) => String(a).toLowerCase() === 'true').includes(r.alive));
    return rows;
  }

  async getRow(id: string, db: Db = this.db): Promise<AgentRow> {
    const row = await db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AgentNotFound(id);
    return row;
  }

  async get(_ctx: NeutronContext, id: string): Promise<Agent> {
    return this.view(await this.getRow(id));
  }

  async update(_ctx: NeutronContext, id: string, body: AgentUpdate): Promise<Agent> {
    await this.getRow(id);
    const set: Partial<AgentRow> = {};
    if ('admin_state_up' in body) set.admin_state_up = body.admin_state_up ? 1 : 0;
    if (body.description !== undefined) set.description = body.description;
    if (Object.keys(set).length) await this.db.updateTable('agents').set(set).where('id', '=', id).execute();
    return this.view(await this.getRow(id));
  }

  async delete(_ctx: NeutronContext, id: string): Promise<void> {
    await this.getRow(id);
    await this.db.deleteFrom('agents').where('id', '=', id).execute();
  }

  /** report_state: registers a new agent or refreshes its heartbeat; returns new/alive/revived. */
  async createOrUpdate(state: AgentState): Promise<AgentReport> {
    return this.store.write(async (tx) => {
      const t = now();
      const existing = await tx.selectFrom('agents').selectAll().where('agent_type', '=', state.agent_type).where('host', '=', state.host).executeTakeFirst();
      const common = {
        binary: state.binary, topic: state.topic, configurations: JSON.stringify(state.configurations ?? {}),
        ...(state.availability_zone !== undefined ? { availability_zone: state.availability_zone } : {}),
        ...(state.resources_synced !== undefined ? { resources_synced: state.resources_synced ? 1 : 0 } : {}),
        load: Number(state.configurations?.networks ?? state.configurations?.routers ?? 0) || 0,
      };
      if (existing) {
        const status = this.isAlive(existing) ? AGENT_ALIVE : AGENT_REVIVED;
        await tx.updateTable('agents').set({
          ...common, heartbeat_timestamp: t, ...(state.start_flag ? { started_at: t } : {}),
          ...(state.resource_versions ? { resource_versions: JSON.stringify(state.resource_versions) } : {}),
        }).where('id', '=', existing.id).execute();
        return { status, id: existing.id, adminStateUp: Boolean(Number(existing.admin_state_up)) };
      }
      const id = randomUUID();
      await tx.insertInto('agents').values({
        id, agent_type: state.agent_type, host: state.host, admin_state_up: 1, created_at: t, started_at: t, heartbeat_timestamp: t,
        description: null, resource_versions: JSON.stringify(state.resource_versions ?? {}), availability_zone: state.availability_zone ?? null,
        resources_synced: null, ...common,
      }).execute();
      return { status: AGENT_NEW, id, adminStateUp: true };
    });
  }

  async byTypeAndHost(agentType: string, host: string): Promise<AgentInfo[]> {
    const rows = await this.db.selectFrom('agents').selectAll().where('agent_type', '=', agentType).where('host', '=', host).execute();
    return rows.map((r) => ({
      id: r.id, agentType: r.agent_type, host: r.host, alive: this.isAlive(r), adminStateUp: Boolean(Number(r.admin_state_up)),
      configurations: parseJsonObject(r.configurations),
    }));
  }

  /** GET /v2.0/availability_zones: zones of DHCP (network) and L3 (router) agents. */
  async availabilityZones(): Promise<AvailabilityZone[]> {
    const rows = await this.db.selectFrom('agents').select(['agent_type', 'availability_zone', 'admin_state_up', 'heartbeat_timestamp'])
      .where('agent_type', 'in', [AGENT_TYPE_DHCP, AGENT_TYPE_L3]).where('availability_zone', 'is not', null).execute();
    const zones = new Map<string, AvailabilityZone>();
    for (const r of rows) {
      const resource: ZoneResource = r.agent_type === AGENT_TYPE_DHCP ? 'network' : 'router';
      const key = `${r.availability_zone}|${resource}`;
      const available = Boolean(Number(r.admin_state_up)) && this.isAlive(r);
      const prev = zones.get(key);
      if (!prev || available) zones.set(key, { name: r.availability_zone ?? '', resource, state: available ? 'available' : 'unavailable' });
    }
    return [...zones.values()];
  }

  /** The zones a list request asks for (filters on name, resource and state). */
  async listAvailabilityZones(q: ListQuery): Promise<AvailabilityZone[]> {
    const attribute = (z: AvailabilityZone, key: string) => (key === 'name' ? z.name : key === 'resource' ? z.resource : key === 'state' ? z.state : undefined);
    return (await this.availabilityZones()).filter((z) => Object.entries(q.filters).every(([k, vals]) => vals.map(String).includes(String(attribute(z, k)))));
  }

  async zoneNames(resource: ZoneResource): Promise<string[]> {
    return (await this.availabilityZones()).filter((z) => z.resource === resource).map((z) => z.name);
  }

  /** Zones of the DHCP agents hosting each network. */
  async networkZones(db: Db, networkIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (networkIds.length === 0) return out;
    const rows = await db.selectFrom('networkdhcpagentbindings').innerJoin('agents', 'agents.id', 'networkdhcpagentbindings.dhcp_agent_id')
      .select(['networkdhcpagentbindings.network_id', 'agents.availability_zone']).where('networkdhcpagentbindings.network_id', 'in', networkIds).execute();
    for (const r of rows) if (r.availability_zone) out.set(r.network_id, [...new Set([...(out.get(r.network_id) ?? []), r.availability_zone])]);
    return out;
  }

  async routerZones(db: Db, routerIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (routerIds.length === 0) return out;
    const rows = await db.selectFrom('routerl3agentbindings').innerJoin('agents', 'agents.id', 'routerl3agentbindings.l3_agent_id')
      .select(['routerl3agentbindings.router_id', 'agents.availability_zone']).where('routerl3agentbindings.router_id', 'in', routerIds).execute();
    for (const r of rows) if (r.availability_zone) out.set(r.router_id, [...new Set([...(out.get(r.router_id) ?? []), r.availability_zone])]);
    return out;
  }

  private async liveAgents(agentType: string): Promise<AgentRow[]> {
    const rows = await this.db.selectFrom('agents').selectAll().where('agent_type', '=', agentType).where('admin_state_up', '=', 1).execute();
    return rows.filter((r) => this.isAlive(r));
  }

  /** DHCP agents hosting a network. */
  async dhcpAgentsFor(networkId: string): Promise<AgentRow[]> {
    return this.db.selectFrom('networkdhcpagentbindings').innerJoin('agents', 'agents.id', 'networkdhcpagentbindings.dhcp_agent_id')
      .selectAll('agents').where('networkdhcpagentbindings.network_id', '=', networkId).execute();
  }

  /** Binds the network to more DHCP agents, up to dhcp_agents_per_network; returns the new ones. */
  async scheduleNetwork(networkId: string): Promise<AgentRow[]> {
    const hosting = await this.dhcpAgentsFor(networkId);
    const missing = this.agentsPerNetwork - hosting.length;
    if (missing <= 0) return [];
    const candidates = (await this.liveAgents(AGENT_TYPE_DHCP)).filter((a) => !hosting.some((h) => h.id === a.id));
    const loads = await this.db.selectFrom('networkdhcpagentbindings').select(['dhcp_agent_id']).execute();
    const load = (id: string) => loads.filter((l) => l.dhcp_agent_id === id).length;
    const chosen = candidates.sort((a, b) => load(a.id) - load(b.id)).slice(0, missing);
    for (const a of chosen) await this.bindNetwork(a.id, networkId);
    return chosen;
  }

  /**
   * network_auto_schedule (DhcpAgentSchedulerDbMixin.auto_schedule_networks): the agent takes
   * the given networks (those with DHCP subnets) that have fewer DHCP agents than
   * dhcp_agents_per_network, such as networks made before any DHCP agent was alive.
   */
  async autoScheduleNetworks(agentId: string, networkIds: string[]): Promise<void> {
    const agent = await this.getRow(agentId);
    if (!Number(agent.admin_state_up) || !this.isAlive(agent)) return;
    for (const id of networkIds) {
      const hosting = await this.dhcpAgentsFor(id);
      if (hosting.length >= this.agentsPerNetwork || hosting.some((h) => h.id === agentId)) continue;
      // scheduled meanwhile by a subnet or port creation: no error
      await this.bindNetwork(agentId, id).catch((err: unknown) => { if (!(err instanceof HTTPConflict)) throw err; });
    }
  }

  async bindNetwork(agentId: string, networkId: string): Promise<void> {
    const agent = await this.getRow(agentId);
    if (agent.agent_type !== AGENT_TYPE_DHCP) throw new NeutronBadRequest('agent', `Agent ${agentId} is not a valid DHCP Agent or has been disabled`);
    const net = await this.db.selectFrom('networks').select('id').where('id', '=', networkId).executeTakeFirst();
    if (!net) throw new NetworkNotFound(networkId);
    const dup = await this.db.selectFrom('networkdhcpagentbindings').select('network_id').where('network_id', '=', networkId).where('dhcp_agent_id', '=', agentId).executeTakeFirst();
    if (dup) throw new HTTPConflict(`The network ${networkId} has been already hosted by the DHCP Agent ${agentId}.`);
    await this.db.insertInto('networkdhcpagentbindings').values({ network_id: networkId, dhcp_agent_id: agentId }).execute();
  }

  async unbindNetwork(agentId: string, networkId: string): Promise<void> {
    await this.getRow(agentId);
    const res = await this.db.deleteFrom('networkdhcpagentbindings').where('network_id', '=', networkId).where('dhcp_agent_id', '=', agentId).executeTakeFirst();
    if (!res.numDeletedRows) throw new NetworkNotFound(networkId);
  }

  async networksOfAgent(agentId: string): Promise<string[]> {
    await this.getRow(agentId);
    return (await this.db.selectFrom('networkdhcpagentbindings').select('network_id').where('dhcp_agent_id', '=', agentId).execute()).map((r) => r.network_id);
  }

  /** Routers go to the alive L3 agent hosting the fewest routers. */
  async scheduleRouter(routerId: string): Promise<AgentRow | undefined> {
    const existing = await this.l3AgentsFor(routerId);
    if (existing.length) return undefined;
    const candidates = await this.liveAgents(AGENT_TYPE_L3);
    if (!candidates.length) return undefined;
    const loads = await this.db.selectFrom('routerl3agentbindings').select('l3_agent_id').execute();
    const load = (id: string) => loads.filter((l) => l.l3_agent_id === id).length;
    const chosen = candidates.sort((a, b) => load(a.id) - load(b.id))[0]!;
    await this.db.insertInto('routerl3agentbindings').values({ router_id: routerId, l3_agent_id: chosen.id }).execute();
    return chosen;
  }

  /**
   * router_auto_schedule (L3AgentSchedulerDbMixin.auto_schedule_routers): an alive, enabled L3
   * agent that syncs takes the routers no agent hosts yet (those made before any L3 agent was
   * alive), or only `routerIds` of them when given.
   */
  async autoScheduleRouters(agentId: string, routerIds?: readonly string[]): Promise<void> {
    const agent = await this.getRow(agentId);
    if (agent.agent_type !== AGENT_TYPE_L3 || !Number(agent.admin_state_up) || !this.isAlive(agent)) return;
    let q = this.db.selectFrom('routers').leftJoin('routerl3agentbindings', 'routerl3agentbindings.router_id', 'routers.id')
      .select('routers.id').where('routerl3agentbindings.router_id', 'is', null);
    if (routerIds) {
      if (!routerIds.length) return;
      q = q.where('routers.id', 'in', [...routerIds]);
    }
    for (const r of await q.execute()) {
      // scheduled meanwhile by a router change: no error
      await this.db.insertInto('routerl3agentbindings').values({ router_id: r.id, l3_agent_id: agentId }).execute().catch(() => undefined);
    }
  }

  async l3AgentsFor(routerId: string): Promise<AgentRow[]> {
    return this.db.selectFrom('routerl3agentbindings').innerJoin('agents', 'agents.id', 'routerl3agentbindings.l3_agent_id')
      .selectAll('agents').where('routerl3agentbindings.router_id', '=', routerId).execute();
  }

  async bindRouter(agentId: string, routerId: string): Promise<void> {
    const agent = await this.getRow(agentId);
    if (agent.agent_type !== AGENT_TYPE_L3) throw new NeutronBadRequest('agent', `Agent ${agentId} is not a L3 Agent or has been disabled`);
    const router = await this.db.selectFrom('routers').select('id').where('id', '=', routerId).executeTakeFirst();
    if (!router) throw new RouterNotFound(routerId);
    const hosted = await this.l3AgentsFor(routerId);
    if (hosted.some((h) => h.id === agentId)) throw new HTTPConflict(`The router ${routerId} has been already hosted by the L3 Agent ${agentId}.`);
    if (hosted.length) throw new HTTPConflict(`Failed scheduling router ${routerId} to the L3 Agent ${agentId}.`);
    await this.db.insertInto('routerl3agentbindings').values({ router_id: routerId, l3_agent_id: agentId }).execute();
  }

  async unbindRouter(agentId: string, routerId: string): Promise<void> {
    await this.getRow(agentId);
    const res = await this.db.deleteFrom('routerl3agentbindings').where('router_id', '=', routerId).where('l3_agent_id', '=', agentId).executeTakeFirst();
    if (!res.numDeletedRows) throw new RouterNotFound(routerId);
  }

  async routersOfAgent(agentId: string): Promise<string[]> {
    await this.getRow(agentId);
    return (await this.db.selectFrom('routerl3agentbindings').select('router_id').where('l3_agent_id', '=', agentId).execute()).map((r) => r.router_id);
  }
}
