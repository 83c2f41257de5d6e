/**
 * The guest's encrypted admin password (nova/api/metadata/password.py): a guest agent POSTs it
 * once to /openstack/<version>/password, nova keeps it in the instance's system metadata as
 * password_0..password_3 (255 characters each, at most 1020 bytes in all) and GET returns it;
 * a second POST while one is set is a 409.
 */
export const CHUNKS = 4;
export const CHUNK_LENGTH = 255;
export const MAX_SIZE = CHUNKS * CHUNK_LENGTH;

/** extract_password: the password_* system metadata joined in key order, or undefined. */
export function extractPassword(systemMetadata: Readonly<Record<string, string>>): string | undefined {
  const result = Object.keys(systemMetadata).sort().filter((k) => k.startsWith('password_')).map((k) => systemMetadata[k]).join('');
  return result || undefined;
}

/** convert_password: the system metadata entries that hold `password` ('' clears them). */
export function convertPassword(password: string): Record<string, string> {
  const chars = [...password];
  const meta: Record<string, string> = {};
  for (let i = 0; i < CHUNKS; i++) meta[`password_${i}`] = chars.slice(i * CHUNK_LENGTH, (i + 1) * CHUNK_LENGTH).join('');
  return meta;
}
