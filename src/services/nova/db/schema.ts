/**
 * Nova's database, typed for Kysely: the tables of nova's cell database (instances and what
 * hangs off them, services, compute nodes, migrations) and of its API database (flavors, key
 * pairs, server groups, request specs, aggregates, quotas) in one database, since Nubo runs a
 * single cell. No build_requests: the instance row is written by the API at once (what a
 * cell-less Nova did), and a server deleted before it is scheduled is simply marked deleted.
 *
 * Dialect rules as everywhere in Nubo: booleans 0/1, JSON as text, timestamps as ISO strings
 * with whole seconds (nowIso()). Soft-deleted tables have nova's `deleted` column: 0 while the
 * row lives, its id once deleted (so unique constraints hold among live rows); `deleted_at`.
 */
import type { Generated } from 'kysely';

interface Timestamps {
  created_at: string;
  updated_at: string | null;
}

interface SoftDelete {
  deleted_at: string | null;
  /** 0: live; otherwise the row's id (nova's SoftDeleteMixin). */
  deleted: Generated<number>;
}

/** console_auth_tokens (migration 0006): a console URL's token, by its hash. */
export interface ConsoleAuthTokensTable extends Timestamps {
  id: Generated<number>;
  token_hash: string;
  console_type: string;
  host: string;
  port: number;
  internal_access_path: string | null;
  /** Nubo's: the console's UNIX socket on `host` (port 0), when it is served on one. */
  unix_socket: string | null;
  instance_uuid: string;
  expires: number;
  access_url_base: string | null;
}

export interface InstancesTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  uuid: string;
  user_id: string;
  project_id: string;
  image_ref: string | null;
  kernel_id: string | null;
  ramdisk_id: string | null;
  hostname: string | null;
  launch_index: number | null;
  key_name: string | null;
  key_data: string | null;
  power_state: number;
  vm_state: string;
  task_state: string | null;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  host: string | null;
  node: string | null;
  /** flavors.id of the flavor at boot (the snapshot is instance_extra.flavor). */
  instance_type_id: number | null;
  user_data: string | null;
  reservation_id: string | null;
  launched_at: string | null;
  terminated_at: string | null;
  availability_zone: string | null;
  display_name: string | null;
  display_description: string | null;
  launched_on: string | null;
  locked: number;
  locked_by: string | null;
  os_type: string | null;
  architecture: string | null;
  vm_mode: string | null;
  root_device_name: string | null;
  default_ephemeral_device: string | null;
  default_swap_device: string | null;
  config_drive: string | null;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  auto_disk_config: number;
  progress: number | null;
  shutdown_terminate: number;
  disable_terminate: number;
  ephemeral_key_uuid: string | null;
  hidden: number;
  cleaned: number;
}

/** instance_extra: the parts of an instance kept as JSON (only the ones Nubo uses). */
export interface InstanceExtraTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  instance_uuid: string;
  /** JSON: { cur, old, new } flavor snapshots (nova's instance.flavor / old_flavor / new_flavor). */
  flavor: string | null;
  /** JSON: the key pairs of the instance (KeyPairList). */
  keypairs: string | null;
  /** JSON: device tags and metadata. */
  device_metadata: string | null;
  /** JSON: trusted image certificates. */
  trusted_certs: string | null;
}

export interface InstanceInfoCachesTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  instance_uuid: string;
  /** JSON: the instance's network_info (nova.network.model.NetworkInfo). */
  network_info: string | null;
}

export interface InstanceFaultsTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  instance_uuid: string;
  code: number;
  message: string | null;
  details: string | null;
  host: string | null;
}

export interface InstanceActionsTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  action: string;
  instance_uuid: string;
  request_id: string;
  user_id: string | null;
  project_id: string | null;
  start_time: string;
  finish_time: string | null;
  message: string | null;
}

export interface InstanceActionsEventsTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  event: string;
  action_id: number;
  start_time: string;
  finish_time: string | null;
  result: string | null;
  traceback: string | null;
  host: string | null;
  details: string | null;
}

export interface InstanceMetadataTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  instance_uuid: string;
  key: string;
  value: string | null;
}

export interface InstanceSystemMetadataTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  instance_uuid: string;
  key: string;
  value: string | null;
}

export interface TagsTable {
  resource_id: string;
  tag: string;
}

export interface BlockDeviceMappingTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  uuid: string;
  instance_uuid: string;
  source_type: string | null;
  destination_type: string | null;
  guest_format: string | null;
  device_type: string | null;
  disk_bus: string | null;
  boot_index: number | null;
  device_name: string | null;
  delete_on_termination: number;
  snapshot_id: string | null;
  volume_id: string | null;
  volume_size: number | null;
  volume_type: string | null;
  image_id: string | null;
  no_device: number;
  connection_info: string | null;
  tag: string | null;
  attachment_id: string | null;
}

export interface FlavorsTable extends Timestamps {
  id: Generated<number>;
  flavorid: string;
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  vcpu_weight: number | null;
  rxtx_factor: number;
  disabled: number;
  is_public: number;
  description: string | null;
}

export interface FlavorExtraSpecsTable extends Timestamps {
  id: Generated<number>;
  flavor_id: number;
  key: string;
  value: string;
}

export interface FlavorProjectsTable extends Timestamps {
  id: Generated<number>;
  flavor_id: number;
  project_id: string;
}

export interface KeyPairsTable extends Timestamps {
  id: Generated<number>;
  name: string;
  user_id: string;
  fingerprint: string;
  public_key: string;
  /** 'ssh' or 'x509'. */
  type: string;
}

export interface InstanceGroupsTable extends Timestamps {
  id: Generated<number>;
  uuid: string;
  name: string | null;
  user_id: string;
  project_id: string;
}

export interface InstanceGroupPolicyTable extends Timestamps {
  id: Generated<number>;
  group_id: number;
  /** affinity, anti-affinity, soft-affinity, soft-anti-affinity. */
  policy: string;
  /** JSON: { max_server_per_host: n } (2.64). */
  rules: string | null;
}

export interface InstanceGroupMemberTable extends Timestamps {
  id: Generated<number>;
  group_id: number;
  instance_uuid: string;
}

export interface RequestSpecsTable extends Timestamps {
  id: Generated<number>;
  instance_uuid: string;
  /** JSON: the RequestSpec object's primitive. */
  spec: string;
}

export interface ServicesTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  uuid: string;
  host: string;
  binary: string;
  topic: string | null;
  report_count: number;
  disabled: number;
  disabled_reason: string | null;
  last_seen_up: string | null;
  forced_down: number;
  version: number;
}

export interface ComputeNodesTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  uuid: string;
  service_id: number | null;
  host: string;
  hypervisor_hostname: string;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  hypervisor_type: string;
  hypervisor_version: number;
  cpu_info: string;
  disk_available_least: number | null;
  free_ram_mb: number | null;
  free_disk_gb: number | null;
  current_workload: number | null;
  running_vms: number | null;
  host_ip: string | null;
  /** JSON: [[arch, hv_type, vm_mode], ...]. */
  supported_instances: string | null;
  /** JSON: num_instances, io_workload, ... as the resource tracker's stats. */
  stats: string | null;
  cpu_allocation_ratio: number | null;
  ram_allocation_ratio: number | null;
  disk_allocation_ratio: number | null;
  mapped: number;
}

export interface AggregatesTable extends Timestamps {
  id: Generated<number>;
  uuid: string;
  name: string;
}

export interface AggregateHostsTable extends Timestamps {
  id: Generated<number>;
  aggregate_id: number;
  host: string;
}

export interface AggregateMetadataTable extends Timestamps {
  id: Generated<number>;
  aggregate_id: number;
  key: string;
  value: string;
}

export interface QuotasTable extends Timestamps {
  id: Generated<number>;
  project_id: string;
  resource: string;
  hard_limit: number;
}

export interface ProjectUserQuotasTable extends Timestamps {
  id: Generated<number>;
  project_id: string;
  user_id: string;
  resource: string;
  hard_limit: number;
}

export interface QuotaClassesTable extends Timestamps {
  id: Generated<number>;
  class_name: string;
  resource: string;
  hard_limit: number;
}

export interface MigrationsTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  uuid: string;
  instance_uuid: string;
  source_compute: string | null;
  dest_compute: string | null;
  source_node: string | null;
  dest_node: string | null;
  dest_host: string | null;
  old_instance_type_id: number | null;
  new_instance_type_id: number | null;
  status: string;
  /** migration, resize, live-migration, evacuation. */
  migration_type: string;
  hidden: number;
  memory_total: number | null;
  memory_processed: number | null;
  memory_remaining: number | null;
  disk_total: number | null;
  disk_processed: number | null;
  disk_remaining: number | null;
  cross_cell_move: number;
  user_id: string | null;
  project_id: string | null;
}

/** nova's S3ImageMapping: an image's integer id for its EC2 name (ami-%08x). */
export interface S3ImagesTable extends Timestamps {
  id: Generated<number>;
  uuid: string;
}

/** A port of a server (nova's VirtualInterface), for its device tag. */
export interface VirtualInterfacesTable extends Timestamps, SoftDelete {
  id: Generated<number>;
  /** The port id. */
  uuid: string;
  instance_uuid: string;
  network_id: string | null;
  address: string | null;
  tag: string | null;
}

export interface NovaDB {
  instances: InstancesTable;
  console_auth_tokens: ConsoleAuthTokensTable;
  instance_extra: InstanceExtraTable;
  instance_info_caches: InstanceInfoCachesTable;
  instance_faults: InstanceFaultsTable;
  instance_actions: InstanceActionsTable;
  instance_actions_events: InstanceActionsEventsTable;
  instance_metadata: InstanceMetadataTable;
  instance_system_metadata: InstanceSystemMetadataTable;
  tags: TagsTable;
  block_device_mapping: BlockDeviceMappingTable;
  flavors: FlavorsTable;
  flavor_extra_specs: FlavorExtraSpecsTable;
  flavor_projects: FlavorProjectsTable;
  key_pairs: KeyPairsTable;
  instance_groups: InstanceGroupsTable;
  instance_group_policy: InstanceGroupPolicyTable;
  instance_group_member: InstanceGroupMemberTable;
  request_specs: RequestSpecsTable;
  services: ServicesTable;
  compute_nodes: ComputeNodesTable;
  aggregates: AggregatesTable;
  aggregate_hosts: AggregateHostsTable;
  aggregate_metadata: AggregateMetadataTable;
  quotas: QuotasTable;
  project_user_quotas: ProjectUserQuotasTable;
  quota_classes: QuotaClassesTable;
  migrations: MigrationsTable;
  s3_images: S3ImagesTable;
  virtual_interfaces: VirtualInterfacesTable;
}
