/**
 * Object versioning, the new mode (swift/common/middleware/versioned_writes/object_versioning.py):
 *  - `X-Versions-Enabled: true|false` on a container PUT or POST turns it on or off (sysmeta
 *    versions-enabled); turning it on the first time creates the hidden versions container
 *    `\0versions\0<container>` (sysmeta versions-container). Refused (400) on a container of the
 *    legacy mode (X-Versions-Location / X-History-Location) or of container sync;
 *  - while enabled, a PUT stores the data as a version `\0<object>\0<inverted timestamp>` in the
 *    versions container and the object as a static link to it (sysmeta versions-symlink), the
 *    version id (the timestamp) in `X-Object-Version-Id`; an object there from before is copied
 *    in first. A DELETE writes a delete marker version and deletes the link;
 *  - `?version-id=<id>` (or `null`, the object stored plainly) on GET/HEAD reads that version
 *    (a delete marker is 404), on DELETE deletes it (and the link when it is the current one),
 *    on PUT (zero bytes) makes it the current one again; COPY `?version-id=` copies it; POST 400;
 *  - listings (object-versioning-listing.ts): `?versions`, and links shown as their targets;
 *  - a versioned container is deleted only without versions (409), its versions container
 *    with it (the container and account requests: object-versioning-containers.ts); account
 *    listings never show the reserved namespace (its storage servers hide it).
 * Its requests into the versions container are its own (reserved names allowed); they go
 * through the rest of the pipeline (symlink, slo, ...) as Swift's do.
 */
import { BadRequest, InternalError, NotFound, NuboError, PreconditionFailed } from '../../../../common/errors.js';
import { LengthRequired, NoQuorum } from '../../errors.js';
import { isReserved, versionsContainerName, versionsObjectName, parseVersionsObjectName } from '../../utils/reserved-names.js';
import type { ProxyResult } from '../base.js';
import { guessType } from '../obj.js';
import { headerOf, type Clock, type SwiftRequest } from '../request.js';
import { EXPIRER_SOURCE } from './expiring-queue.js';
import { SOURCE, CLIENT_ENABLED, SYSMETA_SYMLINK, LINK_TARGET_ETAG, LINK_TARGET_BYTES, LINK_SYMLOOP_EXTEND, LINK_ALLOW_RESERVED, isTrue, NO_CONTAINER, failure, validVersion, without, ownerOnly, containerVersioning, own, type Versioning } from './object-versioning-common.js';
import { listContainers, annotate, wantsXml, xmlListing, enable, deleteContainer, listVersions } from './object-versioning-containers.js';
import { DELETE_MARKER_CONTENT_TYPE, quotePath, unquote } from './object-versioning-listing.js';
import { answer, drain, hasQueryParam, isSuccess, queryParam, type Handler, type Middleware } from './pipeline.js';

/** Containers whose versioning is remembered at most. */
const MAX_KNOWN = 10_000;

export class ObjectVersioning implements Middleware {
  readonly name = 'object_versioning';

  /**
   * Each container's versioning as object requests last saw it (get_container_info's cache),
   * for `recheckMs`; forgotten when a container request passes here.
   */
  private readonly known = new Map<string, { at: number; versioning: Versioning }>();

  /** `clock`: the proxy's, for version ids (never twice the same); `recheckMs`: recheck_container_existence. */
  constructor(private readonly clock: Clock, private readonly recheckMs = 1000) {}

  info(): Record<string, unknown> {
    return {};
  }

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    // the reserved namespace (the versions containers themselves) is passed through
    if (isReserved(req.container)) return next(req);
    if (req.container === undefined) return req.method === 'GET' ? listContainers(req, next) : next(req);
    if (req.object === undefined || req.object === '') return this.container(req, next);
    // the expirer deletes what expired as it is (Swift's internal client has no versioning)
    if (req.source === EXPIRER_SOURCE) return next(req);
    if (req.method === 'COPY') return this.copy(req, next);
    return this.object(req, next);
  }

  /** The versioning of an object request's container: remembered a while, as the proxy remembers that it exists. */
  private async objectVersioning(req: SwiftRequest, next: Handler): Promise<Versioning> {
    const key = `${req.account}/${req.container}`;
    const hit = this.known.get(key);
    if (hit && Date.now() - hit.at <= this.recheckMs) return hit.versioning;
    const { location, enabled, status } = await containerVersioning(req, next);
    if (this.known.size >= MAX_KNOWN) this.known.clear();
    if (isSuccess(status)) this.known.set(key, { at: Date.now(), versioning: { location, enabled } });
    else this.known.delete(key);
    return { location, enabled };
  }

  private async container(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // a write of the container may change its versioning: object requests ask again (before and after it)
      this.known.delete(`${req.account}/${req.container}`);
      try {
        return await this.writeContainer(req, next);
      } finally {
        this.known.delete(`${req.account}/${req.container}`);
      }
    }
    if (hasQueryParam(req, 'versions') && req.method === 'GET') return listVersions(req, next);
    if (req.method === 'GET' && wantsXml(req) && (await containerVersioning(req, next)).location) return xmlListing(req, next);
    const res = await next(req);
    if (!isSuccess(res.status)) return res;
    return annotate(req, next, res);
  }

  private async writeContainer(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if ((req.method === 'PUT' || req.method === 'POST') && headerOf(req.headers, CLIENT_ENABLED) !== undefined) return enable(req, next);
    if (req.method === 'DELETE') return deleteContainer(req, next);
    return next(req);
  }

  // ---- objects

  private async object(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const versionId = queryParam(req, 'version-id');
    const v = await this.objectVersioning(req, next);
    if (versionId) return this.withVersionId(req, next, v, versionId);
    if (!v.location) return next(req);
    switch (req.method) {
      case 'PUT': return v.enabled ? this.put(req, next, v.location) : next(req);
      case 'DELETE': return v.enabled ? this.delete(req, next, v.location) : next(req);
      case 'POST': return this.post(req, next, v.location);
      case 'GET':
      case 'HEAD': return this.read(req, next, v.location);
      default: return next(req);
    }
  }

  /** Refuses an answer that is not a success: 412 for a missing container, its own error for others, 503 for a server's. */
  private check(res: ProxyResult): void {
    if (isSuccess(res.status)) return;
    drain(res);
    if (res.status === 404) throw new PreconditionFailed();
    if (res.status >= 400 && res.status < 500) throw failure(res);
    throw new NoQuorum();
  }

  /** _copy_current: an object stored before versioning (not a versions link) is copied in as a version first. */
  private async copyCurrent(req: SwiftRequest, next: Handler, location: string): Promise<void> {
    const head = await own(req, next, { method: 'HEAD', container: req.container!, object: req.object!, query: 'symlink=get&multipart-manifest=get' });
    drain(head);
    if (head.status === 404) return;
    this.check(head);
    if (head.headers[SYSMETA_SYMLINK] === 'true') return;
    const ts = head.headers['x-timestamp'] ?? String(Date.parse(head.headers['last-modified'] ?? '') / 1000);
    // a server-side copy of the object as stored (a link stays a link, a manifest a manifest)
    const put = await own(req, next, {
      method: 'PUT', container: location, object: versionsObjectName(req.object!, ts), query: 'symlink=get&multipart-manifest=get',
      headers: { 'x-copy-from': `${encodeURIComponent(req.container!)}/${quotePath(req.object!)}`, 'content-length': '0' },
    });
    if (put.status === 404) throw new InternalError(NO_CONTAINER);
    this.check(put);
    drain(put);
  }

  /** handle_put: the data stored as a new version, the object a link to it. */
  private async put(req: SwiftRequest, next: Handler, location: string): Promise<ProxyResult> {
    // its own requests may copy from the reserved namespace, a client's copy source may not be there
    if (!req.allowReserved && unquote(headerOf(req.headers, 'x-copy-from') ?? '').includes('\0')) throw new PreconditionFailed('Invalid UTF8 or contains NULL');
    await this.copyCurrent(req, next, location);
    const ts = req.timestamp ?? this.clock.next();
    const versionObject = versionsObjectName(req.object!, ts);
    const headers = without(req.headers, ['x-delete-at', 'x-delete-after']);
    headers['content-type'] ??= guessType(req.object!);
    const put = await answer(next, {
      ...req, source: SOURCE, allowReserved: true, timestamp: ts, container: location, object: versionObject, headers, infos: new Map(),
    });
    if (put.status === 404) throw new InternalError(NO_CONTAINER);
    this.check(put);
    drain(put);
    return this.link(req, next, location, versionObject, put.headers.etag ?? '');
  }

  /** _put_symlink_to_version: the object made a static link to the version (its size, type and etag read back). */
  private async link(req: SwiftRequest, next: Handler, location: string, versionObject: string, etag: string): Promise<ProxyResult> {
    const head = await own(req, next, { method: 'HEAD', container: location, object: versionObject });
    drain(head);
    if (head.status === 404) throw new NotFound('The specified version does not exist');
    this.check(head);
    const targetEtag = head.headers['x-manifest-etag'] ?? (head.headers.etag ?? '').replace(/^"|"$/g, '');
    const headers = without(req.headers, ['etag', 'x-object-manifest', 'x-static-large-object', 'transfer-encoding', 'x-copy-from', 'x-copy-from-account', 'x-symlink-target-account']);
    Object.assign(headers, {
      'content-length': '0',
      'content-type': head.headers['content-type'] ?? 'application/octet-stream',
      'x-symlink-target': `${encodeURIComponent(location)}/${quotePath(versionObject)}`,
      [LINK_TARGET_ETAG]: targetEtag,
      [LINK_TARGET_BYTES]: head.headers['content-length'] ?? '0',
      [SYSMETA_SYMLINK]: 'true',
      [LINK_SYMLOOP_EXTEND]: 'true',
      [LINK_ALLOW_RESERVED]: 'true',
    });
    req.body?.resume();
    const { body: _b, timestamp: _t, ...rest } = req;
    const res = await next({ ...rest, method: 'PUT', query: '', source: SOURCE, headers });
    res.headers.etag = etag || targetEtag;
    res.headers['x-object-version-id'] = parseVersionsObjectName(versionObject)!.versionId;
    return res;
  }

  /** handle_delete: the current object copied in if need be, a delete marker written, the object deleted. */
  private async delete(req: SwiftRequest, next: Handler, location: string): Promise<ProxyResult> {
    await this.copyCurrent(req, next, location);
    const ts = req.timestamp ?? this.clock.next();
    const marker = versionsObjectName(req.object!, ts);
    const put = await own(req, next, {
      method: 'PUT', container: location, object: marker, timestamp: ts, headers: { 'content-type': DELETE_MARKER_CONTENT_TYPE, 'content-length': '0' },
    });
    this.check(put);
    drain(put);
    const res = await answer(next, req);
    if (isSuccess(res.status) || res.status === 404) res.headers['x-object-version-id'] = ts;
    return res;
  }

  /** handle_post: a POST to a versions link is applied to its version. */
  private async post(req: SwiftRequest, next: Handler, location: string): Promise<ProxyResult> {
    const res = await next(req);
    if (res.status !== 307 || !isTrue(res.headers[SYSMETA_SYMLINK])) return res;
    const m = /^\/v1\/([^/]+)\/([^/]+)\/(.+)$/.exec(res.headers.location ?? '');
    if (!m || unquote(m[1]!) !== req.account || unquote(m[2]!) !== location) return res;
    drain(res);
    return own(req, next, { method: 'POST', container: location, object: unquote(m[3]!), headers: without(req.headers, ['x-delete-at', 'x-delete-after']) });
  }

  /** handle_get_head_options: the current version, named by its id. */
  private async read(req: SwiftRequest, next: Handler, location: string): Promise<ProxyResult> {
    let res: ProxyResult;
    try {
      res = await next(req);
    } catch (err) {
      if (err instanceof NuboError) err.headers['x-object-version-id'] = 'null';
      throw err;
    }
    res.headers['x-object-version-id'] = 'null';
    const loc = res.headers['content-location'];
    const m = loc ? /^\/v1\/([^/]+)\/([^/]+)\/(.+)$/.exec(loc) : null;
    if (m && unquote(m[1]!) === req.account && unquote(m[2]!) === location) {
      const parsed = parseVersionsObjectName(unquote(m[3]!));
      if (parsed) {
        res.headers['x-object-version-id'] = parsed.versionId;
        res.headers['content-location'] = `${quotePath(`/v1/${req.account}/${req.container}/${req.object}`)}?version-id=${parsed.versionId}`;
      }
    }
    const target = res.headers['x-symlink-target'];
    if (target) {
      const [c, ...o] = unquote(target).split('/');
      const parsed = c === location ? parseVersionsObjectName(o.join('/')) : undefined;
      if (parsed) {
        res.headers['x-object-version-id'] = parsed.versionId;
        res.headers['x-symlink-target'] = `${quotePath(`${req.container}/${req.object}`)}?version-id=${parsed.versionId}`;
      }
    }
    return res;
  }

  // ---- ?version-id=

  private async withVersionId(req: SwiftRequest, next: Handler, v: Versioning, raw: string): Promise<ProxyResult> {
    if (req.method === 'POST') throw new BadRequest('POST to a specific version is not allowed');
    if (!v.location && raw !== 'null') throw new BadRequest('version-aware operations require that the container is versioned');
    const id = validVersion(raw, true);
    if (req.method === 'OPTIONS') return next(req);
    if (id !== 'null' && req.method !== 'PUT') ownerOnly(req);
    if (req.method === 'DELETE') return this.deleteVersion(req, next, v.location, id);
    if (req.method === 'PUT') return this.restore(req, next, v.location, raw);
    if (req.method !== 'GET' && req.method !== 'HEAD') return next(req);
    if (id === 'null') return this.readNull(req, next);
    return this.readVersion(req, next, v.location, id);
  }

  /** GET/HEAD `?version-id=null`: the object stored plainly, never a versions link's target. */
  private async readNull(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const res = await next(req);
    if (isSuccess(res.status) && unquote(res.headers['content-location'] ?? '').includes(versionsContainerName(''))) {
      drain(res);
      throw new NotFound();
    }
    res.headers['x-object-version-id'] = 'null';
    return res;
  }

  /** GET/HEAD `?version-id=<id>`: that version; a delete marker is 404. */
  private async readVersion(req: SwiftRequest, next: Handler, location: string, id: string): Promise<ProxyResult> {
    const res = await answer(next, { ...req, allowReserved: true, container: location, object: versionsObjectName(req.object!, id), query: '' });
    if ((res.headers['content-type'] ?? '') === DELETE_MARKER_CONTENT_TYPE) {
      drain(res);
      // swob's 404 page, typed as the marker
      return { status: 404, headers: { 'x-object-version-id': id, 'content-type': DELETE_MARKER_CONTENT_TYPE }, body: '<html><h1>Not Found</h1><p>The resource could not be found.</p></html>' };
    }
    if (!isSuccess(res.status)) {
      drain(res);
      throw failure(res);
    }
    res.headers['x-object-version-id'] = id;
    return res;
  }

  /** handle_delete_with_version_id: that version deleted, and the link too when it is the current one. */
  private async deleteVersion(req: SwiftRequest, next: Handler, location: string, id: string): Promise<ProxyResult> {
    if (id === 'null') return next(req);
    const head = await own(req, next, { method: 'HEAD', container: req.container!, object: req.object!, query: 'symlink=get' });
    drain(head);
    const tombstone = head.status === 404;
    if (!tombstone) this.check(head);
    const linkTarget = !tombstone && head.headers[SYSMETA_SYMLINK] === 'true' ? unquote(head.headers['x-symlink-target'] ?? '') : undefined;
    const versionObject = versionsObjectName(req.object!, id);
    let currentId = 'null';
    if (linkTarget === `${location}/${versionObject}`) {
      const unlinked = await answer(next, { ...req, query: '' });
      this.check(unlinked);
      drain(unlinked);
    } else if (linkTarget) {
      currentId = parseVersionsObjectName(linkTarget.slice(linkTarget.indexOf('/') + 1))?.versionId ?? 'null';
    }
    const res = await answer(next, { ...req, allowReserved: true, container: location, object: versionObject, query: '' });
    res.headers['x-object-version-id'] = id;
    res.headers['x-object-current-version-id'] = currentId;
    return res;
  }

  /** handle_put_with_version_id: the version made the current one (a zero-byte PUT). */
  private async restore(req: SwiftRequest, next: Handler, location: string, raw: string): Promise<ProxyResult> {
    const id = validVersion(raw, false);
    const length = headerOf(req.headers, 'content-length');
    const chunked = /chunked/i.test(headerOf(req.headers, 'transfer-encoding') ?? '');
    if (length === undefined && !chunked) throw new LengthRequired();
    let hasBody = length !== undefined && length.trim() !== '0';
    if (chunked && req.body) for await (const c of req.body) if ((c as Buffer).length > 0) hasBody = true;
    if (hasBody) throw new BadRequest('PUT version-id requests require a zero byte body');
    const versionObject = versionsObjectName(req.object!, id);
    const exists = await own(req, next, { method: 'HEAD', container: location });
    drain(exists);
    if (!isSuccess(exists.status)) throw new InternalError(NO_CONTAINER);
    return this.link(req, next, location, versionObject, '');
  }

  /** COPY: a PUT of the destination with X-Copy-From (copy.py), so a versioned destination keeps versions; `?version-id=` copies that version. */
  private async copy(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const destination = headerOf(req.headers, 'destination');
    const destAccount = headerOf(req.headers, 'destination-account');
    if (destination === undefined || (destAccount !== undefined && destAccount !== req.account)) return next(req);
    const versionId = queryParam(req, 'version-id');
    let source = `${encodeURIComponent(req.container!)}/${quotePath(req.object!)}`;
    let allowReserved = false;
    if (versionId) {
      const v = await this.objectVersioning(req, next);
      if (!v.location && versionId !== 'null') throw new BadRequest('version-aware operations require that the container is versioned');
      const id = validVersion(versionId, true);
      if (id !== 'null') {
        ownerOnly(req);
        const head = await own(req, next, { method: 'HEAD', container: v.location, object: versionsObjectName(req.object!, id) });
        drain(head);
        if (head.status === 404 || head.headers['content-type'] === DELETE_MARKER_CONTENT_TYPE) throw new NotFound();
        source = `${encodeURIComponent(v.location)}/${quotePath(versionsObjectName(req.object!, id))}`;
        allowReserved = true;
      }
    }
    let dest = destination.trim();
    try {
      dest = decodeURIComponent(dest);
    } catch {
      throw new PreconditionFailed('Destination header must be of the form <container name>/<object name>');
    }
    dest = dest.replace(/^\/+/, '');
    const slash = dest.indexOf('/');
    if (slash <= 0 || slash === dest.length - 1) throw new PreconditionFailed('Destination header must be of the form <container name>/<object name>');
    const q = new URLSearchParams(req.query);
    q.delete('version-id');
    const headers = without(req.headers, ['destination', 'destination-account']);
    headers['x-copy-from'] = source;
    const put: SwiftRequest = { ...req, method: 'PUT', container: dest.slice(0, slash), object: dest.slice(slash + 1), query: q.toString(), headers, ...(allowReserved ? { allowReserved } : {}) };
    const res = await this.handle(put, next);
    if (allowReserved) {
      // the copy names its source as the client does, never the reserved namespace
      res.headers['x-copied-from'] = `${encodeURIComponent(req.container!)}/${quotePath(req.object!)}`;
      res.headers['x-copied-from-version-id'] = validVersion(versionId!, true);
    }
    return res;
  }
}
