/**
 * Credentials (keystone/credential/core.py): opaque blobs owned by a user, optionally bound to
 * a project; `ec2` credentials hold {"access", "secret", "trust_id"} JSON and have the
 * sha256 of their access key as id. Blobs are encrypted at rest (cipher.ts).
 */
import { createHash } from 'node:crypto';
import { isUniqueViolation } from '../../../common/db/index.js';
import { checkLength, CredentialLimitExceeded, CredentialNotFound, duplicateEntry, KeystoneConflict, MissingAttribute } from '../errors.js';
import type { CredentialRow, CredentialUpdate } from '../db/schema.js';
import { jsonText, newId, parseJsonObject } from '../db/rows.js';
import { applyHints, Hints } from '../lib/hints.js';
import type { ManagerContext } from '../manager-context.js';
import type { CredentialCipher } from './cipher.js';

export interface CredentialRecord {
  id: string;
  user_id: string;
  project_id: string | null;
  type: string;
  blob: string;
  [extra: string]: unknown;
}

const CREDENTIAL_ATTRS = new Set(['id', 'user_id', 'project_id', 'type', 'blob']);

/** utils.hash_access_key: the id of an ec2 credential. */
export function hashAccessKey(access: string): string {
  return createHash('sha256').update(access, 'utf8').digest('hex');
}

export class CredentialManager {
  constructor(private readonly ctx: ManagerContext, private readonly cipher: CredentialCipher) {}

  private get db() { return this.ctx.db; }

  private toRecord(row: CredentialRow): CredentialRecord {
    return {
      ...parseJsonObject(row.extra), id: row.id, user_id: row.user_id, project_id: row.project_id, type: row.type,
      blob: this.cipher.decrypt(row.encrypted_blob, row.key_hash),
    };
  }

  async findCredential(credentialId: string): Promise<CredentialRecord | undefined> {
    const row = await this.db.selectFrom('credential').selectAll().where('id', '=', credentialId).executeTakeFirst();
    return row && row.id === credentialId ? this.toRecord(row) : undefined;
  }

  async getCredential(credentialId: string): Promise<CredentialRecord> {
    const c = await this.findCredential(credentialId);
    if (!c) throw new CredentialNotFound(credentialId);
    return c;
  }

  async listCredentials(hints: Hints = new Hints()): Promise<CredentialRecord[]> {
    let q = this.db.selectFrom('credential').selectAll();
    for (const col of ['user_id', 'type', 'project_id'] as const) {
      const v = hints.take(col);
      if (v !== undefined) q = q.where(col, '=', v);
    }
    return applyHints((await q.orderBy('id').execute()).map((r) => this.toRecord(r)), hints);
  }

  async listCredentialsForUser(userId: string, type?: string): Promise<CredentialRecord[]> {
    const hints = new Hints().add('user_id', userId);
    if (type) hints.add('type', type);
    return this.listCredentials(hints);
  }

  async createCredential(input: Record<string, unknown>, credentialId: string = newId()): Promise<CredentialRecord> {
    const userId = String(input.user_id);
    checkLength(input.type, 255);
    checkLength(userId, 64);
    checkLength(input.project_id, 64);
    const limit = this.ctx.config.credential.user_limit;
    if (limit >= 0 && (await this.listCredentialsForUser(userId)).length >= limit) throw new CredentialLimitExceeded(limit);
    const { encrypted, keyHash } = this.cipher.encrypt(String(input.blob));
    try {
      await this.db.insertInto('credential').values({
        id: credentialId, user_id: userId, project_id: (input.project_id as string | null | undefined) ?? null, type: String(input.type),
        extra: jsonText(Object.fromEntries(Object.entries(input).filter(([k]) => !CREDENTIAL_ATTRS.has(k)))),
        key_hash: keyHash, encrypted_blob: encrypted,
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('credential', duplicateEntry('ID', credentialId));
      throw err;
    }
    this.ctx.audit.created('credential', credentialId);
    return this.getCredential(credentialId);
  }

  async updateCredential(credentialId: string, changes: Record<string, unknown>): Promise<CredentialRecord> {
    const current = await this.getCredential(credentialId);
    if (String(changes.type ?? '').toLowerCase() === 'ec2' && !changes.project_id && !current.project_id) {
      throw new MissingAttribute('project_id', 'credential');
    }
    const set: CredentialUpdate = {
      extra: jsonText({ ...Object.fromEntries(Object.entries(current).filter(([k]) => !CREDENTIAL_ATTRS.has(k))),
        ...Object.fromEntries(Object.entries(changes).filter(([k]) => !CREDENTIAL_ATTRS.has(k))) }),
    };
    checkLength(changes.user_id, 64);
    checkLength(changes.project_id, 64);
    checkLength(changes.type, 255);
    if ('user_id' in changes) set.user_id = String(changes.user_id);
    if ('project_id' in changes) set.project_id = (changes.project_id as string | null) ?? null;
    if ('type' in changes) set.type = String(changes.type);
    if ('blob' in changes) {
      const { encrypted, keyHash } = this.cipher.encrypt(String(changes.blob));
      set.encrypted_blob = encrypted;
      set.key_hash = keyHash;
    }
    await this.db.updateTable('credential').set(set).where('id', '=', credentialId).execute();
    return this.getCredential(credentialId);
  }

  async deleteCredential(credentialId: string): Promise<void> {
    await this.getCredential(credentialId);
    await this.db.deleteFrom('credential').where('id', '=', credentialId).execute();
    this.ctx.audit.deleted('credential', credentialId);
  }

  async deleteCredentialsForProject(projectId: string): Promise<void> {
    await this.db.deleteFrom('credential').where('project_id', '=', projectId).execute();
  }

  async deleteCredentialsForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('credential').where('user_id', '=', userId).execute();
  }
}
