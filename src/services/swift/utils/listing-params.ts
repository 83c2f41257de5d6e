/**
 * The query of a listing (swift/common/request_helpers + the servers' GET): limit (at most the
 * listing limit: 412 above it), marker, end_marker, prefix, delimiter (one character), reverse.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ListOptions } from '../db/listing.js';
import { header, HttpStatus, query, send } from './backend-http.js';
import { BadListingFormat, CONTENT_TYPES, listingFormat, plainListing, type Entry, type ListingFormat } from './listing.js';

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);

export function listingOptions(q: Record<string, string>, maxLimit: number): ListOptions {
  let limit = maxLimit;
  if (q.limit !== undefined && q.limit !== '') {
    if (!/^\d+$/.test(q.limit)) throw new HttpStatus(400, 'Value of limit must be a positive integer');
    limit = Number(q.limit);
    if (limit > maxLimit) throw new HttpStatus(412, `Maximum limit is ${maxLimit}`);
  }
  const delimiter = q.delimiter || undefined;
  if (delimiter !== undefined && (delimiter.length > 1 || delimiter.charCodeAt(0) > 254)) throw new HttpStatus(412, 'Bad delimiter');
  for (const k of ['marker', 'end_marker', 'prefix'] as const) {
    if (q[k] !== undefined && Buffer.byteLength(q[k]) > 1024) throw new HttpStatus(400, `${k} is too long`);
  }
  return {
    limit,
    ...(q.marker ? { marker: q.marker } : {}),
    ...(q.end_marker ? { endMarker: q.end_marker } : {}),
    ...(q.prefix ? { prefix: q.prefix } : {}),
    ...(delimiter ? { delimiter } : {}),
    reverse: TRUE.has((q.reverse ?? '').toLowerCase()),
  };
}

/** Where a storage server's listing comes from, and how its rows are rendered. */
export interface ListingSource<T> {
  /** The entries with their rows (JSON and XML). */
  list(opts: ListOptions): Array<Entry<T>>;
  /** The names and subdirs alone, in order (plain text: no row is read). */
  names(opts: ListOptions): string[];
  /** The JSON or XML body of the entries. */
  render(format: 'json' | 'xml', entries: Array<Entry<T>>): string;
}

/**
 * A listing GET or HEAD of a storage server: the format negotiated (406 when none fits), HEAD
 * answered with the headers alone, an empty plain listing with 204.
 */
export function sendListing<T>(req: IncomingMessage, res: ServerResponse, headers: Record<string, string | number>, maxLimit: number, source: ListingSource<T>): void {
  const q = query(req);
  let format: ListingFormat;
  try {
    format = listingFormat(q, header(req, 'accept'));
  } catch (err) {
    if (err instanceof BadListingFormat) throw new HttpStatus(406, 'Not Acceptable');
    throw err;
  }
  headers['Content-Type'] = CONTENT_TYPES[format];
  if (req.method === 'HEAD') return send(res, 204, { ...headers, 'Content-Length': 0 });
  const opts = listingOptions(q, maxLimit);
  if ((header(req, 'x-backend-allow-reserved-names') ?? '').toLowerCase() === 'true') opts.allowReserved = true;
  if (format === 'plain') {
    const names = source.names(opts);
    if (names.length === 0) return send(res, 204, { ...headers, 'Content-Length': 0 });
    return send(res, 200, headers, plainListing(names));
  }
  send(res, 200, headers, source.render(format, source.list(opts)));
}
