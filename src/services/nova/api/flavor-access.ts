/**
 * Private flavor access (nova/api/openstack/compute/flavor_access.py): GET
 * /flavors/{flavor_id}/os-flavor-access lists the projects a private flavor is shared with (404
 * for a public one), and POST /flavors/{flavor_id}/action with addTenantAccess or
 * removeTenantAccess changes the list (adding to a public flavor is a 409 from 2.7, a project
 * already there a 409, one not there a 404; a project Keystone does not know cannot be added).
 * Admin only by default.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest, Conflict, NotFound } from '../../../common/errors.js';
import type { Flavor } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller, getFlavor } from './request.js';
import { addTenantAccessSchema, removeTenantAccessSchema } from './schemas/flavors.js';
import { validateBody } from './validation.js';

const rule = (name: string): string => `os_compute_api:os-flavor-access:${name}`;

async function accessView(deps: ApiDeps, flavor: Flavor): Promise<unknown> {
  const projects = await deps.repos.flavors.projects(flavor);
  return { flavor_access: projects.map((p) => ({ flavor_id: flavor.data.flavorid, tenant_id: p })) };
}

export function flavorAccessRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { flavor_id: string } }>('/flavors/:flavor_id/os-flavor-access', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, 'os_compute_api:os-flavor-access');
    const flavor = await getFlavor(deps, c, req.params.flavor_id);
    if (flavor.data.is_public) throw new NotFound('Access list not available for public flavors.');
    return accessView(deps, flavor);
  });

  app.post<{ Params: { flavor_id: string } }>('/flavors/:flavor_id/action', async (req) => {
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) throw new BadRequest('Malformed request body');
    const keys = Object.keys(body);
    const c = caller(req, deps);
    if (keys.length === 1 && keys[0] === 'addTenantAccess') {
      const { addTenantAccess: { tenant } } = validateBody<{ addTenantAccess: { tenant: string } }>(addTenantAccessSchema, body);
      deps.policy.can(c.ctx, rule('add_tenant_access'), {});
      if (!(await deps.projectExists(tenant))) throw new BadRequest(`Project ID ${tenant} is not a valid project.`);
      const flavor = await getFlavor(deps, c, req.params.flavor_id);
      if (c.version.atLeast('2.7') && flavor.data.is_public) throw new Conflict('Can not add access to a public flavor.');
      await deps.flavors.addAccess(c.ctx, flavor, tenant);
      return accessView(deps, flavor);
    }
    if (keys.length === 1 && keys[0] === 'removeTenantAccess') {
      const { removeTenantAccess: { tenant } } = validateBody<{ removeTenantAccess: { tenant: string } }>(removeTenantAccessSchema, body);
      deps.policy.can(c.ctx, rule('remove_tenant_access'), {});
      const flavor = await getFlavor(deps, c, req.params.flavor_id);
      await deps.flavors.removeAccess(c.ctx, flavor, tenant);
      return accessView(deps, flavor);
    }
    throw new BadRequest(`There is no such action: ${keys.join(', ')}`);
  });
}
