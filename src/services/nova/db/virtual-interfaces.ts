/** A server's virtual interfaces (nova's VirtualInterface objects): the device tag of each port. */
import type { Kysely } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

export interface VirtualInterfaceRecord {
  uuid: string;
  instance_uuid: string;
  network_id: string | null;
  address: string | null;
  tag: string | null;
}

export class VirtualInterfaceRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  async create(vif: VirtualInterfaceRecord): Promise<void> {
    await this.db.insertInto('virtual_interfaces').values({ ...vif, created_at: nowIso(), updated_at: null, deleted_at: null }).execute();
  }

  async byInstance(instanceUuid: string): Promise<VirtualInterfaceRecord[]> {
    return this.db.selectFrom('virtual_interfaces').select(['uuid', 'instance_uuid', 'network_id', 'address', 'tag'])
      .where('instance_uuid', '=', instanceUuid).where('deleted', '=', 0).orderBy('id').execute();
  }

  /** Soft-delete the record of one port of a server. */
  async destroy(instanceUuid: string, portId: string): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('virtual_interfaces').set((eb) => ({ deleted: eb.ref('id'), deleted_at: now, updated_at: now }))
      .where('instance_uuid', '=', instanceUuid).where('uuid', '=', portId).where('deleted', '=', 0).execute();
  }
}
