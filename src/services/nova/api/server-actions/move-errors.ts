/**
 * How the move actions answer nova's exceptions (the except clauses of servers.py _resize /
 * _action_confirm_resize / _action_revert_resize, migrate_server.py, evacuate.py, shelve.py):
 * quota 403; a missing migration to confirm or revert 400 "Instance has not been resized.";
 * a source service down 409; an unknown host 400 (404 for evacuate, its own message); an
 * unknown flavor 400.
 */
import { BadRequest, Conflict, Forbidden, NotFound } from '../../../../common/errors.js';
import { ComputeHostNotFound, FlavorNotFound, MigrationNotFound, OverQuota, ServiceUnavailable } from '../../errors.js';
import type { ActionCall } from './index.js';

export function moveError(err: unknown, opts: { hostNotFound?: 'evacuate' } = {}): unknown {
  if (err instanceof OverQuota) return new Forbidden(err.message);
  if (err instanceof FlavorNotFound) return new BadRequest(err.message);
  if (err instanceof MigrationNotFound) return new BadRequest('Instance has not been resized.');
  if (err instanceof ServiceUnavailable) return new Conflict(err.message);
  if (err instanceof ComputeHostNotFound) {
    if (opts.hostNotFound === 'evacuate') return new NotFound(err.message.replace(/^Compute host (.*) could not be found\.$/, 'Compute host $1 not found.'));
    return new BadRequest(err.message);
  }
  return err;
}

/** The policy target of a server's owner. */
export function ownerTarget(c: ActionCall): { user_id: string; project_id: string } {
  return { user_id: c.instance.data.user_id, project_id: c.instance.data.project_id };
}

/** Run the move and answer 202, its errors as above. */
export async function accepted(c: ActionCall, fn: () => Promise<void>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    throw moveError(err);
  }
  return c.reply.code(202).send();
}
