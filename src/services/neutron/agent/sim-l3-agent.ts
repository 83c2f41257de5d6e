/**
 * Nubo's simulated L3 agent (run by the `network-sim-agent` role beside the simulated L2 agent,
 * where the Linux data plane is off): an L3 agent over Neutron's agent RPC with no namespaces.
 * It reports its state as an "L3 agent" (configurations say `simulated`), so routers are
 * scheduled on it and the agent-scheduler API works; for the routers it is given it calls
 * sync_routers as the real agent does, which binds their gateway and interface ports to this
 * host (the simulated L2 agent then reports them up: ACTIVE), and reports their associated
 * floating IPs ACTIVE (update_floatingip_statuses), those gone DOWN. No packet is routed or
 * NATed: that is the real agent's (agent/l3/).
 */
import type { MessageContext } from '../../../common/messaging/index.js';
import { AGENT_TYPE_L3, TOPIC_L3_AGENT } from '../rpc/topics.js';
import { AgentRuntime, type L3AgentHandlers } from './agent-base.js';
import { FIP_ACTIVE, floatingIpStatusChanges } from './l3/fip-status.js';
import { L3PluginApi } from './plugin-api.js';
import type { SimAgentOptions } from './sim-agent-options.js';

export const SIM_L3_AGENT_BINARY = 'neutron-nubo-sim-l3-agent';

class SimL3Endpoint implements L3AgentHandlers {
  constructor(private readonly a: SimL3Agent) {}
  async routers_updated(ctx: MessageContext, args: { routers: string[] }): Promise<void> { this.a.sync(ctx, args.routers ?? []); }
  async router_deleted(_ctx: MessageContext, args: { router_id: string }): Promise<void> { this.a.forget(args.router_id); }
  async router_added_to_agent(ctx: MessageContext, args: { payload: string[] }): Promise<void> { this.a.sync(ctx, args.payload ?? []); }
  async router_removed_from_agent(_ctx: MessageContext, args: { payload: { router_id: string } }): Promise<void> { this.a.forget(args.payload.router_id); }
  async agent_updated(ctx: MessageContext): Promise<void> { this.a.sync(ctx); }
}

export class SimL3Agent {
  readonly runtime: AgentRuntime;
  private readonly plugin: L3PluginApi;
  /** Floating IP statuses last reported, per router. */
  private readonly reported = new Map<string, Map<string, string>>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: SimAgentOptions) {
    this.plugin = new L3PluginApi(o.transport, o.host);
    this.runtime = new AgentRuntime(o.transport, {
      binary: SIM_L3_AGENT_BINARY, host: o.host, topic: TOPIC_L3_AGENT, agentType: AGENT_TYPE_L3, availabilityZone: o.availabilityZone,
      configurations: () => ({ agent_mode: 'legacy', routers: this.reported.size, simulated: true }),
    }, { kind: 'l3', handlers: new SimL3Endpoint(this) }, o.reportInterval, o.periodic);
  }

  /** Reports state, then syncs every router the server gives it (and again on each report interval, as periodic_sync_routers). */
  async start(): Promise<void> {
    await this.runtime.start((err) => this.o.log.warn({ err }, 'simulated L3 agent: Failed reporting state! (neutron-server not reachable yet)'));
    this.sync({});
    this.o.periodic.add({ name: `sim-l3-agent sync@${this.o.host}`, interval: this.o.reportInterval, run: () => { this.sync({}); return this.idle(); } });
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
    await this.idle();
  }

  idle(): Promise<void> {
    return this.queue;
  }

  /** sync_routers for these routers (all of this agent's when undefined), one sync at a time. */
  sync(ctx: MessageContext, routerIds?: string[]): void {
    this.queue = this.queue.then(async () => {
      try {
        const routers = await this.plugin.syncRouters(ctx, routerIds);
        for (const r of routers) {
          const { now, changes } = floatingIpStatusChanges(this.reported.get(r.id) ?? new Map(), r, FIP_ACTIVE);
          this.reported.set(r.id, now);
          if (Object.keys(changes).length) await this.plugin.updateFloatingipStatuses(ctx, r.id, changes);
        }
      } catch (err) {
        this.o.log.warn({ err }, 'simulated L3 agent: sync_routers failed; tried again on the next interval');
      }
    });
  }

  forget(routerId: string): void {
    this.reported.delete(routerId);
  }
}
