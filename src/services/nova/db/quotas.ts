/**
 * Quota limits (nova's DbQuotaDriver): per-project and per-user overrides, the `default` quota
 * class, then [quota] in nova.conf. Usage is counted from the instances themselves, as nova
 * does since Pike (no reservations).
 */
import type { Kysely } from 'kysely';
import type { NovaDB } from './schema.js';

export type QuotaResource = 'instances' | 'cores' | 'ram' | 'metadata_items' | 'injected_files' | 'injected_file_content_bytes'
  | 'injected_file_path_length' | 'key_pairs' | 'server_groups' | 'server_group_members';

export class QuotaRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /**
   * The limits in force for a project (and a user of it): user overrides win over project ones,
   * which win over the default class, which wins over `defaults` (nova.conf).
   */
  async limits(projectId: string, userId: string | undefined, defaults: Readonly<Record<QuotaResource, number>>): Promise<Record<QuotaResource, number>> {
    const [cls, project, user] = await Promise.all([
      this.db.selectFrom('quota_classes').select(['resource', 'hard_limit']).where('class_name', '=', 'default').execute(),
      this.db.selectFrom('quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).execute(),
      userId
        ? this.db.selectFrom('project_user_quotas').select(['resource', 'hard_limit']).where('project_id', '=', projectId).where('user_id', '=', userId).execute()
        : Promise.resolve([]),
    ]);
    const out = { ...defaults } as Record<QuotaResource, number>;
    for (const rows of [cls, project, user]) for (const r of rows) if (r.resource in out) out[r.resource as QuotaResource] = r.hard_limit;
    return out;
  }
}
