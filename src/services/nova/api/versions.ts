/**
 * The version documents (nova/api/openstack/compute/versions.py and views/versions.py):
 * `GET /compute/` lists v2.0 (SUPPORTED, the legacy API) and v2.1 (CURRENT, with its
 * microversion range); `GET /compute/v2.1/` describes v2.1 and `GET /compute/v2/` v2.0 (the
 * legacy API's version document; the legacy API itself, `/compute/v2[/{project_id}]/...`, is
 * the v2.1 API at microversion 2.1: legacy-v2.ts). They need no token, but for the project's
 * own: `/v2.1/{project_id}/` and `/v2/{project_id}/` are the API's (api-paste.ini's `/v2.1/+`,
 * behind authtoken), where the router's `/{project_id}/` shows the same document.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFound } from '../../../common/errors.js';
import { rewrittenPath } from '../../../common/http/path-rewrite.js';
import { urlProjectMismatch } from './legacy-v2.js';
import { MAX_API_VERSION, MIN_API_VERSION } from './microversions.js';

interface VersionDoc {
  id: string;
  status: string;
  version: string;
  min_version: string;
  updated: string;
  links: Array<{ rel: string; href: string; type?: string }>;
  'media-types': Array<{ base: string; type: string }>;
}

const VERSIONS: Record<'v2.0' | 'v2.1', Omit<VersionDoc, 'links'>> = {
  'v2.0': {
    id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z',
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2' }],
  },
  'v2.1': {
    id: 'v2.1', status: 'CURRENT', version: MAX_API_VERSION, min_version: MIN_API_VERSION, updated: '2013-07-23T11:33:21Z',
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  },
};

const DESCRIBED_BY = { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' };

/** GET / and GET /v2 (also with a slash). `baseUrl` is the project's public base URL. */
export function versionRoutes(app: FastifyInstance, baseUrl: string): void {
  const base = baseUrl.replace(/\/$/, '');
  app.get('/', { config: { public: true } }, async () => ({
    versions: (['v2.0', 'v2.1'] as const).map((id) => {
      const { 'media-types': _m, ...v } = VERSIONS[id];
      return { ...v, links: [{ rel: 'self', href: `${base}/${id === 'v2.0' ? 'v2' : 'v2.1'}/` }] };
    }),
  }));
  // VersionsV2.index: the version with its self link first, then describedby. The legacy
  // pipeline has compute_req_id but no microversions.
  app.get('/v2', { config: { public: withoutProject } }, async (req, reply) => {
    reply.header('x-compute-request-id', req.id);
    projectPathCheck(req);
    return { version: { ...VERSIONS['v2.0'], links: [{ rel: 'self', href: `${base}/v2/` }, DESCRIBED_BY] } };
  });
}

/**
 * GET /v2.1 (also with a slash), registered inside the v2.1 API: as in Nova, microversion
 * negotiation and its headers apply (an unsupported version is a 406) and the response has
 * X-Compute-Request-Id.
 */
export function versionV21Route(v21: FastifyInstance, baseUrl: string): void {
  const base = baseUrl.replace(/\/$/, '');
  v21.get('/', { config: { public: withoutProject } }, async (req) => {
    projectPathCheck(req);
    return { version: { ...VERSIONS['v2.1'], links: [{ rel: 'self', href: `${base}/v2.1/` }, DESCRIBED_BY] } };
  });
}

/** Whether the path named no project id: the urlmap's version document, which needs no token. */
function withoutProject(req: FastifyRequest): boolean {
  return rewrittenPath(req.raw)?.projectId === undefined;
}

/**
 * `/v2.1/{project_id}/` (the token checked by then): without the slash Nova's router has no
 * route (404, as `/v2.1/{project_id}` answers in Nova 26), and the project must be the caller's
 * (400; the v2.1 API's own hook says so first).
 */
function projectPathCheck(req: FastifyRequest): void {
  if (withoutProject(req)) return;
  const url = req.originalUrl;
  const q = url.indexOf('?');
  if (!(q < 0 ? url : url.slice(0, q)).endsWith('/')) throw new NotFound('The resource could not be found.');
  const mismatch = urlProjectMismatch(req);
  if (mismatch) throw mismatch;
}
