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
  deleteVolume(volume: DriverVolume): Promise<void>;
  createSnapshot(snapshot: DriverSnapshot, volume: DriverVolume): Promise<ModelUpdate>;
  deleteSnapshot(snapshot: DriverSnapshot): Promise<void>;
  initializeConnection(volume: DriverVolume, connector: Record<string, unknown>): Promise<{ driver_volume_type: string; data: Record<string, unknown> }>;
  terminateConnection(volume: DriverVolume, connector: Record<string, unknown> | null): Promise<void>;
  /** The local file of a volume or snapshot, and its format, for the backup service on this machine (os-brick's local attach). */
  backupDevice(target: { volume: DriverVolume } | { snapshot: DriverSnapshot }): Promise<BackupDevice>;
}

export interface BackupDevice {
  path: string;
  format: 'raw' | 'qcow2';
}
