/** Per-project quota limits (cinder's quotas table); defaults come from [DEFAULT] quota_*. */
import type { Kysely } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import type { CinderDB } from './schema.js';

export class QuotaRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  async ofProject(projectId: string): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
    return Object.fromEntries(rows.map((r) => [r.resource, r.hard_limit]));
  }

  async set(projectId: string, limits: Record<string, number>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [resource, hard_limit] of Object.entries(limits)) {
        const res = await trx.updateTable('quotas').set({ hard_limit, updated_at: nowIso() }).where('project_id', '=', projectId).where('resource', '=', resource).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) await trx.insertInto('quotas').values({ project_id: projectId, resource, hard_limit, created_at: nowIso(), updated_at: null }).execute();
      }
    });
  }

  async remove(projectId: string): Promise<void> {
    await this.db.deleteFrom('quotas').where('project_id', '=', projectId).execute();
  }
}
