/**
 * Where an S3 request goes (s3api's S3Request._parse_host / _parse_uri): the bucket and key from
 * the path (`/bucket/key`, path-style) or, when the Host is `<bucket>.<storage_domain>`, the
 * bucket from the Host and the key from the path (virtual-hosted style); the query's
 * sub-resources (`?uploads`, `?acl`, `?location`...) pick the operation.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { InvalidBucketName, InvalidURI, KeyTooLongError } from './errors.js';
import { queryPairs, type SignedRequest } from './signature.js';

export interface S3Request extends SignedRequest {
  bucket?: string;
  key?: string;
  /** The decoded query (first value of each key). */
  query: Map<string, string>;
  requestId: string;
}

/** The host part of a Host header, lower-case, without the port. */
function hostName(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

/** validate_bucket_name (dns_compliant_bucket_names = true): 3-63 of a-z 0-9 . -, no IP address form, no '..', '.-', '-.'. */
export function validBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  return !/\.\.|\.-|-\./.test(name);
}

/** The request as the S3 layer routes it. `storageDomains`: [s3api] storage_domain. */
export function routeRequest(
  init: { method: string; url: string; headers: IncomingHttpHeaders; rawHeaders?: string[]; requestId: string },
  storageDomains: string[], maxKeyLength: number,
): S3Request {
  const q = init.url.indexOf('?');
  const rawPath = q >= 0 ? init.url.slice(0, q) : init.url;
  const rawQuery = q >= 0 ? init.url.slice(q + 1) : '';
  if (!rawPath.startsWith('/')) throw InvalidURI();
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw InvalidURI();
  }
  const host = hostName(typeof init.headers.host === 'string' ? init.headers.host : undefined);
  let bucketInHost: string | undefined;
  for (const domain of storageDomains) {
    const d = domain.toLowerCase().replace(/^\./, '');
    if (d !== '' && host.endsWith(`.${d}`)) {
      bucketInHost = host.slice(0, -(d.length + 1));
      break;
    }
  }
  let bucket: string | undefined;
  let key: string | undefined;
  if (bucketInHost !== undefined) {
    bucket = bucketInHost;
    key = path.length > 1 ? path.slice(1) : undefined;
  } else {
    const rest = path.slice(1);
    const slash = rest.indexOf('/');
    bucket = rest === '' ? undefined : slash < 0 ? rest : rest.slice(0, slash);
    key = slash < 0 || slash === rest.length - 1 ? undefined : rest.slice(slash + 1);
  }
  if (bucket !== undefined && !validBucketName(bucket)) throw InvalidBucketName(bucket);
  if (key !== undefined && Buffer.byteLength(key) > maxKeyLength) throw KeyTooLongError({ Size: String(Buffer.byteLength(key)), MaxSizeAllowed: String(maxKeyLength) });
  const query = new Map<string, string>();
  for (const [k, v] of queryPairs(rawQuery)) if (!query.has(k)) query.set(k, v);
  return {
    method: init.method, rawPath, rawQuery, headers: init.headers, ...(init.rawHeaders ? { rawHeaders: init.rawHeaders } : {}),
    ...(bucketInHost !== undefined ? { bucketInHost } : {}), ...(bucket !== undefined ? { bucket } : {}), ...(key !== undefined ? { key } : {}),
    query, requestId: init.requestId,
  };
}
