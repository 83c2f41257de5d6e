/**
 * Multipart uploads (s3api's multi_upload.py), kept as s3api keeps them in the bucket's segments
 * container `<bucket>+segments`: the upload is a zero-byte marker object `<key>/<upload id>`
 * holding the object's Content-Type and metadata, each part an object
 * `<key>/<upload id>/<part number>`. CompleteMultipartUpload checks the parts named (ascending,
 * present with their ETags, all but the last at least [s3api] min_segment_size) and writes the
 * object as their concatenation, streamed part after part from Swift into the object's PUT, then
 * removes the parts and the marker (the answer keeps the connection alive meanwhile, as s3api's
 * does). The object is a plain Swift object afterwards (its ETag the
 * MD5 of its bytes, not S3's "<md5 of the parts' md5s>-<n>"). Abort removes them; ListParts and
 * ListMultipartUploads read the segments container's listing.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { BACKEND_CONCURRENCY, drain, mapConcurrently } from '../backend.js';
import { readSmallBody } from '../body.js';
import {
  EntityTooSmall, fromStatus, fromSwift, InternalError, InvalidArgument, InvalidPart, InvalidPartOrder, MalformedXML, MethodNotAllowed, NoSuchBucket, NoSuchUpload, NotImplemented, S3Error,
} from '../errors.js';
import { objectHeadersFromS3, quoteEtag, s3Time } from '../headers.js';
import { childrenNamed, childText, el, parseXml, XML_DECLARATION, xmlRoot, XmlSyntaxError, type XmlElement } from '../xml.js';
import { bucketInfo } from './bucket.js';
import { copySourceHeaders, parseCopySource, putBody } from './object.js';
import { empty, owner, segmentsContainer, xmlResponse, type S3Call, type S3Response } from './base.js';

interface SegmentEntry {
  name: string;
  hash: string;
  bytes: number;
  last_modified: string;
}

interface Part {
  number: number;
  etag: string;
  bytes: number;
  lastModified: string;
}

const UPLOAD_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_COMPLETE_BODY = 2 * 1024 * 1024;
/** How often a CompleteMultipartUpload in progress sends a space. */
const KEEPALIVE_MS = 10_000;

const newUploadId = (): string => randomBytes(18).toString('base64url');

/** Every entry of a container listing under a prefix, page after page. */
async function listAll(call: S3Call, container: string, prefix: string): Promise<{ status: number; entries: SegmentEntry[] }> {
  const out: SegmentEntry[] = [];
  let marker = '';
  for (;;) {
    const page = await call.swift.listing<SegmentEntry>(container, { prefix, marker: marker || undefined });
    if (page.status !== 200) return { status: page.status, entries: out };
    if (page.entries.length === 0) return { status: 200, entries: out };
    out.push(...page.entries);
    marker = page.entries[page.entries.length - 1]!.name;
  }
}

/** The upload's marker (its headers), or NoSuchUpload. */
async function uploadMarker(call: S3Call, uploadId: string): Promise<Record<string, string>> {
  if (!UPLOAD_ID.test(uploadId)) throw NoSuchUpload(uploadId);
  const r = await call.swift.call({ method: 'HEAD', container: segmentsContainer(call.req.bucket!), object: `${call.req.key}/${uploadId}` });
  drain(r.body);
  if (r.status === 200) return r.headers;
  if (r.status === 404) {
    await bucketInfo(call);
    throw NoSuchUpload(uploadId);
  }
  throw fromStatus(r.status, { bucket: call.req.bucket! }, r.error);
}

/** The parts uploaded so far, by number. */
async function uploadedParts(call: S3Call, uploadId: string): Promise<Part[]> {
  const prefix = `${call.req.key}/${uploadId}/`;
  const { status, entries } = await listAll(call, segmentsContainer(call.req.bucket!), prefix);
  if (status !== 200) throw fromStatus(status, { bucket: call.req.bucket! });
  return entries.flatMap((e) => {
    const n = e.name.slice(prefix.length);
    return /^[1-9]\d{0,4}$/.test(n) ? [{ number: Number(n), etag: e.hash, bytes: e.bytes, lastModified: e.last_modified }] : [];
  }).sort((a, b) => a.number - b.number);
}

async function removeUpload(call: S3Call, uploadId: string, parts: Part[]): Promise<void> {
  const container = segmentsContainer(call.req.bucket!);
  await mapConcurrently(parts, BACKEND_CONCURRENCY, async (p) => drain((await call.swift.call({ method: 'DELETE', container, object: `${call.req.key}/${uploadId}/${p.number}` })).body));
  drain((await call.swift.call({ method: 'DELETE', container, object: `${call.req.key}/${uploadId}` })).body);
}

async function initiate(call: S3Call): Promise<S3Response> {
  const { bucket, key } = call.req as { bucket: string; key: string };
  await bucketInfo(call);
  drain(call.body);
  const seg = await call.swift.call({ method: 'PUT', container: segmentsContainer(bucket) });
  drain(seg.body);
  if (seg.status !== 201 && seg.status !== 202) throw fromStatus(seg.status, { bucket }, seg.error);
  const uploadId = newUploadId();
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', ...objectHeadersFromS3(call.req.headers), 'content-length': '0' };
  const r = await call.swift.call({ method: 'PUT', container: segmentsContainer(bucket), object: `${key}/${uploadId}`, headers });
  drain(r.body);
  if (r.status !== 201) throw fromStatus(r.status, { bucket }, r.error);
  return xmlResponse(el('InitiateMultipartUploadResult', [el('Bucket', bucket), el('Key', key), el('UploadId', uploadId)]));
}

function partNumberOf(call: S3Call): number {
  const v = call.req.query.get('partNumber') ?? '';
  const max = call.settings.maxUploadPartNum;
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1 || Number(v) > max) throw InvalidArgument('partNumber', v, `Part number must be an integer between 1 and ${max}, inclusive`);
  return Number(v);
}

async function uploadPart(call: S3Call, uploadId: string): Promise<S3Response> {
  const { bucket, key } = call.req as { bucket: string; key: string };
  const n = partNumberOf(call);
  await uploadMarker(call, uploadId);
  const object = `${key}/${uploadId}/${n}`;
  const copySource = call.req.headers['x-amz-copy-source'];
  if (copySource === undefined) {
    const { etag } = await putBody(call, segmentsContainer(bucket), object, {});
    return empty(200, { etag: quoteEtag(etag) });
  }
  // UploadPartCopy: the source (or a byte range of it) streamed into the part
  const src = parseCopySource(String(copySource));
  if (src.versionId !== undefined) throw NotImplemented({}, 'Copying a version of an object into a part is not implemented.');
  const srcHeaders = await copySourceHeaders(call, src);
  drain(call.body);
  const range = call.req.headers['x-amz-copy-source-range'];
  const size = Number(srcHeaders['content-length'] ?? '0');
  let headers: Record<string, string> = {};
  if (typeof range === 'string') {
    const m = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
    if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= size) throw InvalidArgument('x-amz-copy-source-range', range, 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy');
    headers = { range: range.trim() };
  }
  const get = await call.swift.call({ method: 'GET', container: src.bucket, object: src.key, headers });
  if (get.status !== 200 && get.status !== 206) {
    drain(get.body);
    throw fromStatus(get.status, { bucket: src.bucket, key: src.key }, get.error);
  }
  const body = get.body instanceof Readable ? get.body : Readable.from([Buffer.from(get.body ?? '')]);
  const put = await call.swift.call({
    method: 'PUT', container: segmentsContainer(bucket), object, body,
    headers: { 'content-length': get.headers['content-length'] ?? '0', 'content-type': 'application/octet-stream' },
  });
  drain(put.body);
  if (put.status !== 201) throw fromStatus(put.status, { bucket, key }, put.error);
  return xmlResponse(el('CopyPartResult', [el('LastModified', new Date().toISOString()), el('ETag', quoteEtag(put.headers.etag ?? ''))]));
}

/** The parts a CompleteMultipartUpload names, in its order. */
async function requestedParts(call: S3Call): Promise<Array<{ number: number; etag: string }>> {
  const text = (await readSmallBody(call.body, MAX_COMPLETE_BODY)).toString('utf8');
  let parts: Array<{ number: number; etag: string }>;
  try {
    const root = parseXml(text);
    if (root.name !== 'CompleteMultipartUpload') throw MalformedXML();
    parts = childrenNamed(root, 'Part').map((p) => {
      const n = childText(p, 'PartNumber')?.trim() ?? '';
      const etag = childText(p, 'ETag');
      if (!/^\d{1,6}$/.test(n) || etag === undefined) throw MalformedXML();
      return { number: Number(n), etag: etag.trim().replace(/^"|"$/g, '') };
    });
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw MalformedXML();
    throw err;
  }
  if (parts.length === 0) throw MalformedXML();
  for (let i = 1; i < parts.length; i++) if (parts[i]!.number <= parts[i - 1]!.number) throw InvalidPartOrder();
  return parts;
}

/** The parts' bytes one after the other, each read from Swift when the previous one is done. */
function concatenation(call: S3Call, uploadId: string, parts: Part[]): Readable {
  const { bucket, key } = call.req as { bucket: string; key: string };
  return Readable.from((async function* () {
    for (const p of parts) {
      const r = await call.swift.call({ method: 'GET', container: segmentsContainer(bucket), object: `${key}/${uploadId}/${p.number}` });
      if (r.status !== 200 || !(r.body instanceof Readable)) {
        drain(r.body);
        throw InternalError({}, `part ${p.number} could not be read (${r.status})`);
      }
      yield* r.body;
    }
  })(), { objectMode: false });
}

async function complete(call: S3Call, uploadId: string): Promise<S3Response> {
  const { bucket, key } = call.req as { bucket: string; key: string };
  const marker = await uploadMarker(call, uploadId);
  const wanted = await requestedParts(call);
  const uploaded = new Map((await uploadedParts(call, uploadId)).map((p) => [p.number, p]));
  const chosen: Part[] = [];
  for (const [i, w] of wanted.entries()) {
    const p = uploaded.get(w.number);
    if (!p || p.etag !== w.etag) throw InvalidPart({ PartNumber: String(w.number), ETag: w.etag, UploadId: uploadId });
    if (i < wanted.length - 1 && p.bytes < call.settings.minSegmentSize) {
      throw EntityTooSmall({ ProposedSize: String(p.bytes), MinSizeAllowed: String(call.settings.minSegmentSize), PartNumber: String(p.number), ETag: quoteEtag(p.etag) });
    }
    chosen.push(p);
  }
  const headers: Record<string, string> = { 'content-length': String(chosen.reduce((n, p) => n + p.bytes, 0)) };
  for (const [k, v] of Object.entries(marker)) if (k.startsWith('x-object-meta-') || ['content-type', 'content-encoding', 'content-disposition'].includes(k)) headers[k] = v;
  const join = async (): Promise<XmlElement> => {
    const body = concatenation(call, uploadId, chosen);
    let bodyError: unknown;
    body.on('error', (err) => { bodyError = err; });
    const put = await call.swift.call({ method: 'PUT', container: bucket, object: key, headers, body });
    drain(put.body);
    if (put.status !== 201) {
      if (put.status === 404) throw NoSuchBucket(bucket);
      throw bodyError instanceof S3Error ? bodyError : fromStatus(put.status, { bucket, key }, put.error);
    }
    await removeUpload(call, uploadId, [...uploaded.values()]);
    return el('CompleteMultipartUploadResult', [
      el('Location', `/${bucket}/${key}`), el('Bucket', bucket), el('Key', key), el('ETag', quoteEtag(put.headers.etag ?? '')),
    ]);
  };
  return keptAlive(call, join);
}

/**
 * The answer of a long operation, as s3api's (and S3's) CompleteMultipartUpload: 200 and the XML
 * declaration at once, a space every KEEPALIVE_MS while the work goes on (clients' read timers
 * restart), then the result, or the `<Error>` document when the work failed.
 */
function keptAlive(call: S3Call, work: () => Promise<XmlElement>): S3Response {
  const out = new PassThrough();
  const write = (s: string): void => { if (!out.destroyed && !out.writableEnded) out.write(s); };
  write(XML_DECLARATION);
  const timer = setInterval(() => write(' '), KEEPALIVE_MS);
  work().then(
    (root) => xmlRoot(root),
    (err: unknown) => fromSwift(err, { bucket: call.req.bucket!, key: call.req.key! }).render(call.req.requestId, { declaration: false }),
  ).then((text) => {
    clearInterval(timer);
    if (!out.destroyed) out.end(text);
  });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: out };
}

async function abort(call: S3Call, uploadId: string): Promise<S3Response> {
  await uploadMarker(call, uploadId);
  await removeUpload(call, uploadId, await uploadedParts(call, uploadId));
  return empty(204);
}

function boundedInt(call: S3Call, name: string, dflt: number, max: number): number {
  const v = call.req.query.get(name);
  if (v === undefined) return dflt;
  if (!/^\d{1,10}$/.test(v)) throw InvalidArgument(name, v, `Provided ${name} not an integer or within integer range`);
  return Math.min(Number(v), max);
}

async function listParts(call: S3Call, uploadId: string): Promise<S3Response> {
  const { bucket, key } = call.req as { bucket: string; key: string };
  await uploadMarker(call, uploadId);
  const maxParts = boundedInt(call, 'max-parts', call.settings.maxPartsListing, call.settings.maxPartsListing);
  const after = boundedInt(call, 'part-number-marker', 0, Number.MAX_SAFE_INTEGER);
  const all = (await uploadedParts(call, uploadId)).filter((p) => p.number > after);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  return xmlResponse(el('ListPartsResult', [
    el('Bucket', bucket), el('Key', key), el('UploadId', uploadId), el('Initiator', owner(call)), el('Owner', owner(call)), el('StorageClass', 'STANDARD'),
    el('PartNumberMarker', after), el('NextPartNumberMarker', page.length > 0 ? page[page.length - 1]!.number : after), el('MaxParts', maxParts),
    el('IsTruncated', truncated ? 'true' : 'false'),
    ...page.map((p) => el('Part', [el('PartNumber', p.number), el('LastModified', s3Time(p.lastModified)), el('ETag', quoteEtag(p.etag)), el('Size', p.bytes)])),
  ]));
}

/** GET ?uploads: the uploads in progress (markers: names whose last part is not a part number). */
export async function listUploads(call: S3Call): Promise<S3Response> {
  const bucket = call.req.bucket!;
  const q = call.req.query;
  await bucketInfo(call);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const uploadIdMarker = q.get('upload-id-marker') ?? '';
  const maxUploads = boundedInt(call, 'max-uploads', 1000, 1000);
  const { status, entries } = await listAll(call, segmentsContainer(bucket), prefix);
  if (status !== 200 && status !== 404) throw fromStatus(status, { bucket });
  const uploads = entries.flatMap((e) => {
    const slash = e.name.lastIndexOf('/');
    const id = e.name.slice(slash + 1);
    if (slash <= 0 || /^\d+$/.test(id) || !UPLOAD_ID.test(id)) return [];
    return [{ key: e.name.slice(0, slash), id, initiated: e.last_modified }];
  }).filter((u) => u.key > keyMarker || (u.key === keyMarker && uploadIdMarker !== '' && u.id > uploadIdMarker))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1));
  const items: XmlElement[] = [];
  const prefixes = new Set<string>();
  let count = 0;
  let truncated = false;
  let last: { key: string; id: string } | undefined;
  for (const u of uploads) {
    if (count >= maxUploads) {
      truncated = true;
      break;
    }
    const cut = delimiter ? u.key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const p = u.key.slice(0, cut + delimiter.length);
      if (!prefixes.has(p)) {
        prefixes.add(p);
        count++;
      }
      last = u;
      continue;
    }
    items.push(el('Upload', [
      el('Key', u.key), el('UploadId', u.id), el('Initiator', owner(call)), el('Owner', owner(call)), el('StorageClass', 'STANDARD'), el('Initiated', s3Time(u.initiated)),
    ]));
    count++;
    last = u;
  }
  return xmlResponse(el('ListMultipartUploadsResult', [
    el('Bucket', bucket), el('KeyMarker', keyMarker), el('UploadIdMarker', uploadIdMarker),
    el('NextKeyMarker', truncated && last ? last.key : ''), el('NextUploadIdMarker', truncated && last ? last.id : ''),
    delimiter ? el('Delimiter', delimiter) : undefined, el('Prefix', prefix), el('MaxUploads', maxUploads), el('IsTruncated', truncated ? 'true' : 'false'),
    ...items, ...[...prefixes].map((p) => el('CommonPrefixes', [el('Prefix', p)])),
  ]));
}

/** An object request with ?uploads or ?uploadId. */
export async function handleMultipart(call: S3Call): Promise<S3Response> {
  const method = call.req.method;
  if (call.req.query.has('uploads')) {
    if (method !== 'POST') throw MethodNotAllowed(method, 'OBJECT');
    return initiate(call);
  }
  const uploadId = call.req.query.get('uploadId')!;
  switch (method) {
    case 'PUT': return uploadPart(call, uploadId);
    case 'POST': return complete(call, uploadId);
    case 'DELETE': return abort(call, uploadId);
    case 'GET': return listParts(call, uploadId);
    default: throw MethodNotAllowed(method, 'OBJECT');
  }
}
