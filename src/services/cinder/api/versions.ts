/**
 * The version documents (cinder/api/versions.py): `GET /volume/` lists the versions with
 * 300 Multiple Choices, `GET /volume/v3/` answers 200 with the same list (v3.0, CURRENT,
 * 3.0 to 3.70); no token is needed.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_VERSION, MIN_VERSION, VERSION_UPDATED } from './microversions.js';

export function versionsDocument(baseUrl: string): Record<string, unknown> {
  return {
    versions: [{
      id: 'v3.0', status: 'CURRENT', version: MAX_VERSION, min_version: MIN_VERSION, updated: VERSION_UPDATED,
      links: [
        { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
        { rel: 'self', href: `${baseUrl}/v3/` },
      ],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
    }],
  };
}

export function versionRoutes(app: FastifyInstance, baseUrl: string): void {
  const open = { config: { public: true } };
  app.get('/', open, async (_req, reply) => reply.code(300).send(versionsDocument(baseUrl)));
  app.get('/v3', open, async () => versionsDocument(baseUrl));
}
