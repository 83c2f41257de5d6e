/**
 * What route handlers of the Compute API read from a request: the caller's context, the
 * negotiated microversion, a server the caller may see (nova's get_instance: a non-admin
 * sees only its project's servers, others are 404) and a flavor the caller may see (nova's
 * common.get_flavor: a non-admin sees public flavors and the private ones shared with its
 * project).
 */
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/context.js';
import type { APIVersion } from '../../../common/http/microversion.js';
import { FlavorNotFound, InstanceNotFound } from '../errors.js';
import type { Flavor, Instance } from '../objects/index.js';
import type { ApiDeps } from './deps.js';

export interface Caller {
  ctx: RequestContext;
  version: APIVersion;
  isAdmin: boolean;
}

export function caller(req: FastifyRequest, deps: ApiDeps): Caller {
  return { ctx: req.ctx, version: req.apiVersion, isAdmin: deps.policy.isAdmin(req.ctx) };
}

/** @throws InstanceNotFound for another project's server unless the caller is an admin */
export async function getInstance(deps: ApiDeps, c: Caller, uuid: string): Promise<Instance> {
  const instance = await deps.repos.instances.get(uuid);
  if (!c.isAdmin && instance.data.project_id !== c.ctx.projectId) throw new InstanceNotFound(uuid);
  return instance;
}

/** @throws FlavorNotFound for a private flavor not shared with the caller's project unless the caller is an admin */
export async function getFlavor(deps: ApiDeps, c: Caller, flavorid: string): Promise<Flavor> {
  const flavor = await deps.repos.flavors.getByFlavorId(flavorid);
  if (!c.isAdmin && !flavor.data.is_public && !(c.ctx.projectId && await deps.repos.flavors.projectHasAccess(flavor.data.id, c.ctx.projectId))) {
    throw new FlavorNotFound(flavorid);
  }
  return flavor;
}
