/**
 * A server's security groups (nova/api/openstack/compute/security_groups.py
 * ServerSecurityGroupController): GET /servers/{id}/os-security-groups lists the groups of its
 * ports in Neutron, with their ingress rules. The addSecurityGroup / removeSecurityGroup actions
 * are in server-actions/security-groups.ts.
 */
import type { FastifyInstance } from 'fastify';
import { instanceSecurityGroups } from '../network/security-groups.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance } from './request.js';

export function serverSecurityGroupsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/os-security-groups', async (req) => {
    const c = caller(req, deps);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, 'os_compute_api:os-security-groups:list', { project_id: instance.data.project_id });
    return { security_groups: await instanceSecurityGroups(deps.compute.network.clientFor(c.ctx), instance.uuid) };
  });
}
