/** Tags of a server (nova's Tag and TagList objects over the `tags` table). */
import type { Kysely } from 'kysely';
import { insertIgnore, transaction } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

export class TagRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  async list(resourceId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('tags').select('tag').where('resource_id', '=', resourceId).orderBy('tag').execute();
    return rows.map((r) => r.tag);
  }

  async exists(resourceId: string, tag: string): Promise<boolean> {
    return (await this.db.selectFrom('tags').select('tag').where('resource_id', '=', resourceId).where('tag', '=', tag).executeTakeFirst()) !== undefined;
  }

  /** Add one tag; a tag already there stays as it is. */
  async add(resourceId: string, tag: string): Promise<void> {
    await insertIgnore(this.db, 'tags', { resource_id: resourceId, tag });
  }

  /** TagList.create: the tags become exactly `tags` (duplicates collapse). */
  async replace(resourceId: string, tags: readonly string[]): Promise<string[]> {
    const unique = [...new Set(tags)];
    await transaction(this.db, async (t) => {
      await t.deleteFrom('tags').where('resource_id', '=', resourceId).execute();
      if (unique.length > 0) await t.insertInto('tags').values(unique.map((tag) => ({ resource_id: resourceId, tag }))).execute();
    });
    return this.list(resourceId);
  }

  /** Remove one tag; false when it was not there. */
  async remove(resourceId: string, tag: string): Promise<boolean> {
    const res = await this.db.deleteFrom('tags').where('resource_id', '=', resourceId).where('tag', '=', tag).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }

  async removeAll(resourceId: string): Promise<void> {
    await this.db.deleteFrom('tags').where('resource_id', '=', resourceId).execute();
  }
}
