/**
 * What the per-server sub-resources share: the server of the path, after the policy rule
 * allowed the caller on its project (another project's server is a 404 first), and the
 * controllers' translation of compute API errors, by class name (they may come back from a
 * compute host over RPC), to the status the controller answers.
 */
import type { FastifyRequest } from 'fastify';
import { BadRequest, Conflict, Forbidden, NotFound, NuboError } from '../../../common/errors.js';
import type { Instance } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance, type Caller } from './request.js';

export async function authorizedServer(req: FastifyRequest<{ Params: { id: string } }>, deps: ApiDeps, rule: string): Promise<{ c: Caller; instance: Instance }> {
  const c = caller(req, deps);
  const instance = await getInstance(deps, c, req.params.id);
  deps.policy.can(c.ctx, rule, { project_id: instance.data.project_id });
  return { c, instance };
}

const BY_STATUS: Readonly<Record<number, new (message: string) => NuboError>> = { 400: BadRequest, 403: Forbidden, 404: NotFound, 409: Conflict };

/** The error a controller answers for `err`, from its class name -> status table; others as they are. */
export function controllerError(err: unknown, statusByName: Readonly<Record<string, number>>): unknown {
  if (!(err instanceof NuboError)) return err;
  const Cls = BY_STATUS[statusByName[err.name] ?? 0];
  return Cls ? new Cls(err.message) : err;
}
