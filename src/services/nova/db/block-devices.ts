/** Block device mappings (nova's BlockDeviceMapping over the cell database): per instance. */
import type { Kysely, Selectable } from 'kysely';
import { nowIso, toBool } from '../../../common/db/index.js';
import { VolumeBDMNotFound } from '../errors.js';
import { BlockDeviceMapping, type BlockDeviceMappingFields } from '../objects/index.js';
import type { BlockDeviceMappingTable, NovaDB } from './schema.js';

function toObject(r: Selectable<BlockDeviceMappingTable>): BlockDeviceMapping {
  return new BlockDeviceMapping({
    uuid: r.uuid, instance_uuid: r.instance_uuid, source_type: r.source_type as BlockDeviceMappingFields['source_type'],
    destination_type: r.destination_type as BlockDeviceMappingFields['destination_type'], guest_format: r.guest_format, device_type: r.device_type,
    disk_bus: r.disk_bus, boot_index: r.boot_index, device_name: r.device_name, delete_on_termination: toBool(r.delete_on_termination),
    snapshot_id: r.snapshot_id, volume_id: r.volume_id, volume_size: r.volume_size, volume_type: r.volume_type, image_id: r.image_id,
    no_device: toBool(r.no_device), connection_info: r.connection_info, tag: r.tag, attachment_id: r.attachment_id,
  });
}

export class BlockDeviceMappingRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  async create(bdms: readonly BlockDeviceMapping[]): Promise<void> {
    if (bdms.length === 0) return;
    const now = nowIso();
    await this.db.insertInto('block_device_mapping').values(bdms.map((b) => ({
      ...b.data, delete_on_termination: b.data.delete_on_termination ? 1 : 0, no_device: b.data.no_device ? 1 : 0,
      created_at: now, updated_at: null, deleted_at: null,
    }))).execute();
  }

  async byInstance(instanceUuid: string): Promise<BlockDeviceMapping[]> {
    const rows = await this.db.selectFrom('block_device_mapping').selectAll().where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0)
      .orderBy('boot_index').orderBy('id').execute();
    return rows.map(toObject);
  }

  async update(uuid: string, changes: Partial<Pick<BlockDeviceMappingFields, 'device_name' | 'connection_info' | 'attachment_id' | 'volume_id' | 'volume_size'>>): Promise<void> {
    await this.db.updateTable('block_device_mapping').set({ ...changes, updated_at: nowIso() }).where('uuid', '=', uuid).execute();
  }

  /** The live mapping of a volume on a server. @throws VolumeBDMNotFound */
  async byVolumeAndInstance(volumeId: string, instanceUuid: string): Promise<BlockDeviceMapping> {
    const row = await this.db.selectFrom('block_device_mapping').selectAll().where('volume_id', '=', volumeId).where('instance_uuid', '=', instanceUuid)
      .where('deleted', '=', 0).executeTakeFirst();
    if (!row) throw new VolumeBDMNotFound(volumeId);
    return toObject(row);
  }

  /** Set delete_on_termination (PUT os-volume_attachments from 2.85). */
  async setDeleteOnTermination(uuid: string, value: boolean): Promise<void> {
    await this.db.updateTable('block_device_mapping').set({ delete_on_termination: value ? 1 : 0, updated_at: nowIso() }).where('uuid', '=', uuid).execute();
  }

  /** After a swap the mapping names the new volume, its attachment and connection. */
  async swapVolume(uuid: string, to: { volume_id: string; attachment_id: string; connection_info: string; volume_size: number }): Promise<void> {
    await this.db.updateTable('block_device_mapping').set({ ...to, updated_at: nowIso() }).where('uuid', '=', uuid).execute();
  }

  /** BlockDeviceMapping.destroy: soft-delete one mapping. */
  async destroy(uuid: string): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('block_device_mapping').set((eb) => ({ deleted: eb.ref('id'), deleted_at: now, updated_at: now }))
      .where('uuid', '=', uuid).where('deleted', '=', 0).execute();
  }

  /** The volumes of these servers (the servers view's os-extended-volumes:volumes_attached). */
  async volumesOf(instanceUuids: readonly string[]): Promise<Map<string, Array<{ volume_id: string; delete_on_termination: boolean }>>> {
    const out = new Map<string, Array<{ volume_id: string; delete_on_termination: boolean }>>();
    if (instanceUuids.length === 0) return out;
    const rows = await this.db.selectFrom('block_device_mapping').select(['instance_uuid', 'volume_id', 'delete_on_termination'])
      .where('instance_uuid', 'in', [...instanceUuids]).where('deleted', '=', 0).where('volume_id', 'is not', null).orderBy('id').execute();
    for (const r of rows) out.set(r.instance_uuid, [...(out.get(r.instance_uuid) ?? []), { volume_id: r.volume_id!, delete_on_termination: toBool(r.delete_on_termination) }]);
    return out;
  }
}
