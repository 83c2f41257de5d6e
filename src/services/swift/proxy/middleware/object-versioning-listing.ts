/**
 * object_versioning's listings (object_versioning.py ContainerContext): a versioned container's
 * JSON listing shows each current version's link with its target's bytes and etag
 * (`version_symlink`, `symlink_path` naming `?version-id=`), and `?versions` merges the
 * container's own objects (the `null` versions) with the versions container's rows, each with
 * `version_id` and `is_latest`, sorted by name (a name's newest version first).
 */
import { parseVersionsObjectName, splitReservedName } from '../../utils/reserved-names.js';

export const DELETE_MARKER_CONTENT_TYPE = 'application/x-deleted;swift_versions_deleted=1';

export type ListingItem = Record<string, unknown> & { name?: string; subdir?: string };

export const quotePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/');

/** A %-encoded path or name decoded (as given when it is not valid). */
export function unquote(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** '/v1/<account>/<container>/<object>' split in its parts, or undefined. */
function splitObjectPath(path: string): { account: string; container: string; object: string } | undefined {
  const m = /^\/v1\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
  return m ? { account: m[1]!, container: m[2]!, object: m[3]! } : undefined;
}

/**
 * A listing's links into the versions container `location` shown as their targets: bytes and
 * hash the target's, `version_symlink: true`, and (unless `versions`) `symlink_path` the
 * object's `?version-id=` path.
 */
export function translateListing(items: ListingItem[], location: string, container: string, versions: boolean): void {
  for (const item of items) {
    if (typeof item.symlink_path !== 'string' || item.symlink_etag === undefined || item.symlink_bytes === undefined) continue;
    const target = splitObjectPath(unquote(item.symlink_path));
    if (!target || target.container !== location) continue;
    const params = typeof item.hash === 'string' ? item.hash.split(';').slice(1).map((p) => `;${p}`).join('') : '';
    item.bytes = Number(item.symlink_bytes);
    item.version_symlink = true;
    item.hash = `${String(item.symlink_etag)}${params}`;
    delete item.symlink_etag;
    delete item.symlink_bytes;
    const parsed = parseVersionsObjectName(target.object);
    if (parsed && !versions) item.symlink_path = `${quotePath(`/v1/${target.account}/${container}/${parsed.object}`)}?version-id=${parsed.versionId}`;
  }
}

/** build_listing: the lists merged, sorted by name (stable), cut at `limit`. */
export function mergeListings(lists: ListingItem[][], reverse: boolean, limit: number): ListingItem[] {
  const key = (i: ListingItem): string => i.subdir ?? i.name ?? '';
  const all = lists.flat();
  all.sort((a, b) => {
    const c = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
    return reverse ? -c : c;
  });
  return all.slice(0, limit);
}

export interface VersionsListingInput {
  /** The container's own listing (translated, `versions` kept: links name their target). */
  primary: ListingItem[];
  /** The versions container's listing; undefined when it does not exist. */
  versions: ListingItem[] | undefined;
  account: string;
  location: string;
  reverse: boolean;
  limit: number;
}

/** _list_versions: every version of every object (and the null ones), with version_id and is_latest. */
export function versionsListing(input: VersionsListingInput): ListingItem[] {
  const nulls: ListingItem[] = [];
  const subdirs = new Set<string>();
  const current = new Map<string, ListingItem>();
  const latest = new Set<string>();
  for (const item of input.primary) {
    if (item.name === undefined) {
      if (item.subdir !== undefined) subdirs.add(item.subdir);
    } else if (item.version_symlink) {
      current.set(unquote(String(item.symlink_path)), item);
    } else {
      nulls.push({ ...item, version_id: 'null', is_latest: true });
      latest.add(item.name);
    }
  }
  if (input.versions === undefined) {
    // no versions container: the links are all there is (is_latest for a name's first)
    const broken: ListingItem[] = [];
    for (const item of current.values()) {
      const target = splitObjectPath(unquote(String(item.symlink_path)));
      const parsed = target && parseVersionsObjectName(target.object);
      if (!parsed) continue;
      const isLatest = !latest.has(parsed.object);
      latest.add(parsed.object);
      broken.push({
        name: parsed.object, is_latest: isLatest, version_id: parsed.versionId, content_type: item.content_type,
        bytes: item.bytes, hash: item.hash, last_modified: item.last_modified,
      });
    }
    return mergeListings([nulls, [...subdirs].map((s) => ({ subdir: s })), broken], input.reverse, input.limit);
  }
  const listed: ListingItem[] = [];
  for (const item of input.versions) {
    if (item.name === undefined) {
      if (item.subdir !== undefined) subdirs.add(splitReservedName(item.subdir)?.[0] ?? item.subdir);
      continue;
    }
    const parsed = parseVersionsObjectName(item.name);
    if (!parsed) continue;
    const path = `/v1/${input.account}/${input.location}/${item.name}`;
    let isLatest = false;
    if (current.has(path)) {
      isLatest = true;
      latest.add(parsed.object);
      current.delete(path);
    } else if (item.content_type === DELETE_MARKER_CONTENT_TYPE && !latest.has(parsed.object)) {
      isLatest = true;
      latest.add(parsed.object);
    }
    listed.push({ ...item, is_latest: isLatest, name: parsed.object, version_id: parsed.versionId });
  }
  return mergeListings([nulls, listed, [...subdirs].map((s) => ({ subdir: s }))], input.reverse, input.limit);
}
