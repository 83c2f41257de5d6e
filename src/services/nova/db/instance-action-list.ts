/**
 * Reading instance actions for os-instance-actions (nova's actions_get,
 * action_get_by_request_id and action_events_get): an instance's actions newest first (by
 * created_at, then id), changes-since/-before on updated_at, paged after the action of a
 * request id; one action by request id; its events newest first.
 */
import type { Kysely, Selectable } from 'kysely';
import { MarkerNotFound } from '../errors.js';
import type { InstanceActionsEventsTable, InstanceActionsTable, NovaDB } from './schema.js';

export type ActionRow = Selectable<InstanceActionsTable>;
export type ActionEventRow = Selectable<InstanceActionsEventsTable>;

export interface ActionListQuery {
  changesSince?: string;
  changesBefore?: string;
  limit?: number;
  /** A request id: the actions after its action. */
  marker?: string;
}

/** The latest action of a request on an instance. */
export async function actionByRequestId(db: Kysely<NovaDB>, instanceUuid: string, requestId: string): Promise<ActionRow | undefined> {
  return db.selectFrom('instance_actions').selectAll().where('instance_uuid', '=', instanceUuid).where('request_id', '=', requestId)
    .where('deleted', '=', 0).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
}

/** @throws MarkerNotFound when the marker is no request id of the instance */
export async function listActions(db: Kysely<NovaDB>, instanceUuid: string, q: ActionListQuery = {}): Promise<ActionRow[]> {
  if (q.limit === 0) return [];
  let query = db.selectFrom('instance_actions').selectAll().where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0);
  if (q.changesSince) query = query.where('updated_at', '>=', q.changesSince);
  if (q.changesBefore) query = query.where('updated_at', '<=', q.changesBefore);
  if (q.marker !== undefined) {
    const marker = await actionByRequestId(db, instanceUuid, q.marker);
    if (!marker) throw new MarkerNotFound(q.marker);
    query = query.where((eb) => eb.or([
      eb('created_at', '<', marker.created_at),
      eb.and([eb('created_at', '=', marker.created_at), eb('id', '<', marker.id)]),
    ]));
  }
  query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
  return q.limit !== undefined ? query.limit(q.limit).execute() : query.execute();
}

/** The events of an action, newest first. */
export async function actionEvents(db: Kysely<NovaDB>, actionId: number): Promise<ActionEventRow[]> {
  return db.selectFrom('instance_actions_events').selectAll().where('action_id', '=', actionId).where('deleted', '=', 0)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}
