/**
 * Bucket versioning on object_versioning (s3api's VersioningController and the object-versions
 * listing of its BucketController): GetBucketVersioning (Status Enabled or Suspended once set),
 * PutBucketVersioning (X-Versions-Enabled on the container), ListObjectVersions (`?versions`
 * with key-marker / version-id-marker, Version and DeleteMarker entries).
 */
import { drain, textOf } from '../backend.js';
import { fromStatus, InvalidArgument, MalformedXML, S3Error } from '../errors.js';
import { quoteEtag, s3Time } from '../headers.js';
import { awsQuote } from '../signature.js';
import { readSmallBody } from '../body.js';
import { childText, el, type XmlElement } from '../xml.js';
import { empty, owner, requestXml, xmlResponse, type S3Call, type S3Response } from './base.js';

export const DELETE_MARKER_CONTENT_TYPE = 'application/x-deleted;swift_versions_deleted=1';
const MAX_PUT_VERSIONING_BODY_SIZE = 10240;

export const NoSuchVersion = (key: string, versionId: string): S3Error =>
  new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', { Key: key, VersionId: versionId });

/** Whether a version id is one (a timestamp) or 'null'. */
export const isVersionId = (v: string): boolean => v === 'null' || /^\d+(\.\d+)?(_[0-9a-f]{16})?$/.test(v);

/** The container's versioning: undefined when never enabled, else whether it is on now. */
export async function bucketVersioning(call: S3Call, bucket = call.req.bucket!): Promise<boolean | undefined> {
  const r = await call.swift.call({ method: 'HEAD', container: bucket });
  drain(r.body);
  if (r.status < 200 || r.status >= 300) throw fromStatus(r.status, { bucket }, r.error);
  const v = r.headers['x-versions-enabled'];
  return v === undefined ? undefined : v.toLowerCase() === 'true';
}

export async function getVersioning(call: S3Call): Promise<S3Response> {
  const enabled = await bucketVersioning(call);
  return xmlResponse(el('VersioningConfiguration', enabled === undefined ? [] : [el('Status', enabled ? 'Enabled' : 'Suspended')]));
}

export async function putVersioning(call: S3Call): Promise<S3Response> {
  const bucket = call.req.bucket!;
  const text = (await readSmallBody(call.body, MAX_PUT_VERSIONING_BODY_SIZE)).toString('utf8');
  const status = childText(requestXml(text), 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') throw MalformedXML();
  const r = await call.swift.call({ method: 'POST', container: bucket, headers: { 'x-versions-enabled': String(status === 'Enabled') } });
  drain(r.body);
  if (r.status !== 204) throw fromStatus(r.status, { bucket }, r.error);
  return empty(200);
}

interface VersionEntry {
  name: string;
  hash: string;
  bytes: number;
  last_modified: string;
  content_type: string;
  version_id?: string;
  is_latest?: boolean;
  slo_etag?: string;
}

export async function listVersions(call: S3Call, maxKeys: number): Promise<S3Response> {
  const q = call.req.query;
  const bucket = call.req.bucket!;
  const encoding = q.get('encoding-type');
  if (encoding !== undefined && encoding !== 'url') throw InvalidArgument('encoding-type', encoding, 'Invalid Encoding Method specified in Request');
  const enc = (s: string): string => (encoding === 'url' ? awsQuote(s, '/') : s);
  const keyMarker = q.get('key-marker');
  const versionMarker = q.get('version-id-marker');
  const query: Record<string, string | undefined> = { versions: '', limit: String(maxKeys + 1), prefix: q.get('prefix') || undefined, delimiter: q.get('delimiter') || undefined };
  if (keyMarker !== undefined) {
    query.marker = keyMarker;
    if (versionMarker !== undefined) {
      if (!isVersionId(versionMarker)) throw InvalidArgument('version-id-marker', versionMarker, 'Invalid version id specified');
      query.version_marker = versionMarker;
    }
  } else if (versionMarker !== undefined) {
    throw InvalidArgument('version-id-marker', versionMarker, 'A version-id marker cannot be specified without a key marker.');
  }
  const r = await call.swift.call({ method: 'GET', container: bucket, query: { ...query, format: 'json' } });
  if (r.status !== 200) {
    drain(r.body);
    throw fromStatus(r.status, { bucket }, r.error);
  }
  let entries = JSON.parse((await textOf(r.body)) || '[]') as Array<VersionEntry | { subdir: string }>;
  const truncated = entries.length > maxKeys;
  entries = entries.slice(0, maxKeys);
  const head: Array<XmlElement | undefined> = [
    el('Name', bucket), el('Prefix', enc(q.get('prefix') ?? '')), el('KeyMarker', enc(keyMarker ?? '')), el('VersionIdMarker', versionMarker ?? ''),
  ];
  const last = entries.at(-1);
  if (truncated && last) {
    head.push(el('NextKeyMarker', 'subdir' in last ? last.subdir : last.name), el('NextVersionIdMarker', 'subdir' in last ? 'null' : last.version_id ?? 'null'));
  }
  head.push(el('MaxKeys', maxKeys));
  if (q.get('delimiter') !== undefined) head.push(el('Delimiter', enc(q.get('delimiter')!)));
  if (encoding) head.push(el('EncodingType', encoding));
  head.push(el('IsTruncated', truncated ? 'true' : 'false'));
  const versions: XmlElement[] = [];
  const prefixes: XmlElement[] = [];
  for (const e of entries) {
    if ('subdir' in e) {
      prefixes.push(el('CommonPrefixes', [el('Prefix', enc(e.subdir))]));
      continue;
    }
    const marker = e.content_type === DELETE_MARKER_CONTENT_TYPE;
    const etag = e.slo_etag !== undefined ? `"${e.slo_etag.replace(/"/g, '')}-N"` : quoteEtag(e.hash);
    versions.push(el(marker ? 'DeleteMarker' : 'Version', [
      el('Key', enc(e.name)), el('VersionId', e.version_id ?? 'null'), el('IsLatest', e.is_latest ? 'true' : 'false'), el('LastModified', s3Time(e.last_modified)),
      marker ? undefined : el('ETag', etag), marker ? undefined : el('Size', e.bytes),
      el('Owner', owner(call)), marker ? undefined : el('StorageClass', 'STANDARD'),
    ]));
  }
  return xmlResponse(el('ListVersionsResult', [...head, ...versions, ...prefixes]));
}
