/**
 * wrap_instance_event (nova/compute/utils.py EventReporter): a step a service runs for instance
 * actions is recorded as an event of the action each request started (found by the request id
 * the context carries): its start, its end, and on failure 'Error' with the traceback. Work no
 * action started (periodic tasks) runs unrecorded, as nova's graceful_exit.
 */
import type { RequestContext } from '../../../common/context.js';
import type { InstanceActionRepo } from '../db/instance-actions.js';

export async function withInstanceEvent<T>(
  actions: InstanceActionRepo, ctx: RequestContext, instanceUuids: string | readonly string[], event: string, host: string | null,
  fn: () => Promise<T>,
): Promise<T> {
  const uuids = typeof instanceUuids === 'string' ? [instanceUuids] : instanceUuids;
  const started: Array<{ eventId: number; actionId: number }> = [];
  for (const uuid of uuids) {
    const action = await actions.find(uuid, ctx.requestId);
    if (action) started.push({ eventId: await actions.eventStart(action.id, event, host), actionId: action.id });
  }
  try {
    const result = await fn();
    for (const s of started) await actions.eventFinish(s.eventId, s.actionId);
    return result;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    for (const s of started) await actions.eventFinish(s.eventId, s.actionId, { traceback: e.stack ?? `${e.name}: ${e.message}` }).catch(() => undefined);
    throw err;
  }
}
