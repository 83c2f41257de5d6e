/**
 * The metadata API's root (nova/api/metadata/base.py VERSIONS, handler.py): `GET /` lists the
 * EC2 metadata versions and `latest`, one a line. No token: guests reach it through Neutron's
 * metadata proxy, which signs the instance id (handler.ts serves the rest).
 */
import type { FastifyPluginAsync } from 'fastify';

export const EC2_VERSIONS = [
  '1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10', '2007-12-15', '2008-02-01', '2008-09-01', '2009-04-04',
] as const;

export const metadataRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { config: { public: true } }, async (_req, reply) => {
    reply.type('text/plain; charset=UTF-8').send([...EC2_VERSIONS, 'latest'].join('\n'));
  });
};
