/**
 * Headers between S3 and Swift (s3api's S3Request.to_swift_req and S3Response): x-amz-meta-*
 * as x-object-meta-*, the headers an object keeps (Content-Type, Content-Encoding,
 * Content-Disposition), ETags quoted as S3 shows them, Swift's listing times as S3's, and the
 * `response-*` overrides of a GET.
 */
import type { IncomingHttpHeaders } from 'node:http';

const KEPT = ['content-type', 'content-encoding', 'content-disposition'];

/** The headers of an S3 write that Swift keeps with the object: its metadata and kept headers. */
export function objectHeadersFromS3(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(',') : v;
    if (k.startsWith('x-amz-meta-')) out[`x-object-meta-${k.slice('x-amz-meta-'.length)}`] = value;
    else if (KEPT.includes(k)) out[k] = value;
  }
  // aws-chunked is the framing of this request's body, not an encoding of the object
  const encoding = (out['content-encoding'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
  if (encoding.length > 0) out['content-encoding'] = encoding.join(',');
  else delete out['content-encoding'];
  return out;
}

/** An ETag as S3 shows it: in double quotes. */
export const quoteEtag = (etag: string): string => `"${etag.replace(/^"|"$/g, '')}"`;

/** The headers of a Swift object answer as S3 shows them. */
export function s3HeadersFromSwift(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith('x-object-meta-')) out[`x-amz-meta-${k.slice('x-object-meta-'.length)}`] = v;
    else if (k === 'etag') out.etag = quoteEtag(v);
    else if (k === 'x-object-version-id') out['x-amz-version-id'] = v;
    else if (['content-type', 'content-length', 'content-range', 'last-modified', 'content-encoding', 'content-disposition', 'accept-ranges'].includes(k)) out[k] = v;
  }
  return out;
}

/** Swift's listing time (2026-12-03T16:00:00.123456) as S3's (2026-12-03T16:00:00.123Z). */
export function s3Time(swiftTime: string): string {
  const t = Date.parse(/[zZ]$/.test(swiftTime) ? swiftTime : `${swiftTime}Z`);
  return Number.isFinite(t) ? new Date(t).toISOString() : swiftTime;
}

/** GET's response-content-type & co. (only for signed requests, as S3). */
export function responseOverrides(query: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding']) {
    const v = query.get(`response-${name}`);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
