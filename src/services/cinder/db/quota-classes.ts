/** Quota classes (cinder's quota_classes table): limits of a class by resource; the `default` class overrides the configured defaults. */
import type { Kysely } from 'kysely';
import { setLimitRows } from './limit-rows.js';
import type { CinderDB } from './schema.js';

export class QuotaClassRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  async ofClass(className: string): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('quota_classes').select(['resource', 'hard_limit']).where('class_name', '=', className).execute();
    return Object.fromEntries(rows.map((r) => [r.resource, r.hard_limit]));
  }

  async set(className: string, limits: Record<string, number>): Promise<void> {
    await setLimitRows(this.db, 'quota_classes', { column: 'class_name', value: className }, limits);
  }
}
