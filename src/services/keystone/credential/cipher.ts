/**
 * Encryption of credential blobs at rest. Upstream uses Fernet with a credential key
 * repository; here one AES-256-GCM key is kept in a file (created 0600 on first use) and each
 * blob is stored as base64(iv | ciphertext | tag). `key_hash` (sha256 of the key, hex) records
 * which key encrypted a blob; '' means the blob is stored in clear (encryption off, or rows
 * written before it was turned on).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InternalError } from '../../../common/errors.js';

export interface CredentialCipher {
  encrypt(plain: string): { encrypted: string; keyHash: string };
  decrypt(stored: string, keyHash: string): string;
}

/** Stores blobs as they are. */
export const clearCipher: CredentialCipher = {
  encrypt: (plain) => ({ encrypted: plain, keyHash: '' }),
  decrypt: (stored, keyHash) => {
    if (keyHash !== '') throw new InternalError('This credential was encrypted but credential encryption is not configured.');
    return stored;
  },
};

function loadOrCreateKey(path: string): Buffer {
  try {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

/** AES-256-GCM with the key kept in `keyFile`. */
export function fileKeyCipher(keyFile: string): CredentialCipher {
  let key: Buffer | undefined;
  const getKey = (): Buffer => (key ??= loadOrCreateKey(keyFile));
  const hashOf = (k: Buffer): string => createHash('sha256').update(k).digest('hex');
  return {
    encrypt(plain) {
      const k = getKey();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return { encrypted: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64'), keyHash: hashOf(k) };
    },
    decrypt(stored, keyHash) {
      if (keyHash === '') return stored;
      const k = getKey();
      if (keyHash !== hashOf(k)) throw new InternalError('The credential was encrypted with a key that is no longer available.');
      const raw = Buffer.from(stored, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}
