/**
 * Cinder's database, the tables Nubo's Block Storage uses, named as upstream's
 * (cinder/db/sqlalchemy/models.py): volumes with their user metadata and admin metadata,
 * volume types with extra specs and project access, snapshots with metadata, volume
 * attachments, quotas and the services of the volume hosts and schedulers. Rows of volumes,
 * snapshots and attachments are soft-deleted as upstream's (`deleted`, `deleted_at`).
 *
 * Dialect rules: string ids (uuids), booleans as 0/1, timestamps as ISO strings with whole
 * seconds, JSON (connector, connection info) as text.
 */
import type { Generated } from 'kysely';
import type { ResourceTables } from './schema-resources.js';

export interface VolumesTable {
  id: string;
  project_id: string;
  user_id: string;
  /** `host@backend#pool`, null until scheduled. */
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
  bootable: number;
  multiattach: number;
  encryption_key_id: string | null;
  provider_location: string | null;
  replication_status: string | null;
  service_uuid: string | null;
  /** The backup a volume is created from (3.47), until it is restored. */
  backup_id?: string | null;
  shared_targets: number;
  use_quota: number;
  /** The generic group the volume belongs to. */
  group_id?: string | null;
  launched_at: string | null;
  terminated_at: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface KeyValueTable {
  id: Generated<number>;
  key: string;
  value: string;
}

export interface VolumeMetadataTable extends KeyValueTable { volume_id: string }
export interface VolumeAdminMetadataTable extends KeyValueTable { volume_id: string }
/** The image a volume was made from (upstream's volume_glance_metadata). */
export interface VolumeGlanceMetadataTable extends KeyValueTable { volume_id: string }
export interface SnapshotMetadataTable extends KeyValueTable { snapshot_id: string }
export interface VolumeTypeExtraSpecsTable extends KeyValueTable { volume_type_id: string }

export interface VolumeTypesTable {
  id: string;
  name: string;
  description: string | null;
  is_public: number;
  /** The QoS specs associated with the type. */
  qos_specs_id?: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface VolumeTypeProjectsTable {
  id: Generated<number>;
  volume_type_id: string;
  project_id: string;
}

export interface SnapshotsTable {
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
  use_quota: number;
  /** The group snapshot the snapshot was taken for. */
  group_snapshot_id?: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface VolumeAttachmentTable {
  id: string;
  volume_id: string;
  instance_uuid: string | null;
  attached_host: string | null;
  mountpoint: string | null;
  attach_time: string | null;
  detach_time: string | null;
  attach_mode: string | null;
  attach_status: string;
  /** JSON: the connector os-brick gave. */
  connector: string | null;
  /** JSON: what the driver's initialize_connection returned. */
  connection_info: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface QuotasTable {
  id: Generated<number>;
  project_id: string;
  resource: string;
  hard_limit: number;
  created_at: string;
  updated_at: string | null;
}

export interface ServicesTable {
  id: Generated<number>;
  uuid: string;
  host: string;
  binary: string;
  topic: string;
  availability_zone: string;
  disabled: number;
  disabled_reason: string | null;
  report_count: number;
  frozen: number;
  created_at: string;
  updated_at: string | null;
}

/** Volume backups (cinder's backups table): the chunks live with the backup driver. */
export interface BackupsTable {
  id: string;
  volume_id: string;
  user_id: string;
  project_id: string;
  /** The backup service host that holds it. */
  host: string | null;
  availability_zone: string | null;
  display_name: string | null;
  display_description: string | null;
  container: string | null;
  status: string;
  fail_reason: string | null;
  /** What the driver needs to find the data again (JSON of the driver's own). */
  service_metadata: string | null;
  /** The driver: cinder.backup.drivers.posix.PosixBackupDriver, ...swift.SwiftBackupDriver. */
  service: string | null;
  size: number;
  object_count: number;
  parent_id: string | null;
  num_dependent_backups: number;
  snapshot_id: string | null;
  data_timestamp: string | null;
  restore_volume_id: string | null;
  encryption_key_id: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface BackupMetadataTable extends KeyValueTable { backup_id: string }

/** A project's own default volume type (3.62). */
export interface DefaultVolumeTypesTable {
  project_id: string;
  volume_type_id: string;
  created_at: string;
  updated_at: string | null;
}

export interface CinderDB extends ResourceTables {
  default_volume_types: DefaultVolumeTypesTable;
  volumes: VolumesTable;
  volume_metadata: VolumeMetadataTable;
  volume_admin_metadata: VolumeAdminMetadataTable;
  volume_glance_metadata: VolumeGlanceMetadataTable;
  volume_types: VolumeTypesTable;
  volume_type_extra_specs: VolumeTypeExtraSpecsTable;
  volume_type_projects: VolumeTypeProjectsTable;
  snapshots: SnapshotsTable;
  snapshot_metadata: SnapshotMetadataTable;
  volume_attachment: VolumeAttachmentTable;
  quotas: QuotasTable;
  services: ServicesTable;
  backups: BackupsTable;
  backup_metadata: BackupMetadataTable;
}
