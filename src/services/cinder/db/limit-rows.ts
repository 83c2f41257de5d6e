/** Rows of hard limits by resource (quotas of a project, quota classes): set each, updating the row or inserting it, in one transaction. */
import type { Kysely } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import type { CinderDB } from './schema.js';

export async function setLimitRows(db: Kysely<CinderDB>, table: 'quotas' | 'quota_classes', owner: { column: 'project_id' | 'class_name'; value: string }, limits: Record<string, number>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const t = trx as unknown as Kysely<any>;
    for (const [resource, hard_limit] of Object.entries(limits)) {
      const res = await t.updateTable(table).set({ hard_limit, updated_at: nowIso() }).where(owner.column, '=', owner.value).where('resource', '=', resource).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) await t.insertInto(table).values({ [owner.column]: owner.value, resource, hard_limit, created_at: nowIso(), updated_at: null }).execute();
    }
  });
}
