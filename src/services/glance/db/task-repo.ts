/**
 * Async tasks (glance.domain.Task) in the database: api_image_import runs of interoperable
 * import, with their status machine pending -> processing -> success|failure.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../../common/db/index.js';
import { nowStored } from '../domain/time.js';
import { Conflict } from '../../../common/errors.js';
import type { GlanceDB, TasksTable } from './schema.js';
import { InvalidTaskStatusTransition } from '../errors.js';

export type TaskStatus = 'pending' | 'processing' | 'success' | 'failure';
export const TASK_TYPES = ['import', 'api_image_import', 'location_import'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export interface Task {
  id: string;
  type: TaskType;
  status: TaskStatus;
  owner: string | null;
  image_id: string | null;
  user_id: string | null;
  request_id: string | null;
  input: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  message: string;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['processing', 'failure'],
  processing: ['success', 'failure'],
  success: [],
  failure: [],
};

function toTask(row: TasksTable): Task {
  return {
    id: row.id, type: row.type as TaskType, status: row.status as TaskStatus, owner: row.owner, image_id: row.image_id,
    user_id: row.user_id, request_id: row.request_id,
    input: row.input ? JSON.parse(row.input) as Record<string, unknown> : null,
    result: row.result ? JSON.parse(row.result) as Record<string, unknown> : null,
    message: row.message, expires_at: row.expires_at, created_at: row.created_at, updated_at: row.updated_at,
  };
}

export interface NewTask {
  type: TaskType;
  owner: string | null;
  imageId: string | null;
  userId: string | null;
  requestId: string | null;
  input: Record<string, unknown>;
}

export interface TaskListQuery {
  owner: string | null;
  isAdmin: boolean;
  status?: string;
  type?: string;
  sortKey: string;
  sortDir: 'asc' | 'desc';
  marker?: Task;
  limit: number;
}

export class TaskRepo {
  constructor(private readonly database: Database<GlanceDB>, private readonly ttlHours: number) {}

  async create(t: NewTask): Promise<Task> {
    const now = nowStored();
    const row: TasksTable = {
      id: randomUUID(), type: t.type, status: 'pending', owner: t.owner, image_id: t.imageId, user_id: t.userId,
      request_id: t.requestId, input: JSON.stringify(t.input), result: null, message: '', expires_at: null,
      created_at: now, updated_at: now, deleted: 0,
    };
    await this.database.db.insertInto('tasks').values(row).execute();
    return toTask(row);
  }

  /** A task that has not expired, or undefined. */
  async get(id: string): Promise<Task | undefined> {
    const row = await this.database.db.selectFrom('tasks').selectAll().where('id', '=', id).where('deleted', '=', 0)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>=', nowStored())])).executeTakeFirst();
    return row ? toTask(row) : undefined;
  }

  /** Tasks of an image that have not expired (GET /v2/images/{id}/tasks). */
  async forImage(imageId: string): Promise<Task[]> {
    const rows = await this.database.db.selectFrom('tasks').selectAll().where('image_id', '=', imageId).where('deleted', '=', 0)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>=', nowStored())]))
      .orderBy('created_at').orderBy('id').execute();
    return rows.map(toTask);
  }

  async list(q: TaskListQuery): Promise<Task[]> {
    let query = this.database.db.selectFrom('tasks').selectAll().where('deleted', '=', 0)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>=', nowStored())]));
    if (!q.isAdmin) query = q.owner === null ? query.where(sql<boolean>`1 = 0`) : query.where((eb) => eb.or([eb('owner', '=', q.owner), eb('owner', 'is', null)]));
    if (q.status) query = query.where('status', '=', q.status);
    if (q.type) query = query.where('type', '=', q.type);
    const key = ['created_at', 'updated_at', 'id', 'status', 'type', 'owner'].includes(q.sortKey) ? q.sortKey : 'created_at';
    const ref = sql.ref(key);
    query = query.orderBy(sql`coalesce(${ref}, '')`, q.sortDir).orderBy('id', q.sortDir);
    if (q.marker) {
      const mv = String((q.marker as unknown as Record<string, unknown>)[key] ?? '');
      const cmp = q.sortDir === 'desc' ? '<' : '>';
      query = query.where((eb) => eb.or([
        eb(sql`coalesce(${ref}, '')` as never, cmp, mv as never),
        eb.and([eb(sql`coalesce(${ref}, '')` as never, '=', mv as never), eb('id', cmp, q.marker!.id)]),
      ]));
    }
    return (await query.limit(q.limit).execute()).map(toTask);
  }

  /**
   * Move a task to a new status (with its message or result); expiring it when finished.
   * @throws InvalidTaskStatusTransition
   */
  async transition(task: Task, to: TaskStatus, fields: { message?: string; result?: Record<string, unknown> } = {}): Promise<Task> {
    if (!TRANSITIONS[task.status].includes(to)) throw new InvalidTaskStatusTransition(task.status, to);
    const now = nowStored();
    const expires = to === 'success' || to === 'failure' ? new Date(Date.now() + this.ttlHours * 3600_000).toISOString() : task.expires_at;
    const next: Task = { ...task, status: to, updated_at: now, expires_at: expires, ...(fields.message !== undefined ? { message: fields.message } : {}), ...(fields.result ? { result: fields.result } : {}) };
    await this.database.db.updateTable('tasks').set({
      status: to, updated_at: now, expires_at: expires, message: next.message, result: next.result ? JSON.stringify(next.result) : null,
    }).where('id', '=', task.id).execute();
    return next;
  }

  /** Update the progress message of a running task. */
  async setMessage(task: Task, message: string): Promise<Task> {
    const now = nowStored();
    await this.database.db.updateTable('tasks').set({ message, updated_at: now }).where('id', '=', task.id).execute();
    return { ...task, message, updated_at: now };
  }
}
