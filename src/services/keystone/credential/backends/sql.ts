/** The SQL credential driver (keystone/credential/backends/sql.py): the `credential` table. */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../../../common/db/index.js';
import { duplicateEntry, KeystoneConflict } from '../../errors.js';
import type { CredentialRow, CredentialUpdate, KeystoneDB } from '../../db/schema.js';
import { jsonText, parseJsonObject } from '../../db/rows.js';
import { applyHints, type Hints } from '../../lib/hints.js';
import type { CredentialDriver, StoredCredential } from './base.js';

function stored(row: CredentialRow): StoredCredential {
  return {
    id: row.id, user_id: row.user_id, project_id: row.project_id, type: row.type, encrypted_blob: row.encrypted_blob, key_hash: row.key_hash,
    extra: parseJsonObject(row.extra),
  };
}

export class SqlCredentialDriver implements CredentialDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async getCredential(credentialId: string): Promise<StoredCredential | undefined> {
    const row = await this.db.selectFrom('credential').selectAll().where('id', '=', credentialId).executeTakeFirst();
    // MariaDB compares ids case-insensitively.
    return row && row.id === credentialId ? stored(row) : undefined;
  }

  async listCredentials(hints: Hints): Promise<StoredCredential[]> {
    let q = this.db.selectFrom('credential').selectAll();
    for (const col of ['user_id', 'type', 'project_id'] as const) {
      const v = hints.take(col);
      if (v !== undefined) q = q.where(col, '=', v);
    }
    return applyHints((await q.orderBy('id').execute()).map(stored), hints);
  }

  async createCredential(c: StoredCredential): Promise<void> {
    try {
      await this.db.insertInto('credential').values({
        id: c.id, user_id: c.user_id, project_id: c.project_id, type: c.type, extra: jsonText(c.extra),
        key_hash: c.key_hash, encrypted_blob: c.encrypted_blob,
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('credential', duplicateEntry('ID', c.id));
      throw err;
    }
  }

  async updateCredential(credentialId: string, changes: Partial<Omit<StoredCredential, 'id' | 'extra'>> & Pick<StoredCredential, 'extra'>): Promise<void> {
    const set: CredentialUpdate = { extra: jsonText(changes.extra) };
    if (changes.user_id !== undefined) set.user_id = changes.user_id;
    if (changes.project_id !== undefined) set.project_id = changes.project_id;
    if (changes.type !== undefined) set.type = changes.type;
    if (changes.encrypted_blob !== undefined) set.encrypted_blob = changes.encrypted_blob;
    if (changes.key_hash !== undefined) set.key_hash = changes.key_hash;
    await this.db.updateTable('credential').set(set).where('id', '=', credentialId).execute();
  }

  async deleteCredential(credentialId: string): Promise<void> {
    await this.db.deleteFrom('credential').where('id', '=', credentialId).execute();
  }

  async deleteCredentialsForProject(projectId: string): Promise<void> {
    await this.db.deleteFrom('credential').where('project_id', '=', projectId).execute();
  }

  async deleteCredentialsForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('credential').where('user_id', '=', userId).execute();
  }
}
