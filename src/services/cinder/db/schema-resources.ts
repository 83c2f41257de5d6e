/**
 * The cinder tables of the resources beside volumes and snapshots (cinder/db/sqlalchemy/models.py):
 * volume transfers, QoS specs with their key/value specs, encryption types of volume types,
 * quota classes, the quota usage rows that serialise a project's quota checks, user
 * messages, and generic volume groups (types with specs, groups, group snapshots). Same dialect rules as schema.ts.
 */
import type { Generated } from 'kysely';
import type { KeyValueTable } from './schema.js';

export interface TransfersTable {
  id: string;
  volume_id: string;
  display_name: string | null;
  salt: string;
  crypt_hash: string;
  expires_at: string | null;
  no_snapshots: number;
  source_project_id: string;
  destination_project_id: string | null;
  accepted: number;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

/** quality_of_service_specs: the parent rows (name, consumer); the specs are qos_specs_values. */
export interface QosSpecsTable {
  id: string;
  name: string;
  consumer: string;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface QosSpecsValuesTable extends KeyValueTable { qos_specs_id: string }

/** encryption: one live row per volume type. */
export interface EncryptionTable {
  encryption_id: string;
  volume_type_id: string;
  provider: string;
  cipher: string | null;
  key_size: number | null;
  control_location: string;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface QuotaClassesTable {
  id: Generated<number>;
  class_name: string;
  resource: string;
  hard_limit: number;
  created_at: string;
  updated_at: string | null;
}

/**
 * quota_usages: one row per project and resource. Nubo counts usage from the live rows; the
 * row of resource `volumes` is what a quota check locks (SELECT ... FOR UPDATE) so that two
 * requests of one project are checked and recorded one after the other.
 */
export interface QuotaUsagesTable {
  id: Generated<number>;
  project_id: string;
  resource: string;
  in_use: number;
  reserved: number;
  created_at: string;
  updated_at: string | null;
}

export interface MessagesTable {
  id: string;
  project_id: string;
  request_id: string | null;
  resource_type: string | null;
  resource_uuid: string | null;
  event_id: string;
  message_level: string;
  detail_id: string | null;
  action_id: string | null;
  created_at: string;
  expires_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface ResourceTables extends GroupTables {
  transfers: TransfersTable;
  quality_of_service_specs: QosSpecsTable;
  qos_specs_values: QosSpecsValuesTable;
  encryption: EncryptionTable;
  quota_classes: QuotaClassesTable;
  quota_usages: QuotaUsagesTable;
  messages: MessagesTable;
}

// --- generic volume groups (cinder/db/sqlalchemy/models.py Group, GroupType, GroupSnapshot) ------

export interface GroupTypesTable {
  id: string;
  name: string;
  description: string | null;
  is_public: number;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface GroupTypeSpecsTable extends KeyValueTable { group_type_id: string }

export interface GroupsTable {
  id: string;
  project_id: string;
  user_id: string;
  host: string | null;
  availability_zone: string;
  name: string | null;
  description: string | null;
  status: string;
  group_type_id: string;
  group_snapshot_id: string | null;
  source_group_id: string | null;
  replication_status: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

/** group_volume_type_mapping: the volume types a group's volumes may have. */
export interface GroupVolumeTypesTable {
  id: Generated<number>;
  group_id: string;
  volume_type_id: string;
}

export interface GroupSnapshotsTable {
  id: string;
  group_id: string;
  project_id: string;
  user_id: string;
  name: string | null;
  description: string | null;
  status: string;
  group_type_id: string;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: number;
}

export interface GroupTables {
  group_types: GroupTypesTable;
  group_type_specs: GroupTypeSpecsTable;
  groups: GroupsTable;
  group_volume_type_mapping: GroupVolumeTypesTable;
  group_snapshots: GroupSnapshotsTable;
}
