/**
 * Volume types (cinder/db/sqlalchemy/api.py volume_type_*): live types by id or name, their
 * extra specs, and the projects a private type is shared with.
 */
import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation, nowIso, toBool } from '../../../common/db/index.js';
import { KeyValueRepo } from './metadata.js';
import type { VolumeTypeRecord } from './records.js';
import type { CinderDB, VolumeTypesTable } from './schema.js';

export class VolumeTypeRepo {
  readonly extraSpecs: KeyValueRepo;

  constructor(private readonly db: Kysely<CinderDB>) {
    this.extraSpecs = new KeyValueRepo(db, 'volume_type_extra_specs');
  }

  private async records(rows: Selectable<VolumeTypesTable>[]): Promise<VolumeTypeRecord[]> {
    const specs = await this.extraSpecs.many(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id, name: r.name, description: r.description, is_public: toBool(r.is_public), extra_specs: specs.get(r.id) ?? {},
      created_at: r.created_at, updated_at: r.updated_at, deleted: toBool(r.deleted),
    }));
  }

  /** A type by id, deleted ones too when `withDeleted` (a volume keeps showing its type's name). */
  async find(id: string, withDeleted = false): Promise<VolumeTypeRecord | undefined> {
    let q = this.db.selectFrom('volume_types').selectAll().where('id', '=', id);
    if (!withDeleted) q = q.where('deleted', '=', 0);
    return (await this.records(await q.execute()))[0];
  }

  async findByName(name: string): Promise<VolumeTypeRecord | undefined> {
    return (await this.records(await this.db.selectFrom('volume_types').selectAll().where('name', '=', name).where('deleted', '=', 0).execute()))[0];
  }

  async many(ids: readonly string[]): Promise<Map<string, VolumeTypeRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('volume_types').selectAll().where('id', 'in', [...new Set(ids)]).execute();
    return new Map((await this.records(rows)).map((t) => [t.id, t]));
  }

  async list(): Promise<VolumeTypeRecord[]> {
    return this.records(await this.db.selectFrom('volume_types').selectAll().where('deleted', '=', 0).orderBy('created_at').orderBy('id').execute());
  }

  /** @returns false when a live type has the name */
  async create(t: { id: string; name: string; description: string | null; is_public: boolean; extra_specs: Record<string, string> }): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const same = await trx.selectFrom('volume_types').select('id').where('name', '=', t.name).where('deleted', '=', 0).executeTakeFirst();
        if (same) return false;
        await trx.insertInto('volume_types').values({
          id: t.id, name: t.name, description: t.description, is_public: t.is_public ? 1 : 0, created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0,
        }).execute();
        for (const [key, value] of Object.entries(t.extra_specs)) await trx.insertInto('volume_type_extra_specs').values({ volume_type_id: t.id, key, value }).execute();
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async update(id: string, fields: { name?: string; description?: string | null; is_public?: boolean }): Promise<void> {
    const values: Record<string, unknown> = { updated_at: nowIso() };
    if (fields.name !== undefined) values['name'] = fields.name;
    if (fields.description !== undefined) values['description'] = fields.description;
    if (fields.is_public !== undefined) values['is_public'] = fields.is_public ? 1 : 0;
    await this.db.updateTable('volume_types').set(values).where('id', '=', id).execute();
  }

  async softDelete(id: string): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('volume_types').set({ deleted: 1, deleted_at: now, updated_at: now }).where('id', '=', id).execute();
  }

  async projects(typeId: string): Promise<string[]> {
    return (await this.db.selectFrom('volume_type_projects').select('project_id').where('volume_type_id', '=', typeId).orderBy('id').execute()).map((r) => r.project_id);
  }

  async typesOfProject(projectId: string): Promise<Set<string>> {
    return new Set((await this.db.selectFrom('volume_type_projects').select('volume_type_id').where('project_id', '=', projectId).execute()).map((r) => r.volume_type_id));
  }

  /** @returns false when the project had access already */
  async addProject(typeId: string, projectId: string): Promise<boolean> {
    try {
      const had = await this.db.selectFrom('volume_type_projects').select('id').where('volume_type_id', '=', typeId).where('project_id', '=', projectId).executeTakeFirst();
      if (had) return false;
      await this.db.insertInto('volume_type_projects').values({ volume_type_id: typeId, project_id: projectId }).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async removeProject(typeId: string, projectId: string): Promise<boolean> {
    const res = await this.db.deleteFrom('volume_type_projects').where('volume_type_id', '=', typeId).where('project_id', '=', projectId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** Live volumes of the type (a type in use cannot be deleted). */
  async inUse(typeId: string): Promise<boolean> {
    return (await this.db.selectFrom('volumes').select('id').where('volume_type_id', '=', typeId).where('deleted', '=', 0).limit(1).execute()).length > 0;
  }
}
