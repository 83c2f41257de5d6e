/**
 * The fake virt driver (nova/virt/fake.py, the default): a simulated hypervisor that keeps its
 * guests in memory with real power-state transitions, a console log that records what happened
 * to each guest, and a host size and timings from [fake_driver]. Like libvirt it waits for
 * Neutron's network-vif-plugged event of every port not yet ACTIVE before the guest runs
 * ([DEFAULT] vif_plugging_timeout / vif_plugging_is_fatal). Several instances of it, one per
 * compute host, present several hosts in one process.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestContext } from '../../../../common/context.js';
import { InstanceAgentNotEnabled, InstanceNotFound, InstanceNotRunning, LiveMigrationAborted, MigrationError, VirtualInterfaceCreateException } from '../../errors.js';
import type { Flavor, ImageMeta, Instance, Migration, VifInfo } from '../../objects/index.js';
import { PowerState } from '../../compute/power-state.js';
import { TaskState } from '../../compute/task-states.js';
import type {
  ComputeDriver, ConsoleConnection, DriverCapabilities, FinishMigrationArgs, HostResources, InstanceInfo, SnapshotUpload, SpawnArgs, UpdateTaskState, VirtAPI,
} from '../driver.js';
import { fakeDiskContents } from './disk.js';
import { neutronEvents } from '../vif-events.js';
import { POWER_STATE_NAMES } from '../../compute/power-state.js';
import type { InstanceDiagnostics } from '../diagnostics.js';
import { DevicePathInUse, InterfaceAttachFailed, NotFound } from '../../errors.js';
import type { VolumeConnector } from '../driver.js';

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
  /** Time a live migration's copy takes (0: at once). */
  liveMigrationSeconds?: number;
  vifPluggingTimeout: number;
  vifPluggingIsFatal: boolean;
  virtapi: VirtAPI;
  /** A cold migration may stay on this host (nova's SameHostColdMigrateDriver); off by default, as nova's FakeDriver. */
  sameHostColdMigrate?: boolean;
}

interface Guest {
  uuid: string;
  state: number;
  memoryMb: number;
  vcpus: number;
  diskGb: number;
  /** Disks the guest has: root, ephemeral, swap (those of non-zero size). */
  disks: number;
  /** MAC addresses of its interfaces. */
  macs: string[];
  configDrive: boolean;
  /** When it was last powered on (ms), null while off. */
  poweredOnAt: number | null;
  console: string[];
  /**
   * The image the root disk was built from: its bytes are deterministic from that image and the
   * instance (see disk.ts) and are never written, so they are derived when read (a snapshot)
   * rather than built and held for every guest.
   */
  diskImage: string;
  /** Booted from a rescue image (its own disk attached as the second one). */
  rescue: { imageId: string } | null;
  /** The admin password the guest agent last set. */
  adminPassword: string | null;
  /** Ports plugged in (by id). */
  interfaces: Set<string>;
  /** Volumes attached: mountpoint -> connection info. */
  volumes: Map<string, Record<string, unknown>>;
}

/**
 * The fake hypervisors of this process by host: what a move between two fake hosts travels
 * over (a cold move's disks, a live migration's running guest), as the network between real
 * hypervisors. A host in another process is not reachable: moving to it fails.
 */
const hypervisors = new Map<string, FakeDriver>();

/** The fake hypervisor of a host in this process (tests look at its guests). */
export function fakeHypervisor(host: string): FakeDriver | undefined {
  return hypervisors.get(host);
}

const FAKE_CAPABILITIES: DriverCapabilities = {
  has_imagecache: false, supports_evacuate: true, supports_migrate_to_same_host: false, supports_attach_interface: true,
  supports_device_tagging: true, supports_tagged_attach_interface: true, supports_tagged_attach_volume: true, supports_extend_volume: true,
  supports_multiattach: true, supports_trusted_certs: true, supports_pcpus: false, supports_accelerators: false, supports_bfv_rescue: true,
  supports_vtpm: false, supports_secure_boot: false, supports_socket_pci_numa_affinity: false, supports_remote_managed_ports: false,
  supports_image_type_aki: true, supports_image_type_ami: true, supports_image_type_ari: true, supports_image_type_iso: true,
  supports_image_type_qcow2: true, supports_image_type_raw: true, supports_image_type_vdi: true, supports_image_type_vhd: true,
  supports_image_type_vhdx: true, supports_image_type_vmdk: true, supports_image_type_ploop: true,
};


/** A guest that stops loses its uptime; one that boots (or runs again without an uptime) starts a new one. */
function setPowerState(g: Guest, to: number, boots: boolean): void {
  if (to === PowerState.SHUTDOWN || to === PowerState.CRASHED || to === PowerState.NOSTATE) g.poweredOnAt = null;
  else if (boots || g.poweredOnAt === null) g.poweredOnAt = Date.now();
  g.state = to;
}

export class FakeDriver implements ComputeDriver {
  readonly capabilities: DriverCapabilities;
  private readonly guests = new Map<string, Guest>();
  /** The simulated hypervisor host came up with the driver. */
  private readonly bootedAt = Date.now();
  /** Source side of a cold move: the powered-off guest kept until the move is confirmed or reverted. */
  private readonly held = new Map<string, Guest>();
  /** Destination side of a move: disks (or a live guest's state) received, not yet a guest. */
  private readonly incoming = new Map<string, Guest>();
  /** Live migrations copying now: how to end the copy early (forced) or abort it. */
  private readonly copying = new Map<string, { complete(): void; abort(): void }>();
  /** The images this host holds (spawned from, or cached by request): what a real host's image cache would. */
  private readonly cachedImages = new Set<string>();

  constructor(private readonly o: FakeDriverOptions) {
    this.capabilities = o.sameHostColdMigrate ? { ...FAKE_CAPABILITIES, supports_migrate_to_same_host: true } : FAKE_CAPABILITIES;
    hypervisors.set(o.host, this);
  }

  async initHost(_host: string): Promise<void> {}

  getAvailableNodes(): string[] {
    return [this.o.host];
  }

  getAvailableResource(nodename: string): HostResources {
    let vcpus = 0;
    let mem = 0;
    let disk = 0;
    for (const g of [...this.guests.values(), ...this.held.values()]) {
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

  /** Guests kept powered off as the source of a cold move not yet confirmed or reverted. */
  heldInstanceUuids(): string[] {
    return [...this.held.keys()];
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

  /** A guest of the instance's flavor with the disk of `imageId`. */
  private define(instance: Instance, imageId: string, state: number, adminPassword: string | null, networkInfo: VifInfo[]): Guest {
    const flavor = instance.data.flavor.data;
    const g: Guest = {
      uuid: instance.uuid, state, memoryMb: flavor.memory_mb, vcpus: flavor.vcpus, diskGb: flavor.root_gb + flavor.ephemeral_gb,
      disks: [flavor.root_gb, flavor.ephemeral_gb, flavor.swap].filter((n) => n > 0).length, macs: networkInfo.map((vif) => vif.address),
      configDrive: Boolean(instance.data.config_drive), poweredOnAt: null,
      console: [], diskImage: imageId, rescue: null, adminPassword,
      interfaces: new Set(networkInfo.map((vif) => vif.id)), volumes: new Map(),
    };
    this.guests.set(instance.uuid, g);
    return g;
  }

  async spawn(args: SpawnArgs): Promise<void> {
    const { instance, networkInfo } = args;
    if (this.o.failSpawn) throw new Error(`fake driver: spawn on ${this.o.host} fails ([fake_driver] fail_spawn_hosts)`);
    const g = this.define(instance, args.image.data.id, PowerState.NOSTATE, args.adminPassword, networkInfo);
    if (args.image.data.id) this.cachedImages.add(args.image.data.id);
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
    setPowerState(g, PowerState.RUNNING, true);
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
    this.incoming.delete(instance.uuid);
  }

  /** `boots`: the guest starts anew (power on, reboot), so its uptime restarts. */
  private async transition(instance: Instance, to: number, line: string, boots = false): Promise<void> {
    const g = this.guest(instance);
    if (this.o.powerSeconds > 0) await sleep(this.o.powerSeconds * 1000);
    setPowerState(g, to, boots);
    this.log(g, line);
  }

  /**
   * A soft reboot asks the running guest; a hard one, as libvirt's _hard_reboot, defines the
   * guest again from the instance, so it also brings back a guest the hypervisor lost.
   */
  reboot(_context: RequestContext, instance: Instance, _networkInfo: VifInfo[], rebootType: 'SOFT' | 'HARD'): Promise<void> {
    if (rebootType === 'HARD' && !this.guests.has(instance.uuid)) this.define(instance, instance.data.image_ref, PowerState.SHUTDOWN, null, []);
    return this.transition(instance, PowerState.RUNNING, `${rebootType === 'HARD' ? 'Hard' : 'Soft'} reboot`);
    return this.transition(instance, PowerState.RUNNING, `${rebootType === 'HARD' ? 'Hard' : 'Soft'} reboot`, true);
  }

  powerOff(instance: Instance): Promise<void> {
    return this.transition(instance, PowerState.SHUTDOWN, 'Powered off');
  }

  powerOn(_context: RequestContext, instance: Instance): Promise<void> {
    return this.transition(instance, PowerState.RUNNING, 'Powered on', true);
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

  /**
   * rescue: the guest boots from the rescue image with its own disk attached; libvirt keeps
   * the original domain's definition to come back to on unrescue.
   */
  async rescue(_context: RequestContext, instance: Instance, _networkInfo: VifInfo[], rescueImage: ImageMeta, rescuePassword: string): Promise<void> {
    const g = this.guest(instance);
    await this.transition(instance, PowerState.RUNNING, `Booting rescue image ${rescueImage.data.id || '(none)'}; own disk attached as the second disk`);
    g.rescue = { imageId: rescueImage.data.id };
    g.adminPassword = rescuePassword;
  }

  async unrescue(_context: RequestContext, instance: Instance): Promise<void> {
    const g = this.guest(instance);
    if (!g.rescue) this.log(g, 'Unrescue of a guest not in rescue mode');
    await this.transition(instance, PowerState.RUNNING, 'Rescue image detached; booting from own disk');
    g.rescue = null;
  }

  /** As libvirt: the password is set through the QEMU guest agent, which the image must enable (hw_qemu_guest_agent). */
  async setAdminPassword(instance: Instance, newPass: string): Promise<void> {
    const g = this.guest(instance);
    if (g.state !== PowerState.RUNNING) throw new InstanceNotRunning(instance.uuid);
    const agent = instance.data.system_metadata['image_hw_qemu_guest_agent'];
    if (!agent || !['yes', 'true', '1', 'on'].includes(agent.toLowerCase())) throw new InstanceAgentNotEnabled();
    g.adminPassword = newPass;
    this.log(g, 'qemu-ga: admin password changed');
  }

  /** An NMI: the guest panics and writes a crash dump; its power state is not changed (that depends on the guest's kdump setup). */
  async triggerCrashDump(instance: Instance): Promise<void> {
    const g = this.guest(instance);
    if (g.state !== PowerState.RUNNING) throw new InstanceNotRunning(instance.uuid);
    this.log(g, 'Kernel panic - not syncing: NMI: Not continuing');
    this.log(g, 'kdump: saving vmcore');
  }

  /** The root disk as it is now, uploaded as raw/bare (the fake hypervisor's disks are raw). */
  async snapshot(_context: RequestContext, instance: Instance, _imageId: string, updateTaskState: UpdateTaskState, upload: SnapshotUpload): Promise<void> {
    const g = this.guest(instance);
    await updateTaskState(TaskState.IMAGE_PENDING_UPLOAD);
    const data = fakeDiskContents(g.diskImage, g.uuid);
    if (this.o.powerSeconds > 0) await sleep(this.o.powerSeconds * 1000);
    await updateTaskState(TaskState.IMAGE_UPLOADING, TaskState.IMAGE_PENDING_UPLOAD);
    await upload(data, { disk_format: 'raw', container_format: 'bare' });
    this.log(g, `Snapshot of the root disk taken (${data.length} bytes)`);
  }

  /** The root disk's bytes (for tests, and what a snapshot uploads). */
  diskOf(instanceUuid: string): Buffer | undefined {
    const g = this.guests.get(instanceUuid);
    return g ? fakeDiskContents(g.diskImage, g.uuid) : undefined;
  }

  /** Whether the guest runs from a rescue image, and the password its agent set (for tests). */
  guestState(instanceUuid: string): { rescueImage: string | null; adminPassword: string | null } | undefined {
    const g = this.guests.get(instanceUuid);
    return g ? { rescueImage: g.rescue?.imageId ?? null, adminPassword: g.adminPassword } : undefined;
  }

  /** nova/virt/fake.py's consoles: the guest must exist; every protocol is served on the fake console host. */
  private async console(instance: Instance, internalAccessPath: string | null): Promise<ConsoleConnection> {
    this.guest(instance);
    return { host: this.o.host, port: 6969, internal_access_path: internalAccessPath };
  }

  getVncConsole(_context: RequestContext, instance: Instance): Promise<ConsoleConnection> {
    return this.console(instance, 'FAKE');
  }

  getSpiceConsole(_context: RequestContext, instance: Instance): Promise<ConsoleConnection> {
    return this.console(instance, 'FAKE');
  }

  getSerialConsole(_context: RequestContext, instance: Instance): Promise<ConsoleConnection> {
    return this.console(instance, null);
  }

  getRdpConsole(_context: RequestContext, instance: Instance): Promise<ConsoleConnection> {
    return this.console(instance, 'FAKE');
  }

  getMksConsole(_context: RequestContext, instance: Instance): Promise<ConsoleConnection> {
    return this.console(instance, 'FAKE');
  }

  getDiagnostics(instance: Instance): Record<string, unknown> {
    const d = this.getInstanceDiagnostics(instance);
    // The free-form view: what this hypervisor knows, under libvirt's key for memory (KiB).
    return { state: d.state, memory: this.guest(instance).memoryMb * 1024, num_cpus: d.num_cpus, num_nics: d.num_nics, num_disks: d.num_disks, uptime: d.uptime };
  }

  getInstanceDiagnostics(instance: Instance): InstanceDiagnostics {
    const g = this.guest(instance);
    const unmeasured = { time: null, utilisation: null };
    // The API's schema knows only real drivers' names: nova's fake driver says libvirt too.
    return {
      state: POWER_STATE_NAMES[g.state] ?? 'pending',
      driver: 'libvirt', hypervisor: 'fake', hypervisor_os: null,
      uptime: g.poweredOnAt === null ? null : Math.floor((Date.now() - g.poweredOnAt) / 1000), config_drive: g.configDrive,
      num_cpus: g.vcpus, num_nics: g.macs.length, num_disks: g.disks,
      cpu_details: Array.from({ length: g.vcpus }, (_, id) => ({ id, ...unmeasured })),
      nic_details: g.macs.map((mac) => ({
        mac_address: mac, rx_octets: null, rx_errors: null, rx_drop: null, rx_packets: null, rx_rate: null,
        tx_octets: null, tx_errors: null, tx_drop: null, tx_packets: null, tx_rate: null,
      })),
      disk_details: Array.from({ length: g.disks }, () => ({ read_bytes: null, read_requests: null, write_bytes: null, write_requests: null, errors_count: null })),
      memory_details: { maximum: g.memoryMb, used: null },
    };
  }

  getHostUptime(): string {
    const now = new Date();
    const up = Math.floor((now.getTime() - this.bootedAt) / 1000);
    const days = Math.floor(up / 86400);
    const hours = Math.floor((up % 86400) / 3600);
    const minutes = Math.floor((up % 3600) / 60);
    const load = loadavg().map((l) => l.toFixed(2)).join(', ');
    const clock = now.toISOString().slice(11, 19);
    return ` ${clock} up ${days} day${days === 1 ? '' : 's'}, ${String(hours).padStart(2, ' ')}:${String(minutes).padStart(2, '0')},  0 users,  load average: ${load}`;
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

  // --- moves --------------------------------------------------------------------------------

  private peer(host: string): FakeDriver {
    const peer = hypervisors.get(host);
    if (!peer) throw new MigrationError(`fake driver: host ${host} is not a fake hypervisor of this process`);
    return peer;
  }

  /** The moved guest arrives (a cold move's disks, or a live migration's copy). */
  private receive(guest: Guest): void {
    this.incoming.set(guest.uuid, { ...guest, console: [...guest.console] });
  }

  async migrateDiskAndPowerOff(_context: RequestContext, instance: Instance, destHost: string, flavor: Flavor): Promise<string> {
    const g = this.guest(instance);
    const dest = this.peer(destHost);
    if (this.o.powerSeconds > 0) await sleep(this.o.powerSeconds * 1000);
    g.state = PowerState.SHUTDOWN;
    this.log(g, `Powered off to move to ${destHost}`);
    dest.receive(g);
    this.guests.delete(instance.uuid);
    this.held.set(instance.uuid, g);
    return JSON.stringify({ source: this.o.host, disk_gb: flavor.data.root_gb + flavor.data.ephemeral_gb });
  }

  async finishMigration(args: FinishMigrationArgs): Promise<void> {
    const { instance } = args;
    const moved = this.incoming.get(instance.uuid);
    if (!moved) throw new MigrationError(`fake driver: the disks of ${instance.uuid} never arrived on ${this.o.host}`);
    this.incoming.delete(instance.uuid);
    const f = instance.data.flavor.data;
    const g: Guest = { ...moved, memoryMb: f.memory_mb, vcpus: f.vcpus, diskGb: f.root_gb + f.ephemeral_gb, state: PowerState.SHUTDOWN };
    this.guests.set(instance.uuid, g);
    this.log(g, `${args.resizeInstance ? 'Resized' : 'Migrated'} to ${this.o.host} (${f.vcpus} VCPU, ${f.memory_mb} MiB)`);
    if (args.powerOn) await this.transition(instance, PowerState.RUNNING, 'Powered on');
  }

  async confirmMigration(_context: RequestContext, _migration: Migration, instance: Instance): Promise<void> {
    this.held.delete(instance.uuid);
  }

  async finishRevertMigration(context: RequestContext, instance: Instance, networkInfo: VifInfo[], _migration: Migration, powerOn: boolean): Promise<void> {
    const g = this.held.get(instance.uuid);
    if (!g) throw new InstanceNotFound(instance.uuid);
    this.held.delete(instance.uuid);
    this.guests.set(instance.uuid, g);
    this.log(g, 'Move reverted');
    if (powerOn) await this.powerOn(context, instance);
    void networkInfo;
  }

  async preLiveMigration(_context: RequestContext, instance: Instance): Promise<void> {
    if (this.guests.has(instance.uuid)) throw new MigrationError(`fake driver: ${instance.uuid} already runs on ${this.o.host}`);
  }

  async liveMigration(_context: RequestContext, instance: Instance, destHost: string, blockMigration: boolean): Promise<void> {
    const g = this.guest(instance);
    const dest = this.peer(destHost);
    if (dest === this) throw new MigrationError('fake driver: a live migration needs another host');
    this.log(g, `Live migrating to ${destHost}${blockMigration ? ' (block migration)' : ''}`);
    const seconds = this.o.liveMigrationSeconds ?? 0;
    if (seconds > 0) {
      const outcome = await new Promise<'done' | 'forced' | 'aborted'>((resolve) => {
        const timer = setTimeout(() => resolve('done'), seconds * 1000);
        this.copying.set(instance.uuid, {
          complete: () => { clearTimeout(timer); resolve('forced'); },
          abort: () => { clearTimeout(timer); resolve('aborted'); },
        });
      }).finally(() => this.copying.delete(instance.uuid));
      if (outcome === 'aborted') {
        this.log(g, 'Live migration aborted');
        throw new LiveMigrationAborted(instance.uuid);
      }
      if (outcome === 'forced') this.log(g, 'Live migration forced to complete (guest paused for the last copy)');
    }
    dest.receive(g);
    this.guests.delete(instance.uuid);
  }

  async liveMigrationForceComplete(instance: Instance): Promise<void> {
    const job = this.copying.get(instance.uuid);
    if (!job) throw new MigrationError(`fake driver: no live migration of ${instance.uuid} is running on ${this.o.host}`);
    job.complete();
  }

  async liveMigrationAbort(instance: Instance): Promise<void> {
    const job = this.copying.get(instance.uuid);
    if (!job) throw new MigrationError(`fake driver: no live migration of ${instance.uuid} is running on ${this.o.host}`);
    job.abort();
  }

  async postLiveMigrationAtDestination(_context: RequestContext, instance: Instance): Promise<void> {
    const moved = this.incoming.get(instance.uuid);
    if (!moved) throw new MigrationError(`fake driver: ${instance.uuid} never arrived on ${this.o.host}`);
    this.incoming.delete(instance.uuid);
    this.guests.set(instance.uuid, moved);
    this.log(moved, `Live migrated to ${this.o.host}`);
  }

  async rollbackLiveMigrationAtDestination(_context: RequestContext, instance: Instance): Promise<void> {
    this.incoming.delete(instance.uuid);
  }

  /** cache_image as nova's fake driver: false when the host holds the image already (it booted a server from it, or cached it before). */
  async cacheImage(_context: RequestContext, image: ImageMeta): Promise<boolean> {
    if (this.cachedImages.has(image.data.id)) return false;
    this.cachedImages.add(image.data.id);
    return true;
  }

  /** Test hook of the simulated hypervisor: a guest stops on its own (the power-state sync sees it). */
  crash(instanceUuid: string, state: number = PowerState.SHUTDOWN): void {
    const g = this.guests.get(instanceUuid);
    if (g) setPowerState(g, state, false);
  }
}
