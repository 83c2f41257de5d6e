/**
 * console_auth_tokens (nova's cell table): one row per console URL handed out, found by the
 * SHA-256 of its token (the token itself is never stored), valid until `expires` (epoch seconds).
 */
import type { Kysely } from 'kysely';
import { columnTypes, type Migration } from '../../../../common/db/index.js';

export const consoleAuthTokens: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const t = columnTypes(db);
    await db.schema.createTable('console_auth_tokens')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .addColumn('token_hash', t.string(255), (c) => c.notNull().unique())
      .addColumn('console_type', t.string(255), (c) => c.notNull())
      .addColumn('host', t.string(255), (c) => c.notNull())
      .addColumn('port', t.integer, (c) => c.notNull())
      .addColumn('internal_access_path', t.string(255))
      .addColumn('instance_uuid', t.string(36), (c) => c.notNull())
      .addColumn('expires', t.integer, (c) => c.notNull())
      .addColumn('access_url_base', t.string(255))
      .execute();
    await db.schema.createIndex('console_auth_tokens_instance_uuid_idx').on('console_auth_tokens').column('instance_uuid').execute();
    await db.schema.createIndex('console_auth_tokens_host_expires_idx').on('console_auth_tokens').columns(['host', 'expires']).execute();
  },
};
