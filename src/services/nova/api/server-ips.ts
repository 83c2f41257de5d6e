/**
 * A server's addresses by network (nova/api/openstack/compute/ips.py): GET /servers/{id}/ips
 * and /servers/{id}/ips/{network_label}, in the plain form ({version, addr}) of nova's
 * addresses view without the OS-EXT-IPS extensions.
 */
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance } from './request.js';
import { addressesView } from './views/servers.js';

export function serverIpsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/ips', async (req) => {
    const c = caller(req, deps);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, 'os_compute_api:ips:index', { project_id: instance.data.project_id });
    return { addresses: addressesView(instance, false) };
  });

  app.get<{ Params: { id: string; label: string } }>('/servers/:id/ips/:label', async (req) => {
    const c = caller(req, deps);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, 'os_compute_api:ips:show', { project_id: instance.data.project_id });
    const addresses = addressesView(instance, false);
    if (!Object.hasOwn(addresses, req.params.label)) throw new NotFound('Instance is not a member of specified network');
    return { [req.params.label]: addresses[req.params.label] };
  });
}
