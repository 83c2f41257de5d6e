/**
 * The reserved namespace (swift/common/request_helpers get_reserved_name): names that begin
 * with NUL, which clients cannot use, so middlewares keep their own containers and objects
 * there. object_versioning's: the versions container `\0versions\0<container>` and each
 * version `\0<object>\0<inverted timestamp>` (newer versions sort first).
 */
import { normalizeTimestamp } from './timestamp.js';

export const RESERVED = '\u0000';

/** NUL, then the parts joined by NUL. */
export const reservedName = (...parts: string[]): string => RESERVED + parts.join(RESERVED);

/** The parts of a reserved name, or undefined when it is not one. */
export function splitReservedName(name: string): string[] | undefined {
  return name.startsWith(RESERVED) ? name.slice(1).split(RESERVED) : undefined;
}

export const isReserved = (name: string | undefined): boolean => name !== undefined && name.startsWith(RESERVED);

/** `~Timestamp(ts)`: 9999999999.99999 minus the timestamp, in normal form. Throws BadTimestamp. */
export function invertTimestamp(ts: string): string {
  const raw = BigInt(normalizeTimestamp(ts).replace('.', ''));
  const inv = (999999999999999n - raw).toString().padStart(15, '0');
  return `${inv.slice(0, 10)}.${inv.slice(10)}`;
}

export const versionsContainerName = (container: string): string => reservedName('versions', container);

/** The user container of a versions container, or undefined. */
export function userContainerOf(versionsContainer: string): string | undefined {
  const parts = splitReservedName(versionsContainer);
  return parts?.length === 2 && parts[0] === 'versions' ? parts[1] : undefined;
}

/** The prefix of all versions of an object (a listing's prefix or marker). */
export const versionsObjectPrefix = (object: string): string => reservedName(object, '');

export const versionsObjectName = (object: string, versionId: string): string => reservedName(object, invertTimestamp(versionId));

/** The object and version id of a version's name, or undefined when it is not one. */
export function parseVersionsObjectName(name: string): { object: string; versionId: string } | undefined {
  const parts = splitReservedName(name);
  if (parts?.length !== 2) return undefined;
  try {
    return { object: parts[0]!, versionId: invertTimestamp(parts[1]!) };
  } catch {
    return undefined;
  }
}
