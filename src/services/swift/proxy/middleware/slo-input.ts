/**
 * The body of an SLO manifest PUT, checked as slo.py parse_and_validate_input does: a JSON list
 * of {path, etag?, size_bytes?, range?} or {data} (base64) items; every problem is reported
 * at once, one line per item, in a 400.
 */
import { BadRequest } from '../../../../common/errors.js';

/** A segment's byte range ('M-N', 'M-', '-N'), resolved once the object's size is known. */
export interface SegmentRange {
  resolve(size: number): { start: number; end: number } | undefined;
}

export interface SegmentInput {
  path?: string;
  etag?: string | null;
  size_bytes?: number;
  range?: SegmentRange;
  data?: string;
}

const PATH_KEYS = new Set(['path', 'range', 'etag', 'size_bytes']);

function parseRange(spec: string): SegmentRange | 'invalid' | 'multiple' {
  const parts = spec.split(',');
  if (parts.length > 1) return 'multiple';
  const m = /^\s*(\d*)-(\d*)\s*$/.exec(parts[0]!);
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'invalid';
    return { resolve: (size) => (size === 0 ? undefined : { start: Math.max(0, size - n), end: size - 1 }) };
  }
  const a = Number(m[1]);
  const b = m[2] === '' ? undefined : Number(m[2]);
  if (b !== undefined && b < a) return 'invalid';
  return { resolve: (size) => (a >= size ? undefined : { start: a, end: b === undefined ? size - 1 : Math.min(b, size - 1) }) };
}

const STRICT_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The segments of a manifest body; `objPath` is '/container/object' of the manifest itself. @throws BadRequest */
export function parseManifestInput(body: Buffer, objPath: string): SegmentInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequest('Manifest must be valid JSON.\n');
  }
  if (!Array.isArray(parsed)) throw new BadRequest('Manifest must be a list.\n');
  const errors: string[] = [];
  const out: SegmentInput[] = [];
  parsed.forEach((item: unknown, i: number) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      errors.push(`Index ${i}: not a JSON object`);
      return;
    }
    const seg = item as Record<string, unknown>;
    const type = 'path' in seg ? 'path' : 'data' in seg ? 'data' : undefined;
    if (!type) {
      errors.push(`Index ${i}: expected keys to include one of 'path' or 'data'`);
      return;
    }
    const allowed = type === 'path' ? PATH_KEYS : new Set(['data']);
    const extra = Object.keys(seg).filter((k) => !allowed.has(k)).sort();
    if (extra.length > 0) {
      errors.push(`Index ${i}: extraneous keys ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
      return;
    }
    if (type === 'data') {
      const data = typeof seg.data === 'string' ? seg.data.replace(/\s/g, '') : undefined;
      if (data === undefined || !STRICT_B64.test(data)) {
        errors.push(`Index ${i}: data must be valid base64`);
        return;
      }
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length < 1) {
        errors.push(`Index ${i}: too small; each segment must be at least 1 byte.`);
        return;
      }
      out.push({ data: bytes.toString('base64') });
      return;
    }
    if (typeof seg.path !== 'string') {
      errors.push(`Index ${i}: "path" must be a string`);
      return;
    }
    if (!(seg.etag === undefined || seg.etag === null || typeof seg.etag === 'string')) {
      errors.push(`Index ${i}: "etag" must be a string or null (if provided)`);
      return;
    }
    if (!seg.path.replace(/^\/+|\/+$/g, '').includes('/')) {
      errors.push(`Index ${i}: path does not refer to an object. Path must be of the form /container/object.`);
      return;
    }
    let size: number | undefined;
    if (seg.size_bytes !== undefined && seg.size_bytes !== null) {
      const n = typeof seg.size_bytes === 'number' ? seg.size_bytes : typeof seg.size_bytes === 'string' && /^\s*-?\d+\s*$/.test(seg.size_bytes) ? Number(seg.size_bytes) : NaN;
      if (!Number.isInteger(n)) {
        errors.push(`Index ${i}: invalid size_bytes`);
        return;
      }
      if (n < 1 && i !== parsed.length - 1) {
        errors.push(`Index ${i}: too small; each segment must be at least 1 byte.`);
        return;
      }
      size = n;
    }
    if (`/${seg.path.replace(/^\/+/, '')}` === objPath) {
      errors.push(`Index ${i}: manifest must not include itself as a segment`);
      return;
    }
    let range: SegmentRange | undefined;
    if (typeof seg.range === 'string' && seg.range !== '') {
      const r = parseRange(seg.range);
      if (r === 'invalid') {
        errors.push(`Index ${i}: invalid range`);
        return;
      }
      if (r === 'multiple') {
        errors.push(`Index ${i}: multiple ranges (only one allowed)`);
        return;
      }
      if (size !== undefined && !r.resolve(size)) {
        errors.push(`Index ${i}: unsatisfiable range`);
        return;
      }
      range = r;
    }
    out.push({ path: seg.path, ...(typeof seg.etag === 'string' ? { etag: seg.etag } : {}), ...(size !== undefined ? { size_bytes: size } : {}), ...(range ? { range } : {}) });
  });
  if (parsed.length > 0 && out.length === parsed.length && out.every((s) => s.data !== undefined)) {
    errors.push('Inline data segments require at least one object-backed segment.');
  }
  if (errors.length > 0) {
    throw new BadRequest(errors.map((e) => `${e}\n`).join(''));
  }
  return out;
}
