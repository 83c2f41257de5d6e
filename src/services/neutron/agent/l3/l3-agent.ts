/**
 * The L3 agent (neutron/agent/l3/agent.py L3NATAgent, legacy mode): it runs the routers the
 * server schedules to it, one `qrouter-<id>` namespace each (router-info.ts), with a namespace
 * metadata proxy per router (../metadata/ns-proxy.ts). At start, and whenever an RPC or a
 * router's processing failed (on the resync interval), it syncs fully: sync_routers gives
 * every router it must run (the server schedules unhosted routers to it then); each is
 * processed, and the routers it ran before but no longer must (also those an earlier run of
 * the agent left, found in its state directory) are torn down, so a restarted agent converges
 * without disturbing what works: devices, addresses and NAT that are right stay as they are.
 * Between syncs it follows the casts: routers_updated re-reads those routers (a router the
 * server no longer gives is removed), router_deleted / router_removed_from_agent remove one.
 * A router with internal ports on IPv6 subnets that have an ipv6_ra_mode runs a radvd in its
 * namespace (radvd.ts), respawned by the process monitor as the metadata proxy is.
 * After each router, the status of its floating IPs goes back over RPC: ACTIVE when configured,
 * ERROR when the router failed, DOWN when no longer there (only changes are sent). Work is done
 * one item at a time in arrival order.
 */
import { FIP_ACTIVE, FIP_DOWN, FIP_ERROR, floatingIpStatusChanges } from './fip-status.js';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../../common/log/logger.js';
import type { MessageContext, Transport } from '../../../../common/messaging/index.js';
import type { PeriodicTasks } from '../../../../common/service/periodic.js';
import type { RouterInfo } from '../../rpc/payloads.js';
import { AGENT_TYPE_L3, TOPIC_L3_AGENT } from '../../rpc/topics.js';
import { AgentRuntime, type L3AgentHandlers } from '../agent-base.js';
import { routerNamespace } from '../linux/names.js';
import { deleteNamespace } from '../linux/netns.js';
import { ProcessMonitor } from '../linux/process-monitor.js';
import { NsMetadataProxyDriver, ROUTER_ID_HEADER } from '../metadata/ns-proxy.js';
import { L3PluginApi } from '../plugin-api.js';
import { ResyncQueue } from '../resync-queue.js';
import { METADATA_PROXY_PORT } from './nat-rules.js';
import { RadvdDriver, type RadvdSettings } from './radvd.js';
import { RouterDevices, type RouterState } from './router-info.js';

export const L3_AGENT_BINARY = 'neutron-l3-agent';


export interface L3AgentOptions {
  transport: Transport;
  host: string;
  log: Logger;
  periodic: PeriodicTasks;
  reportInterval: number;
  availabilityZone: string;
  /** Where the tap ends of router ports go (the L2 agent's host namespace); undefined: the process's. */
  hostNamespace: string | undefined;
  /** The agent's own directory: a subdirectory per router it runs (pid files of its metadata proxy). */
  stateDir: string;
  resyncInterval: number;
  checkChildProcessesInterval: number;
  /** enable_metadata_proxy, and the metadata agent's unix socket. */
  metadata: { enabled: boolean; socketPath: string };
  /** radvd: the program, its user, the advertisement intervals. */
  radvd: RadvdSettings;
}

class L3Endpoint implements L3AgentHandlers {
  constructor(private readonly a: L3Agent) {}
  async routers_updated(ctx: MessageContext, args: { routers: string[] }): Promise<void> { this.a.routersUpdated(ctx, args.routers ?? []); }
  async router_deleted(ctx: MessageContext, args: { router_id: string }): Promise<void> { this.a.routerRemoved(ctx, args.router_id); }
  async router_added_to_agent(ctx: MessageContext, args: { payload: string[] }): Promise<void> { this.a.routersUpdated(ctx, args.payload ?? []); }
  async router_removed_from_agent(ctx: MessageContext, args: { payload: { router_id: string } }): Promise<void> { this.a.routerRemoved(ctx, args.payload.router_id); }
  async agent_updated(): Promise<void> { this.a.scheduleResync('agent updated'); }
}

export class L3Agent {
  readonly runtime: AgentRuntime;
  /** Routers run here: id -> what their last processing left. */
  readonly routers = new Map<string, RouterState>();
  /** The floating IP statuses last reported, per router. */
  private readonly reported = new Map<string, Map<string, string>>();
  private readonly plugin: L3PluginApi;
  private readonly devices: RouterDevices;
  private readonly proxies: NsMetadataProxyDriver | undefined;
  readonly radvd: RadvdDriver;
  private readonly work: ResyncQueue;

  constructor(private readonly o: L3AgentOptions) {
    mkdirSync(o.stateDir, { recursive: true });
    this.work = new ResyncQueue(o.log, 'L3 agent', (reasons) => this.fullSync(reasons));
    this.plugin = new L3PluginApi(o.transport, o.host);
    this.devices = new RouterDevices({ hostNamespace: o.hostNamespace, log: o.log, metadata: o.metadata.enabled });
    const monitor = new ProcessMonitor(o.log, o.periodic, o.checkChildProcessesInterval, `l3 process monitor@${o.host}`);
    if (o.metadata.enabled) this.proxies = new NsMetadataProxyDriver(o.stateDir, o.metadata.socketPath, monitor);
    this.radvd = new RadvdDriver(o.stateDir, o.radvd, monitor);
    this.runtime = new AgentRuntime(o.transport, {
      binary: L3_AGENT_BINARY, host: o.host, topic: TOPIC_L3_AGENT, agentType: AGENT_TYPE_L3, availabilityZone: o.availabilityZone,
      configurations: () => ({
        agent_mode: 'legacy', interface_driver: 'linuxbridge', handle_internal_only_routers: true, external_network_bridge: '', log_agent_heartbeats: false,
        routers: this.routers.size,
        floating_ips: [...this.routers.values()].reduce((n, r) => n + r.floatingIps.size, 0),
      }),
    }, { kind: 'l3', handlers: new L3Endpoint(this) }, o.reportInterval, o.periodic);
  }

  async start(): Promise<void> {
    await this.runtime.start((err) => this.o.log.warn({ err }, 'L3 agent: Failed reporting state! (neutron-server not reachable yet)'));
    this.work.start(this.o.periodic, `l3 periodic_sync_routers@${this.o.host}`, this.o.resyncInterval);
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
    await this.idle();
  }

  /** Resolves once every cast received so far is processed. */
  idle(): Promise<void> {
    return this.work.idle();
  }

  scheduleResync(reason: string): void {
    this.work.schedule(reason);
  }

  private enqueue(work: () => Promise<void>): void {
    this.work.enqueue(work);
  }

  routersUpdated(ctx: MessageContext, ids: string[]): void {
    if (!ids.length) return;
    this.enqueue(async () => {
      const routers = await this.plugin.syncRouters(ctx, ids);
      const given = new Set(routers.map((r) => r.id));
      for (const r of routers) await this.processRouter(ctx, r);
      for (const id of ids) if (!given.has(id) && this.routers.has(id)) await this.removeRouter(ctx, id);
    });
  }

  /** router_deleted comes to every L3 agent (fanout): only the one running the router (or that left it behind) acts. */
  routerRemoved(ctx: MessageContext, id: string): void {
    this.enqueue(async () => {
      if (this.routers.has(id) || this.leftovers().includes(id)) await this.removeRouter(ctx, id);
    });
  }

  /** The routers an earlier run left: subdirectories of the state directory named by router id. */
  private leftovers(): string[] {
    try {
      return readdirSync(this.o.stateDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }

  /** periodic_sync_routers_task with fullsync: run exactly the server's routers of this agent. */
  private async fullSync(reasons: string[]): Promise<void> {
    const routers = await this.plugin.syncRouters({});
    const wanted = new Set(routers.map((r) => r.id));
    for (const id of new Set([...this.routers.keys(), ...this.leftovers()])) if (!wanted.has(id)) await this.removeRouter({}, id);
    for (const r of routers) await this.processRouter({}, r);
    this.o.log.info({ routers: routers.length, reasons }, 'L3 agent: synchronized routers');
  }

  /** _process_router_update for one router: an admin-down router is not run. */
  private async processRouter(ctx: MessageContext, router: RouterInfo): Promise<void> {
    if (!router.admin_state_up) {
      await this.removeRouter(ctx, router.id);
      return;
    }
    mkdirSync(join(this.o.stateDir, router.id), { recursive: true });
    let state: RouterState;
    try {
      state = await this.devices.process(router, this.routers.get(router.id));
      if (this.proxies) {
        await this.proxies.spawn({ uuid: router.id, header: ROUTER_ID_HEADER, namespace: routerNamespace(router.id), listenHost: '0.0.0.0', listenPort: METADATA_PROXY_PORT });
      }
      // advertisements failing (radvd missing) leave the rest of the router working; the process monitor retries
      await this.radvd.enable(router.id, router._interfaces).catch((err: unknown) => this.o.log.error({ err, router: router.id }, 'L3 agent: radvd could not be started'));
    } catch (err) {
      await this.reportStatuses(ctx, router, FIP_ERROR);
      throw err;
    }
    this.routers.set(router.id, state);
    await this.reportStatuses(ctx, router, FIP_ACTIVE);
  }

  /** update_fip_statuses: the router's associated floating IPs get `status`, those gone since DOWN; only changes go. */
  private async reportStatuses(ctx: MessageContext, router: RouterInfo, status: string): Promise<void> {
    const { now, changes } = floatingIpStatusChanges(this.reported.get(router.id) ?? new Map(), router, status);
    this.reported.set(router.id, now);
    if (Object.keys(changes).length) await this.plugin.updateFloatingipStatuses(ctx, router.id, changes);
  }

  /** _safe_router_removed: the metadata proxy and radvd, the namespace (its veths and taps go with it), the state. */
  private async removeRouter(ctx: MessageContext, id: string): Promise<void> {
    if (this.proxies) await this.proxies.destroy({ uuid: id, namespace: routerNamespace(id) });
    await this.radvd.disable(id);
    await deleteNamespace(routerNamespace(id));
    rmSync(join(this.o.stateDir, id), { recursive: true, force: true });
    this.routers.delete(id);
    const before = this.reported.get(id);
    this.reported.delete(id);
    const down = Object.fromEntries([...(before?.keys() ?? [])].map((f) => [f, FIP_DOWN]));
    if (Object.keys(down).length) await this.plugin.updateFloatingipStatuses(ctx, id, down).catch((err: unknown) => this.o.log.warn({ err, router: id }, 'L3 agent: floating IP statuses not reported'));
  }
}
