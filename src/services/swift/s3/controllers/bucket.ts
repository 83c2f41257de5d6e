/**
 * Buckets as containers (s3api's BucketController, LocationController, VersioningController and
 * the ACL answers without s3_acl): HeadBucket, CreateBucket (a container; `x-amz-acl:
 * public-read` makes it readable by all, as s3api's canned ACLs do), DeleteBucket (refused while
 * it holds objects; its segments container goes with it), ListObjects v1 and v2 (prefix,
 * delimiter → CommonPrefixes, marker / continuation-token / start-after, max-keys,
 * encoding-type=url) from the container listing, GetBucketLocation, bucket versioning
 * (versioning.ts), GetBucketAcl (the owner's FULL_CONTROL, and READ for all on a public bucket).
 */
import { BucketAlreadyOwnedByYou, BucketNotEmpty, fromStatus, InvalidArgument, MethodNotAllowed, NotImplemented, S3Error } from '../errors.js';
import { drain } from '../backend.js';
import { quoteEtag, s3Time } from '../headers.js';
import { awsQuote } from '../signature.js';
import { childText, el, type XmlElement } from '../xml.js';
import { readSmallBody } from '../body.js';
import { empty, owner, requestXml, segmentsContainer, xmlResponse, type S3Call, type S3Response } from './base.js';
import { getVersioning, listVersions, putVersioning } from './versioning.js';

interface ObjectEntry {
  name: string;
  hash: string;
  bytes: number;
  last_modified: string;
}
type ListingEntry = ObjectEntry | { subdir: string };

const PUBLIC_READ = '.r:*,.rlistings';

/** HEAD of the bucket's container: its headers, or NoSuchBucket. */
export async function bucketInfo(call: S3Call, bucket = call.req.bucket!): Promise<Record<string, string>> {
  const r = await call.swift.call({ method: 'HEAD', container: bucket });
  drain(r.body);
  if (r.status >= 200 && r.status < 300) return r.headers;
  throw fromStatus(r.status, { bucket }, r.error);
}

/** x-amz-acl of a bucket write: private (the default) or public-read; others are not offered. */
function containerReadAcl(call: S3Call): string | undefined {
  const acl = call.req.headers['x-amz-acl'];
  if (acl === undefined || acl === 'private') return undefined;
  if (acl === 'public-read') return PUBLIC_READ;
  throw NotImplemented({}, `The canned ACL ${String(acl)} is not implemented.`);
}

async function createBucket(call: S3Call): Promise<S3Response> {
  const bucket = call.req.bucket!;
  const text = (await readSmallBody(call.body, 64 * 1024)).toString('utf8');
  if (text.trim() !== '') {
    const location = childText(requestXml(text), 'LocationConstraint');
    const ours = call.settings.location;
    if (location !== undefined && location !== ours && !(ours === 'us-east-1' && location === '')) {
      throw new S3Error('InvalidLocationConstraint', 400, 'The specified location constraint is not valid.', { LocationConstraint: location });
    }
  }
  const read = containerReadAcl(call);
  const r = await call.swift.call({ method: 'PUT', container: bucket, headers: read ? { 'x-container-read': read } : {} });
  drain(r.body);
  if (r.status === 202) throw BucketAlreadyOwnedByYou({ BucketName: bucket });
  if (r.status !== 201) throw fromStatus(r.status, { bucket }, r.error);
  return empty(200, { location: `/${bucket}` });
}

async function deleteBucket(call: S3Call): Promise<S3Response> {
  const bucket = call.req.bucket!;
  const r = await call.swift.call({ method: 'DELETE', container: bucket });
  drain(r.body);
  if (r.status === 409) throw BucketNotEmpty({ BucketName: bucket }, /versions/.test(r.error ?? '') ? 'The bucket you tried to delete is not empty. You must delete all versions in the bucket.' : undefined);
  if (r.status !== 204) throw fromStatus(r.status, { bucket }, r.error);
  // the segments container goes too when nothing is left in it (an upload in progress keeps it)
  drain((await call.swift.call({ method: 'DELETE', container: segmentsContainer(bucket) })).body);
  return empty(204);
}

function maxKeysOf(call: S3Call): number {
  const v = call.req.query.get('max-keys');
  if (v === undefined) return call.settings.maxBucketListing;
  if (!/^\d{1,10}$/.test(v) || Number(v) > 2147483647) throw InvalidArgument('max-keys', v, 'Provided max-keys not an integer or within integer range');
  return Math.min(Number(v), call.settings.maxBucketListing);
}

async function listObjects(call: S3Call): Promise<S3Response> {
  const q = call.req.query;
  const bucket = call.req.bucket!;
  const v2 = q.get('list-type') === '2';
  if (q.has('list-type') && !v2) throw InvalidArgument('list-type', q.get('list-type')!, 'Invalid List Type specified in Request');
  const maxKeys = maxKeysOf(call);
  const encoding = q.get('encoding-type');
  if (encoding !== undefined && encoding !== 'url') throw InvalidArgument('encoding-type', encoding, 'Invalid Encoding Method specified in Request');
  const enc = (s: string): string => (encoding === 'url' ? awsQuote(s, '/') : s);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter');
  let marker = q.get('marker') ?? '';
  const token = q.get('continuation-token');
  if (v2) {
    marker = q.get('start-after') ?? '';
    if (token !== undefined) {
      marker = Buffer.from(token, 'base64').toString('utf8');
      if (token === '' || Buffer.from(marker, 'utf8').toString('base64') !== token) throw InvalidArgument('continuation-token', token, 'The continuation token provided is incorrect');
    }
  }
  let entries: ListingEntry[] = [];
  let truncated = false;
  if (maxKeys > 0) {
    const page = await call.swift.listing<ListingEntry>(bucket, { limit: String(maxKeys + 1), prefix: prefix || undefined, delimiter: delimiter || undefined, marker: marker || undefined });
    if (page.status !== 200) throw fromStatus(page.status, { bucket }, page.answer.error);
    entries = page.entries;
    truncated = entries.length > maxKeys;
    entries = entries.slice(0, maxKeys);
  } else {
    await bucketInfo(call);
  }
  const last = entries.length > 0 ? entries[entries.length - 1]! : undefined;
  const lastName = last === undefined ? '' : 'subdir' in last ? last.subdir : last.name;
  const showOwner = !v2 || q.get('fetch-owner') === 'true';
  const contents: XmlElement[] = [];
  const prefixes: XmlElement[] = [];
  for (const e of entries) {
    if ('subdir' in e) {
      prefixes.push(el('CommonPrefixes', [el('Prefix', enc(e.subdir))]));
      continue;
    }
    contents.push(el('Contents', [
      el('Key', enc(e.name)), el('LastModified', s3Time(e.last_modified)), el('ETag', quoteEtag(e.hash)), el('Size', e.bytes),
      showOwner ? el('Owner', owner(call)) : undefined, el('StorageClass', 'STANDARD'),
    ]));
  }
  const head: Array<XmlElement | undefined> = [el('Name', bucket), el('Prefix', enc(prefix))];
  if (v2) {
    if (q.has('start-after')) head.push(el('StartAfter', enc(q.get('start-after')!)));
    if (token !== undefined) head.push(el('ContinuationToken', token));
    if (truncated) head.push(el('NextContinuationToken', Buffer.from(lastName, 'utf8').toString('base64')));
    head.push(el('KeyCount', entries.length));
  } else {
    head.push(el('Marker', enc(marker)));
    if (truncated && delimiter) head.push(el('NextMarker', enc(lastName)));
  }
  head.push(el('MaxKeys', maxKeys));
  if (delimiter) head.push(el('Delimiter', enc(delimiter)));
  if (encoding) head.push(el('EncodingType', encoding));
  head.push(el('IsTruncated', truncated ? 'true' : 'false'));
  return xmlResponse(el('ListBucketResult', [...head, ...contents, ...prefixes]));
}

/** The ACL answer: the owner's FULL_CONTROL, and READ for all users when `publicRead`. */
export function aclResponse(call: S3Call, publicRead: boolean): S3Response {
  const xsi = { 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' };
  const grants = [el('Grant', [el('Grantee', owner(call), { ...xsi, 'xsi:type': 'CanonicalUser' }), el('Permission', 'FULL_CONTROL')])];
  if (publicRead) grants.push(el('Grant', [el('Grantee', [el('URI', 'http://acs.amazonaws.com/groups/global/AllUsers')], { ...xsi, 'xsi:type': 'Group' }), el('Permission', 'READ')]));
  return xmlResponse(el('AccessControlPolicy', [el('Owner', owner(call)), el('AccessControlList', grants)]));
}

/** Sub-resources of a bucket that s3api answers only with s3_acl or its other middlewares. */
const NOT_OFFERED = ['lifecycle', 'policy', 'logging', 'notification', 'tagging', 'cors', 'website', 'replication', 'requestPayment', 'object-lock', 'publicAccessBlock', 'encryption', 'accelerate', 'analytics', 'inventory', 'metrics', 'ownershipControls', 'intelligent-tiering'];

export async function handleBucket(call: S3Call): Promise<S3Response> {
  const q = call.req.query;
  const method = call.req.method;
  const sub = NOT_OFFERED.find((s) => q.has(s));
  if (sub !== undefined) {
    await bucketInfo(call);
    throw NotImplemented({}, `The ${sub} sub-resource is not implemented.`);
  }
  if (q.has('location')) {
    if (method !== 'GET') throw NotImplemented();
    await bucketInfo(call);
    const loc = call.settings.location === 'us-east-1' ? '' : call.settings.location;
    return xmlResponse(el('LocationConstraint', loc));
  }
  if (q.has('versioning')) {
    if (method === 'GET') return getVersioning(call);
    if (method === 'PUT') return putVersioning(call);
    throw MethodNotAllowed(method, 'VERSIONING');
  }
  if (q.has('versions')) {
    if (method !== 'GET') throw MethodNotAllowed(method, 'BUCKET');
    return listVersions(call, maxKeysOf(call));
  }
  if (q.has('acl')) {
    const info = await bucketInfo(call);
    if (method === 'GET') return aclResponse(call, (info['x-container-read'] ?? '').includes('.r:*'));
    if (method === 'PUT' && call.req.headers['x-amz-acl'] !== undefined) {
      const read = containerReadAcl(call) ?? '';
      drain(call.body);
      const r = await call.swift.call({ method: 'POST', container: call.req.bucket!, headers: { 'x-container-read': read } });
      drain(r.body);
      if (r.status !== 204) throw fromStatus(r.status, { bucket: call.req.bucket! }, r.error);
      return empty(200);
    }
    throw NotImplemented({}, 'Setting ACLs by document is not implemented; use x-amz-acl: private or public-read.');
  }
  switch (method) {
    case 'HEAD': {
      await bucketInfo(call);
      return empty(200);
    }
    case 'GET': return listObjects(call);
    case 'PUT': return createBucket(call);
    case 'DELETE': return deleteBucket(call);
    default: throw MethodNotAllowed(method, 'BUCKET');
  }
}
