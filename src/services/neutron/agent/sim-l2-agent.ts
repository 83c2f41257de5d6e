/**
 * Nubo's simulated L2 agent (role `network-sim-agent`, one per host of `[DEFAULT] hosts`): an
 * L2 agent over Neutron's agent RPC with no data plane. It reports its state (agent type
 * "Nubo simulated L2 agent", so the `nubo_sim` mechanism driver binds ports on its host with
 * vif_type "tap") and follows the ML2 fanout casts as the Open vSwitch agent's rpc_loop does:
 *  - a port bound to this host with vif_type "tap" is a device the hypervisor plugged: the
 *    agent asks get_devices_details_list_and_failed_devices for it and reports it with
 *    update_device_list (up when admin_state_up, down otherwise); the server moves the port
 *    to ACTIVE and Neutron's nova notifier sends network-vif-plugged;
 *  - a port of this host that is unbound or moved away is reported down (update_device_down);
 *  - a deleted port is forgotten;
 *  - a trunk's parent reported up has its subports bound to this host and the trunk made
 *    ACTIVE (a simulated trunk driver, wireTrunk);
 *  - at start, the ports bound to this host (get_ports_by_vnic_type_and_host) are resynced.
 * Devices are processed one at a time in arrival order; a device whose details failed is
 * retried on the next report interval.
 */
import type { MessageContext } from '../../../common/messaging/index.js';
import { VIF_TYPE_TAP } from '../ml2/driver-api.js';
import type { PortUpdateArgs } from '../rpc/payloads.js';
import { AGENT_TYPE_NUBO_SIM } from '../rpc/topics.js';
import type { Network } from '../types/network.js';
import type { Port } from '../types/port.js';
import type { TrunkDetails } from '../types/trunk.js';
import { AgentRuntime, type L2AgentHandlers } from './agent-base.js';
import { L2PluginApi, TrunkPluginApi } from './plugin-api.js';
import type { SimAgentOptions } from './sim-agent-options.js';

export const SIM_AGENT_BINARY = 'neutron-nubo-sim-agent';
/** The topic L2 agents report (neutron_lib.agent.topics.AGENT). */
const TOPIC_AGENT = 'q-agent-notifier';

export interface SimL2AgentOptions extends SimAgentOptions {
  physicalNetworks: string[];
  tunnelTypes: string[];
}

/** What the agent knows of a device it reported. */
interface Device {
  networkId: string;
  up: boolean;
}

/** The agent's RPC endpoint: only the L2 casts (AgentRuntime serves every method of its handlers). */
class SimL2Endpoint implements L2AgentHandlers {
  constructor(private readonly agent: SimL2Agent) {}

  async port_update(ctx: MessageContext, args: PortUpdateArgs): Promise<void> {
    this.agent.portUpdated(ctx, args.port);
  }

  async port_delete(_ctx: MessageContext, args: { port_id: string; network_id?: string }): Promise<void> {
    this.agent.portDeleted(args.port_id);
  }

  async network_update(_ctx: MessageContext, _args: { network: Network }): Promise<void> {}

  async network_delete(_ctx: MessageContext, args: { network_id: string }): Promise<void> {
    this.agent.networkDeleted(args.network_id);
  }

  async security_groups_rule_updated(): Promise<void> {}

  async security_groups_member_updated(): Promise<void> {}
}

export class SimL2Agent {
  readonly devices = new Map<string, Device>();
  readonly runtime: AgentRuntime;
  private readonly plugin: L2PluginApi;
  private readonly trunks: TrunkPluginApi;
  private readonly agentId: string;
  /** Ports whose details failed: retried with the next heartbeat. */
  private readonly retry = new Map<string, Port>();
  private queue: Promise<void> = Promise.resolve();
  private resyncPending = false;
  private resyncing: Promise<void> = Promise.resolve();

  constructor(private readonly o: SimL2AgentOptions) {
    this.agentId = `nubo-sim-${o.host}`;
    this.plugin = new L2PluginApi(o.transport, o.host);
    this.trunks = new TrunkPluginApi(o.transport);
    this.runtime = new AgentRuntime(o.transport, {
      binary: SIM_AGENT_BINARY, host: o.host, topic: TOPIC_AGENT, agentType: AGENT_TYPE_NUBO_SIM, availabilityZone: o.availabilityZone,
      configurations: () => ({ physical_networks: o.physicalNetworks, tunnel_types: o.tunnelTypes, devices: this.devices.size, simulated: true }),
    }, { kind: 'l2', handlers: new SimL2Endpoint(this) }, o.reportInterval, o.periodic);
  }

  /**
   * Reports state, consumes the fanouts, then resyncs: the ports bound to this host (its
   * devices, which a restart forgot) are processed as if updated.
   */
  async start(): Promise<void> {
    await this.runtime.start((err) => this.o.log.warn({ err }, 'simulated L2 agent: Failed reporting state! (neutron-server not reachable yet)'));
    this.resyncing = this.resync();
    this.o.periodic.add({ name: `sim-l2-agent retry@${this.o.host}`, interval: this.o.reportInterval, run: () => this.retryFailed() });
  }

  /** The resync of start() (in the background); when the server cannot answer it is tried again with the retries. */
  private async resync(): Promise<void> {
    try {
      for (const port of await this.plugin.getPortsByVnicTypeAndHost({}, 'normal', this.o.reportInterval)) this.portUpdated({}, port);
      this.resyncPending = false;
    } catch (err) {
      this.resyncPending = true;
      this.o.log.warn({ err }, 'simulated L2 agent: resync failed, tried again later');
    }
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
    await this.idle();
  }

  /** Resolves once the resync and every cast received so far are processed. */
  async idle(): Promise<void> {
    await this.resyncing;
    await this.queue;
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => this.o.log.error({ err }, 'simulated L2 agent: processing a device failed'));
  }

  /** Is the port a device on this host: bound here by the nubo_sim driver. */
  private pluggedHere(port: Port): boolean {
    return port['binding:host_id'] === this.o.host && port['binding:vif_type'] === VIF_TYPE_TAP;
  }

  /** A port_update fanout: the port is processed after those before it (and again later if the server did not answer). */
  portUpdated(ctx: MessageContext, port: Port): void {
    this.enqueue(() => this.treatPort(ctx, port).catch((err: unknown) => {
      this.retry.set(port.id, port);
      throw err;
    }));
  }

  private async treatPort(ctx: MessageContext, port: Port): Promise<void> {
    const known = this.devices.get(port.id);
    if (!this.pluggedHere(port)) {
      this.retry.delete(port.id);
      if (!known) return;
      this.devices.delete(port.id);
      await this.plugin.updateDeviceDown(ctx, port.id, this.agentId);
      this.o.log.debug({ port: port.id }, 'simulated L2 agent: device unplugged, reported down');
      return;
    }
    const wantUp = port.admin_state_up;
    if (known && known.up === wantUp && port.status === (wantUp ? 'ACTIVE' : 'DOWN')) return;
    const { devices, failed_devices: failed } = await this.plugin.getDevicesDetailsListAndFailedDevices(ctx, [port.id], this.agentId);
    const details = devices.find((d) => d.device === port.id);
    if (failed.includes(port.id) || !details?.port_id) {
      if (failed.includes(port.id)) this.retry.set(port.id, port);
      return;
    }
    this.retry.delete(port.id);
    const up = details.admin_state_up === true;
    const result = await this.plugin.updateDeviceList(ctx, up ? [port.id] : [], up ? [] : [port.id], this.agentId);
    if (result.failed_devices_up.includes(port.id) || result.failed_devices_down.includes(port.id)) {
      this.retry.set(port.id, port);
      return;
    }
    this.devices.set(port.id, { networkId: port.network_id, up });
    this.o.log.debug({ port: port.id, up }, 'simulated L2 agent: device reported');
    if (up && port.trunk_details) await this.wireTrunk(ctx, port.trunk_details);
  }

  /**
   * The simulated trunk driver (as the Linux bridge agent's trunk driver once it has plugged a
   * trunk's parent): the subports are bound to this host (update_subport_bindings), which makes
   * them devices here that the next port_update fanouts report up, and the trunk is ACTIVE.
   * No VLAN is plumbed: the simulated agent has no data plane.
   */
  private async wireTrunk(ctx: MessageContext, trunk: TrunkDetails): Promise<void> {
    if (trunk.sub_ports.length > 0) {
      await this.trunks.updateSubportBindings(ctx, trunk.sub_ports.map((s) => ({
        trunk_id: trunk.trunk_id, port_id: s.port_id, segmentation_type: s.segmentation_type, segmentation_id: s.segmentation_id,
      })));
    }
    await this.trunks.updateTrunkStatus(ctx, trunk.trunk_id, 'ACTIVE');
  }

  private async retryFailed(): Promise<void> {
    if (this.resyncPending) await (this.resyncing = this.resync());
    const ports = [...this.retry.values()];
    this.retry.clear();
    for (const p of ports) this.portUpdated({}, p);
    await this.idle();
  }

  /** A port_delete fanout: the port is gone with its device. */
  portDeleted(portId: string): void {
    this.enqueue(async () => {
      this.devices.delete(portId);
      this.retry.delete(portId);
    });
  }

  /** A network_delete fanout: its ports went with it. */
  networkDeleted(networkId: string): void {
    this.enqueue(async () => {
      for (const [id, d] of this.devices) if (d.networkId === networkId) this.devices.delete(id);
    });
  }
}
