/**
 * Objects (s3api's ObjectController and the copy part of S3Request): PutObject (streamed to
 * Swift, x-amz-meta-* as object metadata, Content-MD5 checked as Swift's ETag, the signed
 * SHA-256 checked as it streams), CopyObject (x-amz-copy-source, its x-amz-copy-source-if-*
 * conditions, x-amz-metadata-directive COPY or REPLACE), GetObject and HeadObject (Range,
 * If-Match & co., response-* overrides), DeleteObject (idempotent), and the object ACL answers;
 * `versionId` on GET/HEAD/DELETE and in x-amz-copy-source, `x-amz-version-id` in the answers
 * (object_versioning's version ids).
 */
import type { Readable } from 'node:stream';
import { evaluateConditions } from '../../utils/conditional.js';
import { drain, textOf } from '../backend.js';
import { contentMd5Etag, decodeBody } from '../body.js';
import {
  fromStatus, InvalidArgument, InvalidRequest, MethodNotAllowed, NoSuchBucket, NoSuchKey, NotImplemented, PreconditionFailed, S3Error,
} from '../errors.js';
import { objectHeadersFromS3, quoteEtag, responseOverrides, s3HeadersFromSwift } from '../headers.js';
import { el } from '../xml.js';
import { aclResponse, bucketInfo } from './bucket.js';
import { empty, xmlResponse, type S3Call, type S3Response } from './base.js';
import { bucketVersioning, DELETE_MARKER_CONTENT_TYPE, isVersionId, NoSuchVersion } from './versioning.js';

const CONDITIONS = ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'];

/** A 404 of an object: NoSuchBucket when the bucket is missing too, else NoSuchKey. */
async function notFound(call: S3Call, bucket: string, key: string): Promise<S3Error> {
  const r = await call.swift.call({ method: 'HEAD', container: bucket });
  drain(r.body);
  return r.status === 404 ? NoSuchBucket(bucket) : NoSuchKey(key);
}

async function getObject(call: S3Call): Promise<S3Response> {
  const { bucket, key } = call.req as { bucket: string; key: string };
  const headers: Record<string, string> = {};
  for (const h of CONDITIONS) {
    const v = call.req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const versionId = await versionQuery(call);
  const r = await call.swift.call({ method: call.req.method, container: bucket, object: key, headers, ...(versionId !== undefined ? { query: { 'version-id': versionId } } : {}) });
  if (r.status === 200 || r.status === 206) {
    return { status: r.status, headers: { ...s3HeadersFromSwift(r.headers), 'accept-ranges': 'bytes', ...responseOverrides(call.req.query) }, ...(r.body !== undefined ? { body: r.body } : {}) };
  }
  drain(r.body);
  if (r.status === 304) return empty(304, r.headers.etag ? { etag: quoteEtag(r.headers.etag) } : {});
  if (r.status === 404 && versionId !== undefined && versionId !== 'null') throw NoSuchVersion(key, versionId);
  if (r.status === 404) throw await notFound(call, bucket, key);
  throw fromStatus(r.status, { bucket, key }, r.error);
}

/**
 * ?versionId of an object request, checked: a malformed one is InvalidArgument, one of a bucket
 * never versioned NoSuchVersion ('null' is every object's that is not a version).
 */
async function versionQuery(call: S3Call): Promise<string | undefined> {
  const versionId = call.req.query.get('versionId');
  if (versionId === undefined || versionId === 'null') return versionId;
  if (!isVersionId(versionId)) throw InvalidArgument('versionId', versionId, 'Invalid version id specified');
  if ((await bucketVersioning(call)) === undefined) throw NoSuchVersion(call.req.key!, versionId);
  return versionId;
}

/** x-amz-acl of an object write: only private (objects have no ACL of their own without s3_acl). */
function checkObjectAcl(call: S3Call): void {
  const acl = call.req.headers['x-amz-acl'];
  if (acl !== undefined && acl !== 'private') throw NotImplemented({}, `The canned ACL ${String(acl)} is not implemented for objects.`);
}

/** A PUT of a body into Swift; the S3 error of the body (a SHA-256 mismatch) wins over what Swift saw of it. */
export async function putBody(call: S3Call, container: string, object: string, extraHeaders: Record<string, string>): Promise<{ etag: string; lastModified?: string; versionId?: string }> {
  const { body, length } = decodeBody(call.body, call.req.headers, call.auth, call.identity.secret);
  let bodyError: unknown;
  body.on('error', (err) => { bodyError = err; });
  const md5 = contentMd5Etag(call.req.headers);
  const headers: Record<string, string> = {
    ...objectHeadersFromS3(call.req.headers), ...extraHeaders,
    ...(length !== undefined ? { 'content-length': String(length) } : { 'transfer-encoding': 'chunked' }),
    ...(md5 !== undefined ? { etag: md5 } : {}),
  };
  const ifNoneMatch = call.req.headers['if-none-match'];
  if (ifNoneMatch === '*') headers['if-none-match'] = '*';
  const r = await call.swift.call({ method: 'PUT', container, object, headers, body: body as Readable });
  drain(r.body);
  if (bodyError instanceof S3Error) throw bodyError;
  if (r.status === 201) {
    return {
      etag: r.headers.etag ?? '', ...(r.headers['last-modified'] ? { lastModified: r.headers['last-modified'] } : {}),
      ...(r.headers['x-object-version-id'] ? { versionId: r.headers['x-object-version-id'] } : {}),
    };
  }
  if (r.status === 404) throw NoSuchBucket(container);
  throw fromStatus(r.status, { bucket: container, key: object }, r.error);
}

async function putObject(call: S3Call): Promise<S3Response> {
  const { bucket, key } = call.req as { bucket: string; key: string };
  checkObjectAcl(call);
  if (call.req.headers['x-amz-copy-source'] !== undefined) return copyObject(call);
  const { etag, versionId } = await putBody(call, bucket, key, {});
  return empty(200, { etag: quoteEtag(etag), ...(versionId ? { 'x-amz-version-id': versionId } : {}) });
}

/** x-amz-copy-source: [/]bucket/key[?versionId=<id>], %-encoded. */
export function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } {
  let v = value.trim();
  const q = v.indexOf('?');
  let versionId: string | undefined;
  if (q >= 0) {
    const version = new URLSearchParams(v.slice(q + 1)).get('versionId');
    if (version !== null && version !== 'null') {
      if (!isVersionId(version)) throw InvalidArgument('x-amz-copy-source', value, 'Invalid version id specified');
      versionId = version;
    }
    v = v.slice(0, q);
  }
  try {
    v = decodeURIComponent(v);
  } catch {
    throw InvalidArgument('x-amz-copy-source', value, 'Invalid copy source encoding');
  }
  v = v.replace(/^\//, '');
  const slash = v.indexOf('/');
  if (slash <= 0 || slash === v.length - 1) throw InvalidArgument('x-amz-copy-source', value, 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
  return { bucket: v.slice(0, slash), key: v.slice(slash + 1), ...(versionId !== undefined ? { versionId } : {}) };
}

/** The source of a copy, checked against its x-amz-copy-source-if-* conditions. */
export async function copySourceHeaders(call: S3Call, src: { bucket: string; key: string; versionId?: string }): Promise<Record<string, string>> {
  const head = await call.swift.call({ method: 'HEAD', container: src.bucket, object: src.key, ...(src.versionId !== undefined ? { query: { 'version-id': src.versionId } } : {}) });
  drain(head.body);
  if (head.status === 404 && src.versionId !== undefined) throw NoSuchVersion(src.key, src.versionId);
  if (head.status === 400 && src.versionId !== undefined) throw NoSuchVersion(src.key, src.versionId);
  if (head.status === 404) throw await notFound(call, src.bucket, src.key);
  if (head.status !== 200) throw fromStatus(head.status, { bucket: src.bucket, key: src.key }, head.error);
  const h = call.req.headers;
  const str = (name: string): string | undefined => (typeof h[name] === 'string' ? h[name] : undefined);
  const verdict = evaluateConditions({
    ...(str('x-amz-copy-source-if-match') !== undefined ? { ifMatch: str('x-amz-copy-source-if-match')! } : {}),
    ...(str('x-amz-copy-source-if-none-match') !== undefined ? { ifNoneMatch: str('x-amz-copy-source-if-none-match')! } : {}),
    ...(str('x-amz-copy-source-if-modified-since') !== undefined ? { ifModifiedSince: str('x-amz-copy-source-if-modified-since')! } : {}),
    ...(str('x-amz-copy-source-if-unmodified-since') !== undefined ? { ifUnmodifiedSince: str('x-amz-copy-source-if-unmodified-since')! } : {}),
  }, (head.headers.etag ?? '').replace(/"/g, ''), Date.parse(head.headers['last-modified'] ?? ''), 'PUT');
  if (verdict !== undefined) throw PreconditionFailed();
  return head.headers;
}

const swiftPath = (bucket: string, key: string): string => `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

async function copyObject(call: S3Call): Promise<S3Response> {
  const { bucket, key } = call.req as { bucket: string; key: string };
  const src = parseCopySource(String(call.req.headers['x-amz-copy-source']));
  const directive = String(call.req.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw InvalidArgument('x-amz-metadata-directive', directive, 'Unknown metadata directive.');
  if (src.bucket === bucket && src.key === key && directive === 'COPY') {
    throw InvalidRequest({}, 'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.');
  }
  await copySourceHeaders(call, src);
  drain(call.body);
  const headers: Record<string, string> = { 'content-length': '0' };
  if (directive === 'REPLACE') Object.assign(headers, objectHeadersFromS3(call.req.headers), { 'x-fresh-metadata': 'true' });
  // a version is copied by a COPY of it (object_versioning reads it), anything else by X-Copy-From
  const r = src.versionId !== undefined
    ? await call.swift.call({ method: 'COPY', container: src.bucket, object: src.key, query: { 'version-id': src.versionId }, headers: { ...headers, destination: swiftPath(bucket, key) } })
    : await call.swift.call({ method: 'PUT', container: bucket, object: key, headers: { ...headers, 'x-copy-from': swiftPath(src.bucket, src.key) } });
  drain(r.body);
  if (r.status === 404) throw await notFound(call, bucket, key);
  if (r.status !== 201) throw fromStatus(r.status, { bucket, key }, r.error);
  const lastModified = Date.parse(r.headers['last-modified'] ?? '');
  const versions: Record<string, string> = {};
  if (r.headers['x-object-version-id']) versions['x-amz-version-id'] = r.headers['x-object-version-id'];
  if (src.versionId !== undefined) versions['x-amz-copy-source-version-id'] = src.versionId;
  return xmlResponse(el('CopyObjectResult', [
    el('LastModified', new Date(Number.isFinite(lastModified) ? lastModified : Date.now()).toISOString()), el('ETag', quoteEtag(r.headers.etag ?? '')),
  ]), 200, versions);
}

/** The headers of a delete's answer: the version deleted or the delete marker written. */
function deleteHeaders(r: { headers: Record<string, string> }, versionId: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const id = r.headers['x-object-version-id'] ?? versionId;
  if (id !== undefined) out['x-amz-version-id'] = id;
  if (versionId === undefined && r.headers['x-object-version-id'] !== undefined) out['x-amz-delete-marker'] = 'true';
  return out;
}

async function deleteObject(call: S3Call): Promise<S3Response> {
  const { bucket, key } = call.req as { bucket: string; key: string };
  const versionId = call.req.query.get('versionId');
  if (versionId !== undefined && versionId !== 'null') {
    if (!isVersionId(versionId)) throw InvalidArgument('versionId', versionId, 'Invalid version id specified');
    // a bucket never versioned has no such version: deleting it is done already
    if ((await bucketVersioning(call)) === undefined) return empty(204, { 'x-amz-version-id': versionId });
  }
  const r = await call.swift.call({ method: 'DELETE', container: bucket, object: key, ...(versionId !== undefined ? { query: { 'version-id': versionId } } : {}) });
  drain(r.body);
  if (r.status === 204 || r.status === 200) {
    // the current version deleted: the one before it becomes current (s3api's _restore_on_delete)
    if (versionId !== undefined && versionId !== 'null' && r.headers['x-object-current-version-id'] === 'null') await restoreOnDelete(call, bucket, key);
    return empty(204, deleteHeaders(r, versionId));
  }
  if (r.status === 404) {
    const missing = await notFound(call, bucket, key);
    if (missing.code === 'NoSuchBucket') throw missing;
    return empty(204, deleteHeaders(r, versionId));
  }
  throw fromStatus(r.status, { bucket, key }, r.error);
}

/** The newest version left made current, unless it is a delete marker (or the object is there plainly). */
async function restoreOnDelete(call: S3Call, bucket: string, key: string): Promise<void> {
  const r = await call.swift.call({ method: 'GET', container: bucket, query: { versions: '', prefix: key, format: 'json' } });
  if (r.status !== 200) {
    drain(r.body);
    return;
  }
  const items = JSON.parse((await textOf(r.body)) || '[]') as Array<{ name?: string; version_id?: string; content_type?: string }>;
  for (const item of items) {
    if (item.name !== key || item.content_type === DELETE_MARKER_CONTENT_TYPE || item.version_id === undefined || item.version_id === 'null') return;
    const put = await call.swift.call({ method: 'PUT', container: bucket, object: key, query: { 'version-id': item.version_id }, headers: { 'content-length': '0' } });
    drain(put.body);
    if (put.status === 201) return;
  }
}

const NOT_OFFERED = ['tagging', 'retention', 'legal-hold', 'torrent', 'restore', 'attributes', 'select'];

export async function handleObject(call: S3Call): Promise<S3Response> {
  const q = call.req.query;
  const sub = NOT_OFFERED.find((s) => q.has(s));
  if (sub !== undefined) throw NotImplemented({}, `The ${sub} sub-resource is not implemented.`);
  if (q.has('acl')) {
    const info = await bucketInfo(call);
    if (call.req.method === 'GET') {
      const head = await call.swift.call({ method: 'HEAD', container: call.req.bucket!, object: call.req.key! });
      drain(head.body);
      if (head.status === 404) throw NoSuchKey(call.req.key!);
      return aclResponse(call, (info['x-container-read'] ?? '').includes('.r:*'));
    }
    if (call.req.method === 'PUT' && call.req.headers['x-amz-acl'] !== undefined) {
      checkObjectAcl(call);
      drain(call.body);
      return empty(200);
    }
    throw NotImplemented({}, 'Setting ACLs by document is not implemented; objects are private.');
  }
  switch (call.req.method) {
    case 'GET':
    case 'HEAD': return getObject(call);
    case 'PUT': return putObject(call);
    case 'DELETE': return deleteObject(call);
    default: throw MethodNotAllowed(call.req.method, 'OBJECT');
  }
}
