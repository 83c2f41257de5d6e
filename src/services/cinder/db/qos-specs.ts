/**
 * QoS specs (cinder/db/sqlalchemy/api.py qos_specs_*): live specs with their key/value
 * entries, unique live name, and the volume types associated with them (volume_types.qos_specs_id).
 */
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import { KeyValueRepo } from './metadata.js';
import type { QosSpecsTable } from './schema-resources.js';
import type { CinderDB } from './schema.js';

export interface QosSpecsRecord {
  id: string;
  name: string;
  consumer: string;
  specs: Record<string, string>;
  created_at: string;
  updated_at: string | null;
}

export class QosSpecsRepo {
  readonly specs: KeyValueRepo;

  constructor(private readonly db: Kysely<CinderDB>) {
    this.specs = new KeyValueRepo(db, 'qos_specs_values');
  }

  private async records(rows: Selectable<QosSpecsTable>[]): Promise<QosSpecsRecord[]> {
    const specs = await this.specs.many(rows.map((r) => r.id));
    return rows.map((r) => ({ id: r.id, name: r.name, consumer: r.consumer, specs: specs.get(r.id) ?? {}, created_at: r.created_at, updated_at: r.updated_at }));
  }

  /** @returns false when a live specs has the name */
  async create(q: { id: string; name: string; consumer: string; specs: Record<string, string> }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const same = await trx.selectFrom('quality_of_service_specs').select('id').where('name', '=', q.name).where('deleted', '=', 0).executeTakeFirst();
      if (same) return false;
      await trx.insertInto('quality_of_service_specs').values({
        id: q.id, name: q.name, consumer: q.consumer, created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0,
      }).execute();
      await this.specs.set(q.id, q.specs, false, trx);
      return true;
    });
  }

  async find(id: string): Promise<QosSpecsRecord | undefined> {
    return (await this.records(await this.db.selectFrom('quality_of_service_specs').selectAll().where('id', '=', id).where('deleted', '=', 0).execute()))[0];
  }

  async list(): Promise<QosSpecsRecord[]> {
    return this.records(await this.db.selectFrom('quality_of_service_specs').selectAll().where('deleted', '=', 0).orderBy('created_at').orderBy('id').execute());
  }

  async setConsumer(id: string, consumer: string): Promise<void> {
    await this.db.updateTable('quality_of_service_specs').set({ consumer, updated_at: nowIso() }).where('id', '=', id).execute();
  }

  async touch(id: string): Promise<void> {
    await this.db.updateTable('quality_of_service_specs').set({ updated_at: nowIso() }).where('id', '=', id).execute();
  }

  async softDelete(id: string): Promise<void> {
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('quality_of_service_specs').set({ deleted: 1, deleted_at: now, updated_at: now }).where('id', '=', id).execute();
      await trx.deleteFrom('qos_specs_values').where('qos_specs_id', '=', id).execute();
      await trx.updateTable('volume_types').set({ qos_specs_id: null }).where('qos_specs_id', '=', id).execute();
    });
  }

  /** Live volume types associated with the specs. */
  async associations(id: string): Promise<Array<{ id: string; name: string }>> {
    return this.db.selectFrom('volume_types').select(['id', 'name']).where('qos_specs_id', '=', id).where('deleted', '=', 0).orderBy('created_at').execute();
  }

  async typeQos(typeId: string): Promise<string | null> {
    const row = await this.db.selectFrom('volume_types').select('qos_specs_id').where('id', '=', typeId).where('deleted', '=', 0).executeTakeFirst();
    return row?.qos_specs_id ?? null;
  }

  /** @returns false when the type already had other specs (compare-and-swap on qos_specs_id) */
  async associate(id: string, typeId: string): Promise<boolean> {
    const res = await this.db.updateTable('volume_types').set({ qos_specs_id: id, updated_at: nowIso() })
      .where('id', '=', typeId).where((eb) => eb.or([eb('qos_specs_id', 'is', null), eb('qos_specs_id', '=', id)])).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async disassociate(id: string, typeId: string | null): Promise<void> {
    let q = this.db.updateTable('volume_types').set({ qos_specs_id: null, updated_at: nowIso() }).where('qos_specs_id', '=', id);
    if (typeId !== null) q = q.where('id', '=', typeId);
    await q.execute();
  }
}
