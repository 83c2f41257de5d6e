/**
 * QoS (neutron/db/qos/models.py): policies with their standard attributes, one table per rule
 * type (one bandwidth limit and one minimum bandwidth rule per direction, one DSCP marking
 * rule per policy), the bindings of policies to networks and ports (one policy per network or
 * port; the binding goes with its network or port, and a bound policy cannot be deleted),
 * and each project's default policy.
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

const ID = 36;

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  const t = columnTypes(db);
  await s.createTable('qos_policies')
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('project_id', t.string(255), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('description', t.string(255), (c) => c.notNull().defaultTo(''))
    .addColumn('revision_number', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await s.createIndex('ix_qos_policies_project_id').on('qos_policies').column('project_id').execute();

  const policyRef = (name: string) => s.createTable(name)
    .addColumn('id', t.string(ID), (c) => c.primaryKey())
    .addColumn('qos_policy_id', t.string(ID), (c) => c.notNull().references('qos_policies.id').onDelete('cascade'));
  await policyRef('qos_bandwidth_limit_rules')
    .addColumn('max_kbps', t.integer, (c) => c.notNull())
    .addColumn('max_burst_kbps', t.integer, (c) => c.notNull())
    .addColumn('direction', t.string(16), (c) => c.notNull())
    .addUniqueConstraint('uniq_qos_bandwidth_limit_rules0qos_policy_id0direction', ['qos_policy_id', 'direction'])
    .execute();
  await policyRef('qos_dscp_marking_rules')
    .addColumn('dscp_mark', t.integer, (c) => c.notNull())
    .addUniqueConstraint('uniq_qos_dscp_marking_rules0qos_policy_id', ['qos_policy_id'])
    .execute();
  await policyRef('qos_minimum_bandwidth_rules')
    .addColumn('min_kbps', t.integer, (c) => c.notNull())
    .addColumn('direction', t.string(16), (c) => c.notNull())
    .addUniqueConstraint('uniq_qos_minimum_bandwidth_rules0qos_policy_id0direction', ['qos_policy_id', 'direction'])
    .execute();

  await s.createTable('qos_network_policy_bindings')
    .addColumn('network_id', t.string(ID), (c) => c.primaryKey().references('networks.id').onDelete('cascade'))
    .addColumn('policy_id', t.string(ID), (c) => c.notNull().references('qos_policies.id'))
    .execute();
  await s.createIndex('ix_qos_network_policy_bindings_policy_id').on('qos_network_policy_bindings').column('policy_id').execute();
  await s.createTable('qos_port_policy_bindings')
    .addColumn('port_id', t.string(ID), (c) => c.primaryKey().references('ports.id').onDelete('cascade'))
    .addColumn('policy_id', t.string(ID), (c) => c.notNull().references('qos_policies.id'))
    .execute();
  await s.createIndex('ix_qos_port_policy_bindings_policy_id').on('qos_port_policy_bindings').column('policy_id').execute();
  await s.createTable('qos_policies_default')
    .addColumn('project_id', t.string(255), (c) => c.primaryKey())
    .addColumn('qos_policy_id', t.string(ID), (c) => c.notNull().references('qos_policies.id').onDelete('cascade'))
    .execute();
}
