/**
 * Placement's microversions (placement/microversion.py, 1.0 to 1.39 at Zed) and their
 * negotiation exactly as microversion-parse's middleware does it: the last `placement X.Y`
 * entry of OpenStack-API-Version wins, `latest` is the maximum, no header is the minimum, a
 * value that does not parse is 400 and one outside the list is 406; the response names the
 * version in OpenStack-API-Version and, on success, varies on that header.
 */
import { APIVersion, byVersion } from '../../../common/http/microversion.js';
import { HTTPBadRequest, HTTPNotAcceptable } from '../errors.js';

export const SERVICE_TYPE = 'placement';
export const MIN_VERSION = '1.0';
export const MAX_VERSION = '1.39';
const MAX_MINOR = 39;

export { APIVersion, byVersion };

/** Python's int() of a version component (surrounding blanks allowed, one sign, digits). */
function pyInt(text: string): number | undefined {
  const t = text.trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : undefined;
}

/** microversion_parse.parse_version_string (errors as its TypeError text). */
function parseVersion(text: string): APIVersion {
  const dot = text.indexOf('.');
  const parts = dot === -1 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
  const nums = parts.map(pyInt);
  const bad = parts.find((_, i) => nums[i] === undefined);
  if (bad !== undefined) throw new HTTPBadRequest(`Invalid microversion: invalid version string: ${text}; invalid literal for int() with base 10: '${bad}'`);
  if (nums.length < 2) throw new HTTPBadRequest(`Invalid microversion: invalid version string: ${text}; __new__() missing 1 required positional argument: 'minor'`);
  return new APIVersion(nums[0]!, nums[1]!);
}

/** The version requested in OpenStack-API-Version for placement, if any. */
function requested(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined) return undefined;
  for (const entry of value.split(',').reverse()) {
    const m = /^(\S+)\s+(.+)$/.exec(entry.trim());
    if (m && m[1]!.toLowerCase() === SERVICE_TYPE) return m[2]!.trim();
  }
  return undefined;
}

/** The version a request asks for; HTTPBadRequest / HTTPNotAcceptable as microversion-parse. */
export function negotiate(header: string | string[] | undefined): APIVersion {
  let text = requested(header) ?? MIN_VERSION;
  if (text === 'latest') text = MAX_VERSION;
  const v = parseVersion(text);
  if (v.major !== 1 || v.minor < 0 || v.minor > MAX_MINOR) throw new HTTPNotAcceptable(`Invalid microversion: Unacceptable version header: ${text}`);
  return v;
}
