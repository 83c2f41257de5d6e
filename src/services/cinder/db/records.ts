/**
 * The rows of the cinder database as the layers above see them: booleans as booleans, JSON
 * columns parsed, a volume with its metadata, admin metadata, type and live attachments.
 */
export interface VolumeTypeRecord {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: Record<string, string>;
  created_at: string;
  updated_at: string | null;
  deleted: boolean;
}

export interface AttachmentRecord {
  id: string;
  volume_id: string;
  instance_uuid: string | null;
  attached_host: string | null;
  mountpoint: string | null;
  attach_time: string | null;
  detach_time: string | null;
  attach_mode: string | null;
  attach_status: string;
  connector: Record<string, unknown> | null;
  connection_info: Record<string, unknown> | null;
  created_at: string;
  updated_at: string | null;
}

export interface VolumeRecord {
  id: string;
  project_id: string;
  user_id: string;
  host: string | null;
  size: number;
  availability_zone: string;
  status: string;
  attach_status: string;
  migration_status: string | null;
  previous_status: string | null;
  display_name: string | null;
  display_description: string | null;
  volume_type_id: string;
  snapshot_id: string | null;
  source_volid: string | null;
  bootable: boolean;
  multiattach: boolean;
  encryption_key_id: string | null;
  provider_location: string | null;
  replication_status: string | null;
  service_uuid: string | null;
  /** The backup the volume is being created from (3.47). */
  backup_id?: string | null;
  shared_targets: boolean;
  use_quota: boolean;
  launched_at: string | null;
  terminated_at: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: boolean;
  metadata: Record<string, string>;
  admin_metadata: Record<string, string>;
  /** The image the volume was made from (image_id, image_name, disk_format, ...); empty otherwise. */
  image_metadata: Record<string, string>;
  volume_type: VolumeTypeRecord | null;
  attachments: AttachmentRecord[];
}

export interface SnapshotRecord {
  id: string;
  volume_id: string;
  project_id: string;
  user_id: string;
  status: string;
  progress: string | null;
  volume_size: number;
  display_name: string | null;
  display_description: string | null;
  provider_location: string | null;
  use_quota: boolean;
  created_at: string;
  updated_at: string | null;
  deleted: boolean;
  metadata: Record<string, string>;
}

export interface ServiceRecord {
  id: number;
  uuid: string;
  host: string;
  binary: string;
  topic: string;
  availability_zone: string;
  disabled: boolean;
  disabled_reason: string | null;
  report_count: number;
  frozen: boolean;
  created_at: string;
  updated_at: string | null;
}
