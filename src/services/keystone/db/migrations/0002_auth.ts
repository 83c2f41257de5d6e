/**
 * Creates the auth-side tables (see ../auth-schema.ts), with upstream's indexes and unique
 * constraints (revocation_event, application_credential*, access_rule, trust*).
 */
import type { Kysely } from 'kysely';
import { columnTypes } from '../../../../common/db/index.js';

export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema;
  const t = columnTypes(db);

  await s.createTable('revocation_event')
    .addColumn('id', t.serial, t.serialPrimaryKey)
    .addColumn('domain_id', t.string(64))
    .addColumn('project_id', t.string(64))
    .addColumn('user_id', t.string(64))
    .addColumn('role_id', t.string(64))
    .addColumn('trust_id', t.string(64))
    .addColumn('consumer_id', t.string(64))
    .addColumn('access_token_id', t.string(64))
    .addColumn('issued_before', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp)
    .addColumn('revoked_at', t.timestamp, (c) => c.notNull())
    .addColumn('audit_id', t.string(32))
    .addColumn('audit_chain_id', t.string(32))
    .execute();
  await s.createIndex('ix_revocation_event_revoked_at').on('revocation_event').column('revoked_at').execute();
  await s.createIndex('ix_revocation_event_issued_before').on('revocation_event').column('issued_before').execute();
  await s.createIndex('ix_revocation_event_audit_id_issued_before').on('revocation_event').columns(['audit_id', 'issued_before']).execute();
  await s.createIndex('ix_revocation_event_user_id_issued_before').on('revocation_event').columns(['user_id', 'issued_before']).execute();
  await s.createIndex('ix_revocation_event_project_id_issued_before').on('revocation_event').columns(['project_id', 'issued_before']).execute();

  await s.createTable('application_credential')
    .addColumn('internal_id', t.serial, t.serialPrimaryKey)
    .addColumn('id', t.string(64), (c) => c.notNull().unique())
    .addColumn('name', t.string(255), (c) => c.notNull())
    .addColumn('secret_hash', t.string(255), (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('user_id', t.string(64), (c) => c.notNull())
    .addColumn('project_id', t.string(64))
    .addColumn('system', t.string(64))
    .addColumn('expires_at', t.timestamp)
    .addColumn('unrestricted', t.boolean, (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('duplicate_app_cred_constraint', ['name', 'user_id'])
    .execute();
  await s.createIndex('ix_application_credential_user_id').on('application_credential').column('user_id').execute();

  await s.createTable('application_credential_role')
    .addColumn('application_credential_id', t.integer, (c) => c.notNull())
    .addColumn('role_id', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_application_credential_role', ['application_credential_id', 'role_id'])
    .execute();

  await s.createTable('access_rule')
    .addColumn('id', t.serial, t.serialPrimaryKey)
    .addColumn('external_id', t.string(64), (c) => c.notNull().unique())
    .addColumn('user_id', t.string(64), (c) => c.notNull())
    .addColumn('service', t.string(64), (c) => c.notNull())
    .addColumn('path', t.string(128), (c) => c.notNull())
    .addColumn('method', t.string(16), (c) => c.notNull())
    .addUniqueConstraint('duplicate_access_rule_for_user_constraint', ['user_id', 'service', 'path', 'method'])
    .execute();

  await s.createTable('application_credential_access_rule')
    .addColumn('application_credential_id', t.integer, (c) => c.notNull())
    .addColumn('access_rule_id', t.integer, (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_application_credential_access_rule', ['application_credential_id', 'access_rule_id'])
    .execute();
  await s.createIndex('ix_app_cred_access_rule_rule').on('application_credential_access_rule').column('access_rule_id').execute();

  await s.createTable('trust')
    .addColumn('id', t.string(64), (c) => c.primaryKey())
    .addColumn('trustor_user_id', t.string(64), (c) => c.notNull())
    .addColumn('trustee_user_id', t.string(64), (c) => c.notNull())
    .addColumn('project_id', t.string(64))
    .addColumn('impersonation', t.boolean, (c) => c.notNull())
    .addColumn('deleted_at', t.timestamp)
    .addColumn('expires_at', t.timestamp)
    .addColumn('remaining_uses', t.integer)
    .addColumn('redelegated_trust_id', t.string(64))
    .addColumn('redelegation_count', t.integer)
    .addColumn('extra', t.jsonText)
    .addUniqueConstraint('duplicate_trust_constraint', ['trustor_user_id', 'trustee_user_id', 'project_id', 'impersonation', 'expires_at'])
    .execute();
  await s.createIndex('ix_trust_trustor_user_id').on('trust').column('trustor_user_id').execute();
  await s.createIndex('ix_trust_trustee_user_id').on('trust').column('trustee_user_id').execute();

  await s.createTable('trust_role')
    .addColumn('trust_id', t.string(64), (c) => c.notNull())
    .addColumn('role_id', t.string(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('pk_trust_role', ['trust_id', 'role_id'])
    .execute();
}
