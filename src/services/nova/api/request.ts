/**
 * What route handlers of the Compute API read from a request: the caller's context, the
 * negotiated microversion, and a server the caller may see (nova's get_instance: a non-admin
 * sees only its project's servers, others are 404).
 */
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/context.js';
import type { APIVersion } from '../../../common/http/microversion.js';
import { InstanceNotFound } from '../errors.js';
import type { Instance } from '../objects/index.js';
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
