/**
 * The metering service's RPC (neutron/api/rpc/agentnotifiers/metering_rpc_agent_api.py and
 * neutron/db/metering/metering_rpc.py): casts to the metering agents on the hosts of the L3
 * agents that run the routers concerned (l3_agent_scheduler: a router no L3 agent runs is
 * metered nowhere), router_deleted to all of them (fanout), and the q-metering-plugin
 * endpoint where an agent gets its routers with their labels (get_sync_data_metering).
 */
import type { Logger } from '../../../common/log/logger.js';
import { type MessageContext, RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { NeutronContext } from '../common/context.js';
import type { EventRegistry } from '../common/events.js';
import type { AgentManager } from '../managers/agents.js';
import type { MeteringCastMethod, MeteringManager } from '../managers/metering.js';
import type { MeteringRouter } from '../types/metering.js';
import { optionalStringArg } from './args.js';
import type { RpcArgs } from './payloads.js';
import { AGENT_TYPE_L3, TOPIC_METERING_AGENT, VERSIONS } from './topics.js';

export class MeteringAgentNotifier {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly agents: AgentManager, private readonly log: Logger) {
    this.client = new RpcClient(transport, { topic: TOPIC_METERING_AGENT, version: VERSIONS.meteringAgent });
  }

  /** The plugin's casts go through `metering.casts`; a router's deletion to every metering agent. */
  attach(metering: MeteringManager, events: EventRegistry): void {
    metering.casts = (ctx, method, routers) => this.notify(ctx, method, routers).catch((err: unknown) => this.log.warn({ err, method }, 'metering agents not notified'));
    events.subscribe('router', 'after_delete', ({ ctx, current }) => this.client.prepare({ fanout: true }).cast(ctx.toMessage(), 'router_deleted', { router_id: current.id }));
  }

  /** _agent_notification: per host, the routers its admin-up L3 agents run. */
  async notify(ctx: NeutronContext, method: MeteringCastMethod, routers: MeteringRouter[]): Promise<void> {
    const byHost = new Map<string, MeteringRouter[]>();
    for (const r of routers) {
      for (const a of await this.agents.l3AgentsFor(r.id)) {
        if (!Number(a.admin_state_up)) continue;
        byHost.set(a.host, [...(byHost.get(a.host) ?? []), r]);
      }
    }
    for (const [host, list] of byHost) {
      this.log.debug({ host, method }, 'notify metering agent');
      await this.client.prepare({ server: host }).cast(ctx.toMessage(), method, { routers: list });
    }
  }
}

/** MeteringRpcCallbacks on q-metering-plugin. */
export class MeteringRpcCallbacks {
  readonly target = { version: VERSIONS.meteringPlugin };

  constructor(private readonly d: { metering: MeteringManager; agents: AgentManager }) {}

  /** Every router with labels or, given the host, those its L3 agents run. */
  async get_sync_data_metering(_ctx: MessageContext, args: RpcArgs): Promise<MeteringRouter[]> {
    const data = await this.d.metering.sync.labels();
    const host = optionalStringArg(args, 'host');
    if (!host) return data;
    const agents = await this.d.agents.byTypeAndHost(AGENT_TYPE_L3, host);
    const ids = new Set<string>();
    for (const a of agents) for (const id of await this.d.agents.routersOfAgent(a.id)) ids.add(id);
    return data.filter((r) => ids.has(r.id));
  }
}
