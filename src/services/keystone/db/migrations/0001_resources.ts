/**
 * Creates the resource-side tables (see ../schema.ts). Column types are the portable subset:
 * varchar for ids and indexed strings (MariaDB cannot index TEXT without a prefix), text for
 * descriptions, URLs and JSON, integer for booleans and counters.
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema;
  const t = columnTypes(db);

  await s.createTable('project')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('name', t.string(64), (c) => c.notNull())
    .addColumn('domain_id', t.string(64), (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('enabled', t.boolean, (c) => c.notNull().defaultTo(1))
    .addColumn('extra', t.text)
    .addColumn('parent_id', t.string(64))
    .addColumn('is_domain', t.boolean, (c) => c.notNull().defaultTo(0))
    .addColumn('options', t.text)
    .addUniqueConstraint('ixu_project_name_domain_id', ['domain_id', 'name'])
    .execute();
  await s.createIndex('ix_project_parent_id').on('project').column('parent_id').execute();

  await s.createTable('project_tag')
    .addColumn('project_id', t.string(64), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_project_tag', ['project_id', 'name'])
    .execute();
  await s.createIndex('ix_project_tag_name').on('project_tag').column('name').execute();

  await s.createTable('identity_user')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('domain_id', t.string(64), (c) => c.notNull())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('enabled', t.boolean, (c) => c.notNull().defaultTo(1))
    .addColumn('default_project_id', t.string(64))
    .addColumn('extra', t.text)
    .addColumn('options', t.text)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_active_at', t.timestamp)
    .addColumn('failed_auth_count', t.integer, (c) => c.notNull().defaultTo(0))
    .addColumn('failed_auth_at', t.timestamp)
    .addUniqueConstraint('ixu_user_name_domain_id', ['domain_id', 'name'])
    .execute();
  await s.createIndex('ix_user_default_project_id').on('identity_user').column('default_project_id').execute();

  await s.createTable('password')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('user_id', t.string(64), (c) => c.notNull())
    .addColumn('seq', t.integer, (c) => c.notNull())
    .addColumn('password_hash', t.string(255))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp)
    .addColumn('self_service', t.boolean, (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('ixu_password_user_seq', ['user_id', 'seq'])
    .execute();

  await s.createTable('identity_group')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('domain_id', t.string(64), (c) => c.notNull())
    .addColumn('name', t.string(64), (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('extra', t.text)
    .addUniqueConstraint('ixu_group_name_domain_id', ['domain_id', 'name'])
    .execute();

  await s.createTable('user_group_membership')
    .addColumn('user_id', t.string(64), (c) => c.notNull())
    .addColumn('group_id', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_user_group_membership', ['user_id', 'group_id'])
    .execute();
  await s.createIndex('ix_membership_group_id').on('user_group_membership').column('group_id').execute();

  await s.createTable('role')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('domain_id', t.string(64), (c) => c.notNull())
    .addColumn('description', t.string(255))
    .addColumn('extra', t.text)
    .addColumn('options', t.text)
    .addUniqueConstraint('ixu_role_name_domain_id', ['name', 'domain_id'])
    .execute();

  await s.createTable('implied_role')
    .addColumn('prior_role_id', t.string(64), (c) => c.notNull())
    .addColumn('implied_role_id', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_implied_role', ['prior_role_id', 'implied_role_id'])
    .execute();

  for (const table of ['assignment', 'system_assignment']) {
    await s.createTable(table)
      .addColumn('type', t.string(64), (c) => c.notNull())
      .addColumn('actor_id', t.string(64), (c) => c.notNull())
      .addColumn('target_id', t.string(64), (c) => c.notNull())
      .addColumn('role_id', t.string(64), (c) => c.notNull())
      .addColumn('inherited', t.boolean, (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint(`pk_${table}`, ['type', 'actor_id', 'target_id', 'role_id', 'inherited'])
      .execute();
    await s.createIndex(`ix_${table}_actor_id`).on(table).column('actor_id').execute();
    await s.createIndex(`ix_${table}_target_id`).on(table).column('target_id').execute();
    await s.createIndex(`ix_${table}_role_id`).on(table).column('role_id').execute();
  }

  await s.createTable('region')
    .addColumn('id', t.string(255), (c) => c.primaryKey())
    .addColumn('description', t.string(255), (c) => c.notNull())
    .addColumn('parent_region_id', t.string(255))
    .addColumn('extra', t.text)
    .execute();

  await s.createTable('service')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('type', t.string(255), (c) => c.notNull())
    .addColumn('enabled', t.boolean, (c) => c.notNull().defaultTo(1))
    .addColumn('extra', t.text)
    .execute();

  await s.createTable('endpoint')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('legacy_endpoint_id', t.string(64))
    .addColumn('interface', t.string(8), (c) => c.notNull())
    .addColumn('service_id', t.string(64), (c) => c.notNull())
    .addColumn('url', t.text, (c) => c.notNull())
    .addColumn('extra', t.text)
    .addColumn('enabled', t.boolean, (c) => c.notNull().defaultTo(1))
    .addColumn('region_id', t.string(255))
    .execute();
  await s.createIndex('ix_endpoint_service_id').on('endpoint').column('service_id').execute();

  await s.createTable('credential')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('user_id', t.string(64), (c) => c.notNull())
    .addColumn('project_id', t.string(64))
    .addColumn('type', t.string(255), (c) => c.notNull())
    .addColumn('extra', t.text)
    .addColumn('key_hash', t.string(64), (c) => c.notNull())
    .addColumn('encrypted_blob', t.text, (c) => c.notNull())
    .execute();
  await s.createIndex('ix_credential_user_id').on('credential').column('user_id').execute();

  await s.createTable('registered_limit')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('service_id', t.string(255), (c) => c.notNull())
    .addColumn('region_id', t.string(64))
    .addColumn('resource_name', t.string(255), (c) => c.notNull())
    .addColumn('default_limit', t.integer, (c) => c.notNull())
    .addColumn('description', t.text)
    .execute();

  await s.createTable('project_limit')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('project_id', t.string(64))
    .addColumn('domain_id', t.string(64))
    .addColumn('resource_limit', t.integer, (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('registered_limit_id', t.string(64), (c) => c.notNull())
    .execute();
  await s.createIndex('ix_project_limit_project_id').on('project_limit').column('project_id').execute();

  await s.createTable('domain_config')
    .addColumn('domain_id', t.string(64), (c) => c.notNull())
    .addColumn('group_name', t.string(255), (c) => c.notNull())
    .addColumn('option_name', t.string(255), (c) => c.notNull())
    .addColumn('value', t.text, (c) => c.notNull())
    .addColumn('sensitive', t.boolean, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('pk_domain_config', ['domain_id', 'group_name', 'option_name'])
    .execute();
}
