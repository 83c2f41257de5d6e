/**
 * The Linux bridge agent of one host (linuxbridge_neutron_agent.py with ml2/drivers/agent/
 * _common_agent.py CommonAgentLoop). Every polling interval it scans the host's tap devices
 * (what the hypervisor, or the DHCP agent, plugged): a new or updated one (port_update casts mark
 * theirs) is asked for with get_devices_details_list_and_failed_devices, wired (the network's
 * bridge and segment device, the tap in the bridge at the network MTU) and reported with
 * update_device_list: up when the port is admin up, which makes the server set it ACTIVE and
 * send nova network-vif-plugged; a vanished tap is reported down and its network's bridge goes
 * once no tap is left in it. Any RPC failure makes the next iteration a full resync (every tap
 * treated as new), and so does a start: a restarted agent re-reports and re-wires what exists
 * without tearing down what works, and reports down the ports bound here that the server has
 * ACTIVE but whose taps went while it was down; a device that cannot be wired is retried alone
 * on the next iteration. With a firewall driver, devices get their security-group filters before they
 * are reported up and lose them when removed (sg-agent.ts). It reports its state (agent type "Linux bridge agent", the
 * configurations the linuxbridge mechanism driver binds by) on the report interval. VXLAN
 * devices without a multicast group take the server's l2population entries (with
 * `l2population`: flooding to the agents with ports on the network, each remote MAC behind its
 * agent, ARP answered locally with the ARP responder; the first report after a start asks for
 * them again), or else flood to the tunneling IPs of the other alive Linux bridge agents (read
 * with get_agents on the report interval). The QoS extension (qos-extension.ts)
 * applies each wired port's bandwidth limits with tc and its DSCP mark with iptables; port_update casts
 * (a QoS policy's rules changed) and network_update casts (a network's policy changed) make the ports
 * concerned be handled again.
 */
import type { Logger } from '../../../../common/log/logger.js';
import { type MessageContext, RpcClient, type Transport } from '../../../../common/messaging/index.js';
import type { PeriodicTasks } from '../../../../common/service/periodic.js';
import type { DeviceDetails, PortUpdateArgs } from '../../rpc/payloads.js';
import { AGENT_TYPE_LINUXBRIDGE, TOPIC_REPORTS, VERSIONS } from '../../rpc/topics.js';
import type { Agent } from '../../types/agent.js';
import type { FdbEntries } from '../../ml2/l2pop/fdb.js';
import type { Network } from '../../types/network.js';
import { AgentRuntime, type L2AgentHandlers } from '../agent-base.js';
import type { LinkInfo } from '../linux/ip-link.js';
import { bridgeName, tapName } from '../linux/names.js';
import type { FirewallDriver } from '../firewall/types.js';
import { L2PluginApi } from '../plugin-api.js';
import { QosAgentExtension } from './qos-extension.js';
import { SecurityGroupAgent } from './sg-agent.js';
import { LinuxBridgeManager, type VxlanSettings } from './lb-manager.js';

export const LB_AGENT_BINARY = 'neutron-linuxbridge-agent';
/** constants.L2_AGENT_TOPIC */
const L2_AGENT_TOPIC = 'N/A';

export interface LinuxBridgeAgentOptions {
  transport: Transport;
  host: string;
  log: Logger;
  periodic: PeriodicTasks;
  reportInterval: number;
  pollingInterval: number;
  availabilityZone: string;
  hostNamespace: string | undefined;
  interfaceMappings: ReadonlyMap<string, string>;
  vxlan: VxlanSettings | undefined;
  /** The security-group firewall of the host (undefined: ports are not filtered). */
  firewall?: FirewallDriver;
}

/** What the agent knows of a tap it wired. */
export interface WiredDevice {
  portId: string;
  networkId: string;
  up: boolean;
}

class LinuxBridgeEndpoint implements L2AgentHandlers {
  constructor(private readonly a: LinuxBridgeAgent) {}
  async port_update(_ctx: MessageContext, args: PortUpdateArgs): Promise<void> { this.a.portUpdated(args.port.id); }
  async port_delete(_ctx: MessageContext, args: { port_id: string }): Promise<void> { this.a.portUpdated(args.port_id); }
  async network_update(_ctx: MessageContext, args: { network: Network }): Promise<void> { this.a.networkUpdated(args.network.id); }
  async network_delete(_ctx: MessageContext, args: { network_id: string }): Promise<void> { this.a.networkDeleted(args.network_id); }
  async security_groups_rule_updated(): Promise<void> { void this.a.sg?.refreshAll(); }
  async security_groups_member_updated(): Promise<void> { void this.a.sg?.refreshAll(); }
  async add_fdb_entries(_ctx: MessageContext, args: { fdb_entries: FdbEntries }): Promise<void> { await this.a.fdb((m) => m.addFdbEntries(args.fdb_entries)); }
  async remove_fdb_entries(_ctx: MessageContext, args: { fdb_entries: FdbEntries }): Promise<void> { await this.a.fdb((m) => m.removeFdbEntries(args.fdb_entries)); }
}

export class LinuxBridgeAgent {
  readonly runtime: AgentRuntime;
  readonly manager: LinuxBridgeManager;
  readonly sg: SecurityGroupAgent | undefined;
  readonly qos: QosAgentExtension;
  /** tap name -> what it carries. */
  readonly devices = new Map<string, WiredDevice>();
  private readonly plugin: L2PluginApi;
  private readonly reports: RpcClient;
  private readonly agentId: string;
  private readonly updated = new Set<string>();
  /** Devices whose wiring failed, with the last error. */
  private readonly failing = new Map<string, string>();
  private readonly deletedNetworks = new Set<string>();
  private resync = true;
  /** Until done once: ports of a run before this one whose taps went meanwhile are reported down. */
  private sweepVanished = true;
  /** Unicast flooding: the other agents' tunneling IPs, as last read. */
  private remotes: string[] = [];
  /** Forwarding-entry changes run one at a time (flooding lists, l2population casts): a stale list never undoes a newer one. */
  private fdbWork: Promise<void> = Promise.resolve();
  /** Until the first device report succeeds: it tells the server the agent (re)started. */
  private restarted = true;
  private loops = 0;
  private loopWaiters: Array<() => void> = [];

  constructor(private readonly o: LinuxBridgeAgentOptions) {
    this.agentId = `lb${o.host}`;
    this.plugin = new L2PluginApi(o.transport, o.host);
    this.reports = new RpcClient(o.transport, { topic: TOPIC_REPORTS, version: VERSIONS.state }, { timeout: o.reportInterval });
    this.sg = o.firewall ? new SecurityGroupAgent(o.transport, o.firewall, o.log) : undefined;
    this.qos = new QosAgentExtension({
      hostNamespace: o.hostNamespace, pullPolicy: (id) => this.plugin.pullResource({}, 'QosPolicy', '1.10', id),
    });
    this.manager = new LinuxBridgeManager({ hostNamespace: o.hostNamespace, interfaceMappings: o.interfaceMappings, vxlan: o.vxlan });
    this.runtime = new AgentRuntime(o.transport, {
      binary: LB_AGENT_BINARY, host: o.host, topic: L2_AGENT_TOPIC, agentType: AGENT_TYPE_LINUXBRIDGE, availabilityZone: o.availabilityZone,
      configurations: () => ({
        interface_mappings: Object.fromEntries(o.interfaceMappings), bridge_mappings: {},
        tunnel_types: o.vxlan ? ['vxlan'] : [], ...(o.vxlan ? { tunneling_ip: o.vxlan.localIp, l2_population: o.vxlan.l2population === true, arp_responder_enabled: o.vxlan.arpResponder === true } : {}),
        devices: this.devices.size,
      }),
    }, { kind: 'l2', handlers: new LinuxBridgeEndpoint(this), l2population: o.vxlan?.l2population === true }, o.reportInterval, o.periodic);
  }

  async start(): Promise<void> {
    await this.runtime.start((err) => this.o.log.warn({ err }, 'Linux bridge agent: Failed reporting state! (neutron-server not reachable yet)'));
    this.o.periodic.add({ name: `linuxbridge rpc_loop@${this.o.host}`, interval: this.o.pollingInterval, runImmediately: true, run: () => this.loop() });
    if (this.unicastByAgents) {
      this.o.periodic.add({ name: `linuxbridge flooding@${this.o.host}`, interval: this.o.reportInterval, runImmediately: true, run: () => this.refreshFlooding() });
    }
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
  }

  /** Resolves after `n` more complete polling iterations (tests and benchmarks wait on the data plane with it). */
  iterations(n = 1): Promise<void> {
    const target = this.loops + n;
    return new Promise((resolve) => {
      const check = (): void => { if (this.loops >= target) resolve(); else this.loopWaiters.push(check); };
      check();
    });
  }

  portUpdated(portId: string): void {
    this.updated.add(tapName(portId));
  }

  /** A network's QoS policy may have changed: its devices are handled again (the QoS extension's network handling). */
  networkUpdated(networkId: string): void {
    for (const [tap, d] of this.devices) if (d.networkId === networkId) this.updated.add(tap);
  }

  networkDeleted(networkId: string): void {
    this.deletedNetworks.add(networkId);
  }

  /** One iteration of the daemon loop. */
  private async loop(): Promise<void> {
    try {
      await this.processNetworkDeletes();
      const taps = await this.manager.taps();
      const current = new Set(taps.keys());
      const known = new Set(this.devices.keys());
      const resync = this.resync;
      this.resync = false;
      const added = [...current].filter((t) => resync || !known.has(t) || this.updated.has(t));
      // marks of taps not (or no longer) here are dropped: a tap that appears later is new anyway
      this.updated.clear();
      const removed = [...known].filter((t) => !current.has(t));
      try {
        if (added.length) {
          await this.treatAddedOrUpdated(added, taps);
          if (this.unicastByAgents) await this.syncFlooding();
        }
        if (removed.length) await this.treatRemoved(removed);
        if (this.sweepVanished) {
          await this.reportVanished(current);
          this.sweepVanished = false;
        }
      } catch (err) {
        this.resync = true;
        this.o.log.error({ err }, 'Linux bridge agent: device processing failed; resyncing on the next iteration');
      }
    } finally {
      this.loops++;
      const waiters = this.loopWaiters;
      this.loopWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async processNetworkDeletes(): Promise<void> {
    for (const id of [...this.deletedNetworks]) {
      this.deletedNetworks.delete(id);
      await this.manager.deleteBridge(bridgeName(id));
      for (const [tap, d] of this.devices) if (d.networkId === id) this.devices.delete(tap);
    }
  }

  private async treatAddedOrUpdated(taps: string[], links: ReadonlyMap<string, LinkInfo>): Promise<void> {
    const ctx = {};
    const { devices, failed_devices: failed } = await this.plugin.getDevicesDetailsListAndFailedDevices(ctx, taps, this.agentId);
    /** The bridges ensured in this pass, by network. */
    const bridges = new Map<string, string>();
    if (failed.length) this.resync = true;
    const up: string[] = [];
    const down: string[] = [];
    for (const d of devices) {
      if (!d.port_id || !d.network_id) {
        this.o.log.debug({ device: d.device }, 'Linux bridge agent: device not defined on plugin');
        continue;
      }
      try {
        if (!(await this.wire(d, bridges, links.get(d.device)))) continue;
      } catch (err) {
        // this device is retried on the next iteration; the others go on (logged once per new error)
        this.updated.add(d.device);
        const message = (err as Error).message;
        if (this.failing.get(d.device) !== message) this.o.log.error({ err, device: d.device }, 'Linux bridge agent: wiring the device failed');
        this.failing.set(d.device, message);
        continue;
      }
      this.failing.delete(d.device);
      await this.applyQos(d);
      (d.admin_state_up ? up : down).push(d.device);
    }
    if (!up.length && !down.length) return;
    // filters before the ports are reported up (setup_port_filters)
    await this.sg?.prepareDevices([...up, ...down]);
    const res = await this.plugin.updateDeviceList(ctx, up, down, this.agentId, this.restarted);
    this.restarted = false;
    if (res.failed_devices_up.length || res.failed_devices_down.length) this.resync = true;
  }

  /** treat_devices_added_updated for one device: its network's bridge and the tap in it; false when it cannot be wired here. */
  private async wire(d: DeviceDetails, bridges: Map<string, string>, link: LinkInfo | undefined): Promise<boolean> {
    const segment = { network_type: d.network_type ?? null, segmentation_id: d.segmentation_id ?? null, physical_network: d.physical_network ?? null };
    if (!this.manager.supports(segment)) {
      this.o.log.warn({ device: d.device, segment }, 'Linux bridge agent: the network\'s segment cannot be carried by this host');
      return false;
    }
    let bridge = bridges.get(d.network_id!);
    if (!bridge) {
      bridge = await this.manager.ensureNetwork(d.network_id!, segment, d.mtu);
      bridges.set(d.network_id!, bridge);
    }
    try {
      await this.manager.plugTap(d.device, bridge, d.mtu, d.admin_state_up === true, link);
    } catch (err) {
      this.o.log.info({ device: d.device, err }, 'Linux bridge agent: device vanished while wired; it is treated as removed next');
      return false;
    }
    this.devices.set(d.device, { portId: d.port_id!, networkId: d.network_id!, up: d.admin_state_up === true });
    return true;
  }

  /** The QoS extension's handle_port: a failure is logged (once per error) and the device handled again next time; the port still goes up. */
  private async applyQos(d: DeviceDetails): Promise<void> {
    const key = `qos:${d.device}`;
    try {
      await this.qos.handlePort(d);
      this.failing.delete(key);
    } catch (err) {
      this.updated.add(d.device);
      const message = (err as Error).message;
      if (this.failing.get(key) !== message) this.o.log.error({ err, device: d.device }, 'Linux bridge agent: applying the port\'s QoS policy failed');
      this.failing.set(key, message);
    }
  }

  private async treatRemoved(taps: string[]): Promise<void> {
    const networks = new Set<string>();
    await this.sg?.removeDevices(taps);
    for (const tap of taps) {
      const d = this.devices.get(tap);
      await this.plugin.updateDeviceDown({}, d?.portId ?? tap, this.agentId);
      this.devices.delete(tap);
      this.failing.delete(tap);
      this.failing.delete(`qos:${tap}`);
      await this.qos.portRemoved(tap);
      if (d) networks.add(d.networkId);
    }
    const bridges = await this.manager.bridges();
    for (const id of networks) {
      const b = bridgeName(id);
      if (bridges.get(b)?.length === 0) await this.manager.deleteBridge(b);
    }
  }

  /** The ports the server has ACTIVE on this host (bound by this driver) without a tap here now are reported down. */
  private async reportVanished(current: ReadonlySet<string>): Promise<void> {
    const ports = await this.plugin.getPortsByVnicTypeAndHost({}, 'normal');
    for (const p of ports) {
      if (p.status === 'ACTIVE' && p['binding:vif_type'] === 'bridge' && !current.has(tapName(p.id))) await this.plugin.updateDeviceDown({}, p.id, this.agentId);
    }
  }

  /** The tunneling IPs of the other alive Linux bridge agents become each VXLAN device's flooding list. */
  private async refreshFlooding(): Promise<void> {
    const agents = await this.reports.call<Agent[]>({}, 'get_agents', { agent_type: AGENT_TYPE_LINUXBRIDGE });
    const remotes = agents
      .filter((a) => a.alive && a.host !== this.o.host)
      .map((a) => a.configurations?.tunneling_ip)
      .filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== this.o.vxlan?.localIp);
    this.remotes = remotes;
    await this.syncFlooding();
  }

  private syncFlooding(): Promise<void> {
    return this.fdb((m) => m.setFloodingTargets(this.remotes));
  }

  /** Runs a change of forwarding entries after those before it. */
  fdb(change: (m: LinuxBridgeManager) => Promise<void>): Promise<void> {
    const run = this.fdbWork.then(() => change(this.manager));
    this.fdbWork = run.catch(() => undefined);
    return run;
  }

  /**
   * Unicast flooding without l2population (no multicast group): to every other alive agent's
   * tunneling IP, read with get_agents. With l2population the server's entries say it.
   */
  private get unicastByAgents(): boolean {
    return this.o.vxlan !== undefined && !this.o.vxlan.group && this.o.vxlan.l2population !== true;
  }
}
