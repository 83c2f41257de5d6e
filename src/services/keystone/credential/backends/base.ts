/**
 * The credential driver interface (keystone/credential/backends/base.py CredentialDriverBase):
 * credentials as stored, their blob encrypted by the CredentialManager (../core.ts) before it
 * reaches the driver.
 */
import type { Hints } from '../../lib/hints.js';

/** A credential as stored: the blob encrypted, with the hash of the key that encrypted it. */
export interface StoredCredential {
  id: string;
  user_id: string;
  project_id: string | null;
  type: string;
  encrypted_blob: string;
  key_hash: string;
  /** Extra attributes given at create or update. */
  extra: Record<string, unknown>;
}

export interface CredentialDriver {
  getCredential(credentialId: string): Promise<StoredCredential | undefined>;
  /** Credentials matching the hints (user_id, type, project_id and the rest); the driver applies them all. */
  listCredentials(hints: Hints): Promise<StoredCredential[]>;
  /** Throws KeystoneConflict for a duplicate id. */
  createCredential(credential: StoredCredential): Promise<void>;
  /** Sets the attributes given (the blob encrypted); `extra` replaces the extra attributes. */
  updateCredential(credentialId: string, changes: Partial<Omit<StoredCredential, 'id' | 'extra'>> & Pick<StoredCredential, 'extra'>): Promise<void>;
  deleteCredential(credentialId: string): Promise<void>;
  deleteCredentialsForProject(projectId: string): Promise<void>;
  deleteCredentialsForUser(userId: string): Promise<void>;
}
