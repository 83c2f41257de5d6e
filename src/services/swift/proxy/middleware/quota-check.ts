/**
 * What the two quota middlewares share: the length an object upload adds, and the 413 of an
 * upload over a quota.
 */
import { PayloadTooLarge } from '../../../../common/errors.js';
import { headerOf, type SwiftRequest } from '../request.js';

/** An object write that adds data: a PUT (a copy included). */
export const isObjectUpload = (req: SwiftRequest): boolean => req.method === 'PUT' && req.object !== undefined && req.object !== '';

/** The bytes the upload announces (0 for a chunked one, as Swift counts it). */
export function uploadLength(req: SwiftRequest): number {
  const v = headerOf(req.headers, 'content-length');
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

export const overQuota = (): PayloadTooLarge => new PayloadTooLarge('Upload exceeds quota.');

/** A quota value: a non-negative integer, '' (none), or undefined (not given). */
export function quotaValue(v: string | undefined): number | '' | undefined | 'invalid' {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t === '') return '';
  return /^\d+$/.test(t) ? Number(t) : 'invalid';
}
