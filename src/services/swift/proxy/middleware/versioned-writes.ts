/**
 * Object versioning, the legacy mode of versioned_writes (swift/common/middleware/
 * versioned_writes/legacy.py):
 *  - a container with X-Versions-Location (stack mode) or X-History-Location (history mode)
 *    names the container that keeps older versions; only one of the two may be set, and the
 *    other is cleared; an empty value or X-Remove-*-Location turns versioning off;
 *  - a PUT over an existing object first copies it to `<len(name) as 3 hex digits><name>/<timestamp>`
 *    in that container;
 *  - stack mode: a DELETE restores the newest older version in its place (and removes it from
 *    the versions container), or deletes when there is none;
 *  - history mode: a DELETE copies the current version away and leaves a delete marker there.
 */
import { BadRequest, PreconditionFailed } from '../../../../common/errors.js';
import { NoQuorum } from '../../errors.js';
import { normalizeTimestamp, nowTimestamp } from '../../utils/timestamp.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { EXPIRER_SOURCE } from './expiring-queue.js';
import { answer, drain, pathInfo, isSuccess, readBody, subrequest, type Handler, type Middleware } from './pipeline.js';

export const DELETE_MARKER_CONTENT_TYPE = 'application/x-deleted;swift_versions_deleted=1';
const SOURCE = 'VW';

/** Headers of a stored version that its copy keeps. */
const COPIED = /^(content-type|content-encoding|content-disposition|etag|x-object-meta-.*|x-object-sysmeta-.*|x-delete-at|x-object-manifest|x-static-large-object)$/;

/** The prefix of an object's versions: its length in code points as 3 hex digits, its name, '/'. */
export const versionsPrefix = (object: string): string => `${[...object].length.toString(16).padStart(3, '0')}${object}/`;

interface Versioning {
  mode: 'stack' | 'history';
  location: string;
}

export class VersionedWrites implements Middleware {
  readonly name = 'versioned_writes';

  info(): Record<string, unknown> {
    return { allowed_flags: ['x-versions-location', 'x-history-location'] };
  }

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (req.container === undefined) return next(req);
    if (req.object === undefined || req.object === '') {
      return req.method === 'PUT' || req.method === 'POST' ? next(this.containerHeaders(req)) : next(req);
    }
    if ((req.method !== 'PUT' && req.method !== 'DELETE') || req.source === SOURCE || req.source === EXPIRER_SOURCE) return next(req);
    const versioning = await this.versioning(req, next);
    if (!versioning) return next(req);
    if (req.method === 'PUT') {
      await this.copyCurrent(req, next, versioning.location);
      return next(req);
    }
    if (versioning.mode === 'history') {
      await this.copyCurrent(req, next, versioning.location);
      const marker = await answer(next, subrequest(req, SOURCE, {
        method: 'PUT', container: versioning.location, object: versionsPrefix(req.object) + nowTimestamp(),
        headers: { 'content-type': DELETE_MARKER_CONTENT_TYPE, 'content-length': '0' },
      }));
      this.check(marker);
      drain(marker);
      return next(req);
    }
    return this.popVersion(req, next, versioning.location);
  }

  /** X-Versions-Location / X-History-Location of a container write, checked and made exclusive. */
  private containerHeaders(req: SwiftRequest): SwiftRequest {
    const headers = { ...req.headers };
    let versions = headerOf(headers, 'x-versions-location');
    let history = headerOf(headers, 'x-history-location');
    if (versions !== undefined && history !== undefined) {
      if (!history) history = undefined;
      else if (versions) throw new BadRequest('Only one of X-Versions-Location or X-History-Location may be specified');
      else versions = undefined;
    }
    const value = versions ?? history;
    const remove = headerOf(headers, 'x-remove-versions-location') !== undefined || headerOf(headers, 'x-remove-history-location') !== undefined;
    delete headers['x-remove-versions-location'];
    delete headers['x-remove-history-location'];
    if (value) {
      let location = value;
      try {
        location = decodeURIComponent(value);
      } catch { /* as given */ }
      if (location.includes('/')) throw new PreconditionFailed('Container name cannot contain slashes');
      headers['x-versions-location'] = versions ? location : '';
      headers['x-history-location'] = versions ? '' : location;
    } else if (value === '' || remove) {
      headers['x-versions-location'] = '';
      headers['x-history-location'] = '';
    }
    return { ...req, headers };
  }

  private async versioning(req: SwiftRequest, next: Handler): Promise<Versioning | undefined> {
    const info = await pathInfo(req, next, SOURCE, req.container!);
    if (!isSuccess(info.status)) return undefined;
    const stack = info.headers['x-versions-location'];
    if (stack) return { mode: 'stack', location: stack.split('/')[0]! };
    const history = info.headers['x-history-location'];
    if (history) return { mode: 'history', location: history.split('/')[0]! };
    return undefined;
  }

  /** 412 when the versions container refused (missing, no access), 503 on a server error. */
  private check(res: ProxyResult): void {
    if (isSuccess(res.status)) return;
    drain(res);
    if (res.status >= 400 && res.status < 500) throw new PreconditionFailed();
    throw new NoQuorum();
  }

  /** Copies `container/object` (the request's unless given) to `dest/destObject`; false when there was nothing to copy. */
  private async copy(req: SwiftRequest, next: Handler, from: { container: string; object: string }, to: { container: string; object?: string }, name: (ts: string) => string): Promise<boolean> {
    const source = await answer(next, subrequest(req, SOURCE, { method: 'GET', container: from.container, object: from.object, query: 'multipart-manifest=get' }));
    if (source.status === 404) {
      drain(source);
      return false;
    }
    this.check(source);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(source.headers)) if (COPIED.test(k)) headers[k] = v;
    headers['content-length'] = source.headers['content-length'] ?? '0';
    const ts = source.headers['x-timestamp'] ?? String(Date.parse(source.headers['last-modified'] ?? '') / 1000);
    const body = typeof source.body === 'string' || source.body === undefined ? undefined : source.body;
    const put = await answer(next, subrequest(req, SOURCE, {
      method: 'PUT', container: to.container, object: to.object ?? name(normalizeTimestamp(ts)), headers,
      ...(body ? { body } : {}),
    }));
    if (!body && typeof source.body === 'string') drain(source);
    this.check(put);
    drain(put);
    return true;
  }

  private async copyCurrent(req: SwiftRequest, next: Handler, location: string): Promise<void> {
    await this.copy(req, next, { container: req.container!, object: req.object! }, { container: location }, (ts) => versionsPrefix(req.object!) + ts);
  }

  /** The names and types of the object's versions, the newest first. */
  private async versions(req: SwiftRequest, next: Handler, location: string): Promise<Array<{ name: string; content_type: string }>> {
    const out: Array<{ name: string; content_type: string }> = [];
    let marker = '';
    for (;;) {
      const q = new URLSearchParams({ format: 'json', prefix: versionsPrefix(req.object!), ...(marker ? { marker } : {}) });
      const res = await answer(next, subrequest(req, SOURCE, { method: 'GET', container: location, query: q.toString() }));
      if (res.status === 404) {
        drain(res);
        return out;
      }
      this.check(res);
      const page = JSON.parse((await readBody(res.body)).toString('utf8')) as Array<{ name: string; content_type: string }>;
      if (page.length === 0) return out.reverse();
      out.push(...page);
      marker = page.at(-1)!.name;
    }
  }

  /** Stack mode's DELETE: the newest older version takes the object's place. */
  private async popVersion(req: SwiftRequest, next: Handler, location: string): Promise<ProxyResult> {
    const versions = await this.versions(req, next, location);
    const restore = async (i: number): Promise<ProxyResult | undefined> => {
      for (; i < versions.length; i++) {
        const v = versions[i]!;
        if (v.content_type === DELETE_MARKER_CONTENT_TYPE) return undefined;
        if (!(await this.copy(req, next, { container: location, object: v.name }, { container: req.container!, object: req.object! }, () => ''))) continue;
        const del = await answer(next, subrequest(req, SOURCE, { method: 'DELETE', container: location, object: v.name }));
        if (del.status !== 404) this.check(del);
        drain(del);
        return { status: 204, headers: {}, body: '' };
      }
      return undefined;
    };
    const newest = versions[0];
    if (!newest) return next(req);
    if (newest.content_type !== DELETE_MARKER_CONTENT_TYPE) return (await restore(0)) ?? next(req);
    // a delete marker is the newest: the object is there again (delete it) or stays deleted (restore what was before the marker)
    const head = await answer(next, subrequest(req, SOURCE, { method: 'HEAD', container: req.container!, object: req.object! }));
    drain(head);
    if (head.status !== 404) return next(req);
    await restore(1);
    return next(subrequest(req, SOURCE, { method: 'DELETE', container: location, object: newest.name, headers: {} }));
  }
}
