/**
 * The version documents (nova/api/openstack/compute/versions.py and views/versions.py):
 * `GET /compute/` lists v2.0 (SUPPORTED, the legacy API) and v2.1 (CURRENT, with its
 * microversion range); `GET /compute/v2.1/` describes v2.1 and `GET /compute/v2/` v2.0 (the
 * legacy API's version document; the legacy API itself, `/compute/v2[/{project_id}]/...`, is
 * the v2.1 API at microversion 2.1: legacy-v2.ts). They need no token.
 */
import type { FastifyInstance } from 'fastify';
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

/** GET /, GET /v2.1 and GET /v2 (also with a slash). `baseUrl` is the project's public base URL. */
export function versionRoutes(app: FastifyInstance, baseUrl: string): void {
  const base = baseUrl.replace(/\/$/, '');
  app.get('/', { config: { public: true } }, async () => ({
    versions: (['v2.0', 'v2.1'] as const).map((id) => {
      const { 'media-types': _m, ...v } = VERSIONS[id];
      return { ...v, links: [{ rel: 'self', href: `${base}/${id === 'v2.0' ? 'v2' : 'v2.1'}/` }] };
    }),
  }));
  // VersionsV2.index: the version with its self link first, then describedby.
  app.get('/v2.1', { config: { public: true } }, async () => ({
    version: { ...VERSIONS['v2.1'], links: [{ rel: 'self', href: `${base}/v2.1/` }, DESCRIBED_BY] },
  }));
  app.get('/v2', { config: { public: true } }, async () => ({
    version: { ...VERSIONS['v2.0'], links: [{ rel: 'self', href: `${base}/v2/` }, DESCRIBED_BY] },
  }));
}
