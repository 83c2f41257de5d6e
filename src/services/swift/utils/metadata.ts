/**
 * User metadata in headers (X-Account-Meta-*, X-Container-Meta-*, X-Object-Meta-*) and Swift's
 * limits on it (swift/common/constraints.py check_metadata).
 */
export interface MetadataLimits {
  maxMetaNameLength: number;
  maxMetaValueLength: number;
  maxMetaCount: number;
  maxMetaOverallSize: number;
}

export const DEFAULT_LIMITS: MetadataLimits = { maxMetaNameLength: 128, maxMetaValueLength: 256, maxMetaCount: 90, maxMetaOverallSize: 4096 };

export type HeaderMap = Record<string, string | string[] | undefined>;

export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The headers of one kind of metadata ('object' → x-object-meta-*), lower-cased names. For
 * accounts and containers X-Remove-*-Meta-<name> is <name> with an empty value (which removes
 * it); objects have no such header (a POST replaces all their metadata) and keep empty values.
 */
export function userMetadata(headers: HeaderMap, kind: 'account' | 'container' | 'object'): Record<string, string> {
  const prefix = `x-${kind}-meta-`;
  const removePrefix = `x-remove-${kind}-meta-`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    const value = Array.isArray(v) ? v.join(',') : v;
    if (value === undefined) continue;
    if (name.startsWith(prefix) && name.length > prefix.length) out[name] = value;
    else if (kind !== 'object' && name.startsWith(removePrefix) && name.length > removePrefix.length) out[prefix + name.slice(removePrefix.length)] = '';
  }
  return out;
}

/** check_metadata: returns the first problem as Swift words it, or undefined. */
export function checkMetadata(meta: Record<string, string>, kind: string, limits: MetadataLimits = DEFAULT_LIMITS): string | undefined {
  const prefix = `x-${kind}-meta-`;
  let count = 0;
  let size = 0;
  for (const [key, value] of Object.entries(meta)) {
    if (value === '') continue;
    const name = key.slice(prefix.length);
    count++;
    size += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (Buffer.byteLength(name) > limits.maxMetaNameLength) return `Metadata name too long: ${prefix}${name}`;
    if (Buffer.byteLength(value) > limits.maxMetaValueLength) return `Metadata value longer than ${limits.maxMetaValueLength}: ${prefix}${name}`;
    if (count > limits.maxMetaCount) return `Too many metadata items; max ${limits.maxMetaCount}`;
    if (size > limits.maxMetaOverallSize) return `Total metadata too large; max ${limits.maxMetaOverallSize}`;
  }
  return undefined;
}

/** Title-cases a header name for responses ('x-object-meta-color' → 'X-Object-Meta-Color'). */
export function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
