/**
 * The volume driver interface (cinder/volume/driver.py's BaseVD, the calls Nubo's volume
 * manager makes): capacity stats per pool, volumes made empty, from a snapshot or from another
 * volume, extended, deleted, snapshots, and the connection info a host's connector gets.
 */
import type { Readable } from 'node:stream';

export interface DriverVolume {
  id: string;
  /** GiB. */
  size: number;
  provider_location: string | null;
}

export interface DriverSnapshot {
  id: string;
  volume_id: string;
  volume_size: number;
  provider_location: string | null;
}

export interface PoolStats {
  pool_name: string;
  total_capacity_gb: number;
  free_capacity_gb: number;
  allocated_capacity_gb: number;
  provisioned_capacity_gb: number;
  reserved_percentage: number;
  max_over_subscription_ratio: number;
  thin_provisioning_support: boolean;
  thick_provisioning_support: boolean;
  multiattach: boolean;
  [capability: string]: unknown;
}

export interface BackendStats {
  volume_backend_name: string;
  vendor_name: string;
  driver_version: string;
  storage_protocol: string;
  pools: PoolStats[];
}

export interface ModelUpdate {
  provider_location?: string;
}

export interface VolumeDriver {
  /** Prepare the backend (directories, tools). */
  doSetup(): Promise<void>;
  /** The backend's capabilities; `provisionedGb`: GiB of the volumes this host holds. */
  getVolumeStats(provisionedGb: number): Promise<BackendStats>;
  createVolume(volume: DriverVolume): Promise<ModelUpdate>;
  createVolumeFromSnapshot(volume: DriverVolume, snapshot: DriverSnapshot): Promise<ModelUpdate>;
  createClonedVolume(volume: DriverVolume, source: DriverVolume): Promise<ModelUpdate>;
  /** A volume holding an image's data (`diskFormat` as Glance gives it: raw, qcow2, ...). */
  copyImageToVolume(volume: DriverVolume, data: Readable, diskFormat: string): Promise<ModelUpdate>;
  extendVolume(volume: DriverVolume, newSize: number): Promise<void>;
  /** The volume's data becomes the snapshot's again (then at the volume's size). */
  revertToSnapshot(volume: DriverVolume, snapshot: DriverSnapshot): Promise<void>;
  deleteVolume(volume: DriverVolume): Promise<void>;
  createSnapshot(snapshot: DriverSnapshot, volume: DriverVolume): Promise<ModelUpdate>;
  deleteSnapshot(snapshot: DriverSnapshot): Promise<void>;
  /** GiB of the backend object `ref` names (manage_existing_get_size). @throws VolumeBackendAPIException when there is none */
  manageExistingGetSize(ref: Record<string, unknown>): Promise<number>;
  /** Adopt the object `ref` names as `volume` (manage_existing). */
  manageExisting(volume: DriverVolume, ref: Record<string, unknown>): Promise<ModelUpdate>;
  /** Forget the volume, keeping its data (unmanage). */
  unmanage(volume: DriverVolume): Promise<void>;
  /** The backend's objects that could be managed: name and GiB. */
  listManageable(): Promise<Array<{ name: string; sizeGb: number }>>;
  initializeConnection(volume: DriverVolume, connector: Record<string, unknown>): Promise<{ driver_volume_type: string; data: Record<string, unknown> }>;
  terminateConnection(volume: DriverVolume, connector: Record<string, unknown> | null): Promise<void>;
  /** The local file of a volume or snapshot, and its format, for the backup service on this machine (os-brick's local attach). */
  backupDevice(target: { volume: DriverVolume } | { snapshot: DriverSnapshot }): Promise<BackupDevice>;
  /** What the backend holds under the names it gives volumes and snapshots (for the orphan cleanup at start). */
  listBackendObjects(): Promise<BackendObject[]>;
  /** Remove one object `listBackendObjects` named. */
  removeBackendObject(name: string): Promise<void>;
}

/** A backend object named after a volume or snapshot. */
export interface BackendObject {
  name: string;
  kind: 'volume' | 'snapshot';
  id: string;
  /** A temporary object of work in progress (a download, a revert, a restore): never needed after a restart. */
  temporary: boolean;
}

export interface BackupDevice {
  path: string;
  format: 'raw' | 'qcow2';
}
