/**
 * Bulk operations (swift/common/middleware/bulk.py), before keystoneauth: every subrequest is
 * authorized on its own.
 *  - `POST|DELETE ?bulk-delete`: the body lists URL-encoded `/container/object` or `container`
 *    names, one a line (at most 10000); objects are deleted first, then containers;
 *  - `PUT ?extract-archive=tar|tar.gz|tar.bz2` on an account, container or prefix: every file of
 *    the streamed archive becomes an object (its first path part the container, made when
 *    missing), pax xattrs user.meta.* its metadata and user.mime_type its type.
 * Both answer 200 with the outcome (status, counts, failed names) as text, JSON or XML after Accept.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import bz2 from 'unbzip2-stream';
import { BadRequest } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { deleteAll, MAX_FAILED_DELETES, type DeleteEntry } from './bulk-delete.js';
import { answer, drain, hasQueryParam, isSuccess, queryParam, subrequest, type Handler, type Middleware } from './pipeline.js';
import { quoteName, resultBody, resultFormat, statusLine, type ResultFormat } from './result-body.js';

export const MAX_DELETES_PER_REQUEST = 10000;
export const MAX_CONTAINERS_PER_EXTRACTION = 10000;
export const MAX_FAILED_EXTRACTIONS = 1000;

/** The HTTP answer of a bulk operation: always 200, the outcome in the body. */
function outcome(format: ResultFormat | undefined, summary: Record<string, string | number>, errors: Array<[string, string]>, root: string): ProxyResult {
  const f = format ?? 'text/plain';
  const xml = f.endsWith('/xml') ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '';
  return { status: 200, headers: { 'content-type': f }, body: xml + resultBody(f, summary, errors, root) };
}

/** An error of the whole operation, reported in the body as Swift does. */
class BulkFailure extends Error {
  constructor(readonly status: number, message = '') {
    super(message);
  }
}

const hasBody = (req: SwiftRequest): boolean => headerOf(req.headers, 'content-length') !== undefined || /chunked/i.test(headerOf(req.headers, 'transfer-encoding') ?? '');

export class BulkDelete implements Middleware {
  readonly name = 'bulk_delete';

  constructor(private readonly app: Handler) {}

  info(): Record<string, unknown> {
    return { max_deletes_per_request: MAX_DELETES_PER_REQUEST, max_failed_deletes: MAX_FAILED_DELETES };
  }

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (!hasQueryParam(req, 'bulk-delete') || (req.method !== 'POST' && req.method !== 'DELETE')) return next(req);
    const format = resultFormat(headerOf(req.headers, 'accept'));
    const summary = { 'Response Status': statusLine(200), 'Response Body': '', 'Number Deleted': 0, 'Number Not Found': 0 };
    try {
      if (!format) throw new BulkFailure(406);
      const type = headerOf(req.headers, 'content-type');
      if (type && !type.startsWith('text/plain')) throw new BulkFailure(406);
      if (!hasBody(req)) throw new BulkFailure(411);
      const entries = await this.names(req);
      const done = await deleteAll(this.app, { ...req, headers: { ...req.headers } }, entries, 'BD');
      return outcome(format, done.summary, done.errors, 'delete');
    } catch (err) {
      if (!(err instanceof BulkFailure)) throw err;
      req.body?.resume();
      return outcome(format, { ...summary, 'Response Status': statusLine(err.status), 'Response Body': err.message }, [], 'delete');
    }
  }

  /** The names of the body, one a line, URL-decoded. */
  private async names(req: SwiftRequest): Promise<DeleteEntry[]> {
    const out: DeleteEntry[] = [];
    let rest = '';
    const take = (line: string): void => {
      const t = line.trim();
      if (!t) return;
      let name = t;
      try {
        name = decodeURIComponent(t);
      } catch { /* as given */ }
      out.push({ name });
      if (out.length > MAX_DELETES_PER_REQUEST) throw new BulkFailure(413, `Maximum Bulk Deletes: ${MAX_DELETES_PER_REQUEST} per request`);
    };
    for await (const chunk of req.body ?? Readable.from([])) {
      rest += (chunk as Buffer).toString('utf8');
      const lines = rest.split('\n');
      rest = lines.pop()!;
      lines.forEach(take);
      if (rest.length > 2 * (1024 + 256 + 2)) throw new BulkFailure(400, 'Invalid File Name');
    }
    take(rest);
    return out;
  }
}

const PAX_META = /^(?:SCHILY|LIBARCHIVE)\.xattr\.user\.meta\.(.+)$/;
const PAX_TYPE = /^(?:SCHILY|LIBARCHIVE)\.xattr\.user\.mime_type$/;

export class ExtractArchive implements Middleware {
  readonly name = 'bulk_upload';

  constructor(private readonly app: Handler, private readonly maxFileSize: number) {}

  info(): Record<string, unknown> {
    return { max_containers_per_extraction: MAX_CONTAINERS_PER_EXTRACTION, max_failed_extractions: MAX_FAILED_EXTRACTIONS };
  }

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const kind = queryParam(req, 'extract-archive');
    if (kind === undefined || req.method !== 'PUT') return next(req);
    const compression = ({ tar: '', 'tar.gz': 'gz', 'tar.bz2': 'bz2' } as Record<string, string>)[kind.toLowerCase().replace(/^\.+|\.+$/g, '')];
    if (compression === undefined) {
      req.body?.resume();
      throw new BadRequest('Unsupported archive format');
    }
    const format = resultFormat(headerOf(req.headers, 'accept'));
    const summary: Record<string, string | number> = { 'Response Status': statusLine(201), 'Response Body': '', 'Number Files Created': 0 };
    const errors: Array<[string, string]> = [];
    try {
      if (!format) throw new BulkFailure(406);
      if (!hasBody(req)) throw new BulkFailure(411);
      const failedStatus = await this.extract(req, compression, summary, errors);
      if (errors.length > 0) summary['Response Status'] = statusLine(failedStatus);
      else if (summary['Number Files Created'] === 0) {
        summary['Response Status'] = statusLine(400);
        summary['Response Body'] = 'Invalid Tar File: No Valid Files';
      }
    } catch (err) {
      req.body?.resume();
      if (err instanceof BulkFailure) {
        summary['Response Status'] = statusLine(err.status);
        summary['Response Body'] = err.message;
      } else {
        summary['Response Status'] = statusLine(400);
        summary['Response Body'] = `Invalid Tar File: ${(err as Error).message}`;
      }
    }
    return outcome(format, summary, errors, 'extract');
  }

  /** PUTs every file of the archive; the status to report when some failed. */
  private async extract(req: SwiftRequest, compression: string, summary: Record<string, string | number>, errors: Array<[string, string]>): Promise<number> {
    const base = [req.container, req.object].filter((p) => p !== undefined && p !== '').join('/').replace(/\/+$/, '');
    let input: NodeJS.ReadableStream = req.body ?? Readable.from([]);
    if (compression === 'gz') input = input.pipe(createGunzip());
    else if (compression === 'bz2') input = input.pipe(bz2());
    const extract = tar.extract();
    input.on('error', (e: Error) => extract.destroy(e));
    input.pipe(extract);
    const accessed = new Set<string>();
    let created = 0;
    let failedStatus = 400;
    const copied: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && (k === 'x-delete-at' || k === 'x-delete-after' || k.startsWith('x-object-meta-'))) copied[k] = v;
    }
    for await (const entry of extract) {
      const h = entry.header;
      if (errors.length >= MAX_FAILED_EXTRACTIONS) {
        entry.resume();
        break;
      }
      if (h.type !== 'file') {
        entry.resume();
        continue;
      }
      let path = h.name.replace(/^\.\//, '').replace(/^\/+/, '');
      if (base) path = `${base}/${path}`;
      if (!path.includes('/')) {
        entry.resume();
        continue;
      }
      const slash = path.indexOf('/');
      const container = path.slice(0, slash);
      const object = path.slice(slash + 1);
      if ((h.size ?? 0) > this.maxFileSize) {
        entry.resume();
        errors.push([quoteName(path), statusLine(413)]);
        continue;
      }
      let containerFailure: [string, string] | undefined;
      if (!accessed.has(container)) {
        const head = await answer(this.app, subrequest(req, 'EA', { method: 'HEAD', container }));
        drain(head);
        if (head.status === 404) {
          const put = await answer(this.app, subrequest(req, 'EA', { method: 'PUT', container, headers: { 'content-length': '0' } }));
          drain(put);
          if (isSuccess(put.status)) {
            if (++created > MAX_CONTAINERS_PER_EXTRACTION) throw new BulkFailure(400, `More than ${MAX_CONTAINERS_PER_EXTRACTION} containers to create from tar.`);
          } else containerFailure = [quoteName(`/v1/${req.account}/${container}`), statusLine(put.status)];
        } else if (!isSuccess(head.status)) containerFailure = [quoteName(`/v1/${req.account}/${container}`), statusLine(head.status)];
        if (containerFailure && (head.status === 401)) throw new BulkFailure(401);
      }
      const headers: Record<string, string> = { ...copied, 'content-length': String(h.size ?? 0) };
      for (const [k, v] of Object.entries(h.pax ?? {})) {
        const meta = PAX_META.exec(k);
        if (meta) headers[`x-object-meta-${meta[1]!.toLowerCase()}`] = v;
        else if (PAX_TYPE.test(k)) headers['content-type'] = v;
      }
      const res = await answer(this.app, subrequest(req, 'EA', { method: 'PUT', container, object, headers, body: Readable.from(entry) }));
      drain(res);
      entry.resume();
      accessed.add(container);
      if (isSuccess(res.status)) summary['Number Files Created'] = Number(summary['Number Files Created']) + 1;
      else {
        if (containerFailure) errors.push(containerFailure);
        if (res.status === 401) {
          errors.push([quoteName(path), statusLine(401)]);
          throw new BulkFailure(401);
        }
        if (res.status >= 500) failedStatus = 502;
        errors.push([quoteName(path), statusLine(res.status)]);
      }
    }
    return failedStatus;
  }
}
