/**
 * Neutron's schema (see ../schema.ts). Child rows go with their parent (ON DELETE CASCADE);
 * IP allocations keep their subnet (a subnet with allocations cannot be deleted). The
 * uniqueness rules that make concurrent requests safe are constraints here:
 * ipallocations (ip_address, subnet_id), ports (network_id, mac_address), segment
 * allocations (network_type, physical_network, segmentation_id), one default security group
 * per project, one quota row per (project, resource).
 */
import type { CreateTableBuilder, Kysely } from 'kysely';
import { columnTypes, type ColumnTypes } from '../../../../common/db/index.js';

const ID = 36;

function standard<T extends string>(b: CreateTableBuilder<T, never>, t: ColumnTypes): CreateTableBuilder<T, never> {
  return b
    .addColumn('description', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('revision_number', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull());
}

/** The schema is created before it exists as NeutronDB: the migration sees a database of unknown tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  const t = columnTypes(db);

  await standard(s.createTable('networks')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('status', t.string(16), (c) => c.notNull())
    .addColumn('admin_state_up', t.boolean, (c) => c.notNull())
    .addColumn('mtu', t.integer, (c) => c.notNull())
    .addColumn('port_security_enabled', t.boolean, (c) => c.notNull())
    .addColumn('router_external', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('is_default', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('availability_zone_hints', t.string(255), (c) => c.notNull().defaultTo('[]'))
    .addColumn('dns_domain', t.string(255), (c) => c.notNull().defaultTo('')), t)
    .execute();
  await s.createIndex('ix_networks_project_id').on('networks').column('project_id').execute();

  await s.createTable('networksegments')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('network_id', t.string(ID), (c) => c.notNull().references('networks.id').onDelete('cascade'))
    .addColumn('network_type', t.string(32), (c) => c.notNull())
    .addColumn('physical_network', t.string(64))
    .addColumn('segmentation_id', t.integer)
    .addColumn('segment_index', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('is_dynamic', t.boolean, (c) => c.notNull().defaultTo(0))
    .execute();
  await s.createIndex('ix_networksegments_network_id').on('networksegments').column('network_id').execute();

  await s.createTable('segment_allocations')
    .addColumn('network_type', t.string(32), (c) => c.notNull())
    .addColumn('physical_network', t.string(64), (c) => c.notNull())
    .addColumn('segmentation_id', t.integer, (c) => c.notNull())
    .addColumn('network_id', t.string(ID), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_segment_allocations', ['network_type', 'physical_network', 'segmentation_id'])
    .execute();

  await s.createTable('rbac_policies')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('object_type', t.string(32), (c) => c.notNull())
    .addColumn('object_id', t.string(ID), (c) => c.notNull())
    .addColumn('target_project', t.string(255), (c) => c.notNull())
    .addColumn('action', t.string(32), (c) => c.notNull())
    .addUniqueConstraint('uniq_rbac_policies', ['object_type', 'object_id', 'action', 'target_project'])
    .execute();
  await s.createIndex('ix_rbac_target').on('rbac_policies').columns(['object_type', 'target_project']).execute();

  await standard(s.createTable('subnets')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('network_id', t.string(ID), (c) => c.notNull().references('networks.id'))
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('ip_version', t.integer, (c) => c.notNull())
    .addColumn('cidr', t.string(64), (c) => c.notNull())
    .addColumn('gateway_ip', t.string(64))
    .addColumn('enable_dhcp', t.boolean, (c) => c.notNull())
    .addColumn('ipv6_ra_mode', t.string(16))
    .addColumn('ipv6_address_mode', t.string(16))
    .addColumn('subnetpool_id', t.string(ID))
    .addColumn('segment_id', t.string(ID)), t)
    .execute();
  await s.createIndex('ix_subnets_network_id').on('subnets').column('network_id').execute();
  await s.createIndex('ix_subnets_subnetpool_id').on('subnets').column('subnetpool_id').execute();

  await s.createTable('ipallocationpools')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('subnet_id', t.string(ID), (c) => c.notNull().references('subnets.id').onDelete('cascade'))
    .addColumn('first_ip', t.string(64), (c) => c.notNull())
    .addColumn('last_ip', t.string(64), (c) => c.notNull())
    .execute();
  await s.createIndex('ix_ipallocationpools_subnet_id').on('ipallocationpools').column('subnet_id').execute();

  await s.createTable('dnsnameservers')
    .addColumn('subnet_id', t.string(ID), (c) => c.notNull().references('subnets.id').onDelete('cascade'))
    .addColumn('address', t.string(128), (c) => c.notNull())
    .addColumn('order_idx', t.integer, (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_dnsnameservers', ['subnet_id', 'address'])
    .execute();

  await s.createTable('subnetroutes')
    .addColumn('subnet_id', t.string(ID), (c) => c.notNull().references('subnets.id').onDelete('cascade'))
    .addColumn('destination', t.string(64), (c) => c.notNull())
    .addColumn('nexthop', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_subnetroutes', ['subnet_id', 'destination', 'nexthop'])
    .execute();

  await s.createTable('subnet_service_types')
    .addColumn('subnet_id', t.string(ID), (c) => c.notNull().references('subnets.id').onDelete('cascade'))
    .addColumn('service_type', t.string(255), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_subnet_service_types', ['subnet_id', 'service_type'])
    .execute();

  await standard(s.createTable('ports')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('network_id', t.string(ID), (c) => c.notNull().references('networks.id'))
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('mac_address', t.string(32), (c) => c.notNull())
    .addColumn('admin_state_up', t.boolean, (c) => c.notNull())
    .addColumn('status', t.string(16), (c) => c.notNull())
    .addColumn('device_id', t.string(255), (c) => c.notNull())
    .addColumn('device_owner', t.string(255), (c) => c.notNull())
    .addColumn('port_security_enabled', t.boolean, (c) => c.notNull())
    .addColumn('dns_name', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('binding_host_id', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('binding_vif_type', t.string(64), (c) => c.notNull())
    .addColumn('binding_vif_details', t.text, (c) => c.notNull())
    .addColumn('binding_profile', t.text, (c) => c.notNull())
    .addColumn('binding_vnic_type', t.string(64), (c) => c.notNull())
    .addUniqueConstraint('uniq_ports_network_id_mac_address', ['network_id', 'mac_address']), t)
    .execute();
  await s.createIndex('ix_ports_project_id').on('ports').column('project_id').execute();
  await s.createIndex('ix_ports_device_id').on('ports').column('device_id').execute();
  await s.createIndex('ix_ports_device_owner').on('ports').column('device_owner').execute();

  await s.createTable('ipallocations')
    .addColumn('port_id', t.string(ID), (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('ip_address', t.string(64), (c) => c.notNull())
    .addColumn('subnet_id', t.string(ID), (c) => c.notNull().references('subnets.id'))
    .addColumn('network_id', t.string(ID), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_ipallocations', ['ip_address', 'subnet_id'])
    .execute();
  await s.createIndex('ix_ipallocations_port_id').on('ipallocations').column('port_id').execute();
  await s.createIndex('ix_ipallocations_subnet_id').on('ipallocations').column('subnet_id').execute();

  await s.createTable('allowedaddresspairs')
    .addColumn('port_id', t.string(ID), (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('mac_address', t.string(32), (c) => c.notNull())
    .addColumn('ip_address', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_allowedaddresspairs', ['port_id', 'mac_address', 'ip_address'])
    .execute();

  await s.createTable('extradhcpopts')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('port_id', t.string(ID), (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('opt_name', t.string(64), (c) => c.notNull())
    .addColumn('opt_value', t.string(255), (c) => c.notNull())
    .addColumn('ip_version', t.integer, (c) => c.notNull())
    .addUniqueConstraint('uniq_extradhcpopts', ['port_id', 'opt_name', 'ip_version'])
    .execute();

  await standard(s.createTable('securitygroups')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('stateful', t.boolean, (c) => c.notNull().defaultTo(1)), t)
    .execute();
  await s.createIndex('ix_securitygroups_project_id').on('securitygroups').column('project_id').execute();

  await s.createTable('default_security_group')
    .addColumn('project_id', t.string(255), (c) => c.primaryKey())
    .addColumn('security_group_id', t.string(ID), (c) => c.notNull().references('securitygroups.id').onDelete('cascade'))
    .execute();

  await standard(s.createTable('securitygrouprules')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('security_group_id', t.string(ID), (c) => c.notNull().references('securitygroups.id').onDelete('cascade'))
    .addColumn('remote_group_id', t.string(ID))
    .addColumn('remote_address_group_id', t.string(ID))
    .addColumn('direction', t.string(16), (c) => c.notNull())
    .addColumn('ethertype', t.string(16), (c) => c.notNull())
    .addColumn('protocol', t.string(40))
    .addColumn('port_range_min', t.integer)
    .addColumn('port_range_max', t.integer)
    .addColumn('remote_ip_prefix', t.string(64)), t)
    .execute();
  await s.createIndex('ix_sgrules_security_group_id').on('securitygrouprules').column('security_group_id').execute();

  await s.createTable('securitygroupportbindings')
    .addColumn('port_id', t.string(ID), (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('security_group_id', t.string(ID), (c) => c.notNull().references('securitygroups.id'))
    .addPrimaryKeyConstraint('pk_securitygroupportbindings', ['port_id', 'security_group_id'])
    .execute();
  await s.createIndex('ix_sgportbindings_sg').on('securitygroupportbindings').column('security_group_id').execute();

  await s.createTable('address_scopes')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('shared', t.boolean, (c) => c.notNull())
    .addColumn('ip_version', t.integer, (c) => c.notNull())
    .execute();

  await standard(s.createTable('subnetpools')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('ip_version', t.integer, (c) => c.notNull())
    .addColumn('default_prefixlen', t.integer, (c) => c.notNull())
    .addColumn('min_prefixlen', t.integer, (c) => c.notNull())
    .addColumn('max_prefixlen', t.integer, (c) => c.notNull())
    .addColumn('shared', t.boolean, (c) => c.notNull())
    .addColumn('is_default', t.boolean, (c) => c.notNull())
    .addColumn('default_quota', t.integer)
    .addColumn('address_scope_id', t.string(ID)), t)
    .execute();

  await s.createTable('subnetpoolprefixes')
    .addColumn('subnetpool_id', t.string(ID), (c) => c.notNull().references('subnetpools.id').onDelete('cascade'))
    .addColumn('cidr', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_subnetpoolprefixes', ['subnetpool_id', 'cidr'])
    .execute();

  await standard(s.createTable('routers')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('status', t.string(16), (c) => c.notNull())
    .addColumn('admin_state_up', t.boolean, (c) => c.notNull())
    .addColumn('gw_port_id', t.string(ID))
    .addColumn('gw_network_id', t.string(ID))
    .addColumn('enable_snat', t.boolean, (c) => c.notNull().defaultTo(1))
    .addColumn('availability_zone_hints', t.string(255), (c) => c.notNull().defaultTo('[]')), t)
    .execute();
  await s.createIndex('ix_routers_project_id').on('routers').column('project_id').execute();

  await s.createTable('routerports')
    .addColumn('router_id', t.string(ID), (c) => c.notNull().references('routers.id').onDelete('cascade'))
    .addColumn('port_id', t.string(ID), (c) => c.primaryKey().references('ports.id').onDelete('cascade'))
    .addColumn('port_type', t.string(255), (c) => c.notNull())
    .execute();
  await s.createIndex('ix_routerports_router_id').on('routerports').column('router_id').execute();

  await s.createTable('routerroutes')
    .addColumn('router_id', t.string(ID), (c) => c.notNull().references('routers.id').onDelete('cascade'))
    .addColumn('destination', t.string(64), (c) => c.notNull())
    .addColumn('nexthop', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_routerroutes', ['router_id', 'destination', 'nexthop'])
    .execute();

  await standard(s.createTable('floatingips')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('floating_ip_address', t.string(64), (c) => c.notNull())
    .addColumn('floating_network_id', t.string(ID), (c) => c.notNull())
    .addColumn('floating_port_id', t.string(ID), (c) => c.notNull())
    .addColumn('fixed_port_id', t.string(ID))
    .addColumn('fixed_ip_address', t.string(64))
    .addColumn('router_id', t.string(ID))
    .addColumn('status', t.string(16), (c) => c.notNull())
    .addColumn('dns_name', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('dns_domain', t.string(255), (c) => c.notNull().defaultTo(''))
    .addUniqueConstraint('uniq_floatingips_fixed', ['floating_network_id', 'fixed_port_id', 'fixed_ip_address']), t)
    .execute();
  await s.createIndex('ix_floatingips_project_id').on('floatingips').column('project_id').execute();
  await s.createIndex('ix_floatingips_fixed_port_id').on('floatingips').column('fixed_port_id').execute();

  await standard(s.createTable('portforwardings')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('floatingip_id', t.string(ID), (c) => c.notNull().references('floatingips.id').onDelete('cascade'))
    .addColumn('internal_port_id', t.string(ID), (c) => c.notNull())
    .addColumn('internal_ip_address', t.string(64), (c) => c.notNull())
    .addColumn('internal_port_start', t.integer, (c) => c.notNull())
    .addColumn('internal_port_end', t.integer, (c) => c.notNull())
    .addColumn('external_port_start', t.integer, (c) => c.notNull())
    .addColumn('external_port_end', t.integer, (c) => c.notNull())
    .addColumn('protocol', t.string(40), (c) => c.notNull())
    .addUniqueConstraint('uniq_pf_external', ['floatingip_id', 'external_port_start', 'protocol'])
    .addUniqueConstraint('uniq_pf_internal', ['internal_port_id', 'internal_ip_address', 'internal_port_start', 'protocol']), t)
    .execute();

  await s.createTable('quotas')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('resource', t.string(255), (c) => c.notNull())
    .addColumn('hard_limit', t.integer, (c) => c.notNull())
    .addUniqueConstraint('uniq_quotas_project_resource', ['project_id', 'resource'])
    .execute();

  await s.createTable('agents')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('agent_type', t.string(255), (c) => c.notNull())
    .addColumn('binary', t.string(255), (c) => c.notNull())
    .addColumn('topic', t.string(255), (c) => c.notNull())
    .addColumn('host', t.string(255), (c) => c.notNull())
    .addColumn('availability_zone', t.string(255))
    .addColumn('admin_state_up', t.boolean, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('started_at', t.timestamp, (c) => c.notNull())
    .addColumn('heartbeat_timestamp', t.timestamp, (c) => c.notNull())
    .addColumn('description', t.string(255))
    .addColumn('configurations', t.text, (c) => c.notNull())
    .addColumn('resource_versions', t.text, (c) => c.notNull())
    .addColumn('load', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('resources_synced', t.boolean)
    .addUniqueConstraint('uniq_agents_agent_type_host', ['agent_type', 'host'])
    .execute();

  await s.createTable('networkdhcpagentbindings')
    .addColumn('network_id', t.string(ID), (c) => c.notNull().references('networks.id').onDelete('cascade'))
    .addColumn('dhcp_agent_id', t.string(ID), (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('pk_networkdhcpagentbindings', ['network_id', 'dhcp_agent_id'])
    .execute();

  await s.createTable('routerl3agentbindings')
    .addColumn('router_id', t.string(ID), (c) => c.notNull().references('routers.id').onDelete('cascade'))
    .addColumn('l3_agent_id', t.string(ID), (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('pk_routerl3agentbindings', ['router_id', 'l3_agent_id'])
    .execute();

  await s.createTable('tags')
    .addColumn('resource_type', t.string(64), (c) => c.notNull())
    .addColumn('resource_id', t.string(ID), (c) => c.notNull())
    .addColumn('tag', t.string(255), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_tags', ['resource_type', 'resource_id', 'tag'])
    .execute();
  await s.createIndex('ix_tags_tag').on('tags').columns(['resource_type', 'tag']).execute();
}
