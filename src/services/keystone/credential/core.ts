/**
 * The credential Manager (keystone/credential/core.py): opaque blobs owned by a user,
 * optionally bound to a project, over a CredentialDriver (backends/base.ts) chosen by
 * `[credential] driver`. `ec2` credentials hold {"access", "secret", "trust_id"} JSON and have
 * the sha256 of their access key as id. Blobs are encrypted here before the driver stores them
 * (cipher.ts). A deleted user or project loses its credentials (callbacks).
 */
import { createHash } from 'node:crypto';
import type { CredentialOptions } from '../config.js';
import { checkLength, CredentialLimitExceeded, CredentialNotFound, MissingAttribute } from '../errors.js';
import { newId } from '../db/rows.js';
import { extraAttributes } from '../lib/extra-attributes.js';
import { Hints } from '../lib/hints.js';
import type { KeystoneEvents } from '../events.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { CredentialDriver, StoredCredential } from './backends/base.js';
import type { CredentialCipher } from './cipher.js';

export interface CredentialRecord {
  id: string;
  user_id: string;
  project_id: string | null;
  type: string;
  blob: string;
  [extra: string]: unknown;
}

/** A credential as the API creates or updates it: the known attributes plus any extra ones. */
export interface CredentialInput {
  user_id?: unknown;
  project_id?: string | null;
  type?: unknown;
  blob?: unknown;
  [extra: string]: unknown;
}

const CREDENTIAL_ATTRS = new Set(['id', 'user_id', 'project_id', 'type', 'blob']);

const extraOf = (ref: Record<string, unknown>): Record<string, unknown> => extraAttributes(ref, CREDENTIAL_ATTRS);

/** utils.hash_access_key: the id of an ec2 credential. */
export function hashAccessKey(access: string): string {
  return createHash('sha256').update(access, 'utf8').digest('hex');
}

export interface CredentialManagerDeps {
  /** Encrypts blobs at rest ([credential] encrypt). */
  cipher: CredentialCipher;
  /** [credential] user_limit. */
  config: Pick<CredentialOptions, 'user_limit'>;
  events: KeystoneEvents;
  audit: IdentityAudit;
}

export class CredentialManager {
  constructor(private readonly driver: CredentialDriver, private readonly deps: CredentialManagerDeps) {
    deps.events.on('user.deleted', ({ userId }) => driver.deleteCredentialsForUser(userId));
    deps.events.on('project.deleted', ({ projectId }) => driver.deleteCredentialsForProject(projectId));
  }

  private toRecord(c: StoredCredential): CredentialRecord {
    return {
      ...c.extra, id: c.id, user_id: c.user_id, project_id: c.project_id, type: c.type, blob: this.deps.cipher.decrypt(c.encrypted_blob, c.key_hash),
    };
  }

  async findCredential(credentialId: string): Promise<CredentialRecord | undefined> {
    const c = await this.driver.getCredential(credentialId);
    return c ? this.toRecord(c) : undefined;
  }

  async getCredential(credentialId: string): Promise<CredentialRecord> {
    const c = await this.findCredential(credentialId);
    if (!c) throw new CredentialNotFound(credentialId);
    return c;
  }

  async listCredentials(hints: Hints = new Hints()): Promise<CredentialRecord[]> {
    return (await this.driver.listCredentials(hints)).map((c) => this.toRecord(c));
  }

  async listCredentialsForUser(userId: string, type?: string): Promise<CredentialRecord[]> {
    const hints = new Hints().add('user_id', userId);
    if (type) hints.add('type', type);
    return this.listCredentials(hints);
  }

  async createCredential(input: CredentialInput, credentialId: string = newId()): Promise<CredentialRecord> {
    const userId = String(input.user_id);
    checkLength(input.type, 255);
    checkLength(userId, 64);
    checkLength(input.project_id, 64);
    const limit = this.deps.config.user_limit;
    if (limit >= 0 && (await this.listCredentialsForUser(userId)).length >= limit) throw new CredentialLimitExceeded(limit);
    const { encrypted, keyHash } = this.deps.cipher.encrypt(String(input.blob));
    await this.driver.createCredential({
      id: credentialId, user_id: userId, project_id: (input.project_id as string | null | undefined) ?? null, type: String(input.type),
      key_hash: keyHash, encrypted_blob: encrypted, extra: extraOf(input),
    });
    this.deps.audit.created('credential', credentialId);
    return this.getCredential(credentialId);
  }

  async updateCredential(credentialId: string, changes: CredentialInput): Promise<CredentialRecord> {
    const current = await this.getCredential(credentialId);
    if (String(changes.type ?? '').toLowerCase() === 'ec2' && !changes.project_id && !current.project_id) {
      throw new MissingAttribute('project_id', 'credential');
    }
    checkLength(changes.user_id, 64);
    checkLength(changes.project_id, 64);
    checkLength(changes.type, 255);
    const set: Parameters<CredentialDriver['updateCredential']>[1] = { extra: { ...extraOf(current), ...extraOf(changes) } };
    if ('user_id' in changes) set.user_id = String(changes.user_id);
    if ('project_id' in changes) set.project_id = (changes.project_id as string | null) ?? null;
    if ('type' in changes) set.type = String(changes.type);
    if ('blob' in changes) {
      const { encrypted, keyHash } = this.deps.cipher.encrypt(String(changes.blob));
      set.encrypted_blob = encrypted;
      set.key_hash = keyHash;
    }
    await this.driver.updateCredential(credentialId, set);
    return this.getCredential(credentialId);
  }

  async deleteCredential(credentialId: string): Promise<void> {
    await this.getCredential(credentialId);
    await this.driver.deleteCredential(credentialId);
    this.deps.audit.deleted('credential', credentialId);
  }
}
