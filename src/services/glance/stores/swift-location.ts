/**
 * Image locations of the swift store, in glance_store's URI shapes (StoreLocation of
 * glance_store/_drivers/swift/store.py):
 *
 *   swift+http://127.0.0.1:8880/object/v1/AUTH_<project>/glance/<image id>   (a storage URL)
 *   swift+https://swift.example.com/v1/AUTH_<project>/glance_<image id>/<image id>
 *   swift+config://ref1/glance/<image id>   (an account of swift_store_config_file)
 *   swift://tenant:user:key@keystone.example.com/v3/glance/<image id>   (credentials in the URI)
 *
 * The last path segment is the object, the one before it the container; what comes before is
 * the storage URL (or, with credentials, the auth URL). `swift` and `swift+https` mean HTTPS.
 */
export const SWIFT_SCHEMES = ['swift', 'swift+http', 'swift+https', 'swift+config'] as const;
export type SwiftScheme = (typeof SWIFT_SCHEMES)[number];

/** A location that is not a well-formed swift URI (glance_store's BadStoreUri). */
export class BadStoreUri extends Error {
  override name = 'BadStoreUri';
}

export type SwiftLocation =
  /** The object at a storage URL (the account's URL), reached with a token. */
  | { kind: 'storage'; storageUrl: string; container: string; object: string }
  /** The object in the account of a reference of swift_store_config_file. */
  | { kind: 'reference'; reference: string; container: string; object: string }
  /** The object in the account of the credentials written in the URI, logged in at authUrl. */
  | { kind: 'credentials'; authUrl: string; user: string; key: string; container: string; object: string };

export function isSwiftUri(uri: string): boolean {
  const i = uri.indexOf('://');
  return i > 0 && (SWIFT_SCHEMES as readonly string[]).includes(uri.slice(0, i).toLowerCase());
}

/** Parse a swift location URI. @throws BadStoreUri */
export function parseSwiftUri(uri: string): SwiftLocation {
  const parts = uri.split('://');
  if (parts.length !== 2) {
    throw new BadStoreUri('URI cannot contain more than one occurrence of a scheme. If you have specified a URI like swift://user:pass@http://authurl.com/v1/container/obj, you need to change it to use the swift+http:// scheme, like so: swift+http://user:pass@authurl.com/v1/container/obj');
  }
  const scheme = parts[0]!.toLowerCase();
  if (!(SWIFT_SCHEMES as readonly string[]).includes(scheme)) throw new BadStoreUri(`Unknown scheme '${parts[0]}' found in URI`);
  let rest = parts[1]!;
  let creds: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    creds = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const segments = rest.split('/').filter((s) => s !== '');
  const object = segments.pop();
  const container = segments.pop();
  if (!object || !container || segments.length === 0) throw new BadStoreUri('Badly formed Swift URI.');
  const place = segments.join('/');
  if (scheme === 'swift+config') {
    if (creds !== undefined || segments.length !== 1) throw new BadStoreUri('Badly formed Swift URI.');
    return { kind: 'reference', reference: place, container, object };
  }
  const url = `${scheme === 'swift+http' ? 'http' : 'https'}://${place}`;
  if (creds === undefined) return { kind: 'storage', storageUrl: url, container, object };
  const colon = creds.lastIndexOf(':');
  if (colon <= 0) throw new BadStoreUri('Badly formed credentials in Swift URI.');
  return { kind: 'credentials', authUrl: url, user: decodeURIComponent(creds.slice(0, colon)), key: decodeURIComponent(creds.slice(colon + 1)), container, object };
}

/** The URI of an object at a storage URL: `swift+http://host/v1/AUTH_x/container/object`. */
export function storageUri(storageUrl: string, container: string, object: string): string {
  const m = /^(https?):\/\/(.+)$/i.exec(storageUrl);
  if (!m) throw new BadStoreUri(`the Swift storage URL ${storageUrl} is not an http(s) URL`);
  return `swift+${m[1]!.toLowerCase()}://${m[2]!.replace(/\/+$/, '')}/${container}/${object}`;
}

/** The URI of an object in the account of a configured reference: `swift+config://ref1/container/object`. */
export function referenceUri(reference: string, container: string, object: string): string {
  return `swift+config://${reference}/${container}/${object}`;
}
