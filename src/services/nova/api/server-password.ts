/**
 * The server password (nova/api/openstack/compute/server_password.py): GET
 * /servers/{id}/os-server-password answers the encrypted password the guest posted to the
 * metadata API ('' when none); DELETE clears it (the guest's password itself is unchanged).
 */
import type { FastifyInstance } from 'fastify';
import { readPassword, storePassword } from '../metadata/password.js';
import type { ApiDeps } from './deps.js';
import { authorizedServer } from './server-scope.js';

const rule = (name: string): string => `os_compute_api:os-server-password:${name}`;

export function serverPasswordRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/os-server-password', async (req) => {
    const { instance } = await authorizedServer(req, deps, rule('show'));
    return { password: (await readPassword(deps.repos.metadata, instance)) ?? '' };
  });

  app.delete<{ Params: { id: string } }>('/servers/:id/os-server-password', async (req, reply) => {
    const { instance } = await authorizedServer(req, deps, rule('clear'));
    await storePassword(deps.repos.metadata, instance, null);
    return reply.code(204).send();
  });
}
