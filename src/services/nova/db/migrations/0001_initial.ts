/**
 * The first schema of Nova's database (schema.ts describes each table): the cell tables
 * (instances and their extra, info cache, faults, actions and events, metadata, system
 * metadata, tags, block device mappings; services, compute nodes, migrations) and the API
 * tables (flavors with extra specs and projects, key pairs, server groups, request specs,
 * aggregates, quotas), with the unique constraints and indexes nova has on them.
 */
import type { CreateTableBuilder, Kysely } from 'kysely';
import { columnTypes, type ColumnTypes, type Migration } from '../../../../common/db/index.js';

type Table = CreateTableBuilder<string, any>;

/** id, created_at, updated_at. */
function base(db: Kysely<any>, t: ColumnTypes, name: string): Table {
  return db.schema.createTable(name)
    .addColumn('id', t.serial, t.serialPrimaryKey)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp) as Table;
}

/** base() plus nova's soft-delete columns. */
function softDeleted(db: Kysely<any>, t: ColumnTypes, name: string): Table {
  return base(db, t, name)
    .addColumn('deleted_at', t.timestamp)
    .addColumn('deleted', t.integer, (c) => c.notNull().defaultTo(0)) as Table;
}

async function instanceTables(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  const s = (n = 255) => t.string(n);
  await softDeleted(db, t, 'instances')
    .addColumn('uuid', s(36), (c) => c.notNull().unique())
    .addColumn('user_id', s(), (c) => c.notNull())
    .addColumn('project_id', s(), (c) => c.notNull())
    .addColumn('image_ref', s())
    .addColumn('kernel_id', s())
    .addColumn('ramdisk_id', s())
    .addColumn('hostname', s())
    .addColumn('launch_index', t.integer)
    .addColumn('key_name', s())
    .addColumn('key_data', t.text)
    .addColumn('power_state', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('vm_state', s(), (c) => c.notNull())
    .addColumn('task_state', s())
    .addColumn('memory_mb', t.integer, (c) => c.notNull())
    .addColumn('vcpus', t.integer, (c) => c.notNull())
    .addColumn('root_gb', t.integer, (c) => c.notNull())
    .addColumn('ephemeral_gb', t.integer, (c) => c.notNull())
    .addColumn('host', s())
    .addColumn('node', s())
    .addColumn('instance_type_id', t.integer)
    .addColumn('user_data', t.text)
    .addColumn('reservation_id', s())
    .addColumn('launched_at', t.timestamp)
    .addColumn('terminated_at', t.timestamp)
    .addColumn('availability_zone', s())
    .addColumn('display_name', s())
    .addColumn('display_description', s())
    .addColumn('launched_on', s())
    .addColumn('locked', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('locked_by', s(16))
    .addColumn('os_type', s())
    .addColumn('architecture', s())
    .addColumn('vm_mode', s())
    .addColumn('root_device_name', s())
    .addColumn('default_ephemeral_device', s())
    .addColumn('default_swap_device', s())
    .addColumn('config_drive', s())
    .addColumn('access_ip_v4', s(39))
    .addColumn('access_ip_v6', s(39))
    .addColumn('auto_disk_config', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('progress', t.integer)
    .addColumn('shutdown_terminate', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('disable_terminate', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('ephemeral_key_uuid', s(36))
    .addColumn('hidden', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('cleaned', t.integer, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('instances_project_id_deleted_idx').on('instances').columns(['project_id', 'deleted']).execute();
  await db.schema.createIndex('instances_host_deleted_idx').on('instances').columns(['host', 'deleted']).execute();
  await db.schema.createIndex('instances_reservation_id_idx').on('instances').columns(['reservation_id']).execute();
  await db.schema.createIndex('instances_updated_at_idx').on('instances').columns(['updated_at']).execute();
  await db.schema.createIndex('instances_created_at_idx').on('instances').columns(['created_at', 'id']).execute();

  await softDeleted(db, t, 'instance_extra')
    .addColumn('instance_uuid', s(36), (c) => c.notNull().unique().references('instances.uuid'))
    .addColumn('flavor', t.text)
    .addColumn('keypairs', t.text)
    .addColumn('device_metadata', t.text)
    .addColumn('trusted_certs', t.text)
    .execute();
  await softDeleted(db, t, 'instance_info_caches')
    .addColumn('instance_uuid', s(36), (c) => c.notNull().unique().references('instances.uuid'))
    .addColumn('network_info', t.text)
    .execute();
  await softDeleted(db, t, 'instance_faults')
    .addColumn('instance_uuid', s(36), (c) => c.notNull().references('instances.uuid'))
    .addColumn('code', t.integer, (c) => c.notNull())
    .addColumn('message', s())
    .addColumn('details', t.text)
    .addColumn('host', s())
    .execute();
  await db.schema.createIndex('instance_faults_instance_uuid_idx').on('instance_faults').columns(['instance_uuid', 'deleted', 'created_at']).execute();
  await softDeleted(db, t, 'instance_actions')
    .addColumn('action', s(), (c) => c.notNull())
    .addColumn('instance_uuid', s(36), (c) => c.notNull().references('instances.uuid'))
    .addColumn('request_id', s(), (c) => c.notNull())
    .addColumn('user_id', s())
    .addColumn('project_id', s())
    .addColumn('start_time', t.timestamp, (c) => c.notNull())
    .addColumn('finish_time', t.timestamp)
    .addColumn('message', s())
    .execute();
  await db.schema.createIndex('instance_actions_instance_uuid_idx').on('instance_actions').columns(['instance_uuid', 'request_id']).execute();
  await softDeleted(db, t, 'instance_actions_events')
    .addColumn('event', s(), (c) => c.notNull())
    .addColumn('action_id', t.integer, (c) => c.notNull().references('instance_actions.id'))
    .addColumn('start_time', t.timestamp, (c) => c.notNull())
    .addColumn('finish_time', t.timestamp)
    .addColumn('result', s())
    .addColumn('traceback', t.text)
    .addColumn('host', s())
    .addColumn('details', t.text)
    .execute();
  await db.schema.createIndex('instance_actions_events_action_idx').on('instance_actions_events').columns(['action_id']).execute();
  for (const name of ['instance_metadata', 'instance_system_metadata']) {
    await softDeleted(db, t, name)
      .addColumn('instance_uuid', s(36), (c) => c.notNull().references('instances.uuid'))
      .addColumn('key', s(), (c) => c.notNull())
      .addColumn('value', s())
      .execute();
    await db.schema.createIndex(`${name}_instance_uuid_idx`).on(name).columns(['instance_uuid', 'deleted']).execute();
  }
  await db.schema.createTable('tags')
    .addColumn('resource_id', s(36), (c) => c.notNull())
    .addColumn('tag', s(80), (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['resource_id', 'tag'])
    .execute();
  await db.schema.createIndex('tags_tag_idx').on('tags').columns(['tag']).execute();
  await softDeleted(db, t, 'block_device_mapping')
    .addColumn('uuid', s(36), (c) => c.notNull().unique())
    .addColumn('instance_uuid', s(36), (c) => c.notNull().references('instances.uuid'))
    .addColumn('source_type', s())
    .addColumn('destination_type', s())
    .addColumn('guest_format', s())
    .addColumn('device_type', s())
    .addColumn('disk_bus', s())
    .addColumn('boot_index', t.integer)
    .addColumn('device_name', s())
    .addColumn('delete_on_termination', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('snapshot_id', s(36))
    .addColumn('volume_id', s(36))
    .addColumn('volume_size', t.integer)
    .addColumn('volume_type', s())
    .addColumn('image_id', s(36))
    .addColumn('no_device', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('connection_info', t.text)
    .addColumn('tag', s())
    .addColumn('attachment_id', s(36))
    .execute();
  await db.schema.createIndex('block_device_mapping_instance_uuid_idx').on('block_device_mapping').columns(['instance_uuid', 'deleted']).execute();
}

async function apiTables(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  const s = (n = 255) => t.string(n);
  await base(db, t, 'flavors')
    .addColumn('flavorid', s(), (c) => c.notNull().unique())
    .addColumn('name', s(), (c) => c.notNull().unique())
    .addColumn('memory_mb', t.integer, (c) => c.notNull())
    .addColumn('vcpus', t.integer, (c) => c.notNull())
    .addColumn('root_gb', t.integer, (c) => c.notNull())
    .addColumn('ephemeral_gb', t.integer, (c) => c.notNull())
    .addColumn('swap', t.integer, (c) => c.notNull())
    .addColumn('vcpu_weight', t.integer)
    .addColumn('rxtx_factor', 'real', (c) => c.notNull())
    .addColumn('disabled', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('is_public', t.boolean, (c) => c.notNull().defaultTo(1))
    .addColumn('description', t.text)
    .execute();
  await base(db, t, 'flavor_extra_specs')
    .addColumn('flavor_id', t.integer, (c) => c.notNull().references('flavors.id').onDelete('cascade'))
    .addColumn('key', s(), (c) => c.notNull())
    .addColumn('value', s(), (c) => c.notNull())
    .addUniqueConstraint('uniq_flavor_extra_specs0flavor_id0key', ['flavor_id', 'key'])
    .execute();
  await base(db, t, 'flavor_projects')
    .addColumn('flavor_id', t.integer, (c) => c.notNull().references('flavors.id').onDelete('cascade'))
    .addColumn('project_id', s(), (c) => c.notNull())
    .addUniqueConstraint('uniq_flavor_projects0flavor_id0project_id', ['flavor_id', 'project_id'])
    .execute();
  await base(db, t, 'key_pairs')
    .addColumn('name', s(), (c) => c.notNull())
    .addColumn('user_id', s(), (c) => c.notNull())
    .addColumn('fingerprint', s(), (c) => c.notNull())
    .addColumn('public_key', t.text, (c) => c.notNull())
    .addColumn('type', s(10), (c) => c.notNull().defaultTo('ssh'))
    .addUniqueConstraint('uniq_key_pairs0user_id0name', ['user_id', 'name'])
    .execute();
  await base(db, t, 'instance_groups')
    .addColumn('uuid', s(36), (c) => c.notNull().unique())
    .addColumn('name', s())
    .addColumn('user_id', s(), (c) => c.notNull())
    .addColumn('project_id', s(), (c) => c.notNull())
    .execute();
  await base(db, t, 'instance_group_policy')
    .addColumn('group_id', t.integer, (c) => c.notNull().references('instance_groups.id').onDelete('cascade'))
    .addColumn('policy', s(), (c) => c.notNull())
    .addColumn('rules', t.text)
    .execute();
  await base(db, t, 'instance_group_member')
    .addColumn('group_id', t.integer, (c) => c.notNull().references('instance_groups.id').onDelete('cascade'))
    .addColumn('instance_uuid', s(36), (c) => c.notNull())
    .addUniqueConstraint('uniq_instance_group_member0group_id0instance_uuid', ['group_id', 'instance_uuid'])
    .execute();
  await db.schema.createIndex('instance_group_member_instance_idx').on('instance_group_member').columns(['instance_uuid']).execute();
  await base(db, t, 'request_specs')
    .addColumn('instance_uuid', s(36), (c) => c.notNull().unique())
    .addColumn('spec', t.text, (c) => c.notNull())
    .execute();
  await base(db, t, 'aggregates')
    .addColumn('uuid', s(36), (c) => c.notNull().unique())
    .addColumn('name', s(), (c) => c.notNull().unique())
    .execute();
  await base(db, t, 'aggregate_hosts')
    .addColumn('aggregate_id', t.integer, (c) => c.notNull().references('aggregates.id').onDelete('cascade'))
    .addColumn('host', s(), (c) => c.notNull())
    .addUniqueConstraint('uniq_aggregate_hosts0host0aggregate_id', ['host', 'aggregate_id'])
    .execute();
  await base(db, t, 'aggregate_metadata')
    .addColumn('aggregate_id', t.integer, (c) => c.notNull().references('aggregates.id').onDelete('cascade'))
    .addColumn('key', s(), (c) => c.notNull())
    .addColumn('value', s(), (c) => c.notNull())
    .addUniqueConstraint('uniq_aggregate_metadata0aggregate_id0key', ['aggregate_id', 'key'])
    .execute();
  await base(db, t, 'quotas')
    .addColumn('project_id', s(), (c) => c.notNull())
    .addColumn('resource', s(), (c) => c.notNull())
    .addColumn('hard_limit', t.integer, (c) => c.notNull())
    .addUniqueConstraint('uniq_quotas0project_id0resource', ['project_id', 'resource'])
    .execute();
  await base(db, t, 'project_user_quotas')
    .addColumn('project_id', s(), (c) => c.notNull())
    .addColumn('user_id', s(), (c) => c.notNull())
    .addColumn('resource', s(), (c) => c.notNull())
    .addColumn('hard_limit', t.integer, (c) => c.notNull())
    .addUniqueConstraint('uniq_project_user_quotas0user_id0project_id0resource', ['user_id', 'project_id', 'resource'])
    .execute();
  await base(db, t, 'quota_classes')
    .addColumn('class_name', s(), (c) => c.notNull())
    .addColumn('resource', s(), (c) => c.notNull())
    .addColumn('hard_limit', t.integer, (c) => c.notNull())
    .addUniqueConstraint('uniq_quota_classes0class_name0resource', ['class_name', 'resource'])
    .execute();
}

async function hostTables(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  const s = (n = 255) => t.string(n);
  await softDeleted(db, t, 'services')
    .addColumn('uuid', s(36), (c) => c.notNull().unique())
    .addColumn('host', s(), (c) => c.notNull())
    .addColumn('binary', s(), (c) => c.notNull())
    .addColumn('topic', s())
    .addColumn('report_count', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_reason', s())
    .addColumn('last_seen_up', t.timestamp)
    .addColumn('forced_down', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('version', t.integer, (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('uniq_services0host0binary0deleted', ['host', 'binary', 'deleted'])
    .execute();
  await softDeleted(db, t, 'compute_nodes')
    .addColumn('uuid', s(36), (c) => c.notNull().unique())
    .addColumn('service_id', t.integer)
    .addColumn('host', s(), (c) => c.notNull())
    .addColumn('hypervisor_hostname', s(), (c) => c.notNull())
    .addColumn('vcpus', t.integer, (c) => c.notNull())
    .addColumn('memory_mb', t.integer, (c) => c.notNull())
    .addColumn('local_gb', t.integer, (c) => c.notNull())
    .addColumn('vcpus_used', t.integer, (c) => c.notNull())
    .addColumn('memory_mb_used', t.integer, (c) => c.notNull())
    .addColumn('local_gb_used', t.integer, (c) => c.notNull())
    .addColumn('hypervisor_type', s(), (c) => c.notNull())
    .addColumn('hypervisor_version', t.integer, (c) => c.notNull())
    .addColumn('cpu_info', t.text, (c) => c.notNull())
    .addColumn('disk_available_least', t.integer)
    .addColumn('free_ram_mb', t.integer)
    .addColumn('free_disk_gb', t.integer)
    .addColumn('current_workload', t.integer)
    .addColumn('running_vms', t.integer)
    .addColumn('host_ip', s(39))
    .addColumn('supported_instances', t.text)
    .addColumn('stats', t.text)
    .addColumn('cpu_allocation_ratio', 'real')
    .addColumn('ram_allocation_ratio', 'real')
    .addColumn('disk_allocation_ratio', 'real')
    .addColumn('mapped', t.integer, (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('uniq_compute_nodes0host0hypervisor_hostname0deleted', ['host', 'hypervisor_hostname', 'deleted'])
    .execute();
  await softDeleted(db, t, 'migrations')
    .addColumn('uuid', s(36), (c) => c.notNull().unique())
    .addColumn('instance_uuid', s(36), (c) => c.notNull().references('instances.uuid'))
    .addColumn('source_compute', s())
    .addColumn('dest_compute', s())
    .addColumn('source_node', s())
    .addColumn('dest_node', s())
    .addColumn('dest_host', s())
    .addColumn('old_instance_type_id', t.integer)
    .addColumn('new_instance_type_id', t.integer)
    .addColumn('status', s(), (c) => c.notNull())
    .addColumn('migration_type', s(), (c) => c.notNull())
    .addColumn('hidden', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('memory_total', t.bigint)
    .addColumn('memory_processed', t.bigint)
    .addColumn('memory_remaining', t.bigint)
    .addColumn('disk_total', t.bigint)
    .addColumn('disk_processed', t.bigint)
    .addColumn('disk_remaining', t.bigint)
    .addColumn('cross_cell_move', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('user_id', s())
    .addColumn('project_id', s())
    .execute();
  await db.schema.createIndex('migrations_instance_uuid_idx').on('migrations').columns(['instance_uuid', 'status']).execute();
  await db.schema.createIndex('migrations_by_host_idx').on('migrations').columns(['source_compute', 'dest_compute', 'status']).execute();
}

export const initial: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const t = columnTypes(db);
    await instanceTables(db, t);
    await apiTables(db, t);
    await hostTables(db, t);
  },
};
