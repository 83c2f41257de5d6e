/**
 * Version discovery as keystone/api/discovery.py: `GET /` answers 300 Multiple Choices with
 * the one stable version (and a Location header), `GET /v3` the version itself. Public.
 */
import type { FastifyInstance } from 'fastify';

export function versionDocument(baseUrl: string): Record<string, unknown> {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${baseUrl}/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

export function registerVersionRoutes(app: FastifyInstance, baseUrl: string): void {
  const versions = JSON.stringify({ versions: { values: [versionDocument(baseUrl)] } });
  const version = JSON.stringify({ version: versionDocument(baseUrl) });
  app.get('/', { config: { public: true } }, async (_req, reply) => {
    reply.code(300).header('location', `${baseUrl}/v3/`).type('application/json').send(versions);
  });
  app.get('/v3', { config: { public: true } }, async (_req, reply) => {
    reply.type('application/json').send(version);
  });
}
