/**
 * What object_versioning's modules share: its names (sysmeta, headers), the container's
 * versioning as its HEAD tells it, its own requests (reserved names allowed), and small helpers.
 */
import { BadRequest, Forbidden, NuboError, Unauthorized } from '../../../../common/errors.js';
import { BadTimestamp, normalizeTimestamp } from '../../utils/timestamp.js';
import type { ProxyResult } from '../base.js';
import type { SwiftRequest } from '../request.js';
import { unquote } from './object-versioning-listing.js';
import { answer, pathInfo, subrequest, type Handler } from './pipeline.js';

export const SOURCE = 'OV';
export const CLIENT_ENABLED = 'x-versions-enabled';
export const SYSMETA_ENABLED = 'x-container-sysmeta-versions-enabled';
export const SYSMETA_CONTAINER = 'x-container-sysmeta-versions-container';
export const SYSMETA_SYMLINK = 'x-object-sysmeta-versions-symlink';
/** The symlink middleware's sysmeta a versions link is written with (symlink.py). */
export const LINK_TARGET_ETAG = 'x-object-sysmeta-symlink-target-etag';
export const LINK_TARGET_BYTES = 'x-object-sysmeta-symlink-target-bytes';
export const LINK_SYMLOOP_EXTEND = 'x-object-sysmeta-symloop-extend';
export const LINK_ALLOW_RESERVED = 'x-object-sysmeta-allow-reserved-names';
const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);
export const isTrue = (v: string | undefined): boolean => TRUE.has((v ?? '').toLowerCase());
export const NO_CONTAINER = 'The versions container does not exist. You may want to re-enable object versioning.';

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed' };

/** An answer's failure as an error (its message when it had one), with these headers. */
export function failure(res: ProxyResult, headers: Record<string, string> = {}): NuboError {
  const err = new NuboError(res.status, TITLES[res.status] ?? 'Error', typeof res.body === 'string' && res.body !== '' ? res.body : 'The resource could not be found.');
  Object.assign(err.headers, headers);
  return err;
}

/** The version id of a request (a timestamp, or 'null' where allowed): 400 otherwise. */
export function validVersion(id: string, allowNull: boolean): string {
  if (id === 'null' && allowNull) return id;
  try {
    return normalizeTimestamp(id);
  } catch (err) {
    if (err instanceof BadTimestamp) throw new BadRequest('Invalid version parameter');
    throw err;
  }
}

/** The request's headers but those named (lower-case). */
export function without(headers: SwiftRequest['headers'], names: readonly string[]): SwiftRequest['headers'] {
  const out = { ...headers };
  for (const n of names) delete out[n];
  return out;
}

/**
 * A version itself (in the versions container, which has no ACLs) is the account owner's: those
 * the container's ACLs (or a signature) let in are refused, as the proxy refuses them there.
 */
export function ownerOnly(req: SwiftRequest): void {
  if (req.access === 'acl' || req.access === 'public') throw req.ctx.auth ? new Forbidden() : new Unauthorized();
}

/** What a container's HEAD says of its versioning. */
export interface Versioning {
  /** The versions container (decoded), '' when versioning was never enabled. */
  location: string;
  enabled: boolean;
}

/** The container's versioning as its HEAD says (asked once per request). */
export async function containerVersioning(req: SwiftRequest, next: Handler, container = req.container!): Promise<Versioning & { status: number; headers: Record<string, string> }> {
  const info = await pathInfo(req, next, SOURCE, container);
  const location = unquote(info.headers[SYSMETA_CONTAINER] ?? '').split('/')[0]!;
  return { location, enabled: isTrue(info.headers[SYSMETA_ENABLED]), status: info.status, headers: info.headers };
}

/** A request of object_versioning's own (reserved names allowed), through the rest of the pipeline. */
export function own(req: SwiftRequest, next: Handler, over: Partial<SwiftRequest> & { method: string }): Promise<ProxyResult> {
  return answer(next, { ...subrequest(req, SOURCE, over), allowReserved: true });
}
