/**
 * The fake virt driver (nova/virt/fake.py, the default): a simulated hypervisor that keeps its
 * guests in memory with real power-state transitions, a console log that records what happened
 * to each guest, and a host size and timings from [fake_driver]. Like libvirt it waits for
 * Neutron's network-vif-plugged event of every port not yet ACTIVE before the guest runs
 * ([DEFAULT] vif_plugging_timeout / vif_plugging_is_fatal). Several instances of it, one per
 * compute host, present several hosts in one process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestContext } from '../../../../common/context.js';
import { DevicePathInUse, InstanceNotFound, InterfaceAttachFailed, NotFound, VirtualInterfaceCreateException } from '../../errors.js';
import type { Instance, VifInfo } from '../../objects/index.js';
import { PowerState } from '../../compute/power-state.js';
import type { ComputeDriver, DriverCapabilities, ExpectedEvent, HostResources, InstanceInfo, SpawnArgs, VirtAPI, VolumeConnector } from '../driver.js';

export interface FakeDriverOptions {
  host: string;
  vcpus: number;
  memoryMb: number;
  localGb: number;
  spawnSeconds: number;
  destroySeconds: number;
  powerSeconds: number;
  /** Spawns on this host fail (to exercise reschedules and failed builds). */
  failSpawn: boolean;
  vifPluggingTimeout: number;
  vifPluggingIsFatal: boolean;
  virtapi: VirtAPI;
}

interface Guest {
  uuid: string;
  state: number;
  memoryMb: number;
  vcpus: number;
  diskGb: number;
  console: string[];
  /** Ports plugged in (by id). */
  interfaces: Set<string>;
  /** Volumes attached: mountpoint -> connection info. */
  volumes: Map<string, Record<string, unknown>>;
}

const FAKE_CAPABILITIES: DriverCapabilities = {
  has_imagecache: false, supports_evacuate: true, supports_migrate_to_same_host: true, supports_attach_interface: true,
  supports_device_tagging: true, supports_tagged_attach_interface: true, supports_tagged_attach_volume: true, supports_extend_volume: true,
  supports_multiattach: true, supports_trusted_certs: true, supports_pcpus: false, supports_accelerators: false, supports_bfv_rescue: true,
  supports_vtpm: false, supports_secure_boot: false, supports_socket_pci_numa_affinity: false, supports_remote_managed_ports: false,
  supports_image_type_aki: true, supports_image_type_ami: true, supports_image_type_ari: true, supports_image_type_iso: true,
  supports_image_type_qcow2: true, supports_image_type_raw: true, supports_image_type_vdi: true, supports_image_type_vhd: true,
  supports_image_type_vhdx: true, supports_image_type_vmdk: true, supports_image_type_ploop: true,
};

/** The network-vif-plugged events a spawn waits for: ports Neutron has not reported ACTIVE (libvirt's _get_neutron_events). */
export function neutronEvents(networkInfo: readonly VifInfo[]): ExpectedEvent[] {
  return networkInfo.filter((vif) => vif.active === false).map((vif) => ['network-vif-plugged', vif.id]);
}

export class FakeDriver implements ComputeDriver {
  readonly capabilities = FAKE_CAPABILITIES;
  private readonly guests = new Map<string, Guest>();

  constructor(private readonly o: FakeDriverOptions) {}

  async initHost(_host: string): Promise<void> {}

  getAvailableNodes(): string[] {
    return [this.o.host];
  }

  getAvailableResource(nodename: string): HostResources {
    let vcpus = 0;
    let mem = 0;
    let disk = 0;
    for (const g of this.guests.values()) {
      vcpus += g.vcpus;
      mem += g.memoryMb;
      disk += g.diskGb;
    }
    return {
      vcpus: this.o.vcpus, memory_mb: this.o.memoryMb, local_gb: this.o.localGb, vcpus_used: vcpus, memory_mb_used: mem, local_gb_used: disk,
      hypervisor_type: 'fake', hypervisor_version: 1000, hypervisor_hostname: nodename,
      cpu_info: JSON.stringify({ arch: 'x86_64', model: 'fake', vendor: 'Nubo', topology: { sockets: 1, cores: this.o.vcpus, threads: 1 }, features: [] }),
      disk_available_least: this.o.localGb - disk,
      supported_instances: [['x86_64', 'fake', 'hvm'], ['i686', 'fake', 'hvm']],
    };
  }

  listInstanceUuids(): string[] {
    return [...this.guests.keys()];
  }

  instanceExists(instance: Instance): boolean {
    return this.guests.has(instance.uuid);
  }

  getInfo(instance: Instance): InstanceInfo {
    const g = this.guests.get(instance.uuid);
    if (!g) throw new InstanceNotFound(instance.uuid);
    return { state: g.state, internal_id: instance.name };
  }

  private guest(instance: Instance): Guest {
    const g = this.guests.get(instance.uuid);
    if (!g) throw new InstanceNotFound(instance.uuid);
    return g;
  }

  private log(g: Guest, line: string): void {
    g.console.push(`[${new Date().toISOString()}] ${line}`);
  }

  async spawn(args: SpawnArgs): Promise<void> {
    const { instance, networkInfo } = args;
    if (this.o.failSpawn) throw new Error(`fake driver: spawn on ${this.o.host} fails ([fake_driver] fail_spawn_hosts)`);
    const flavor = instance.data.flavor.data;
    const g: Guest = { uuid: instance.uuid, state: PowerState.NOSTATE, memoryMb: flavor.memory_mb, vcpus: flavor.vcpus, diskGb: flavor.root_gb + flavor.ephemeral_gb, console: [],
      interfaces: new Set(networkInfo.map((v) => v.id)), volumes: new Map() };
    this.guests.set(instance.uuid, g);
    const events = neutronEvents(networkInfo);
    if (events.length > 0 && this.o.vifPluggingTimeout > 0) {
      const outcome = await this.o.virtapi.waitForInstanceEvents(instance, events, this.o.vifPluggingTimeout, (name, tag) => {
        if (this.o.vifPluggingIsFatal) throw new VirtualInterfaceCreateException();
        void name; void tag;
      });
      if (outcome === 'timeout') {
        if (this.o.vifPluggingIsFatal) {
          this.guests.delete(instance.uuid);
          throw new VirtualInterfaceCreateException();
        }
      }
    }
    if (this.o.spawnSeconds > 0) await sleep(this.o.spawnSeconds * 1000);
    g.state = PowerState.RUNNING;
    this.log(g, `Booting ${instance.data.display_name} (${instance.uuid}) from image ${args.image.data.id || '(volume)'}`);
    for (const bdm of args.blockDevices) {
      if (!bdm.isVolume || !bdm.data.device_name) continue;
      g.volumes.set(bdm.data.device_name, bdm.data.connection_info ? JSON.parse(bdm.data.connection_info) as Record<string, unknown> : {});
      this.log(g, `disk ${bdm.data.device_name}: volume ${bdm.data.volume_id}${bdm.isRoot ? ' (root)' : ''}`);
    }
    for (const vif of networkInfo) {
      const ips = vif.network.subnets.flatMap((s) => s.ips.map((ip) => ip.address));
      this.log(g, `eth: ${vif.address} ${ips.join(' ')} on network ${vif.network.label}`);
    }
    this.log(g, `${instance.data.hostname} login:`);
  }

  async destroy(_context: RequestContext, instance: Instance, _networkInfo: VifInfo[]): Promise<void> {
    if (this.o.destroySeconds > 0) await sleep(this.o.destroySeconds * 1000);
    this.guests.delete(instance.uuid);
  }

  private async transition(instance: Instance, to: number, line: string): Promise<void> {
    const g = this.guest(instance);
    if (this.o.powerSeconds > 0) await sleep(this.o.powerSeconds * 1000);
    g.state = to;
    this.log(g, line);
  }

  reboot(_context: RequestContext, instance: Instance, _networkInfo: VifInfo[], rebootType: 'SOFT' | 'HARD'): Promise<void> {
    return this.transition(instance, PowerState.RUNNING, `${rebootType === 'HARD' ? 'Hard' : 'Soft'} reboot`);
  }

  powerOff(instance: Instance): Promise<void> {
    return this.transition(instance, PowerState.SHUTDOWN, 'Powered off');
  }

  powerOn(_context: RequestContext, instance: Instance): Promise<void> {
    return this.transition(instance, PowerState.RUNNING, 'Powered on');
  }

  pause(instance: Instance): Promise<void> {
    return this.transition(instance, PowerState.PAUSED, 'Paused');
  }

  unpause(instance: Instance): Promise<void> {
    return this.transition(instance, PowerState.RUNNING, 'Unpaused');
  }

  suspend(_context: RequestContext, instance: Instance): Promise<void> {
    return this.transition(instance, PowerState.SUSPENDED, 'Suspended');
  }

  resume(_context: RequestContext, instance: Instance): Promise<void> {
    return this.transition(instance, PowerState.RUNNING, 'Resumed');
  }

  async getConsoleOutput(_context: RequestContext, instance: Instance): Promise<string> {
    return `${this.guest(instance).console.join('\n')}\n`;
  }

  async attachInterface(_context: RequestContext, instance: Instance, vif: VifInfo): Promise<void> {
    const g = this.guest(instance);
    if (g.interfaces.has(vif.id)) throw new InterfaceAttachFailed(instance.uuid);
    g.interfaces.add(vif.id);
    const ips = vif.network.subnets.flatMap((s) => s.ips.map((ip) => ip.address));
    this.log(g, `eth hot-plugged: ${vif.address} ${ips.join(' ')} on network ${vif.network.label}`);
  }

  async detachInterface(_context: RequestContext, instance: Instance, vif: VifInfo): Promise<void> {
    const g = this.guest(instance);
    if (!g.interfaces.delete(vif.id)) throw new NotFound(`No interface with port ${vif.id} on guest ${instance.uuid}`);
    this.log(g, `eth unplugged: ${vif.address}`);
  }

  getVolumeConnector(_instance: Instance): VolumeConnector {
    return { host: this.o.host, ip: '127.0.0.1', initiator: `iqn.2004-10.org.nubo:${this.o.host}`, multipath: false, platform: 'x86_64', os_type: 'linux' };
  }

  async attachVolume(_context: RequestContext, connectionInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void> {
    const g = this.guest(instance);
    if (g.volumes.has(mountpoint)) throw new DevicePathInUse(mountpoint);
    g.volumes.set(mountpoint, connectionInfo);
    this.log(g, `disk attached at ${mountpoint} (${String(connectionInfo['driver_volume_type'] ?? 'unknown')})`);
  }

  async detachVolume(_context: RequestContext, _connectionInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void> {
    const g = this.guests.get(instance.uuid);
    if (g?.volumes.delete(mountpoint)) this.log(g, `disk detached from ${mountpoint}`);
  }

  async swapVolume(_context: RequestContext, _old: Record<string, unknown>, newInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void> {
    const g = this.guest(instance);
    if (!g.volumes.has(mountpoint)) throw new NotFound(`No disk at ${mountpoint} on guest ${instance.uuid}`);
    g.volumes.set(mountpoint, newInfo);
    this.log(g, `disk at ${mountpoint} swapped`);
  }

  /** The volumes attached to a guest: mountpoint -> connection info (tests). */
  volumesOf(instanceUuid: string): Map<string, Record<string, unknown>> {
    return new Map(this.guests.get(instanceUuid)?.volumes ?? []);
  }

  /** The ports plugged into a guest (tests). */
  interfacesOf(instanceUuid: string): string[] {
    return [...(this.guests.get(instanceUuid)?.interfaces ?? [])];
  }

  /** Test hook of the simulated hypervisor: a guest stops on its own (the power-state sync sees it). */
  crash(instanceUuid: string, state: number = PowerState.SHUTDOWN): void {
    const g = this.guests.get(instanceUuid);
    if (g) g.state = state;
  }
}
