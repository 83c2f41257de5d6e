/**
 * The virt driver interface (nova/virt/driver.py's ComputeDriver): what the compute manager
 * asks of a hypervisor, with the capabilities record that tells the API and the scheduler what
 * it can do (turned into Placement traits, CAPABILITY_TRAITS_MAP). A driver waits for Neutron's
 * network-vif-plugged events itself through the VirtAPI, as libvirt does, since only it knows
 * when the guest's interfaces are plugged.
 */
import type { RequestContext } from '../../../common/context.js';
import type { BlockDeviceMapping, Flavor, ImageMeta, Instance, Migration, VifInfo } from '../objects/index.js';
import type { InstanceDiagnostics } from './diagnostics.js';

/** nova's ComputeDriver.capabilities (the flags Nubo's drivers decide). */
export interface DriverCapabilities {
  has_imagecache: boolean;
  supports_evacuate: boolean;
  supports_migrate_to_same_host: boolean;
  supports_attach_interface: boolean;
  supports_device_tagging: boolean;
  supports_tagged_attach_interface: boolean;
  supports_tagged_attach_volume: boolean;
  supports_extend_volume: boolean;
  supports_multiattach: boolean;
  supports_trusted_certs: boolean;
  supports_pcpus: boolean;
  supports_accelerators: boolean;
  supports_bfv_rescue: boolean;
  supports_vtpm: boolean;
  supports_secure_boot: boolean;
  supports_socket_pci_numa_affinity: boolean;
  supports_remote_managed_ports: boolean;
  supports_image_type_aki: boolean;
  supports_image_type_ami: boolean;
  supports_image_type_ari: boolean;
  supports_image_type_iso: boolean;
  supports_image_type_qcow2: boolean;
  supports_image_type_raw: boolean;
  supports_image_type_vdi: boolean;
  supports_image_type_vhd: boolean;
  supports_image_type_vhdx: boolean;
  supports_image_type_vmdk: boolean;
  supports_image_type_ploop: boolean;
}

/** nova/virt/driver.py CAPABILITY_TRAITS_MAP (the capabilities Nubo's drivers have flags for). */
export const CAPABILITY_TRAITS: Readonly<Partial<Record<keyof DriverCapabilities, string>>> = {
  supports_attach_interface: 'COMPUTE_NET_ATTACH_INTERFACE',
  supports_device_tagging: 'COMPUTE_DEVICE_TAGGING',
  supports_tagged_attach_interface: 'COMPUTE_NET_ATTACH_INTERFACE_WITH_TAG',
  supports_tagged_attach_volume: 'COMPUTE_VOLUME_ATTACH_WITH_TAG',
  supports_extend_volume: 'COMPUTE_VOLUME_EXTEND',
  supports_multiattach: 'COMPUTE_VOLUME_MULTI_ATTACH',
  supports_trusted_certs: 'COMPUTE_TRUSTED_CERTS',
  supports_accelerators: 'COMPUTE_ACCELERATORS',
  supports_image_type_aki: 'COMPUTE_IMAGE_TYPE_AKI',
  supports_image_type_ami: 'COMPUTE_IMAGE_TYPE_AMI',
  supports_image_type_ari: 'COMPUTE_IMAGE_TYPE_ARI',
  supports_image_type_iso: 'COMPUTE_IMAGE_TYPE_ISO',
  supports_image_type_qcow2: 'COMPUTE_IMAGE_TYPE_QCOW2',
  supports_image_type_raw: 'COMPUTE_IMAGE_TYPE_RAW',
  supports_image_type_vdi: 'COMPUTE_IMAGE_TYPE_VDI',
  supports_image_type_vhd: 'COMPUTE_IMAGE_TYPE_VHD',
  supports_image_type_vhdx: 'COMPUTE_IMAGE_TYPE_VHDX',
  supports_image_type_vmdk: 'COMPUTE_IMAGE_TYPE_VMDK',
  supports_image_type_ploop: 'COMPUTE_IMAGE_TYPE_PLOOP',
  supports_migrate_to_same_host: 'COMPUTE_SAME_HOST_COLD_MIGRATE',
  supports_bfv_rescue: 'COMPUTE_RESCUE_BFV',
  supports_secure_boot: 'COMPUTE_SECURITY_UEFI_SECURE_BOOT',
  supports_socket_pci_numa_affinity: 'COMPUTE_SOCKET_PCI_NUMA_AFFINITY',
  supports_remote_managed_ports: 'COMPUTE_REMOTE_MANAGED_PORTS',
};

/** ComputeDriver.capabilities_as_traits: trait -> whether the driver has it. */
export function capabilitiesAsTraits(caps: DriverCapabilities): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const [cap, trait] of Object.entries(CAPABILITY_TRAITS)) out.set(trait!, caps[cap as keyof DriverCapabilities]);
  return out;
}

/** get_available_resource: the node's size and use as the hypervisor sees it. */
export interface HostResources {
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  hypervisor_type: string;
  hypervisor_version: number;
  hypervisor_hostname: string;
  cpu_info: string;
  disk_available_least: number;
  supported_instances: Array<[string, string, string]>;
}

/** get_info: a guest's state (nova's InstanceInfo). */
export interface InstanceInfo {
  state: number;
  internal_id?: string;
}

/** Neutron events a driver waits for, as (name, tag) pairs: ['network-vif-plugged', portId]. */
export type ExpectedEvent = [name: string, tag: string];

/**
 * nova's VirtAPI: what a driver may ask of the compute manager. waitForInstanceEvents resolves
 * when every event came (or when deadline seconds passed: `onTimeout`), rejects when one came
 * with status failed and the error callback says so.
 */
export interface VirtAPI {
  waitForInstanceEvents(instance: Instance, events: readonly ExpectedEvent[], deadlineSeconds: number, onFailedEvent: (name: string, tag: string) => void): Promise<'done' | 'timeout'>;
}

export interface SpawnArgs {
  context: RequestContext;
  instance: Instance;
  image: ImageMeta;
  injectedFiles: Array<[string, string]>;
  adminPassword: string | null;
  networkInfo: VifInfo[];
  blockDevices: BlockDeviceMapping[];
}

/** finish_migration's arguments: the guest rebuilt on the destination from the moved disks. */
export interface FinishMigrationArgs {
  context: RequestContext;
  migration: Migration;
  instance: Instance;
  /** What migrateDiskAndPowerOff returned on the source (nova's disk_info). */
  diskInfo: string;
  networkInfo: VifInfo[];
  image: ImageMeta;
  /** The flavor changed (a resize, not a cold migration). */
  resizeInstance: boolean;
  powerOn: boolean;
}

export interface ComputeDriver {
  readonly capabilities: DriverCapabilities;
  /** Called once when the compute service starts on `host`. */
  initHost(host: string): Promise<void>;
  /** The nodes (hypervisors) this driver manages on the host. */
  getAvailableNodes(): string[];
  getAvailableResource(nodename: string): HostResources;
  /** The uuids of the guests the hypervisor has. */
  listInstanceUuids(): string[];
  instanceExists(instance: Instance): boolean;
  /** @throws InstanceNotFound when the hypervisor has no such guest */
  getInfo(instance: Instance): InstanceInfo;
  /** Create and boot the guest (waiting for its VIFs to be plugged, see VirtAPI). */
  spawn(args: SpawnArgs): Promise<void>;
  /** Stop and remove the guest (a missing guest is not an error). */
  destroy(context: RequestContext, instance: Instance, networkInfo: VifInfo[]): Promise<void>;
  reboot(context: RequestContext, instance: Instance, networkInfo: VifInfo[], rebootType: 'SOFT' | 'HARD'): Promise<void>;
  powerOff(instance: Instance, timeoutSeconds?: number): Promise<void>;
  powerOn(context: RequestContext, instance: Instance, networkInfo: VifInfo[]): Promise<void>;
  pause(instance: Instance): Promise<void>;
  unpause(instance: Instance): Promise<void>;
  suspend(context: RequestContext, instance: Instance): Promise<void>;
  resume(context: RequestContext, instance: Instance, networkInfo: VifInfo[]): Promise<void>;
  /** The guest's console log. */
  getConsoleOutput(context: RequestContext, instance: Instance): Promise<string>;
  /** Boot the guest from a rescue image with its own disk attached (the guest is powered off first by the manager). */
  rescue(context: RequestContext, instance: Instance, networkInfo: VifInfo[], rescueImage: ImageMeta, rescuePassword: string): Promise<void>;
  unrescue(context: RequestContext, instance: Instance): Promise<void>;
  /**
   * Set the guest's admin password through its agent.
   * @throws SetAdminPasswdNotSupported, InstanceAgentNotEnabled, NotImplementedError-like errors (see errors.ts)
   */
  setAdminPassword(instance: Instance, newPass: string): Promise<void>;
  /** Inject an NMI into the guest. @throws InstanceNotRunning, TriggerCrashDumpNotSupported */
  triggerCrashDump(instance: Instance): Promise<void>;
  /**
   * Capture the guest's root disk and upload it as image `imageId` (nova's snapshot): the
   * driver moves the task state to IMAGE_PENDING_UPLOAD, then IMAGE_UPLOADING, before it
   * streams the data through `upload`.
   */
  snapshot(context: RequestContext, instance: Instance, imageId: string, updateTaskState: UpdateTaskState, upload: SnapshotUpload): Promise<void>;
  /** Connection facts of the guest's graphical / serial consoles (get_vnc_console, ...). */
  getVncConsole(context: RequestContext, instance: Instance): Promise<ConsoleConnection>;
  getSpiceConsole(context: RequestContext, instance: Instance): Promise<ConsoleConnection>;
  getSerialConsole(context: RequestContext, instance: Instance): Promise<ConsoleConnection>;
  getRdpConsole(context: RequestContext, instance: Instance): Promise<ConsoleConnection>;
  getMksConsole(context: RequestContext, instance: Instance): Promise<ConsoleConnection>;
  /** get_diagnostics: the driver's own free-form view of a guest (before microversion 2.48). @throws InstanceNotFound */
  getDiagnostics(instance: Instance): Record<string, unknown>;
  /** get_instance_diagnostics: the standard format (2.48). @throws InstanceNotFound */
  getInstanceDiagnostics(instance: Instance): InstanceDiagnostics;
  /** get_host_uptime: the hypervisor host's uptime line, as `uptime` prints it. */
  getHostUptime(): string;
  /** Hot-plug a port into the guest. @throws InstanceNotFound when the hypervisor has no such guest */
  attachInterface(context: RequestContext, instance: Instance, vif: VifInfo): Promise<void>;
  /** Unplug a port from the guest. @throws InstanceNotFound, NotFound when the guest has no such interface */
  detachInterface(context: RequestContext, instance: Instance, vif: VifInfo): Promise<void>;
  /** get_volume_connector: how this host reaches block storage (os-brick's connector properties). */
  getVolumeConnector(instance: Instance): VolumeConnector;
  /** Attach a volume (its connection info from Cinder) at `mountpoint`. @throws InstanceNotFound */
  attachVolume(context: RequestContext, connectionInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void>;
  /** Detach the volume at `mountpoint` (a guest or disk already gone is not an error). */
  detachVolume(context: RequestContext, connectionInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void>;
  /** Replace the volume at `mountpoint` by another (its data copied by the hypervisor). */
  swapVolume(context: RequestContext, oldConnectionInfo: Record<string, unknown>, newConnectionInfo: Record<string, unknown>, instance: Instance, mountpoint: string): Promise<void>;
  // --- moves (resize, cold and live migration; evacuate and unshelve use spawn and destroy) ---
  /** Cold move, on the source: power the guest off and send its disks to `destHost` (which may be this host); the disk info the destination needs. */
  migrateDiskAndPowerOff(context: RequestContext, instance: Instance, destHost: string, flavor: Flavor, networkInfo: VifInfo[]): Promise<string>;
  /** Cold move, on the destination: the guest from the moved disks, with the instance's (new) flavor. */
  finishMigration(args: FinishMigrationArgs): Promise<void>;
  /** After a confirmed cold move, on the source: the old guest and its disks go. */
  confirmMigration(context: RequestContext, migration: Migration, instance: Instance, networkInfo: VifInfo[]): Promise<void>;
  /** After a reverted cold move, on the source: the old guest comes back (running when `powerOn`). */
  finishRevertMigration(context: RequestContext, instance: Instance, networkInfo: VifInfo[], migration: Migration, powerOn: boolean): Promise<void>;
  /** Live migration, on the destination, before the copy: get ready to receive the guest. */
  preLiveMigration(context: RequestContext, instance: Instance, networkInfo: VifInfo[]): Promise<void>;
  /** Live migration, on the source: copy the running guest to `destHost`; it keeps running there and leaves this host. */
  liveMigration(context: RequestContext, instance: Instance, destHost: string, blockMigration: boolean): Promise<void>;
  /** Finish a running live migration now (the guest is paused for the last copy). @throws MigrationError when none runs */
  liveMigrationForceComplete(instance: Instance): Promise<void>;
  /** Stop a running live migration; liveMigration then fails with LiveMigrationAborted. @throws MigrationError when none runs */
  liveMigrationAbort(instance: Instance): Promise<void>;
  /** Live migration, on the destination, after the copy. */
  postLiveMigrationAtDestination(context: RequestContext, instance: Instance, networkInfo: VifInfo[]): Promise<void>;
  /** Live migration failed or aborted, on the destination: drop what preLiveMigration prepared. */
  rollbackLiveMigrationAtDestination(context: RequestContext, instance: Instance): Promise<void>;
  /**
   * cache_image: the image's data put in this host's image cache before any server needs it (an
   * aggregate's pre-caching, POST /os-aggregates/{id}/images). true: fetched now; false: it was
   * there already. @throws FeatureNotSupported when the driver keeps no image cache (nova's NotImplementedError).
   */
  cacheImage(context: RequestContext, image: ImageMeta): Promise<boolean>;
}

/** update_task_state(task_state, expected_state) of nova's driver.snapshot (expected: the snapshot's own task state by default). */
export type UpdateTaskState = (taskState: string, expectedState?: string) => Promise<void>;

/** What a snapshot hands to the image service: the disk data and its formats. */
export type SnapshotUpload = (data: Buffer, meta: { disk_format: string; container_format: string }) => Promise<void>;

/** nova/console/type.py Console*: where the hypervisor serves a guest's console. */
export interface ConsoleConnection {
  host: string;
  port: number;
  internal_access_path: string | null;
  /**
   * Nubo's addition: the console is a UNIX socket at this path on `host` (port 0), what a QEMU
   * in a network namespace serves, since its TCP ports would be out of the proxies' reach; the
   * proxy connects to it, so it must run on that host. Absent: TCP at host:port.
   */
  unix_socket?: string | null;
}

/** os-brick's connector properties, what Cinder needs to export a volume to this host. */
export interface VolumeConnector {
  host: string;
  ip: string;
  initiator?: string;
  multipath: boolean;
  platform: string;
  os_type: string;
  [key: string]: unknown;
}
