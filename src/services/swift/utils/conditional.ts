/**
 * Conditional and range requests on an object (swob's conditional_response): If-Match,
 * If-None-Match, If-Modified-Since, If-Unmodified-Since and a single byte Range.
 */
export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

const tags = (h: string): string[] => h.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, '')).filter(Boolean);

/** 412, 304 or undefined (go on) for an object with this etag and Last-Modified time (ms). */
export function evaluateConditions(c: Conditions, etag: string, lastModifiedMs: number, method: string): 304 | 412 | undefined {
  if (c.ifMatch !== undefined) {
    const t = tags(c.ifMatch);
    if (!t.includes('*') && !t.includes(etag)) return 412;
  } else if (c.ifUnmodifiedSince !== undefined) {
    const since = Date.parse(c.ifUnmodifiedSince);
    if (!Number.isNaN(since) && lastModifiedMs > since) return 412;
  }
  if (c.ifNoneMatch !== undefined) {
    const t = tags(c.ifNoneMatch);
    if (t.includes('*') || t.includes(etag)) return method === 'GET' || method === 'HEAD' ? 304 : 412;
  } else if (c.ifModifiedSince !== undefined && (method === 'GET' || method === 'HEAD')) {
    const since = Date.parse(c.ifModifiedSince);
    if (!Number.isNaN(since) && lastModifiedMs <= since) return 304;
  }
  return undefined;
}

/** A single satisfiable byte range [start, end] of `size`, 'unsatisfiable', or undefined (whole body: no header, several ranges, or malformed). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(.+)$/i.exec(header.trim());
  if (!m) return undefined;
  const specs = m[1]!.split(',').map((s) => s.trim());
  if (specs.length !== 1) return undefined;
  const r = /^(\d*)-(\d*)$/.exec(specs[0]!);
  if (!r || (r[1] === '' && r[2] === '')) return undefined;
  if (r[1] === '') {
    const suffix = Number(r[2]);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(r[1]);
  const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
  if (r[2] !== '' && Number(r[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
