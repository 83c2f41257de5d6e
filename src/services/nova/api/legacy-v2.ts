/**
 * The Compute API's other paths (etc/nova/api-paste.ini, nova/api/openstack/__init__.py, Zed):
 * every route also with the project id after the version (ProjectMapper's
 * `{project_id:[0-9a-f-]+}`), and the legacy v2 API at `/v2[/{project_id}]/...`
 * (openstack_compute_api_v21_legacy_v2_compatible: the v2.1 API behind
 * LegacyV2CompatibleWrapper). Both are served by the /v2.1 routes through the path rewrites of
 * common/http/path-rewrite.ts; what differs is read from the request here:
 *
 * - a project id in the path must be the token's (wsgi.py's Resource._process_stack: 400);
 * - a legacy v2 request is microversion 2.1 whatever its headers say and gets no microversion
 *   headers (microversions.ts), its body validation strips unknown properties
 *   (validation.ts), and its links name /v2 (links.ts).
 */
import type { FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { currentRewrittenPath, rewrittenPath, type PathRewriteOptions } from '../../../common/http/path-rewrite.js';

/** The version segment of the legacy v2 API. */
export const LEGACY_V2 = 'v2';

/** The paths the /v2.1 routes also serve. */
export const COMPUTE_PATH_REWRITES: PathRewriteOptions = {
  versions: [{ version: 'v2.1' }, { version: LEGACY_V2, routedAs: 'v2.1' }],
  projectIdChars: '0123456789abcdef-',
};

/** Whether `req` came in through the legacy v2 API (Request.is_legacy_v2). */
export function isLegacyV2(req: FastifyRequest): boolean {
  return rewrittenPath(req.raw)?.version === LEGACY_V2;
}

/** Whether the request being served came in through the legacy v2 API (for code not handed the request). */
export function servingLegacyV2(): boolean {
  return currentRewrittenPath()?.version === LEGACY_V2;
}

/**
 * The 400 of a project id in the path that is not the caller's (also for an admin), or
 * undefined. An unknown path is a 404 first, as the router answers before the resource.
 */
export function urlProjectMismatch(req: FastifyRequest): BadRequest | undefined {
  const projectId = rewrittenPath(req.raw)?.projectId;
  if (projectId === undefined || projectId === req.ctx.projectId || req.is404) return undefined;
  return new BadRequest(`Malformed request URL: URL's project_id '${projectId}' doesn't match Context's project_id '${req.ctx.projectId ?? 'None'}'`);
}
