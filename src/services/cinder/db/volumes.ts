/**
 * Volumes and their attachments (cinder/db/sqlalchemy/api.py volume_*, volume_attach*): rows
 * with their metadata, admin metadata, type and live attachments; status changes as
 * compare-and-swap on the expected statuses (upstream's conditional_update), so two requests
 * racing on one volume cannot both move it.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { nowIso, toBool } from '../../../common/db/index.js';
import { KeyValueRepo } from './metadata.js';
import type { AttachmentRecord, VolumeRecord } from './records.js';
import type { CinderDB, VolumeAttachmentTable, VolumesTable } from './schema.js';
import type { VolumeTypeRepo } from './volume-types.js';

export type NewVolume = Omit<VolumesTable, 'created_at' | 'updated_at' | 'deleted_at' | 'deleted' | 'bootable' | 'multiattach' | 'shared_targets' | 'use_quota'> & {
  bootable: boolean; multiattach: boolean;
};

/** What the orphan cleanup of a volume host needs of a row, live or deleted. */
export interface RowState {
  deleted: boolean;
  status: string;
  /** The volume's host (`host@backend#pool`); for a snapshot, its volume's. */
  host: string | null;
}

export type VolumeFields = Partial<Omit<VolumesTable, 'id' | 'bootable' | 'multiattach' | 'deleted'>> & { bootable?: boolean; multiattach?: boolean };

const json = (s: string | null): Record<string, unknown> | null => (s === null ? null : JSON.parse(s) as Record<string, unknown>);

export function attachmentRecord(r: Selectable<VolumeAttachmentTable>): AttachmentRecord {
  return {
    id: r.id, volume_id: r.volume_id, instance_uuid: r.instance_uuid, attached_host: r.attached_host, mountpoint: r.mountpoint,
    attach_time: r.attach_time, detach_time: r.detach_time, attach_mode: r.attach_mode, attach_status: r.attach_status,
    connector: json(r.connector), connection_info: json(r.connection_info), created_at: r.created_at, updated_at: r.updated_at,
  };
}

function fieldsToRow(f: VolumeFields): Record<string, unknown> {
  const row: Record<string, unknown> = { ...f };
  if (f.bootable !== undefined) row['bootable'] = f.bootable ? 1 : 0;
  if (f.multiattach !== undefined) row['multiattach'] = f.multiattach ? 1 : 0;
  return row;
}

export class VolumeRepo {
  readonly metadata: KeyValueRepo;
  readonly adminMetadata: KeyValueRepo;
  readonly imageMetadata: KeyValueRepo;

  constructor(private readonly db: Kysely<CinderDB>, private readonly types: VolumeTypeRepo) {
    this.metadata = new KeyValueRepo(db, 'volume_metadata');
    this.adminMetadata = new KeyValueRepo(db, 'volume_admin_metadata');
    this.imageMetadata = new KeyValueRepo(db, 'volume_glance_metadata');
  }

  /** The volume with its metadata, in one transaction (the caller's `trx` when given, e.g. its quota reservation). */
  async create(v: NewVolume, metadata: Record<string, string>, adminMetadata: Record<string, string> = {}, imageMetadata: Record<string, string> = {}, trx?: Transaction<CinderDB>): Promise<void> {
    const write = async (t: Transaction<CinderDB>): Promise<void> => {
      await t.insertInto('volumes').values({
        ...v, bootable: v.bootable ? 1 : 0, multiattach: v.multiattach ? 1 : 0, shared_targets: 1, use_quota: 1,
        created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0,
      }).execute();
      await this.metadata.set(v.id, metadata, false, t);
      await this.adminMetadata.set(v.id, adminMetadata, false, t);
      await this.imageMetadata.set(v.id, imageMetadata, false, t);
    };
    if (trx) await write(trx);
    else await this.db.transaction().execute(write);
  }

  private async records(rows: Selectable<VolumesTable>[]): Promise<VolumeRecord[]> {
    const ids = rows.map((r) => r.id);
    const [meta, admin, image, types, attachments] = await Promise.all([
      this.metadata.many(ids), this.adminMetadata.many(ids), this.imageMetadata.many(ids), this.types.many(rows.map((r) => r.volume_type_id)), this.attachmentsOf(ids),
    ]);
    return rows.map((r) => ({
      ...r, bootable: toBool(r.bootable), multiattach: toBool(r.multiattach), shared_targets: toBool(r.shared_targets), use_quota: toBool(r.use_quota),
      deleted: toBool(r.deleted), metadata: meta.get(r.id) ?? {}, admin_metadata: admin.get(r.id) ?? {}, image_metadata: image.get(r.id) ?? {},
      volume_type: types.get(r.volume_type_id) ?? null, attachments: attachments.get(r.id) ?? [],
    }));
  }

  async find(id: string): Promise<VolumeRecord | undefined> {
    return (await this.records(await this.db.selectFrom('volumes').selectAll().where('id', '=', id).where('deleted', '=', 0).execute()))[0];
  }

  /** A volume, deleted or not (what a notification about its snapshot tells). */
  async findAny(id: string): Promise<VolumeRecord | undefined> {
    return (await this.records(await this.db.selectFrom('volumes').selectAll().where('id', '=', id).execute()))[0];
  }

  /** Live volumes, of one project or (null) of all. */
  async list(projectId: string | null): Promise<VolumeRecord[]> {
    let q = this.db.selectFrom('volumes').selectAll().where('deleted', '=', 0);
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    return this.records(await q.orderBy('created_at').orderBy('id').execute());
  }

  /** Live volumes placed on a backend host (`host@backend`, any pool). */
  /** Rows of these ids, deleted ones too: whether deleted, their status and host. */
  async rowStates(ids: readonly string[]): Promise<Map<string, RowState>> {
    const out = new Map<string, RowState>();
    for (let at = 0; at < ids.length; at += 500) {
      const rows = await this.db.selectFrom('volumes').select(['id', 'deleted', 'status', 'host']).where('id', 'in', ids.slice(at, at + 500)).execute();
      for (const r of rows) out.set(r.id, { deleted: toBool(r.deleted), status: r.status, host: r.host });
    }
    return out;
  }

  /** Live volumes still creating that no scheduler placed yet (no host). */
  async unscheduled(): Promise<Array<{ id: string; updated_at: string | null; created_at: string }>> {
    return this.db.selectFrom('volumes').select(['id', 'updated_at', 'created_at']).where('deleted', '=', 0).where('status', '=', 'creating').where('host', 'is', null).execute();
  }

  async onHost(host: string): Promise<VolumeRecord[]> {
    const rows = await this.db.selectFrom('volumes').selectAll().where('deleted', '=', 0)
      .where((eb) => eb.or([eb('host', '=', host), eb('host', 'like', `${host}#%`)])).execute();
    return this.records(rows);
  }

  async update(id: string, fields: VolumeFields): Promise<void> {
    await this.db.updateTable('volumes').set({ ...fieldsToRow(fields), updated_at: nowIso() }).where('id', '=', id).execute();
  }

  /**
   * Move a live volume to new values when its status is one of `expected` (and `where` holds);
   * false when another request moved it first.
   */
  async conditionalUpdate(id: string, expected: readonly string[], fields: VolumeFields, where: { attachStatus?: readonly string[]; noHost?: boolean } = {}): Promise<boolean> {
    let q = this.db.updateTable('volumes').set({ ...fieldsToRow(fields), updated_at: nowIso() })
      .where('id', '=', id).where('deleted', '=', 0).where('status', 'in', [...expected]);
    if (where.attachStatus) q = q.where('attach_status', 'in', [...where.attachStatus]);
    if (where.noHost) q = q.where('host', 'is', null);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * The row leaves the live ones. `status`: what it keeps, `deleted`, or `unmanaged` for a
   * volume whose data stays on the backend (the volume host's orphan cleanup leaves its file).
   */
  async softDelete(id: string, status: 'deleted' | 'unmanaged' = 'deleted'): Promise<void> {
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('volumes').set({ deleted: 1, deleted_at: now, updated_at: now, status, terminated_at: now }).where('id', '=', id).execute();
      await trx.deleteFrom('volume_metadata').where('volume_id', '=', id).execute();
      await trx.deleteFrom('volume_admin_metadata').where('volume_id', '=', id).execute();
      await trx.deleteFrom('volume_glance_metadata').where('volume_id', '=', id).execute();
      await trx.updateTable('volume_attachment').set({ deleted: 1, deleted_at: now, attach_status: 'detached' }).where('volume_id', '=', id).where('deleted', '=', 0).execute();
    });
  }

  /** Volumes and GiB of a project's live volumes that count against its quota. */
  async usage(projectId: string): Promise<{ volumes: number; gigabytes: number }> {
    const row = await this.db.selectFrom('volumes')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('size').as('gb')])
      .where('project_id', '=', projectId).where('deleted', '=', 0).where('use_quota', '=', 1).executeTakeFirst();
    return { volumes: Number(row?.n ?? 0), gigabytes: Number(row?.gb ?? 0) };
  }

  // --- attachments ---------------------------------------------------------------------------

  async attachmentsOf(volumeIds: readonly string[]): Promise<Map<string, AttachmentRecord[]>> {
    const out = new Map<string, AttachmentRecord[]>();
    if (volumeIds.length === 0) return out;
    for (let i = 0; i < volumeIds.length; i += 500) {
      const rows = await this.db.selectFrom('volume_attachment').selectAll().where('volume_id', 'in', volumeIds.slice(i, i + 500)).where('deleted', '=', 0)
        .orderBy('created_at').orderBy('id').execute();
      for (const r of rows) {
        const list = out.get(r.volume_id) ?? [];
        list.push(attachmentRecord(r));
        out.set(r.volume_id, list);
      }
    }
    return out;
  }

  async findAttachment(id: string): Promise<AttachmentRecord | undefined> {
    const row = await this.db.selectFrom('volume_attachment').selectAll().where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
    return row ? attachmentRecord(row) : undefined;
  }

  /** Live attachments, of the volumes of one project or (null) of all. */
  async listAttachments(projectId: string | null): Promise<Array<AttachmentRecord & { project_id: string }>> {
    let q = this.db.selectFrom('volume_attachment').innerJoin('volumes', 'volumes.id', 'volume_attachment.volume_id')
      .selectAll('volume_attachment').select('volumes.project_id as project_id').where('volume_attachment.deleted', '=', 0);
    if (projectId !== null) q = q.where('volumes.project_id', '=', projectId);
    const rows = await q.execute();
    return rows.map((r) => ({ ...attachmentRecord(r), project_id: r.project_id }));
  }

  async createAttachment(a: { id: string; volume_id: string; instance_uuid: string | null; attach_mode: string | null; attach_status: string }): Promise<void> {
    await this.db.insertInto('volume_attachment').values({
      ...a, attached_host: null, mountpoint: null, attach_time: null, detach_time: null, connector: null, connection_info: null,
      created_at: nowIso(), updated_at: null, deleted_at: null, deleted: 0,
    }).execute();
  }

  async updateAttachment(id: string, fields: Partial<Omit<AttachmentRecord, 'id' | 'volume_id' | 'created_at'>>): Promise<void> {
    const row: Record<string, unknown> = { ...fields, updated_at: nowIso() };
    if (fields.connector !== undefined) row['connector'] = fields.connector === null ? null : JSON.stringify(fields.connector);
    if (fields.connection_info !== undefined) row['connection_info'] = fields.connection_info === null ? null : JSON.stringify(fields.connection_info);
    await this.db.updateTable('volume_attachment').set(row).where('id', '=', id).execute();
  }

  async deleteAttachment(id: string): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('volume_attachment').set({ deleted: 1, deleted_at: now, detach_time: now, attach_status: 'detached', updated_at: now }).where('id', '=', id).execute();
  }
}
