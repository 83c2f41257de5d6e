/**
 * User messages (cinder/message/api.py, message_field.py): what failed, for the project that
 * owns the resource, as an action and a detail code (event_id `VOLUME_<type>_<action>_<detail>`,
 * user_message "<action>: <detail>"), kept message_ttl seconds (30 days).
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { MessageRecord } from '../db/messages.js';
import type { CinderRepos } from '../db/repos.js';
import { MessageNotFound } from '../resource-errors.js';

export const MESSAGE_TTL_SECONDS = 2592000;

/** message_field.Action. */
export const ACTIONS: Record<string, string> = {
  '001': 'schedule allocate volume', '002': 'attach volume', '003': 'copy volume to image', '004': 'update attachment', '005': 'copy image to volume',
  '006': 'unmanage volume', '007': 'extend volume', '008': 'create volume from backend storage', '009': 'create snapshot', '010': 'delete snapshot',
  '011': 'update snapshot', '012': 'update snapshot metadata', '013': 'create backup', '014': 'delete backup', '015': 'restore backup', '016': 'reimage volume',
};

/** message_field.Detail (the ones Nubo raises). */
export const DETAILS: Record<string, string> = {
  '001': 'An unknown error occurred.',
  '002': 'Driver is not initialized at present.',
  '003': 'Could not find any available weighted backend.',
  '006': 'Not enough quota resource for operation.',
  '013': 'Snapshot failed to create.',
  '016': 'Snapshot failed to delete.',
  '027': 'Volume status is invalid.',
};

export const Action = { SCHEDULE_ALLOCATE_VOLUME: '001', EXTEND_VOLUME: '007', SNAPSHOT_CREATE: '009', SNAPSHOT_DELETE: '010' } as const;
export const Detail = { UNKNOWN_ERROR: '001', NO_BACKEND_AVAILABLE: '003', SNAPSHOT_CREATE_ERROR: '013', SNAPSHOT_DELETE_ERROR: '016' } as const;

export function userMessage(m: Pick<MessageRecord, 'action_id' | 'detail_id'>): string {
  return `${ACTIONS[m.action_id ?? ''] ?? 'unknown action'}: ${DETAILS[m.detail_id ?? ''] ?? DETAILS['001']}`;
}

export class UserMessages {
  constructor(private readonly repos: CinderRepos) {}

  /** message.API.create: an ERROR message about a resource of the context's project. */
  async create(ctx: RequestContext, o: { action: string; detail: string; resourceType: 'VOLUME' | 'SNAPSHOT' | 'VOLUME_BACKUP'; resourceUuid: string | null; projectId?: string }): Promise<void> {
    const expires = new Date(Date.now() + MESSAGE_TTL_SECONDS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await this.repos.messages.create({
      id: randomUUID(), project_id: o.projectId ?? ctx.projectId ?? '', request_id: ctx.requestId, resource_type: o.resourceType, resource_uuid: o.resourceUuid,
      event_id: `VOLUME_${o.resourceType}_${o.action}_${o.detail}`, message_level: 'ERROR', detail_id: o.detail, action_id: o.action, expires_at: expires,
    });
  }

  async get(ctx: RequestContext, id: string, isAdmin: boolean): Promise<MessageRecord> {
    const m = await this.repos.messages.find(id);
    if (!m || (!isAdmin && m.project_id !== ctx.projectId)) throw new MessageNotFound(id);
    return m;
  }

  list(ctx: RequestContext, allProjects: boolean): Promise<MessageRecord[]> {
    return this.repos.messages.list(allProjects ? null : ctx.projectId ?? '');
  }

  async delete(m: MessageRecord): Promise<void> {
    await this.repos.messages.softDelete(m.id);
  }
}
