/**
 * POST /servers/{id}/action (nova's wsgi action dispatch): the body's one key names the action;
 * each action's module registers its handler here with the microversions it exists in. An
 * unknown action, or one outside its microversions, is a 400 "There is no such action".
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequest, Conflict } from '../../../../common/errors.js';
import { InstanceInvalidState, InstanceIsLocked } from '../../errors.js';
import type { Instance } from '../../objects/index.js';
import type { ApiDeps } from '../deps.js';
import { caller, getInstance, type Caller } from '../request.js';
import { adminActions } from './admin-actions.js';
import { adminPasswordActions } from './admin-password.js';
import { consoleOutputActions } from './console-output.js';
import { consoleActions } from './consoles.js';
import { crashDumpActions } from './crash-dump.js';
import { deleteActions } from './delete.js';
import { imageActions } from './images.js';
import { lockActions } from './lock.js';
import { pauseActions } from './pause.js';
import { powerActions } from './power.js';
import { rebuildActions } from './rebuild.js';
import { rescueActions } from './rescue.js';
import { securityGroupActions } from './security-groups.js';
import { evacuateActions } from './evacuate.js';
import { moveActions } from './move.js';
import { shelveActions } from './shelve.js';
import { floatingIpActions } from './floating-ips.js';

/** What an action handler gets. */
export interface ActionCall {
  deps: ApiDeps;
  caller: Caller;
  instance: Instance;
  /** The value under the action's key. */
  body: unknown;
  reply: FastifyReply;
}

export interface ServerAction {
  /** The body key ('os-stop', 'forceDelete', ...). */
  name: string;
  minVersion?: string;
  maxVersion?: string;
  run(call: ActionCall): Promise<unknown>;
}

const ACTIONS: readonly ServerAction[] = [
  ...deleteActions, ...powerActions, ...consoleOutputActions,
  ...pauseActions, ...lockActions, ...rescueActions, ...adminActions, ...adminPasswordActions, ...crashDumpActions, ...imageActions,
  ...rebuildActions, ...consoleActions,
  ...securityGroupActions,
  ...moveActions, ...evacuateActions, ...shelveActions,
  ...floatingIpActions,
];

/** nova's raise_http_conflict_for_instance_invalid_state. */
export function invalidStateConflict(err: unknown, action: string, id: string): unknown {
  if (err instanceof InstanceIsLocked) return new Conflict(err.message);
  if (err instanceof InstanceInvalidState) {
    const m = /in (\S+) (\S+)\. Cannot/.exec(err.message);
    return new Conflict(m ? `Cannot '${action}' instance ${id} while it is in ${m[1]} ${m[2]}` : err.message);
  }
  return err;
}

export async function serverAction(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, deps: ApiDeps): Promise<unknown> {
  const body = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) throw new BadRequest('Malformed request body');
  const name = Object.keys(body)[0]!;
  const c = caller(req, deps);
  const action = ACTIONS.find((a) => a.name === name && c.version.inRange(a.minVersion ?? '2.1', a.maxVersion));
  if (!action || Object.keys(body).length > 1) throw new BadRequest(`There is no such action: ${Object.keys(body).join(', ')}`);
  const instance = await getInstance(deps, c, req.params.id);
  try {
    return await action.run({ deps, caller: c, instance, body: (body as Record<string, unknown>)[name], reply });
  } catch (err) {
    throw invalidStateConflict(err, name, instance.uuid);
  }
}
