/**
 * Reading an S3 request's signature (s3api's s3request.py SigV4Mixin / S3Request and their
 * SigChecker classes): which key signed it, the signature, and the string to sign rebuilt from
 * the request, which Keystone (POST /v3/s3tokens) checks against the key's secret. Four forms:
 *
 * - SigV4 in the Authorization header (`AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 *   Signature=...`) and presigned in the query (`X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-...`):
 *   canonical request (method, URI re-quoted, sorted query, signed headers, payload hash),
 *   string to sign `AWS4-HMAC-SHA256\n<date>\n<scope>\n<sha256(canonical request)>`.
 * - SigV2 in the header (`AWS <key>:<signature>`) and in the query (`AWSAccessKeyId`,
 *   `Signature`, `Expires`): `<method>\n<Content-MD5>\n<Content-Type>\n<Date|Expires>\n<x-amz-*
 *   headers>\n<resource with its sub-resources>`.
 *
 * The request's time must be within the allowed skew (header forms) or before its expiry
 * (query forms). A request with neither form is anonymous (undefined).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  AccessDenied, AuthorizationHeaderMalformed, AuthorizationQueryParametersError, InvalidArgument, InvalidRequest, InvalidURI,
  RequestTimeTooSkewed, SignatureDoesNotMatch, type S3Error,
} from './errors.js';

/** The parts of a request that are signed, as they came on the wire. */
export interface SignedRequest {
  method: string;
  /** The path as sent, %-escapes kept, without the query. */
  rawPath: string;
  /** The query as sent, without '?'. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** Node's rawHeaders (name, value, name, value...): repeated headers are joined with ','. */
  rawHeaders?: string[];
  /** Virtual-hosted style: the bucket named by the Host (SigV2's resource starts with it). */
  bucketInHost?: string;
}

export interface AuthInfo {
  version: 2 | 4;
  accessKey: string;
  signature: string;
  stringToSign: Buffer;
  presigned: boolean;
  /** SigV4: what x-amz-content-sha256 says of the body (a hex digest, UNSIGNED-PAYLOAD, STREAMING-...). */
  payloadHash?: string;
  /** SigV4: the credential scope (`<date>/<region>/s3/aws4_request`) and the signing time as signed (20130524T000000Z). */
  scope?: string;
  amzDate?: string;
  /** The request's signing time, in ms. */
  time: number;
}

export interface SignatureOptions {
  /** The region of the SigV4 scope ([s3api] location). */
  location: string;
  /** Seconds a header-signed request's time may differ from ours. */
  allowableClockSkew: number;
  /** Now, in ms. */
  now: number;
}

/** Sub-resources of SigV2's canonical resource (ALLOWED_SUB_RESOURCES). */
const SUB_RESOURCES = new Set([
  'acl', 'delete', 'lifecycle', 'location', 'logging', 'notification', 'partNumber', 'policy', 'publicAccessBlock', 'requestPayment', 'torrent',
  'uploads', 'uploadId', 'versionId', 'versioning', 'versions', 'website', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'response-content-language', 'response-content-type', 'response-expires', 'cors', 'tagging', 'restore', 'object-lock',
]);

/** Headers that SigV4 requests must sign when they send them. */
const MUST_BE_SIGNED = ['x-amz-copy', 'x-amz-acl', 'x-amz-grant', 'x-amz-meta'];

const MAX_PRESIGNED_EXPIRY = 604800;

/** AWS's URI encoding: every byte but the unreserved ones (and `safe`) as %XX, upper-case. */
export function awsQuote(value: string, safe = ''): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) || safe.includes(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A %-escaped string decoded (as parse_qsl: '+' is a space in queries); malformed escapes are InvalidURI. */
function unquote(s: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? s.replace(/\+/g, ' ') : s);
  } catch {
    throw InvalidURI();
  }
}

/** The query as decoded (key, value) pairs, in their order; a key without '=' has the value ''. */
export function queryPairs(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? [unquote(p, true), ''] : [unquote(p.slice(0, eq), true), unquote(p.slice(eq + 1), true)];
  });
}

/** Header values by lower-case name, repeated ones joined with ',', values trimmed (and, for SigV4, inner runs of spaces collapsed). */
function headerMap(req: SignedRequest, collapse: boolean): Map<string, string> {
  const out = new Map<string, string[]>();
  const add = (k: string, v: string): void => {
    const key = k.toLowerCase().trim();
    const value = collapse ? v.trim().split(/\s+/).join(' ') : v.trim();
    out.set(key, [...(out.get(key) ?? []), value]);
  };
  if (req.rawHeaders) for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) add(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  else for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) for (const x of Array.isArray(v) ? v : [v]) add(k, x);
  return new Map([...out].map(([k, v]) => [k, v.join(',')]));
}

const first = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** SigV4's canonical query: every pair but the signature, quoted, sorted. */
export function canonicalQueryV4(pairs: Array<[string, string]>): string {
  return pairs.filter(([k]) => k !== 'X-Amz-Signature' && k !== 'Signature')
    .map(([k, v]) => [awsQuote(k), awsQuote(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
}

/** SigV4's canonical request (its headers: those named in SignedHeaders, each present). */
export function canonicalRequestV4(req: SignedRequest, signedHeaders: string[], payloadHash: string): string {
  const headers = headerMap(req, true);
  for (const name of headers.keys()) {
    if (!signedHeaders.includes(name) && MUST_BE_SIGNED.some((p) => name.startsWith(p))) {
      throw AccessDenied({ HeadersNotSigned: name }, 'There were headers present in the request which were not signed');
    }
  }
  if (/^Boto\/2\.[0-9]\.[0-2]/.test(headers.get('user-agent') ?? '') && headers.has('host')) headers.set('host', headers.get('host')!.split(':')[0]!);
  const lines: string[] = [];
  for (const name of [...signedHeaders].sort()) {
    const v = headers.get(name);
    if (v === undefined) throw SignatureDoesNotMatch();
    lines.push(`${name}:${v}\n`);
  }
  return [
    req.method, awsQuote(unquote(req.rawPath, false), '/'), canonicalQueryV4(queryPairs(req.rawQuery)), lines.join(''), [...signedHeaders].sort().join(';'), payloadHash,
  ].join('\n');
}

export function stringToSignV4(amzDate: string, scope: string, canonicalRequest: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
}

/** SigV2's string to sign. `dateLine`: the Date header ('' when X-Amz-Date is sent) or Expires. */
export function stringToSignV2(req: SignedRequest, dateLine: string): string {
  const headers = headerMap(req, false);
  const amz = [...headers].filter(([k]) => k.startsWith('x-amz-')).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}:${v}`);
  let resource = req.bucketInHost !== undefined ? `/${req.bucketInHost}${req.rawPath}` : req.rawPath;
  const subs = queryPairs(req.rawQuery).filter(([k]) => SUB_RESOURCES.has(k)).sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : 1))
    .map(([k, v]) => (v ? `${k}=${v}` : k));
  if (subs.length > 0) resource += `?${subs.join('&')}`;
  return [req.method, headers.get('content-md5') ?? '', headers.get('content-type') ?? '', dateLine, ...amz, resource].join('\n');
}

/** 20130524T000000Z → ms; undefined when it is not that form. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** An HTTP or ISO date (SigV2's Date / X-Amz-Date); undefined when unreadable. */
function parseHttpDate(s: string): number | undefined {
  const amz = parseAmzDate(s);
  if (amz !== undefined) return amz;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

function checkSkew(time: number, o: SignatureOptions): void {
  if (Math.abs(o.now - time) > o.allowableClockSkew * 1000) {
    throw RequestTimeTooSkewed({ RequestTime: new Date(time).toUTCString(), ServerTime: new Date(o.now).toUTCString(), MaxAllowedSkewMilliseconds: String(o.allowableClockSkew * 1000) });
  }
}

/** Credential=<key>/<date>/<region>/s3/aws4_request, checked against our region and the request's date. */
function parseCredential(value: string, amzDate: string, o: SignatureOptions, malformed: (detail?: string, extra?: Record<string, string>) => S3Error, what: string): { accessKey: string; scope: string } {
  const parts = value.split('/');
  if (parts.length !== 5) throw malformed();
  const [accessKey, date, region, service, terminal] = parts as [string, string, string, string, string];
  if (date !== amzDate.slice(0, 8)) throw malformed(`Invalid credential date "${date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  // the region in lower case too (AWS's .NET SDK), as s3api allows; the answer names ours (clients such as s3cmd retry with it)
  if (region !== o.location && region !== o.location.toLowerCase()) throw malformed(`${what}; the region '${region}' is wrong; expecting '${o.location}'`, { Region: o.location });
  if (service !== 's3') throw malformed(`${what}; incorrect service "${service}". This endpoint belongs to "s3".`);
  if (terminal !== 'aws4_request') throw malformed(`${what}; incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  return { accessKey, scope: parts.slice(1).join('/') };
}

function headerV4(req: SignedRequest, auth: string, o: SignatureOptions): AuthInfo {
  const fields = new Map<string, string>();
  for (const part of auth.slice('AWS4-HMAC-SHA256'.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signed || !signature) throw AuthorizationHeaderMalformed();
  const amzDate = first(req.headers, 'x-amz-date') ?? '';
  let time = parseAmzDate(amzDate);
  if (time === undefined) {
    const date = first(req.headers, 'date');
    time = date !== undefined ? parseHttpDate(date) : undefined;
    if (time === undefined) throw AccessDenied({}, 'AWS authentication requires a valid Date or x-amz-date header');
  }
  const stamp = amzDate !== '' ? amzDate : new Date(time).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const { accessKey, scope } = parseCredential(credential, stamp, o, (d, extra) => AuthorizationHeaderMalformed(extra, d), 'The authorization header is malformed');
  checkSkew(time, o);
  const payloadHash = first(req.headers, 'x-amz-content-sha256');
  if (payloadHash === undefined) throw InvalidRequest({}, 'Missing required header for this request: x-amz-content-sha256');
  const canonical = canonicalRequestV4(req, signed.split(';').map((h) => h.trim().toLowerCase()), payloadHash);
  return { version: 4, accessKey, signature, stringToSign: Buffer.from(stringToSignV4(stamp, scope, canonical)), presigned: false, payloadHash, time, scope, amzDate: stamp };
}

function queryV4(req: SignedRequest, q: Map<string, string>, o: SignatureOptions): AuthInfo {
  const credential = q.get('X-Amz-Credential');
  const amzDate = q.get('X-Amz-Date');
  const expires = q.get('X-Amz-Expires');
  const signed = q.get('X-Amz-SignedHeaders');
  const signature = q.get('X-Amz-Signature');
  if (!credential || !amzDate || expires === undefined || !signed || !signature) throw AuthorizationQueryParametersError();
  const time = parseAmzDate(amzDate);
  if (time === undefined) throw AccessDenied({}, 'AWS authentication requires a valid Date or x-amz-date header');
  if (!/^\d+$/.test(expires)) throw AuthorizationQueryParametersError({}, 'X-Amz-Expires should be a number');
  if (Number(expires) > MAX_PRESIGNED_EXPIRY) throw AuthorizationQueryParametersError({}, 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
  const { accessKey, scope } = parseCredential(credential, amzDate, o, (d, extra) => AuthorizationQueryParametersError(extra, d), 'Error parsing the X-Amz-Credential parameter');
  if (time - o.allowableClockSkew * 1000 > o.now) throw AccessDenied({}, 'AWS authentication requires a valid Date or x-amz-date header');
  if (o.now > time + Number(expires) * 1000) throw AccessDenied({}, 'Request has expired');
  const payloadHash = first(req.headers, 'x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD';
  const canonical = canonicalRequestV4(req, signed.split(';').map((h) => h.toLowerCase()), payloadHash);
  return { version: 4, accessKey, signature, stringToSign: Buffer.from(stringToSignV4(amzDate, scope, canonical)), presigned: true, payloadHash, time, scope, amzDate };
}

function headerV2(req: SignedRequest, auth: string, o: SignatureOptions): AuthInfo {
  const m = /^AWS ([^:]+):(.+)$/.exec(auth);
  if (!m) throw AccessDenied({}, 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature');
  const amzDate = first(req.headers, 'x-amz-date');
  const date = amzDate ?? first(req.headers, 'date');
  const time = date !== undefined ? parseHttpDate(date) : undefined;
  if (time === undefined) throw AccessDenied({}, 'AWS authentication requires a valid Date or x-amz-date header');
  checkSkew(time, o);
  const dateLine = amzDate !== undefined ? '' : (first(req.headers, 'date') ?? '').trim();
  return { version: 2, accessKey: m[1]!, signature: m[2]!.trim(), stringToSign: Buffer.from(stringToSignV2(req, dateLine)), presigned: false, time };
}

function queryV2(req: SignedRequest, q: Map<string, string>, o: SignatureOptions): AuthInfo {
  const expires = q.get('Expires');
  const signature = q.get('Signature');
  const accessKey = q.get('AWSAccessKeyId');
  if (!expires || !signature || !accessKey) throw AccessDenied();
  if (!/^\d+$/.test(expires)) throw AccessDenied({}, 'Invalid Expires');
  if (o.now > Number(expires) * 1000) throw AccessDenied({}, 'Request has expired');
  return { version: 2, accessKey, signature, stringToSign: Buffer.from(stringToSignV2(req, expires)), presigned: true, time: o.now };
}

/** The signature of a request, or undefined when it carries none (anonymous). */
export function readSignature(req: SignedRequest, o: SignatureOptions): AuthInfo | undefined {
  const auth = first(req.headers, 'authorization');
  if (auth !== undefined) {
    if (auth.startsWith('AWS4-HMAC-SHA256')) return headerV4(req, auth, o);
    if (auth.startsWith('AWS ')) return headerV2(req, auth, o);
    throw AccessDenied({}, 'Unsupported Authorization Type');
  }
  const q = new Map(queryPairs(req.rawQuery));
  if (q.has('X-Amz-Algorithm') || q.has('X-Amz-Credential')) {
    if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw InvalidArgument('X-Amz-Algorithm', q.get('X-Amz-Algorithm') ?? '', 'Only AWS4-HMAC-SHA256 is supported');
    return queryV4(req, q, o);
  }
  if (q.has('AWSAccessKeyId') || q.has('Signature')) return queryV2(req, q, o);
  return undefined;
}
