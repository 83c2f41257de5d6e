/**
 * RPC API version compatibility, as oslo_messaging/_utils.py version_is_compatible: a request
 * for `version` can be served by an implementation of `impVersion` when the majors are equal
 * and the requested minor (and revision) is not above the implemented one.
 */
import { MessagingError } from './errors.js';

function parse(version: string): [number, number, number] {
  const parts = version.split('.');
  const nums = parts.map((p) => Number(p));
  if (parts.length < 2 || parts.length > 3 || nums.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new MessagingError(`Version must contain a major and minor integer. Got ${version}`);
  }
  return [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0];
}

/** True when an implementation of `impVersion` can serve a request for `version`. */
export function versionIsCompatible(impVersion: string | undefined, version: string | undefined): boolean {
  if (impVersion === undefined) return true;
  if (version === undefined) return false;
  const [maj, min, rev] = parse(version);
  const [impMaj, impMin, impRev] = parse(impVersion);
  if (maj !== impMaj) return false;
  if (min > impMin) return false;
  if (min === impMin && rev > impRev) return false;
  return true;
}

/** Throws a MessagingError when `version` is not of the form `X.Y` or `X.Y.Z`. */
export function checkVersionFormat(version: string): void {
  parse(version);
}
