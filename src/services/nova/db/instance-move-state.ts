/**
 * What a server keeps about a move in progress:
 *  - the flavors in instance_extra (nova's instance.flavor, old_flavor and new_flavor): during
 *    a resize `new` is the flavor asked for and `old` the one it had; the current flavor
 *    switches when the destination finishes and back on a revert;
 *  - system metadata keys nova keeps there (old_vm_state during a resize; shelved_at,
 *    shelved_image_id, shelved_host while shelved).
 */
import type { Kysely } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import { InstanceNotFound } from '../errors.js';
import { Flavor, type FlavorFields } from '../objects/index.js';
import type { NovaDB } from './schema.js';

export interface InstanceFlavors {
  cur: Flavor;
  old: Flavor | null;
  new: Flavor | null;
}

export class InstanceMoveStateRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** @throws InstanceNotFound */
  async get(instanceUuid: string): Promise<InstanceFlavors> {
    const row = await this.db.selectFrom('instance_extra').select('flavor').where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0).executeTakeFirst();
    if (!row?.flavor) throw new InstanceNotFound(instanceUuid);
    const f = JSON.parse(row.flavor) as { cur: FlavorFields; old: FlavorFields | null; new: FlavorFields | null };
    return { cur: new Flavor(f.cur), old: f.old ? new Flavor(f.old) : null, new: f.new ? new Flavor(f.new) : null };
  }

  /**
   * Write the three snapshots; when `cur` changes, the instance row's size columns follow it
   * (memory_mb, vcpus, root_gb, ephemeral_gb, instance_type_id), as nova's _set_instance_info.
   */
  async set(instanceUuid: string, flavors: InstanceFlavors): Promise<void> {
    const text = JSON.stringify({ cur: flavors.cur.data, old: flavors.old?.data ?? null, new: flavors.new?.data ?? null });
    const now = nowIso();
    await this.db.updateTable('instance_extra').set({ flavor: text, updated_at: now }).where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0).execute();
    const f = flavors.cur.data;
    await this.db.updateTable('instances').set({
      memory_mb: f.memory_mb, vcpus: f.vcpus, root_gb: f.root_gb, ephemeral_gb: f.ephemeral_gb, instance_type_id: f.id, updated_at: now,
    }).where('uuid', '=', instanceUuid).where('deleted', '=', 0).execute();
  }

  /** One system metadata key of a live instance; null removes it. */
  async setSystemMetadata(instanceUuid: string, key: string, value: string | null): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('instance_system_metadata').set((eb) => ({ deleted: eb.ref('id'), deleted_at: now }))
      .where('instance_uuid', '=', instanceUuid).where('key', '=', key).where('deleted', '=', 0).execute();
    if (value !== null) {
      await this.db.insertInto('instance_system_metadata').values({ instance_uuid: instanceUuid, key, value, created_at: now, updated_at: null, deleted_at: null }).execute();
    }
  }
}
