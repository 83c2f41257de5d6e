/** User messages (cinder's messages table): what went wrong with a project's resources, until they expire or are deleted. */
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import type { MessagesTable } from './schema-resources.js';
import type { CinderDB } from './schema.js';

export type MessageRecord = Omit<Selectable<MessagesTable>, 'deleted' | 'deleted_at'>;

export class MessageRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  async create(m: Omit<MessageRecord, 'created_at'>): Promise<void> {
    await this.db.insertInto('messages').values({ ...m, created_at: nowIso(), deleted_at: null, deleted: 0 }).execute();
  }

  private live(now: string) {
    return this.db.selectFrom('messages').select(['id', 'project_id', 'request_id', 'resource_type', 'resource_uuid', 'event_id', 'message_level', 'detail_id', 'action_id', 'created_at', 'expires_at'])
      .where('deleted', '=', 0).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  }

  async find(id: string): Promise<MessageRecord | undefined> {
    return this.live(nowIso()).where('id', '=', id).executeTakeFirst();
  }

  async list(projectId: string | null): Promise<MessageRecord[]> {
    let q = this.live(nowIso());
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    return q.orderBy('created_at').orderBy('id').execute();
  }

  async softDelete(id: string): Promise<void> {
    await this.db.updateTable('messages').set({ deleted: 1, deleted_at: nowIso() }).where('id', '=', id).execute();
  }
}
