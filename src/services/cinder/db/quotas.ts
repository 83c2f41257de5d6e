/** Per-project quota limits (cinder's quotas table); defaults come from [DEFAULT] quota_*. */
import type { Kysely } from 'kysely';
import { setLimitRows } from './limit-rows.js';
import type { CinderDB } from './schema.js';

export class QuotaRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  async ofProject(projectId: string): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute();
    return Object.fromEntries(rows.map((r) => [r.resource, r.hard_limit]));
  }

  async set(projectId: string, limits: Record<string, number>): Promise<void> {
    await setLimitRows(this.db, 'quotas', { column: 'project_id', value: projectId }, limits);
  }

  async remove(projectId: string): Promise<void> {
    await this.db.deleteFrom('quotas').where('project_id', '=', projectId).execute();
  }
}
