/**
 * A server's security groups (nova/api/openstack/compute/security_groups.py
 * ServerSecurityGroupController): GET /servers/{id}/os-security-groups lists the groups of its
 * ports in Neutron, with their ingress rules. The addSecurityGroup / removeSecurityGroup actions
 * are in server-actions/security-groups.ts.
 */
import type { FastifyInstance } from 'fastify';
import { instanceSecurityGroups } from '../network/security-groups.js';
import type { ApiDeps } from './deps.js';
import { authorizedServer } from './server-scope.js';

export function serverSecurityGroupsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/os-security-groups', async (req) => {
    const { c, instance } = await authorizedServer(req, deps, 'os_compute_api:os-security-groups:list');
    return { security_groups: await instanceSecurityGroups(deps.compute.network.clientFor(c.ctx), instance.uuid) };
  });
}
