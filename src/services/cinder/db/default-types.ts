/**
 * Projects' default volume types (cinder/db/api.py project_default_volume_type_*, 3.62): one
 * row per project naming its type, replaced on set, hard-deleted on unset.
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation, nowIso } from '../../../common/db/index.js';
import type { CinderDB } from './schema.js';

export interface DefaultTypeRecord {
  project_id: string;
  volume_type_id: string;
}

export class DefaultTypeRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  async get(projectId: string): Promise<DefaultTypeRecord | undefined> {
    return this.db.selectFrom('default_volume_types').select(['project_id', 'volume_type_id']).where('project_id', '=', projectId).executeTakeFirst();
  }

  async list(): Promise<DefaultTypeRecord[]> {
    return this.db.selectFrom('default_volume_types').select(['project_id', 'volume_type_id']).orderBy('project_id').execute();
  }

  /** The projects whose default the type is. */
  async projectsOf(volumeTypeId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('default_volume_types').select('project_id').where('volume_type_id', '=', volumeTypeId).execute();
    return rows.map((r) => r.project_id);
  }

  /** Set or replace the project's default (two concurrent first sets: the later one updates). */
  async set(projectId: string, volumeTypeId: string): Promise<DefaultTypeRecord> {
    const now = nowIso();
    const updated = await this.db.updateTable('default_volume_types').set({ volume_type_id: volumeTypeId, updated_at: now }).where('project_id', '=', projectId).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      try {
        await this.db.insertInto('default_volume_types').values({ project_id: projectId, volume_type_id: volumeTypeId, created_at: now, updated_at: null }).execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await this.db.updateTable('default_volume_types').set({ volume_type_id: volumeTypeId, updated_at: now }).where('project_id', '=', projectId).execute();
      }
    }
    return { project_id: projectId, volume_type_id: volumeTypeId };
  }

  async unset(projectId: string): Promise<void> {
    await this.db.deleteFrom('default_volume_types').where('project_id', '=', projectId).execute();
  }
}
