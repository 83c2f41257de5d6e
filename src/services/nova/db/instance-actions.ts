/**
 * Instance actions and their events (nova's InstanceAction / InstanceActionEvent): what was
 * asked of a server (create, delete, stop...) under which request id, and the steps each
 * service ran for it (conductor_schedule_and_build_instances, compute_build_and_run_instance...)
 * with their result and, on failure, the traceback. A failed event marks its action 'Error'.
 */
import type { Kysely, Selectable } from 'kysely';
import { insertReturningId, nowIso, prepared } from '../../../common/db/index.js';
import type { InstanceActionsEventsTable, InstanceActionsTable, NovaDB } from './schema.js';

const ACTION_COLUMNS = ['id', 'action', 'instance_uuid', 'request_id', 'user_id', 'project_id', 'start_time', 'finish_time', 'message', 'updated_at'] as const;
const EVENT_COLUMNS = ['event', 'start_time', 'finish_time', 'result', 'traceback', 'host', 'details'] as const;

export type ActionRecord = Pick<Selectable<InstanceActionsTable>, (typeof ACTION_COLUMNS)[number]>;
export type EventRecord = Pick<Selectable<InstanceActionsEventsTable>, (typeof EVENT_COLUMNS)[number]>;

/** An instance's action of a request (prepared: each event of a boot looks its action up). */
const actionByRequest = prepared((db: Kysely<NovaDB>, p: { instanceUuid: string; requestId: string }) => db.selectFrom('instance_actions')
  .select(ACTION_COLUMNS)
  .where('instance_uuid', '=', p.instanceUuid).where('request_id', '=', p.requestId).where('deleted', '=', 0)
  .orderBy('id', 'desc'));

export class InstanceActionRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** InstanceAction.action_start. */
  async start(instanceUuid: string, action: string, requestId: string, userId: string | null, projectId: string | null): Promise<number> {
    const now = nowIso();
    return insertReturningId(this.db, 'instance_actions', {
      action, instance_uuid: instanceUuid, request_id: requestId, user_id: userId, project_id: projectId, start_time: now, finish_time: null,
      message: null, created_at: now, updated_at: null, deleted_at: null,
    });
  }

  /** The action a request started on an instance (events of other services attach to it). */
  async find(instanceUuid: string, requestId: string): Promise<ActionRecord | undefined> {
    return actionByRequest.first(this.db, { instanceUuid, requestId });
  }

  /** The latest action of an instance (a reschedule's events go to the create action). */
  async latest(instanceUuid: string, action?: string): Promise<ActionRecord | undefined> {
    let q = this.db.selectFrom('instance_actions')
      .select(ACTION_COLUMNS)
      .where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0);
    if (action) q = q.where('action', '=', action);
    return q.orderBy('id', 'desc').executeTakeFirst();
  }

  async list(instanceUuid: string): Promise<ActionRecord[]> {
    return this.db.selectFrom('instance_actions')
      .select(ACTION_COLUMNS)
      .where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0).orderBy('id', 'desc').execute();
  }

  async events(actionId: number): Promise<EventRecord[]> {
    return this.db.selectFrom('instance_actions_events').select(EVENT_COLUMNS)
      .where('action_id', '=', actionId).orderBy('id').execute();
  }

  /** InstanceActionEvent.event_start. */
  async eventStart(actionId: number, event: string, host: string | null): Promise<number> {
    const now = nowIso();
    await this.db.updateTable('instance_actions').set({ updated_at: now }).where('id', '=', actionId).execute();
    return insertReturningId(this.db, 'instance_actions_events', {
      event, action_id: actionId, start_time: now, finish_time: null, result: null, traceback: null, host, details: null,
      created_at: now, updated_at: null, deleted_at: null,
    });
  }

  /** InstanceActionEvent.event_finish_with_failure (or success when no error). */
  async eventFinish(eventId: number, actionId: number, error?: { traceback: string; details?: string }): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('instance_actions_events').set({
      finish_time: now, updated_at: now, result: error ? 'Error' : 'Success', traceback: error?.traceback ?? null, details: error?.details ?? null,
    }).where('id', '=', eventId).execute();
    await this.db.updateTable('instance_actions').set({ updated_at: now, ...(error ? { message: 'Error' } : {}) }).where('id', '=', actionId).execute();
  }
}
