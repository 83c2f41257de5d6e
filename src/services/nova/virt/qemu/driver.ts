/**
 * The qemu virt driver (compute_driver = qemu): real guests, each a QEMU process the driver
 * starts daemonized and controls over QMP (libvirt's job in nova, done directly). Root disks
 * are qcow2 overlays on base images cached from Glance; NICs are taps plugged as os-vif's
 * linux bridge plugin does; the first serial port is the console log; power operations are
 * QMP commands (ACPI power button, stop/cont, a saved migration stream for suspend). Guests
 * outlive the compute service: initHost finds them again by their pidfiles.
 *
 * A config drive (instances with config_drive) is an ISO 9660 image on a second virtio disk.
 *
 * An image with kernel_id (and ramdisk_id) boots that kernel directly (-kernel, -initrd).
 * Cinder's file volumes are virtio disks, hot-plugged over QMP. A volume-backed guest (a root
 * volume, boot_index 0) has no local disk: its root volume is vda, as in libvirt's driver; its
 * snapshot, rescue and moves are refused (FeatureNotSupported).
 *
 * Remote consoles as libvirt serves them: a VGA display on VNC ([vnc] server_listen, the port
 * QEMU takes, read back by query-vnc) and the first serial port on TCP ([serial_console]
 * port_range, read back by query-chardev), still written to the console log. A QEMU that runs
 * in the host's network namespace (a guest with NICs, [qemu] host_namespace) listens on UNIX
 * sockets in the instance's directory instead (libvirt's graphics and serial of type unix):
 * its TCP ports would be inside that namespace, out of the proxies' reach, while a path is
 * reached from every namespace; the console's connection info then names the socket.
 *
 * Rescue boots a rescue disk first with the guest's own disk second (rescue.ts); interfaces
 * are hot-plugged and unplugged over QMP (interfaces.ts). Moves between compute hosts of this
 * machine: resize and cold migration (migration.ts), live migration with the disk copied over
 * NBD (live-migration.ts); see peer-host.ts for the copy.
 *
 * The host reports its real CPUs and memory (Placement counts the flavors' RAM against them);
 * a spawn also checks what QEMU itself takes per guest (memory.ts: the TCG translation buffer,
 * bounded by [qemu] tcg_tb_size_mb, VGA memory and QEMU's own) against MemAvailable, and
 * refuses with InsufficientFreeMemory, which the compute manager reschedules.
 *
 * Not done by this driver (FeatureNotSupported, 501): evacuation, swap volume, SPICE/RDP/MKS
 * consoles and admin passwords.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import type { RequestContext } from '../../../../common/context.js';
import type { Logger } from '../../../../common/log/logger.js';
import { POWER_STATE_NAMES, PowerState } from '../../compute/power-state.js';
import { TaskState } from '../../compute/task-states.js';
import {
  ConsoleTypeUnavailable, DevicePathInUse, FeatureNotSupported, InstanceNotFound, InterfaceAttachFailed, InvalidVolume, InstanceNotRunning, InsufficientFreeMemory, QemuError, VirtualInterfaceCreateException,
} from '../../errors.js';
import type { InstanceMetadata } from '../../metadata/base.js';
import { Instance, type Flavor, type ImageMeta, type Migration, type VifInfo } from '../../objects/index.js';
import { configDriveFiles, writeConfigDrive } from '../config-drive.js';
import type { InstanceDiagnostics } from '../diagnostics.js';
import type {
  ComputeDriver, ConsoleConnection, DriverCapabilities, FinishMigrationArgs, HostResources, InstanceInfo, SnapshotUpload, SpawnArgs,
  UpdateTaskState, VirtAPI, VolumeConnector,
} from '../driver.js';
import type { PortRange } from '../../console/serial.js';
import { neutronEvents } from '../vif-events.js';
import { chooseAccel, type Accel } from './accel.js';
import type { GuestSpec, KernelBoot } from './command-line.js';
import { Guest, qemuNamespace } from './guest.js';
import { hostFacts, qemuVersion } from './host.js';
import { ImageCache, type ImageFetcher } from './image-cache.js';
import { hotplugNic, inNamespace, NIC_DETACH_SECONDS, unplugNic } from './interfaces.js';
import { guestPaths, type GuestPaths } from './paths.js';
import { fitsInMemory, guestOverheadMb, procMemory, type HeldGuest, type MemoryReader } from './memory.js';
import { livePid } from './process.js';
import { createOverlay, flatten } from './qemu-img.js';
import { bootDisks, createRescueDisk, removeRescueDisk, type RescueBoot } from './rescue.js';
import { tapName, type VifPlugger } from './vif.js';
import { swapDisk } from './swap-volume.js';
import { blockdevAdd, nodeOf, volumeDisk, volumeIds, type VolumeDisk } from './volumes.js';
import type { GuestRecord, QemuDriverState } from './driver-state.js';
import { LiveMigration, type LiveMigrationOptions } from './live-migration.js';
import { ColdMigration } from './migration.js';

/** nova's libvirt driver: the kernel command line of a direct kernel boot when the image has no os_command_line. */
const DEFAULT_KERNEL_CMDLINE = 'root=/dev/vda console=tty0 console=ttyS0';
/** How long a volume detach waits for the guest to release the disk. */
const VOLUME_DETACH_SECONDS = 30;
/** nova's MAX_CONSOLE_BYTES: the console log's tail that os-getConsoleOutput returns. */
export const MAX_CONSOLE_BYTES = 100 * 1024;
const GIB = 1024 ** 3;

export interface QemuDriverOptions {
  host: string;
  instancesPath: string;
  binary: string;
  accel: 'tcg' | 'kvm' | 'probe';
  machine: string;
  imageCacheDir: string;
  /** Seconds a clean shutdown (ACPI) may take before the guest is powered off. */
  shutdownTimeout: number;
  /** Refuse a guest whose RAM and overhead the host's available memory cannot hold (memory.ts). */
  spawnMemoryCheck: boolean;
  /** [qemu] tcg_tb_size_mb: the TCG translation buffer of each guest (0: QEMU's default, 1 GiB). */
  tcgTbSizeMb: number;
  /** [qemu] memory_overhead_mb: QEMU's own memory per guest (heap, threads, libraries), beyond the buffer and VGA. */
  memoryOverheadMb: number;
  /** Where the host's memory is read (/proc by default). */
  memory?: MemoryReader;
  images: ImageFetcher;
  vifs: VifPlugger;
  vifPluggingTimeout: number;
  vifPluggingIsFatal: boolean;
  virtapi: VirtAPI;
  log: Logger;
  /** A guest's power state changed by itself (libvirt's lifecycle events: the compute manager syncs it). */
  lifecycle?: (uuid: string, state: number) => void;
  /** The metadata of an instance, for its config drive (none: config drives are refused). */
  metadata?: (instance: Instance) => Promise<InstanceMetadata>;
  /** The guests' remote consoles (none: only the console log). */
  consoles?: QemuConsoleOptions;
  /** The instances path of another compute host (a move's destination or source; see peer-host.ts). */
  peerInstancesPath?: (host: string) => string;
  /** Where this host receives live migrations (none: it does not). */
  liveMigration?: LiveMigrationOptions;
}

/** [vnc] and [serial_console] as the driver uses them. */
export interface QemuConsoleOptions {
  /** VNC: guests listen on `listen`; the proxy reaches them at `proxyclientAddress`. */
  vnc?: { listen: string; proxyclientAddress: string };
  /** Serial consoles: guests listen on `address` (also what the proxy connects to), on a port of `ports`. */
  serial?: { address: string; ports: PortRange };
}

const QEMU_CAPABILITIES: DriverCapabilities = {
  has_imagecache: true, supports_evacuate: false, supports_migrate_to_same_host: false, supports_attach_interface: true,
  supports_device_tagging: false, supports_tagged_attach_interface: false, supports_tagged_attach_volume: false, supports_extend_volume: false,
  supports_multiattach: false, supports_trusted_certs: false, supports_pcpus: false, supports_accelerators: false, supports_bfv_rescue: false,
  supports_vtpm: false, supports_secure_boot: false, supports_socket_pci_numa_affinity: false, supports_remote_managed_ports: false,
  supports_image_type_aki: true, supports_image_type_ami: false, supports_image_type_ari: true, supports_image_type_iso: false,
  supports_image_type_qcow2: true, supports_image_type_raw: true, supports_image_type_vdi: false, supports_image_type_vhd: false,
  supports_image_type_vhdx: false, supports_image_type_vmdk: false, supports_image_type_ploop: false,
};

function notSupported(what: string): never {
  throw new FeatureNotSupported(`The qemu driver does not support ${what}.`);
}

export class QemuDriver implements ComputeDriver, QemuDriverState {
  readonly capabilities = QEMU_CAPABILITIES;
  readonly guests = new Map<string, Guest>();
  readonly records = new Map<string, GuestRecord>();
  readonly cache: ImageCache;
  private readonly coldMoves = new ColdMigration(this);
  private readonly liveMoves = new LiveMigration(this);
  /** Spawns under way, by uuid: their expected footprint (MiB), counted until their QEMU runs. */
  private readonly starting = new Map<string, number>();
  private accel: Accel = 'tcg';
  private version = 0;

  constructor(readonly o: QemuDriverOptions) {
    this.cache = new ImageCache(o.imageCacheDir, o.images);
  }

  /** The accelerator guests start with (after initHost). */
  get accelerator(): Accel {
    return this.accel;
  }

  /** Choose the accelerator, and adopt the guests a previous run left (running or not). */
  async initHost(_host: string): Promise<void> {
    mkdirSync(this.o.instancesPath, { recursive: true });
    this.version = await qemuVersion(this.o.binary);
    this.accel = await chooseAccel(this.o.accel, this.o.binary);
    this.o.log.info({ accel: this.accel, qemuVersion: this.version }, 'qemu driver: accelerator chosen');
    for (const uuid of readdirSync(this.o.instancesPath)) {
      const paths = guestPaths(this.o.instancesPath, uuid);
      if (!existsSync(paths.record) || this.guests.has(uuid)) continue;
      const record = JSON.parse(readFileSync(paths.record, 'utf8')) as GuestRecord;
      record.volumes ??= [];
      const guest = this.newGuest(uuid);
      try {
        if (await guest.attach()) this.o.log.info({ instance: uuid }, 'qemu driver: adopted a running guest');
      } catch (err) {
        this.o.log.warn({ err, instance: uuid }, 'qemu driver: a guest\'s QEMU runs but its monitor does not answer');
      }
      this.guests.set(uuid, guest);
      this.records.set(uuid, record);
    }
  }

  newGuest(uuid: string): Guest {
    return new Guest(uuid, guestPaths(this.o.instancesPath, uuid), (state) => this.o.lifecycle?.(uuid, state), this.o.vifs.namespace);
  }

  /** Let go of the guests' monitors; the guests keep running (the compute service stops). */
  release(): void {
    for (const g of this.guests.values()) g.release();
  }

  getAvailableNodes(): string[] {
    return [this.o.host];
  }

  getAvailableResource(nodename: string): HostResources {
    const facts = hostFacts(this.o.instancesPath);
    let vcpus = 0;
    let mem = 0;
    let disk = 0;
    for (const r of this.records.values()) {
      vcpus += r.vcpus;
      mem += r.memoryMb;
      disk += r.diskGb;
    }
    return {
      vcpus: facts.vcpus, memory_mb: facts.memoryMb, local_gb: facts.diskGb, vcpus_used: vcpus, memory_mb_used: mem, local_gb_used: disk,
      hypervisor_type: 'QEMU', hypervisor_version: this.version, hypervisor_hostname: nodename,
      cpu_info: JSON.stringify({ arch: 'x86_64', model: facts.cpuModel, vendor: 'QEMU', topology: { sockets: 1, cores: facts.vcpus, threads: 1 }, features: [] }),
      disk_available_least: facts.freeDiskGb,
      supported_instances: [['x86_64', this.accel === 'kvm' ? 'kvm' : 'qemu', 'hvm']],
    };
  }

  listInstanceUuids(): string[] {
    return [...this.guests.keys()];
  }

  instanceExists(instance: Instance): boolean {
    return this.guests.has(instance.uuid);
  }

  getInfo(instance: Instance): InstanceInfo {
    return { state: this.guest(instance).state, internal_id: instance.name };
  }

  private guest(instance: Instance): Guest {
    const g = this.guests.get(instance.uuid);
    if (!g) throw new InstanceNotFound(instance.uuid);
    return g;
  }

  // --- boot ---------------------------------------------------------------------------------

  async spawn(args: SpawnArgs): Promise<void> {
    const { instance, networkInfo, image } = args;
    const flavor = instance.data.flavor.data;
    const footprint = this.checkMemory(instance.uuid, flavor.memory_mb);
    if (instance.data.config_drive && !this.o.metadata) notSupported('config drives');
    const paths = guestPaths(this.o.instancesPath, instance.uuid);
    const guest = this.newGuest(instance.uuid);
    // Counted from the check on (nothing awaited since): concurrent spawns see each other.
    this.starting.set(instance.uuid, footprint);
    try {
      mkdirSync(paths.dir, { recursive: true });
      // libvirt's volume-backed guest: no local root disk, the root volume's connection is vda
      const rootVolume = rootVolumeDisk(args.blockDevices);
      if (!rootVolume) {
        const base = await this.cache.base(image);
        const rootBytes = flavor.root_gb * GIB;
        await createOverlay(paths.disk, base.path, base.format, rootBytes > base.virtualSize ? rootBytes : undefined);
      }
      const record: GuestRecord = {
        uuid: instance.uuid, name: instance.name, vcpus: flavor.vcpus, memoryMb: flavor.memory_mb, diskGb: (rootVolume ? 0 : flavor.root_gb) + flavor.ephemeral_gb,
        macs: networkInfo.map((v) => v.address), volumes: bootVolumes(args.blockDevices), ...(rootVolume ? { rootVolume } : {}), ...(await this.kernelBoot(image)),
      };
      writeFileSync(paths.record, JSON.stringify(record));
      this.guests.set(instance.uuid, guest);
      this.records.set(instance.uuid, record);
      if (instance.data.config_drive) {
        const md = await this.o.metadata!(new Instance({ ...instance.data, network_info: networkInfo }));
        await writeConfigDrive(await configDriveFiles(md), paths.configDrive);
      }
      await this.startWithVifs(instance, networkInfo);
    } catch (err) {
      await this.cleanup(instance, networkInfo);
      throw err;
    } finally {
      this.starting.delete(instance.uuid);
    }
  }

  /**
   * As libvirt's driver: the guest starts paused while Neutron wires its ports (QEMU's own
   * start-up overlaps the wait), and runs once they are plugged.
   */
  async startWithVifs(instance: Instance, networkInfo: readonly VifInfo[]): Promise<void> {
    const guest = this.guest(instance);
    const spec = await this.plugAndSpec(instance, networkInfo);
    const waiting = this.vifEventsAwaited(networkInfo);
    await guest.start(this.o.binary, { ...spec, paused: waiting });
    if (waiting) {
      await this.waitForVifs(instance, networkInfo);
      await guest.command('cont');
      guest.state = PowerState.RUNNING;
    }
  }

  /** The memory a guest's QEMU takes beyond its RAM (MiB), as it is started here. */
  get overheadMb(): number {
    return guestOverheadMb({ accel: this.accel, tcgTbSizeMb: this.o.tcgTbSizeMb, vga: this.o.consoles?.vnc !== undefined, qemuOwnMb: this.o.memoryOverheadMb });
  }

  /**
   * The spawn check ([qemu] spawn_memory_check): the guest's RAM and overhead must fit in the
   * host's MemAvailable less what the guests running or starting may still grow into. Returns
   * the guest's footprint (MiB). @throws InsufficientFreeMemory
   */
  private checkMemory(uuid: string, ramMb: number): number {
    const overhead = this.overheadMb;
    if (this.o.spawnMemoryCheck) {
      const memory = this.o.memory ?? procMemory;
      const held: HeldGuest[] = [...this.starting.values()].map((expectedMb) => ({ expectedMb, rssMb: 0 }));
      for (const r of this.records.values()) {
        if (this.starting.has(r.uuid)) continue;
        const pid = livePid(guestPaths(this.o.instancesPath, r.uuid).pidFile, r.uuid);
        if (pid !== null) held.push({ expectedMb: r.memoryMb + overhead, rssMb: memory.rssMb(pid) });
      }
      const v = fitsInMemory(memory.availableMb(), held, ramMb + overhead);
      if (!v.fits) {
        // Short: a fault's message keeps 255 characters, and this one goes in a reschedule's.
        throw new InsufficientFreeMemory(uuid, `needs ${v.neededMb} MiB (${ramMb} + ${overhead} QEMU), free ${v.freeMb}`
          + ` (MemAvailable ${v.availableMb} - ${v.promisedMb} for ${held.length} guests)`);
      }
    }
    return ramMb + overhead;
  }

  /** The image's kernel_id/ramdisk_id, fetched into the cache (libvirt's direct kernel boot); {} when it has none. */
  async kernelBoot(image: SpawnArgs['image']): Promise<{ kernel?: KernelBoot }> {
    const p = image.data.properties;
    if (!p['kernel_id']) return {};
    const kernel = await this.cache.file(p['kernel_id']);
    const ramdisk = p['ramdisk_id'] ? await this.cache.file(p['ramdisk_id']) : undefined;
    return { kernel: { kernel, ...(ramdisk ? { ramdisk } : {}), cmdline: p['os_command_line'] || DEFAULT_KERNEL_CMDLINE } };
  }

  /** Plug the ports and describe the guest for QEMU. */
  async plugAndSpec(instance: Instance, networkInfo: readonly VifInfo[]): Promise<GuestSpec> {
    const flavor = instance.data.flavor.data;
    const paths = guestPaths(this.o.instancesPath, instance.uuid);
    const record = this.records.get(instance.uuid);
    const nics = [];
    for (const vif of networkInfo) nics.push({ tap: await this.o.vifs.plug(vif), mac: vif.address });
    return {
      name: instance.name, uuid: instance.uuid, vcpus: flavor.vcpus, memoryMb: flavor.memory_mb, accel: this.accel, tcgTbSizeMb: this.o.tcgTbSizeMb, machine: this.o.machine,
      ...bootDisks(paths, record), nics, volumes: record?.volumes ?? [], consoleLog: paths.consoleLog, qmpSocket: paths.qmpSocket, pidFile: paths.pidFile,
      ...(existsSync(paths.configDrive) ? { configDrive: paths.configDrive } : {}),
      ...this.consoleSpec(paths, qemuNamespace(nics.length, this.o.vifs.namespace) !== undefined),
    };
  }

  /** The guest's remote consoles, as [vnc] and [serial_console] enable them: on UNIX sockets when QEMU runs in a namespace. */
  private consoleSpec(paths: GuestPaths, namespaced: boolean): Pick<GuestSpec, 'vnc' | 'serial'> {
    const c = this.o.consoles;
    return {
      ...(c?.vnc ? { vnc: namespaced ? { socket: paths.vncSocket } : { listen: c.vnc.listen } } : {}),
      ...(c?.serial ? { serial: namespaced ? { socket: paths.serialSocket } : { host: c.serial.address, portMin: c.serial.ports.min, portMax: c.serial.ports.max } } : {}),
    };
  }

  /** Whether a spawn waits for Neutron's events (ports not yet ACTIVE, a timeout set). */
  private vifEventsAwaited(networkInfo: readonly VifInfo[]): boolean {
    return neutronEvents(networkInfo).length > 0 && this.o.vifPluggingTimeout > 0;
  }

  /** Neutron's network-vif-plugged events for the ports not yet ACTIVE (as libvirt waits). */
  private async waitForVifs(instance: Instance, networkInfo: readonly VifInfo[]): Promise<void> {
    if (!this.vifEventsAwaited(networkInfo)) return;
    const events = neutronEvents(networkInfo);
    const outcome = await this.o.virtapi.waitForInstanceEvents(instance, events, this.o.vifPluggingTimeout, () => {
      if (this.o.vifPluggingIsFatal) throw new VirtualInterfaceCreateException();
    });
    if (outcome === 'timeout' && this.o.vifPluggingIsFatal) throw new VirtualInterfaceCreateException();
  }

  /** The guest's QEMU, taps and files go. */
  async cleanup(instance: Instance, networkInfo: readonly VifInfo[]): Promise<void> {
    const g = this.guests.get(instance.uuid);
    if (g) await g.kill();
    for (const vif of networkInfo) await this.o.vifs.unplug(vif);
    const paths = guestPaths(this.o.instancesPath, instance.uuid);
    rmSync(paths.dir, { recursive: true, force: true });
    // when they live outside the directory (a long instances_path)
    for (const socket of [paths.qmpSocket, paths.vncSocket, paths.serialSocket]) rmSync(socket, { force: true });
    this.guests.delete(instance.uuid);
    this.records.delete(instance.uuid);
  }

  async destroy(_context: RequestContext, instance: Instance, networkInfo: VifInfo[]): Promise<void> {
    await this.cleanup(instance, networkInfo);
  }

  // --- power --------------------------------------------------------------------------------

  /** Start a guest that is off (from its saved state when suspended). */
  private async boot(instance: Instance, networkInfo: readonly VifInfo[]): Promise<void> {
    const g = this.guest(instance);
    if (g.running) return;
    const spec = await this.plugAndSpec(instance, networkInfo);
    if (!existsSync(g.paths.savedState)) {
      await g.start(this.o.binary, spec);
      return;
    }
    await g.start(this.o.binary, { ...spec, incoming: true });
    await g.command('migrate-incoming', { uri: `exec:cat ${shellQuote(g.paths.savedState)}` });
    await this.waitForMigration(g, 'migrate-incoming');
    await g.command('cont');
    rmSync(g.paths.savedState, { force: true });
    g.state = PowerState.RUNNING;
  }

  /** Poll query-migrate until the migration completed. @throws Error when it failed */
  private async waitForMigration(g: Guest, what: string): Promise<void> {
    for (;;) {
      const m = await g.command<{ status?: string; 'error-desc'?: string }>('query-migrate');
      if (m.status === 'completed') return;
      if (m.status === 'failed' || m.status === 'cancelled') throw new InstanceNotRunning(`${g.uuid} (${what}: ${m['error-desc'] ?? m.status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** ACPI power button, then up to `timeoutSeconds` for the guest to power itself off; whether it did. */
  private async cleanShutdown(g: Guest, timeoutSeconds: number): Promise<boolean> {
    if (!g.running) return true;
    if (timeoutSeconds <= 0) return false;
    if (g.state === PowerState.PAUSED) return false; // a paused guest cannot see the button
    await g.command('system_powerdown').catch(() => undefined);
    return g.waitForExit(timeoutSeconds * 1000);
  }

  async powerOff(instance: Instance, timeoutSeconds?: number): Promise<void> {
    const g = this.guest(instance);
    if (!(await this.cleanShutdown(g, timeoutSeconds ?? this.o.shutdownTimeout))) await g.kill();
    rmSync(g.paths.savedState, { force: true });
    g.state = PowerState.SHUTDOWN;
  }

  async powerOn(_context: RequestContext, instance: Instance, networkInfo: VifInfo[]): Promise<void> {
    await this.boot(instance, networkInfo);
  }

  /**
   * SOFT: the guest is asked by ACPI to shut down and is started again (a hard reboot when it
   * does not within shutdown_timeout, as libvirt's driver falls back). HARD: power cycled.
   */
  async reboot(_context: RequestContext, instance: Instance, networkInfo: VifInfo[], rebootType: 'SOFT' | 'HARD'): Promise<void> {
    const g = this.guest(instance);
    if (rebootType === 'HARD' || !(await this.cleanShutdown(g, this.o.shutdownTimeout))) await g.kill();
    rmSync(g.paths.savedState, { force: true });
    await this.boot(instance, networkInfo);
  }

  async pause(instance: Instance): Promise<void> {
    const g = this.guest(instance);
    await g.command('stop');
    g.state = PowerState.PAUSED;
  }

  async unpause(instance: Instance): Promise<void> {
    const g = this.guest(instance);
    await g.command('cont');
    g.state = PowerState.RUNNING;
  }

  /** libvirt's managed save: the paused guest's memory and devices go to saved.state and QEMU ends. */
  async suspend(_context: RequestContext, instance: Instance): Promise<void> {
    const g = this.guest(instance);
    await g.command('stop');
    const part = `${g.paths.savedState}.part`;
    await g.command('migrate', { uri: `exec:cat > ${shellQuote(part)}` });
    await this.waitForMigration(g, 'migrate');
    await g.command('quit').catch(() => undefined);
    if (!(await g.waitForExit(10_000))) await g.kill();
    renameSync(part, g.paths.savedState);
    g.state = PowerState.SUSPENDED;
  }

  async resume(_context: RequestContext, instance: Instance, networkInfo: VifInfo[]): Promise<void> {
    await this.boot(instance, networkInfo);
  }

  async getConsoleOutput(_context: RequestContext, instance: Instance): Promise<string> {
    const g = this.guest(instance);
    if (!existsSync(g.paths.consoleLog)) return '';
    const size = statSync(g.paths.consoleLog).size;
    const length = Math.min(size, MAX_CONSOLE_BYTES);
    const buf = Buffer.alloc(length);
    const fd = openSync(g.paths.consoleLog, 'r');
    try {
      readSync(fd, buf, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8');
  }

  // --- images -------------------------------------------------------------------------------

  /** The root disk flattened to a qcow2 (the guest paused meanwhile, so the copy is consistent), uploaded. */
  async snapshot(_context: RequestContext, instance: Instance, _imageId: string, updateTaskState: UpdateTaskState, upload: SnapshotUpload): Promise<void> {
    const g = this.guest(instance);
    if (this.records.get(instance.uuid)?.rootVolume) notSupported('snapshots of a volume-backed guest\'s disk (its volume is snapshotted in Cinder)');
    await updateTaskState(TaskState.IMAGE_PENDING_UPLOAD);
    const wasRunning = g.running && g.state === PowerState.RUNNING;
    const out = join(g.paths.dir, 'snapshot.qcow2');
    try {
      if (wasRunning) await g.command('stop');
      await flatten(g.paths.disk, out, g.running);
      if (wasRunning) await g.command('cont');
      await updateTaskState(TaskState.IMAGE_UPLOADING, TaskState.IMAGE_PENDING_UPLOAD);
      await upload(readFileSync(out), { disk_format: 'qcow2', container_format: 'bare' });
    } finally {
      if (wasRunning && g.running && g.state === PowerState.PAUSED) await g.command('cont').catch(() => undefined);
      rmSync(out, { force: true });
    }
  }

  // --- diagnostics and host -----------------------------------------------------------------

  getDiagnostics(instance: Instance): Record<string, unknown> {
    const d = this.getInstanceDiagnostics(instance);
    return { state: d.state, memory: (d.memory_details.maximum ?? 0) * 1024, num_cpus: d.num_cpus, num_nics: d.num_nics, num_disks: d.num_disks, uptime: d.uptime };
  }

  getInstanceDiagnostics(instance: Instance): InstanceDiagnostics {
    const g = this.guest(instance);
    const r = this.records.get(instance.uuid)!;
    const disks = 1 + (r.rescue ? 1 : 0) + (existsSync(g.paths.configDrive) ? 1 : 0) + r.volumes.length;
    return {
      state: POWER_STATE_NAMES[g.state] ?? 'pending', driver: 'libvirt', hypervisor: 'qemu', hypervisor_os: 'linux',
      uptime: g.startedAt === null ? null : Math.floor((Date.now() - g.startedAt) / 1000), config_drive: existsSync(g.paths.configDrive),
      num_cpus: r.vcpus, num_nics: r.macs.length, num_disks: disks,
      cpu_details: Array.from({ length: r.vcpus }, (_, id) => ({ id, time: null, utilisation: null })),
      nic_details: r.macs.map((mac) => ({
        mac_address: mac, rx_octets: null, rx_errors: null, rx_drop: null, rx_packets: null, rx_rate: null,
        tx_octets: null, tx_errors: null, tx_drop: null, tx_packets: null, tx_rate: null,
      })),
      disk_details: Array.from({ length: disks }, () => ({ read_bytes: null, read_requests: null, write_bytes: null, write_requests: null, errors_count: null })),
      memory_details: { maximum: r.memoryMb, used: null },
    };
  }

  getHostUptime(): string {
    const up = Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]));
    const now = new Date().toISOString().slice(11, 19);
    const days = Math.floor(up / 86400);
    const hm = `${String(Math.floor((up % 86400) / 3600)).padStart(2, ' ')}:${String(Math.floor((up % 3600) / 60)).padStart(2, '0')}`;
    return ` ${now} up ${days} day${days === 1 ? '' : 's'}, ${hm},  0 users,  load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }

  // --- volumes ------------------------------------------------------------------------------

  private saveRecord(uuid: string): void {
    writeFileSync(guestPaths(this.o.instancesPath, uuid).record, JSON.stringify(this.records.get(uuid)));
  }

  /** Hot-plugged into a running guest; a guest that is off gets it when it starts. @throws DevicePathInUse, FeatureNotSupported, InvalidVolume */
  async attachVolume(_context: RequestContext, connectionInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void> {
    const g = this.guest(instance);
    const record = this.records.get(instance.uuid)!;
    const disk = volumeDisk(connectionInfo, mountpoint);
    if (record.volumes.some((v) => v.mountpoint === mountpoint)) throw new DevicePathInUse(mountpoint);
    if (g.running) {
      const ids = volumeIds(mountpoint);
      await g.command('blockdev-add', blockdevAdd(disk));
      try {
        await g.command('device_add', { driver: 'virtio-blk-pci', drive: ids.node, id: ids.device });
      } catch (err) {
        await g.command('blockdev-del', { 'node-name': ids.node }).catch(() => undefined);
        throw err;
      }
    }
    record.volumes.push(disk);
    this.saveRecord(instance.uuid);
  }

  /** Unplugged when the guest lets go of it (DEVICE_DELETED); a volume not attached is not an error. @throws QemuError when the guest keeps it */
  async detachVolume(_context: RequestContext, _connectionInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void> {
    const g = this.guests.get(instance.uuid);
    const record = this.records.get(instance.uuid);
    const disk = record?.volumes.find((v) => v.mountpoint === mountpoint);
    if (!g || !record || !disk) return;
    if (g.running) {
      const ids = volumeIds(mountpoint);
      const deleted = g.waitForEvent((e) => e.event === 'DEVICE_DELETED' && e.data?.['device'] === ids.device, VOLUME_DETACH_SECONDS * 1000);
      await g.command('device_del', { id: ids.device });
      if (!(await deleted)) throw new QemuError(`the guest did not release ${mountpoint} within ${VOLUME_DETACH_SECONDS} s`);
      await g.command('blockdev-del', { 'node-name': nodeOf(disk) });
    }
    record.volumes = record.volumes.filter((v) => v.mountpoint !== mountpoint);
    this.saveRecord(instance.uuid);
  }

  getVolumeConnector(_instance: Instance): VolumeConnector {
    return { host: this.o.host, ip: '127.0.0.1', multipath: false, platform: 'x86_64', os_type: 'linux' };
  }

  // --- remote consoles ---------------------------------------------------------------------

  /**
   * libvirt's get_vnc_console: the port QEMU's VNC server took (query-vnc), at
   * [vnc] server_proxyclient_address, or its UNIX socket (port 0) for a QEMU in a namespace.
   * A guest without VNC or not running has none. @throws InstanceNotFound, ConsoleTypeUnavailable
   */
  async getVncConsole(_context: RequestContext, instance: Instance): Promise<ConsoleConnection> {
    const g = this.guest(instance);
    const vnc = this.o.consoles?.vnc;
    if (!vnc || !g.running) throw new ConsoleTypeUnavailable('vnc');
    const info = await g.command<{ enabled: boolean; family?: string; service?: string }>('query-vnc');
    if (!info.enabled || !info.service) throw new ConsoleTypeUnavailable('vnc');
    if (info.family === 'unix') return { host: vnc.proxyclientAddress, port: 0, internal_access_path: null, unix_socket: info.service };
    const port = Number(info.service);
    if (!Number.isInteger(port) || port <= 0) throw new ConsoleTypeUnavailable('vnc');
    return { host: vnc.proxyclientAddress, port, internal_access_path: null };
  }

  /**
   * libvirt's get_serial_console: the TCP port of the guest's first serial port (query-chardev
   * names it), at [serial_console] proxyclient_address, or its UNIX socket (port 0) for a QEMU
   * in a namespace. @throws InstanceNotFound, ConsoleTypeUnavailable
   */
  async getSerialConsole(_context: RequestContext, instance: Instance): Promise<ConsoleConnection> {
    const g = this.guest(instance);
    const serial = this.o.consoles?.serial;
    if (!serial || !g.running) throw new ConsoleTypeUnavailable('serial');
    const chardevs = await g.command<Array<{ label: string; filename: string }>>('query-chardev');
    const listen = serialListen(chardevs.find((c) => c.label === 'console0')?.filename ?? '');
    if (listen === null) throw new ConsoleTypeUnavailable('serial');
    if ('socket' in listen) return { host: serial.address, port: 0, internal_access_path: null, unix_socket: listen.socket };
    return { host: serial.address, port: listen.port, internal_access_path: null };
  }

  // --- rescue, interfaces, and what this driver does not support ----------------------------

  /** libvirt's rescue (rescue.ts); the manager powered the guest off. A failure leaves it off, unrescued. */
  async rescue(_context: RequestContext, instance: Instance, networkInfo: VifInfo[], rescueImage: ImageMeta, _rescuePassword: string): Promise<void> {
    const g = this.guest(instance);
    const record = this.records.get(instance.uuid)!;
    if (record.rootVolume) notSupported('rescuing a volume-backed guest');
    await g.kill();
    rmSync(g.paths.savedState, { force: true });
    try {
      await createRescueDisk(g.paths, await this.cache.base(rescueImage));
      record.rescue = await this.kernelBoot(rescueImage);
      this.saveRecord(instance.uuid);
      await this.boot(instance, networkInfo);
    } catch (err) {
      await g.kill();
      delete record.rescue;
      this.saveRecord(instance.uuid);
      removeRescueDisk(g.paths);
      throw err;
    }
  }

  /** libvirt's unrescue: the guest starts from its own disk again and the rescue disk goes. */
  async unrescue(_context: RequestContext, instance: Instance): Promise<void> {
    const g = this.guest(instance);
    const record = this.records.get(instance.uuid)!;
    await g.kill();
    delete record.rescue;
    this.saveRecord(instance.uuid);
    removeRescueDisk(g.paths);
    await this.boot(instance, instance.data.network_info);
  }

  setAdminPassword(): Promise<void> { return notSupported('setting the admin password'); }
  async triggerCrashDump(instance: Instance): Promise<void> {
    const g = this.guest(instance);
    if (!g.running) throw new InstanceNotRunning(instance.uuid);
    await g.command('inject-nmi');
  }
  getSpiceConsole(): Promise<ConsoleConnection> { return notSupported('SPICE consoles'); }
  getRdpConsole(): Promise<ConsoleConnection> { return notSupported('RDP consoles'); }
  getMksConsole(): Promise<ConsoleConnection> { return notSupported('MKS consoles'); }
  /**
   * libvirt's attach_interface: the port's tap plugged, and its NIC hot-plugged when the guest
   * runs (interfaces.ts); kept in the record, and in the network info a start plugs, after.
   * Like libvirt, no network-vif-plugged is awaited. @throws InterfaceAttachFailed, QemuError, QmpError
   */
  async attachInterface(_context: RequestContext, instance: Instance, vif: VifInfo): Promise<void> {
    const g = this.guest(instance);
    const record = this.records.get(instance.uuid)!;
    if (record.macs.includes(vif.address)) throw new InterfaceAttachFailed(instance.uuid);
    const tap = await this.o.vifs.plug(vif);
    const pid = g.running ? livePid(g.paths.pidFile, instance.uuid) : null;
    try {
      if (pid !== null && !inNamespace(pid, this.o.vifs.namespace)) throw new QemuError('the guest was started without NICs, outside the taps\' namespace: it takes one when started again');
      if (pid !== null) await hotplugNic(g, { tap, mac: vif.address });
    } catch (err) {
      await this.o.vifs.unplug(vif);
      throw err;
    }
    record.macs.push(vif.address);
    this.saveRecord(instance.uuid);
  }

  /** libvirt's detach_interface: the NIC ejected from a running guest, then its tap removed. @throws QemuError when the guest keeps it */
  async detachInterface(_context: RequestContext, instance: Instance, vif: VifInfo): Promise<void> {
    const g = this.guest(instance);
    const record = this.records.get(instance.uuid)!;
    if (g.running) await unplugNic(g, tapName(vif), NIC_DETACH_SECONDS);
    await this.o.vifs.unplug(vif);
    record.macs = record.macs.filter((mac) => mac !== vif.address);
    this.saveRecord(instance.uuid);
  }
  /**
   * swap_volume: the volume at `mountpoint` is replaced by the new one's disk with its data
   * (swap-volume.ts: a mirror and pivot while QEMU runs, a copy while it is off). The root
   * volume of a volume-backed guest is not swapped here. @throws FeatureNotSupported, InvalidVolume, QemuError
   */
  async swapVolume(_context: RequestContext, _oldInfo: Record<string, unknown>, newInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void> {
    const g = this.guest(instance);
    const record = this.records.get(instance.uuid)!;
    if (record.rootVolume?.mountpoint === mountpoint) notSupported('swapping the root volume of a volume-backed guest');
    const index = record.volumes.findIndex((v) => v.mountpoint === mountpoint);
    if (index < 0) throw new InvalidVolume(`no volume is attached at ${mountpoint} on instance ${instance.uuid}`);
    record.volumes[index] = await swapDisk(g, record.volumes[index]!, volumeDisk(newInfo, mountpoint));
    this.saveRecord(instance.uuid);
  }
  migrateDiskAndPowerOff(_c: RequestContext, i: Instance, d: string, f: Flavor, n: VifInfo[]): Promise<string> { this.localDiskOnly(i, 'moving'); return this.coldMoves.migrateDiskAndPowerOff(i, d, f, n); }
  finishMigration(a: FinishMigrationArgs): Promise<void> { return this.coldMoves.finishMigration(a); }
  confirmMigration(_c: RequestContext, _m: Migration, i: Instance, _n: VifInfo[]): Promise<void> { return this.coldMoves.confirmMigration(i); }
  finishRevertMigration(_c: RequestContext, i: Instance, n: VifInfo[], _m: Migration, powerOn: boolean): Promise<void> { return this.coldMoves.finishRevertMigration(i, n, powerOn); }
  preLiveMigration(_c: RequestContext, i: Instance, n: VifInfo[]): Promise<void> { return this.liveMoves.prepareDestination(i, n); }
  liveMigration(_c: RequestContext, i: Instance, d: string, _blockMigration: boolean): Promise<void> { this.localDiskOnly(i, 'live-migrating'); return this.liveMoves.migrate(i, d); }

  /** The moves copy the local root disk: a volume-backed guest is refused. @throws FeatureNotSupported */
  private localDiskOnly(instance: Instance, what: string): void {
    if (this.records.get(instance.uuid)?.rootVolume) notSupported(`${what} a volume-backed guest`);
  }
  liveMigrationForceComplete(i: Instance): Promise<void> { return this.liveMoves.forceComplete(i); }
  liveMigrationAbort(i: Instance): Promise<void> { return this.liveMoves.abort(i); }
  postLiveMigrationAtDestination(_c: RequestContext, i: Instance, _n: VifInfo[]): Promise<void> { return this.liveMoves.finishAtDestination(i); }
  rollbackLiveMigrationAtDestination(_c: RequestContext, i: Instance): Promise<void> { return this.liveMoves.rollbackAtDestination(i); }
  cacheImage(_c: RequestContext, image: ImageMeta): Promise<boolean> { return this.cache.precache(image); }
}

/** The volumes a server is booted with (not its root): disks on its command line. */
function bootVolumes(bdms: SpawnArgs['blockDevices']): VolumeDisk[] {
  return bdms.filter((b) => b.isVolume && !b.isRoot && b.data.connection_info && b.data.device_name)
    .map((b) => volumeDisk(JSON.parse(b.data.connection_info!) as Record<string, unknown>, b.data.device_name!));
}

/** A volume-backed server's root volume (boot_index 0, destination volume) as its first disk, vda; undefined when it boots from an image. */
function rootVolumeDisk(bdms: SpawnArgs['blockDevices']): VolumeDisk | undefined {
  const root = bdms.find((b) => b.isVolume && b.isRoot);
  if (!root) return undefined;
  if (!root.data.connection_info) throw new InvalidVolume(`the root volume ${root.data.volume_id ?? ''} has no connection info`);
  return volumeDisk(JSON.parse(root.data.connection_info) as Record<string, unknown>, '/dev/vda');
}

/**
 * Where a socket chardev listens, as query-chardev names it: a TCP port ("disconnected:tcp:127.0.0.1:10000,server=on",
 * "tcp:[::1]:10000,server=on <-> ...") or a UNIX socket ("disconnected:unix:/i/u/serial.sock,server=on"); null for another backend.
 */
export function serialListen(filename: string): { port: number } | { socket: string } | null {
  const tcp = /^(?:disconnected:)?tcp:(?:\[[^\]]*\]|[^:,\s]+):(\d+),server/.exec(filename);
  if (tcp) return { port: Number(tcp[1]) };
  const unix = /^(?:disconnected:)?unix:(.+?),server=on(?: <-> .*)?$/.exec(filename);
  return unix ? { socket: unix[1]! } : null;
}

/** A path for the shell QEMU's exec: migration runs (single quotes). */
function shellQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}
