/** Image members (the projects a shared image is offered to) in the database. */
import { randomUUID } from 'node:crypto';
import { insertIgnore, type Database } from '../../../common/db/index.js';
import { nowStored } from '../domain/time.js';
import type { GlanceDB } from './schema.js';

export type MemberStatus = 'pending' | 'accepted' | 'rejected';

export interface ImageMember {
  id: string;
  image_id: string;
  member_id: string;
  status: MemberStatus;
  created_at: string;
  updated_at: string;
}

export class MemberRepo {
  constructor(private readonly database: Database<GlanceDB>) {}

  private toMember(row: GlanceDB['image_members']): ImageMember {
    return {
      id: row.id, image_id: row.image_id, member_id: row.member, status: row.status as MemberStatus,
      created_at: row.created_at, updated_at: row.updated_at,
    };
  }

  async list(imageId: string): Promise<ImageMember[]> {
    const rows = await this.database.db.selectFrom('image_members').selectAll().where('image_id', '=', imageId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => this.toMember(r));
  }

  async get(imageId: string, memberId: string): Promise<ImageMember | undefined> {
    const row = await this.database.db.selectFrom('image_members').selectAll().where('image_id', '=', imageId).where('member', '=', memberId).executeTakeFirst();
    return row ? this.toMember(row) : undefined;
  }

  async count(imageId: string): Promise<number> {
    const r = await this.database.db.selectFrom('image_members').select((eb) => eb.fn.countAll<number>().as('n')).where('image_id', '=', imageId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Add a pending member; undefined when the project already is one. */
  async add(imageId: string, memberId: string): Promise<ImageMember | undefined> {
    const now = nowStored();
    const row = { id: randomUUID(), image_id: imageId, member: memberId, status: 'pending', created_at: now, updated_at: now };
    return (await insertIgnore(this.database.db, 'image_members', row)) ? this.toMember(row) : undefined;
  }

  async setStatus(member: ImageMember, status: MemberStatus): Promise<ImageMember> {
    const updated_at = nowStored();
    await this.database.db.updateTable('image_members').set({ status, updated_at }).where('id', '=', member.id).execute();
    return { ...member, status, updated_at };
  }

  async remove(member: ImageMember): Promise<void> {
    await this.database.db.deleteFrom('image_members').where('id', '=', member.id).execute();
  }
}
