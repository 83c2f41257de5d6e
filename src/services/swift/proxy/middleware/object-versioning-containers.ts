/**
 * object_versioning's account and container requests (object_versioning.py AccountContext and
 * ContainerContext): X-Versions-Enabled on a container PUT/POST (the versions container made),
 * a container DELETE refused while versions are left, its HEAD/GET showing X-Versions-Enabled
 * and the versions' bytes, its listings' links shown as their targets, `?versions`, and the
 * account listing counting the versions' bytes.
 */
import { BadRequest, Conflict, InternalError, NotAcceptable } from '../../../../common/errors.js';
import { BadListingFormat, CONTENT_TYPES, listingFormat, renderListing, type ObjectRow } from '../../utils/listing.js';
import { userContainerOf, versionsContainerName, versionsObjectName, versionsObjectPrefix } from '../../utils/reserved-names.js';
import { normalizeTimestamp } from '../../utils/timestamp.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { CLIENT_ENABLED, SYSMETA_ENABLED, SYSMETA_CONTAINER, isTrue, without, containerVersioning, own } from './object-versioning-common.js';
import { mergeListings, translateListing, unquote, versionsListing, type ListingItem } from './object-versioning-listing.js';
import { drain, isSuccess, readBody, type Handler } from './pipeline.js';

/**
 * AccountContext.list_containers: a JSON listing's containers count their versions' bytes too;
 * a versions container left without its container (an orphan) is listed under its name, so
 * its owner sees it.
 */
export async function listContainers(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
  const res = await next(req);
  if (!isSuccess(res.status) || !(res.headers['content-type'] ?? '').startsWith('application/json')) return res;
  const listing = JSON.parse((await readBody(res.body)).toString('utf8')) as ListingItem[];
  const q = new URLSearchParams(req.query);
  const vq = new URLSearchParams({ format: 'json', prefix: q.has('prefix') ? versionsContainerName(q.get('prefix')!) : '\u0000versions' });
  for (const k of ['marker', 'end_marker']) if (q.get(k)) vq.set(k, versionsContainerName(q.get(k)!));
  for (const k of ['limit', 'reverse', 'delimiter']) if (q.get(k)) vq.set(k, q.get(k)!);
  const vres = await own(req, next, { method: 'GET', query: vq.toString() });
  const text = isSuccess(vres.status) ? (await readBody(vres.body)).toString('utf8') : (drain(vres), '');
  const hidden = new Map<string, ListingItem>();
  for (const item of (text ? JSON.parse(text) : []) as ListingItem[]) {
    const user = item.name !== undefined ? userContainerOf(item.name) : undefined;
    if (user !== undefined) hidden.set(user, item);
  }
  for (const item of listing) {
    const v = item.name !== undefined ? hidden.get(item.name) : undefined;
    if (!v) continue;
    item.bytes = Number(item.bytes ?? 0) + Number(v.bytes ?? 0);
    hidden.delete(item.name!);
  }
  for (const [name, item] of hidden) listing.push({ ...item, name, count: 0 });
  const limit = /^\d+$/.test(q.get('limit') ?? '') ? Number(q.get('limit')) : Number.MAX_SAFE_INTEGER;
  const body = JSON.stringify(mergeListings([listing], isTrue(q.get('reverse') ?? ''), limit));
  return { ...res, headers: { ...res.headers, 'content-length': String(Buffer.byteLength(body)) }, body };
}

// ---- containers
/** X-Versions-Enabled and the bytes of the versions too; a JSON listing's links shown as their targets. */
export async function annotate(req: SwiftRequest, next: Handler, res: ProxyResult): Promise<ProxyResult> {
  const enabled = res.headers[SYSMETA_ENABLED];
  if (enabled !== undefined) res.headers[CLIENT_ENABLED] = isTrue(enabled) ? 'True' : 'False';
  const location = unquote(res.headers[SYSMETA_CONTAINER] ?? '');
  if (!location) return res;
  if (res.headers['x-container-bytes-used'] !== undefined) {
    const head = await own(req, next, { method: 'HEAD', container: location });
    drain(head);
    if (isSuccess(head.status)) res.headers['x-container-bytes-used'] = String(Number(res.headers['x-container-bytes-used']) + Number(head.headers['x-container-bytes-used'] ?? 0));
  }
  if (req.method !== 'GET' || !(res.headers['content-type'] ?? '').startsWith('application/json')) return res;
  const listing = JSON.parse((await readBody(res.body)).toString('utf8')) as ListingItem[];
  translateListing(listing, location, req.container!, false);
  const body = JSON.stringify(listing);
  return { ...res, headers: { ...res.headers, 'content-length': String(Buffer.byteLength(body)) }, body };
}

export function wantsXml(req: SwiftRequest): boolean {
  try {
    return listingFormat(Object.fromEntries(new URLSearchParams(req.query)), headerOf(req.headers, 'accept')) === 'xml';
  } catch (err) {
    if (err instanceof BadListingFormat) return false;
    throw err;
  }
}

/** A versioned container's XML listing: made from its JSON one (listing_formats), so links show their targets. */
export async function xmlListing(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
  const q = new URLSearchParams(req.query);
  q.set('format', 'json');
  const res = await annotate(req, next, await next({ ...req, query: q.toString(), headers: without(req.headers, ['accept']) }));
  if (!isSuccess(res.status)) return res;
  const listing = JSON.parse((await readBody(res.body)).toString('utf8')) as ListingItem[];
  const entries = listing.map((i) => (i.subdir !== undefined ? { subdir: i.subdir } : { row: i as unknown as ObjectRow }));
  const body = renderListing<ObjectRow>('xml', 'container', req.container!, entries, (r) => r as unknown as Record<string, unknown>, ['name', 'hash', 'bytes', 'content_type', 'last_modified']);
  return { ...res, headers: { ...res.headers, 'content-type': CONTENT_TYPES.xml, 'content-length': String(Buffer.byteLength(body)) }, body };
}

/** enable_versioning: the versions container made when turned on, the flag kept as sysmeta. */
export async function enable(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
  const current = await containerVersioning(req, next);
  const legacy = (h: Record<string, string | string[] | undefined>): boolean => ['x-versions-location', 'x-history-location'].some((k) => {
    const v = h[k];
    return typeof v === 'string' && v !== '';
  });
  const enabled = isTrue(headerOf(req.headers, CLIENT_ENABLED));
  // the container's legacy mode refuses it (as Swift), and so does one set in the same request
  if ((isSuccess(current.status) && legacy(current.headers)) || (enabled && legacy(req.headers))) {
    throw new BadRequest('Cannot enable object versioning on a container that is already using the legacy versioned writes feature.');
  }
  if ((isSuccess(current.status) && current.headers['x-container-sync-to']) || headerOf(req.headers, 'x-container-sync-to')) {
    throw new BadRequest('Cannot enable object versioning on a container configured as source of container syncing.');
  }
  const headers = without(req.headers, [CLIENT_ENABLED]);
  headers[SYSMETA_ENABLED] = enabled ? 'True' : 'False';
  const location = versionsContainerName(req.container!);
  let created = false;
  if (enabled) {
    // the versions keep the container's storage policy (the one a PUT names, for a new container)
    const policy = isSuccess(current.status) ? current.headers['x-storage-policy'] : req.method === 'PUT' ? headerOf(req.headers, 'x-storage-policy') : undefined;
    const made = await own(req, next, { method: 'PUT', container: location, headers: policy ? { 'x-storage-policy': policy } : {} });
    drain(made);
    if (!isSuccess(made.status) && made.status !== 409) throw new InternalError('Error enabling object versioning');
    headers[SYSMETA_CONTAINER] = encodeURIComponent(location);
    created = !current.location;
  }
  const undo = async (): Promise<void> => {
    // the container's write failed: the versions container made for it goes again
    if (created) drain(await own(req, next, { method: 'DELETE', container: location }));
  };
  let res: ProxyResult;
  try {
    res = await next({ ...req, headers });
  } catch (err) {
    await undo();
    throw err;
  }
  if (!isSuccess(res.status)) await undo();
  return res;
}

/** handle_delete: refused while versions are left; the versions container deleted first. */
export async function deleteContainer(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
  const { location, headers, status } = await containerVersioning(req, next);
  // a container with objects is refused by its servers anyway: its versions container stays
  if (location && !(isSuccess(status) && Number(headers['x-container-object-count'] ?? 0) > 0)) {
    const head = await own(req, next, { method: 'HEAD', container: location });
    drain(head);
    if (isSuccess(head.status) && Number(head.headers['x-container-object-count'] ?? 0) > 0) throw new Conflict('Delete all versions before deleting container.');
    if (!isSuccess(head.status) && head.status !== 404) throw new InternalError('Error deleting versioned container');
    const del = await own(req, next, { method: 'DELETE', container: location });
    drain(del);
    if (!isSuccess(del.status) && del.status !== 404) throw new InternalError('Error deleting versioned container');
  }
  return next(req);
}

/** `GET ?versions`: JSON only (406 otherwise), the container's objects and its versions merged. */
export async function listVersions(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
  const q = new URLSearchParams(req.query);
  const format = q.get('format');
  const accept = (headerOf(req.headers, 'accept') ?? '').toLowerCase();
  const json = format ? format.toLowerCase() === 'json' : accept === '' || /application\/json|application\/\*|\*\/\*/.test(accept);
  if (!json) throw new NotAcceptable('The request is not acceptable.');
  const marker = q.get('marker');
  const versionMarker = q.get('version_marker');
  let versionsMarker: string | undefined;
  if (marker !== null) {
    // just past all of the object's versions, or just before them
    if (versionMarker === null) versionsMarker = `${versionsObjectPrefix(marker)}:`;
    else if (versionMarker === 'null') versionsMarker = versionsObjectPrefix(marker);
    else {
      let vm: string;
      try {
        vm = normalizeTimestamp(versionMarker);
      } catch {
        throw new BadRequest('invalid version_marker param');
      }
      versionsMarker = versionsObjectName(marker, vm);
    }
  } else if (versionMarker !== null) throw new BadRequest('version_marker param requires marker');
  const delimiter = q.get('delimiter') ?? '';
  if ([...delimiter].some((c) => '0123456789.\u0000'.includes(c))) throw new BadRequest('invalid delimiter param');

  const primaryQuery = new URLSearchParams(q);
  primaryQuery.delete('versions');
  primaryQuery.delete('version_marker');
  primaryQuery.set('format', 'json');
  const res = await next({ ...req, query: primaryQuery.toString(), headers: without(req.headers, ['accept']) });
  if (!isSuccess(res.status)) return res;
  const location = unquote(res.headers[SYSMETA_CONTAINER] ?? '') || versionsContainerName(req.container!);
  const enabled = res.headers[SYSMETA_ENABLED];
  if (enabled !== undefined) res.headers[CLIENT_ENABLED] = isTrue(enabled) ? 'True' : 'False';
  const primary = JSON.parse((await readBody(res.body)).toString('utf8')) as ListingItem[];
  translateListing(primary, location, req.container!, true);

  const vq = new URLSearchParams({ format: 'json' });
  if (q.has('prefix')) vq.set('prefix', `\u0000${q.get('prefix')}`);
  else vq.set('prefix', '\u0000');
  if (versionsMarker !== undefined) vq.set('marker', versionsMarker);
  for (const k of ['limit', 'delimiter', 'reverse']) if (q.get(k)) vq.set(k, q.get(k)!);
  const vres = await own(req, next, { method: 'GET', container: location, query: vq.toString() });
  let versions: ListingItem[] | undefined;
  if (vres.status === 404) drain(vres);
  else if (isSuccess(vres.status)) {
    const text = (await readBody(vres.body)).toString('utf8');
    versions = text ? JSON.parse(text) as ListingItem[] : [];
  } else return vres;
  const limit = /^\d+$/.test(q.get('limit') ?? '') ? Number(q.get('limit')) : Number.MAX_SAFE_INTEGER;
  const listing = versionsListing({ primary, versions, account: req.account, location, reverse: isTrue(q.get('reverse') ?? ''), limit });
  const body = JSON.stringify(listing);
  return { status: 200, headers: { ...res.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }, body };
}
