/**
 * The DHCP agent (neutron/agent/dhcp/agent.py DhcpAgent): it serves the networks the server
 * schedules to it, one dnsmasq per network in `qdhcp-<network id>`. At start, and whenever an
 * RPC failed (on the resync interval), it syncs fully: get_active_networks_info gives the
 * networks it must serve, each is configured (DHCP port, device, files, dnsmasq) and what it
 * served before but no longer must is torn down, so a restarted agent converges to the
 * server's state and adopts the dnsmasq processes it left running. Between syncs it follows the
 * casts of rpc/agent-notifiers.ts: a change of a network, subnet or port on a network it serves
 * re-reads that network (get_network_info) and reconfigures it (a reload when only the ports
 * changed); changes arriving while a re-read is queued share it. Work is done one item at a
 * time in arrival order.
 */
import { readdirSync } from 'node:fs';
import type { Logger } from '../../../../common/log/logger.js';
import type { MessageContext, Transport } from '../../../../common/messaging/index.js';
import type { PeriodicTasks } from '../../../../common/service/periodic.js';
import type { NetworkCreatedPayload, NetworkDeletedPayload, NetworkInfo, NetworkUpdatedPayload, PortDeletedPayload, PortPayload, SubnetDeletedPayload, SubnetPayload } from '../../rpc/payloads.js';
import { AGENT_TYPE_DHCP, TOPIC_DHCP_AGENT } from '../../rpc/topics.js';
import type { Port } from '../../types/port.js';
import { AgentRuntime, type DhcpAgentHandlers } from '../agent-base.js';
import { ProcessMonitor } from '../linux/process-monitor.js';
import { DhcpPluginApi } from '../plugin-api.js';
import { ResyncQueue } from '../resync-queue.js';
import { DhcpDeviceManager } from './device-manager.js';
import { DnsmasqDriver } from './dnsmasq.js';
import { type DnsmasqSettings, servedSubnets } from './dnsmasq-config.js';

export const DHCP_AGENT_BINARY = 'neutron-dhcp-agent';

export interface DhcpAgentOptions {
  transport: Transport;
  host: string;
  log: Logger;
  periodic: PeriodicTasks;
  reportInterval: number;
  availabilityZone: string;
  /** Where the `tap` ends of DHCP ports go (the L2 agent's host namespace); undefined: the process's. */
  hostNamespace: string | undefined;
  confDir: string;
  settings: DnsmasqSettings;
  resyncInterval: number;
  checkChildProcessesInterval: number;
  /** What else serves a network from its namespace (the isolated-network metadata proxy, ../metadata/dhcp-metadata.ts). */
  extension?: DhcpNetworkExtension;
}

/** A hook into the DHCP agent: told after a network is configured and before it stops being served. */
export interface DhcpNetworkExtension {
  configured(info: NetworkInfo, port: Port, device: string, monitor: ProcessMonitor): Promise<void>;
  disabled(networkId: string): Promise<void>;
}

/** A network this agent serves: what the server said of it and its DHCP port. */
interface Served {
  info: NetworkInfo;
  port: Port;
}

class DhcpEndpoint implements DhcpAgentHandlers {
  constructor(private readonly a: DhcpAgent) {}
  async network_create_end(ctx: MessageContext, args: { payload: NetworkCreatedPayload }): Promise<void> { this.a.refresh(ctx, args.payload.network.id, true); }
  async network_update_end(ctx: MessageContext, args: { payload: NetworkUpdatedPayload }): Promise<void> { this.a.refresh(ctx, args.payload.network.id, false); }
  async network_delete_end(ctx: MessageContext, args: { payload: NetworkDeletedPayload }): Promise<void> { this.a.remove(ctx, args.payload.network_id); }
  async subnet_create_end(ctx: MessageContext, args: { payload: SubnetPayload }): Promise<void> { this.a.refresh(ctx, args.payload.subnet.network_id, true); }
  async subnet_update_end(ctx: MessageContext, args: { payload: SubnetPayload }): Promise<void> { this.a.refresh(ctx, args.payload.subnet.network_id, false); }
  async subnet_delete_end(ctx: MessageContext, args: { payload: SubnetDeletedPayload }): Promise<void> { this.a.refresh(ctx, args.payload.network_id, false); }
  async port_create_end(ctx: MessageContext, args: { payload: PortPayload }): Promise<void> { this.a.refresh(ctx, args.payload.port.network_id, false); }
  async port_update_end(ctx: MessageContext, args: { payload: PortPayload }): Promise<void> { this.a.refresh(ctx, args.payload.port.network_id, false); }
  async port_delete_end(ctx: MessageContext, args: { payload: PortDeletedPayload }): Promise<void> { this.a.refresh(ctx, args.payload.network_id, false); }
  async agent_updated(ctx: MessageContext): Promise<void> { this.a.scheduleResync('agent updated'); void ctx; }
}

export class DhcpAgent {
  readonly runtime: AgentRuntime;
  readonly driver: DnsmasqDriver;
  readonly served = new Map<string, Served>();
  private readonly plugin: DhcpPluginApi;
  private readonly devices: DhcpDeviceManager;
  private readonly monitor: ProcessMonitor;
  private readonly work: ResyncQueue;
  /** Networks with a re-read queued (and whether it may adopt the network). */
  private readonly pending = new Map<string, { adopt: boolean }>();

  constructor(private readonly o: DhcpAgentOptions) {
    this.work = new ResyncQueue(o.log, 'DHCP agent', (reasons) => this.syncState(reasons));
    this.plugin = new DhcpPluginApi(o.transport, o.host);
    this.devices = new DhcpDeviceManager(this.plugin, o.host, o.hostNamespace);
    const monitor = new ProcessMonitor(o.log, o.periodic, o.checkChildProcessesInterval, `dhcp process monitor@${o.host}`);
    this.monitor = monitor;
    this.driver = new DnsmasqDriver(o.confDir, o.settings, monitor);
    this.runtime = new AgentRuntime(o.transport, {
      binary: DHCP_AGENT_BINARY, host: o.host, topic: TOPIC_DHCP_AGENT, agentType: AGENT_TYPE_DHCP, availabilityZone: o.availabilityZone,
      configurations: () => ({
        dhcp_driver: 'neutron.agent.linux.dhcp.Dnsmasq', dhcp_lease_duration: o.settings.leaseDuration, log_agent_heartbeats: false,
        networks: this.served.size,
        subnets: [...this.served.values()].reduce((n, s) => n + servedSubnets(s.info).length, 0),
        ports: [...this.served.values()].reduce((n, s) => n + s.info.ports.length, 0),
      }),
    }, { kind: 'dhcp', handlers: new DhcpEndpoint(this) }, o.reportInterval, o.periodic);
  }

  async start(): Promise<void> {
    await this.runtime.start((err) => this.o.log.warn({ err }, 'DHCP agent: Failed reporting state! (neutron-server not reachable yet)'));
    this.work.start(this.o.periodic, `dhcp periodic_resync@${this.o.host}`, this.o.resyncInterval);
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

  /** sync_state: serve exactly the server's active networks of this agent; stale namespaces of networks no longer served go. */
  private async syncState(reasons: string[]): Promise<void> {
    const nets = await this.plugin.getActiveNetworksInfo({});
    const wanted = new Set(nets.map((n) => n.id));
    for (const id of [...this.served.keys()]) if (!wanted.has(id)) await this.disable({}, id, false);
    for (const id of this.leftovers()) if (!wanted.has(id)) await this.disable({}, id, true);
    for (const net of nets) await this.configure({}, net);
    this.o.log.info({ networks: nets.length, reasons }, 'DHCP agent: synchronized state');
  }

  /** Networks with files in the conf dir: what an earlier run of this agent left (its namespaces too). */
  private leftovers(): string[] {
    try {
      return readdirSync(this.o.confDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }

  /** A network changed: re-read it and reconfigure it, when served here (or `adopt`: when the server just scheduled it). */
  refresh(ctx: MessageContext, networkId: string, adopt: boolean): void {
    const pending = this.pending.get(networkId);
    if (pending) {
      // one re-read serves every change that arrived before it started
      pending.adopt ||= adopt;
      return;
    }
    const entry = { adopt };
    this.pending.set(networkId, entry);
    this.work.enqueue(async () => {
      this.pending.delete(networkId);
      if (!entry.adopt && !this.served.has(networkId)) return;
      const info = await this.plugin.getNetworkInfo(ctx, networkId);
      if (!info) await this.disable(ctx, networkId, true);
      else await this.configure(ctx, info);
    });
  }

  remove(ctx: MessageContext, networkId: string): void {
    this.work.enqueue(() => this.disable(ctx, networkId, true));
  }

  /** configure_dhcp_for_network: the DHCP port and its device, then dnsmasq (started, restarted or reloaded). */
  private async configure(ctx: MessageContext, info: NetworkInfo): Promise<void> {
    if (!info.admin_state_up || servedSubnets(info).length === 0) {
      if (this.served.has(info.id) || this.driver.active(info.id)) await this.disable(ctx, info.id, false);
      return;
    }
    const port = await this.devices.setupPort(ctx, info);
    const withPort: NetworkInfo = { ...info, ports: [...info.ports.filter((p) => p.id !== port.id), port] };
    const device = await this.devices.plug(withPort, port);
    await this.driver.enable(withPort, port);
    await this.o.extension?.configured(withPort, port, device, this.monitor);
    this.served.set(info.id, { info: withPort, port });
  }

  /** Stops serving the network: dnsmasq, files, namespace, and (unless the network is gone) the DHCP port. */
  private async disable(ctx: MessageContext, networkId: string, networkGone: boolean): Promise<void> {
    await this.o.extension?.disabled(networkId);
    await this.driver.disable(networkId);
    await this.devices.destroy(ctx, networkId, networkGone);
    this.served.delete(networkId);
  }
}
