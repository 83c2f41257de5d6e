/**
 * A method that does not exist at the negotiated microversion (nova's
 * VersionNotFoundForAPIMethod): 404, as for an unknown path.
 */
import { NotFound } from '../errors.js';
import type { Caller } from './request.js';

/** @throws NotFound below `min` */
export function requireVersion(c: Caller, min: string): void {
  if (!c.version.atLeast(min)) throw new NotFound('The resource could not be found.');
}

/** A method removed after `max` (the proxy APIs' MAX_PROXY_API_SUPPORT_VERSION, os-hosts' 2.42). @throws NotFound above `max` */
export function requireVersionAtMost(c: Caller, max: string): void {
  if (!c.version.inRange('2.1', max)) throw new NotFound('The resource could not be found.');
}
