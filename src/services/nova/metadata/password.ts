/**
 * The server password as nova keeps it (nova/api/metadata/password.py): the guest posts its
 * encrypted password to the metadata API once, nova stores it in system metadata as four
 * chunks of 255 characters ('password_0' .. 'password_3'), GET /servers/{id}/os-server-password
 * reads it back and DELETE clears it. Shared by the Compute API and the metadata API.
 */
import type { InstanceMetadataRepo } from '../db/instance-metadata.js';
import type { Instance } from '../objects/index.js';

export const PASSWORD_CHUNKS = 4;
export const PASSWORD_CHUNK_LENGTH = 255;
/** The most the metadata API accepts in one POST. */
export const PASSWORD_MAX_SIZE = PASSWORD_CHUNKS * PASSWORD_CHUNK_LENGTH;

/** extract_password: the chunks in key order, joined; null when there is none. */
export function extractPassword(systemMetadata: Readonly<Record<string, string>>): string | null {
  const result = Object.keys(systemMetadata).filter((k) => k.startsWith('password_')).sort().map((k) => systemMetadata[k]).join('');
  return result || null;
}

/** convert_password: the system metadata items that hold `password` (all empty for none). */
export function convertPassword(password: string | null): Record<string, string> {
  let rest = password ?? '';
  const meta: Record<string, string> = {};
  for (let i = 0; i < PASSWORD_CHUNKS; i++) {
    meta[`password_${i}`] = rest.slice(0, PASSWORD_CHUNK_LENGTH);
    rest = rest.slice(PASSWORD_CHUNK_LENGTH);
  }
  return meta;
}

/** The stored password of a server, read fresh from its system metadata. */
export async function readPassword(metadata: InstanceMetadataRepo, instance: Instance): Promise<string | null> {
  return extractPassword(await metadata.get(instance.uuid, 'instance_system_metadata'));
}

/** Store (or, with null, clear) a server's password. */
export async function storePassword(metadata: InstanceMetadataRepo, instance: Instance, password: string | null): Promise<void> {
  await metadata.updateSystem(instance.uuid, convertPassword(password));
}
