/**
 * The answer of a large object read as its segments (request_helpers.py SegmentedIterable, as
 * dlo.py and slo.py use it): the object's own conditions (If-Match, If-None-Match, ...) and a
 * byte Range over the whole, then each segment's needed bytes streamed one after the other,
 * never more than a chunk in memory.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { evaluateConditions, parseRange } from '../utils/conditional.js';
import type { ProxyResult } from './base.js';
import { headerOf } from './request.js';

/** One piece of the object: `length` bytes read by `read(from, to)` (offsets within the piece, inclusive). */
export interface Piece<T> {
  length: number;
  item: T;
}

export type PieceReader<T> = (item: T, from: number, to: number) => AsyncIterable<Buffer>;

export interface SegmentedAnswer<T> {
  method: 'GET' | 'HEAD';
  request: IncomingHttpHeaders;
  /** The client headers of the answer (the manifest's, with the large object's etag and type set). */
  headers: Record<string, string>;
  /** The large object's etag, unquoted. */
  etag: string;
  pieces: Array<Piece<T>>;
  read: PieceReader<T>;
}

export function segmentedResult<T>(a: SegmentedAnswer<T>): ProxyResult {
  const total = a.pieces.reduce((n, p) => n + p.length, 0);
  const headers = { ...a.headers };
  delete headers['content-range'];
  headers.etag = `"${a.etag}"`;
  headers['accept-ranges'] = 'bytes';
  const lastModified = Date.parse(headers['last-modified'] ?? '');
  const cond = evaluateConditions({
    ifMatch: headerOf(a.request, 'if-match'), ifNoneMatch: headerOf(a.request, 'if-none-match'),
    ifModifiedSince: headerOf(a.request, 'if-modified-since'), ifUnmodifiedSince: headerOf(a.request, 'if-unmodified-since'),
  }, a.etag, Number.isNaN(lastModified) ? 0 : lastModified, a.method);
  if (cond) return { status: cond, headers: { etag: headers.etag, ...(headers['last-modified'] ? { 'last-modified': headers['last-modified'] } : {}) }, body: '' };
  const range = parseRange(headerOf(a.request, 'range'), total);
  if (range === 'unsatisfiable') return { status: 416, headers: { 'content-range': `bytes */${total}` }, body: '' };
  const start = range ? range.start : 0;
  const end = range ? range.end : total - 1;
  headers['content-length'] = String(Math.max(0, end - start + 1));
  if (range) headers['content-range'] = `bytes ${start}-${end}/${total}`;
  const status = range ? 206 : 200;
  if (a.method === 'HEAD' || end < start) return { status, headers, body: '' };
  return { status, headers, body: Readable.from(streamPieces(a.pieces, a.read, start, end)) };
}

/** The bytes start..end of the joined pieces. */
async function* streamPieces<T>(pieces: Array<Piece<T>>, read: PieceReader<T>, start: number, end: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (const p of pieces) {
    const pStart = offset;
    const pEnd = offset + p.length - 1;
    offset += p.length;
    if (pEnd < start || pStart > end || p.length === 0) continue;
    yield* read(p.item, Math.max(start, pStart) - pStart, Math.min(end, pEnd) - pStart);
  }
}
