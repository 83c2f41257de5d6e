/**
 * os-floating-ips and os-floating-ip-pools (nova's FloatingIPController and
 * FloatingIPPoolsController), proxied to Neutron with the caller's token up to 2.35 (404 from
 * 2.36): the project's floating IPs (id, ip, pool, fixed_ip, instance_id), allocate one from a
 * pool by name or id ([neutron] default_floating_pool when none is asked), release one (202,
 * disassociating it first), and the pools, Neutron's external networks.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { Instance } from '../objects/index.js';
import {
  allocateFloatingIp, floatingIpPools, floatingIpsOfProject, getFloatingIp, releaseFloatingIp, type DetailedFloatingIp,
} from '../network/floating-ip-api.js';
import type { ApiDeps } from './deps.js';
import { authorizeProxy, requireProxyVersion } from './proxy-gate.js';
import { caller, getInstance, type Caller } from './request.js';

/** _translate_floating_ip_view. */
export function floatingIpView(fip: DetailedFloatingIp): Record<string, unknown> {
  return {
    id: fip.id,
    ip: fip.floating_ip_address,
    pool: fip.network_details.name || fip.network_details.id,
    fixed_ip: fip.fixed_ip_address,
    instance_id: fip.port_details ? (fip.port_details.device_id ?? null) : null,
  };
}

/** The network info cache of the server a floating IP was (or now is) NAT'ed to, refreshed (nova's @refresh_cache). */
export async function refreshNetworkCache(deps: ApiDeps, instance: Instance | undefined): Promise<void> {
  if (!instance) return;
  await deps.repos.instances.setNetworkInfo(instance.uuid, await deps.compute.network.networkInfo(instance));
}

/** get_instance_by_floating_ip_addr: the server of the floating IP's port, if it is one the caller sees. */
export async function instanceOf(deps: ApiDeps, c: Caller, fip: DetailedFloatingIp): Promise<Instance | undefined> {
  const deviceId = fip.port_details?.device_id;
  if (!fip.port_id || !deviceId) return undefined;
  return getInstance(deps, c, deviceId);
}

export function floatingIpsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const client = (c: Caller) => deps.compute.network.clientFor(c.ctx);

  app.get('/os-floating-ips', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-floating-ips:list');
    return { floating_ips: (await floatingIpsOfProject(client(c), c.ctx.projectId ?? '')).map(floatingIpView) };
  });

  app.get<{ Params: { id: string } }>('/os-floating-ips/:id', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-floating-ips:show');
    return { floating_ip: floatingIpView(await getFloatingIp(client(c), req.params.id)) };
  });

  app.post('/os-floating-ips', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-floating-ips:create');
    const body = req.body;
    let pool: unknown = null;
    if (body && typeof body === 'object' && !Array.isArray(body) && 'pool' in body) pool = (body as Record<string, unknown>)['pool'];
    if (pool !== null && pool !== undefined && typeof pool !== 'string') throw new BadRequest('Invalid input for field/attribute pool. The pool must be a string.');
    const asked = typeof pool === 'string' && pool !== '';
    const fip = await allocateFloatingIp(client(c), asked ? pool as string : deps.settings.defaultFloatingPool ?? 'nova', asked);
    return { floating_ip: floatingIpView(fip) };
  });

  app.delete<{ Params: { id: string } }>('/os-floating-ips/:id', async (req, reply) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-floating-ips:delete');
    const fip = await getFloatingIp(client(c), req.params.id);
    const instance = await instanceOf(deps, c, fip);
    await releaseFloatingIp(client(c), fip);
    await refreshNetworkCache(deps, instance);
    return reply.code(202).send();
  });

  app.get('/os-floating-ip-pools', async (req) => {
    const c = caller(req, deps);
    requireProxyVersion(c);
    deps.policy.can(c.ctx, 'os_compute_api:os-floating-ip-pools', {});
    return { floating_ip_pools: (await floatingIpPools(client(c))).map((n) => ({ name: n.name || n.id })) };
  });
}
