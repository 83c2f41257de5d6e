/**
 * Trunks (neutron/services/trunk/plugin.py TrunkPlugin): a parent port carrying subports, each
 * a port with a segmentation (VLAN) on the trunk. Create, update, delete, add and remove
 * subports with upstream's rules (./trunk-rules.ts): a disabled trunk (admin_state_up false)
 * cannot be deleted or have its subports changed (TrunkDisabled); ports in a trunk cannot be
 * deleted (PortInUseAsTrunkParent, PortInUseAsSubPort).
 *
 * Status, as the server sets it: DOWN when created and whenever subports are added or removed;
 * ACTIVE when the parent port goes ACTIVE, DOWN when it is unbound (Zed's
 * _trigger_trunk_status_change). The simulated L2 agent plays a trunk driver's part: once it
 * has plugged a parent it has the subports bound to its host over the q-trunk RPC
 * (../rpc/trunks.ts: BUILD meanwhile, ERROR when one cannot be bound) and reports the trunk
 * ACTIVE. No driver says it can trunk a bound port, so bound ports cannot be trunked or
 * untrunked (trunk-rules.ts canBeTrunkedOrUntrunked).
 */
import { randomUUID } from 'node:crypto';
import { isSet } from '../common/attributes.js';
import type { NeutronContext } from '../common/context.js';
import { type EventRegistry, type PortDeleting, PRIORITY_CHECK, type Updated } from '../common/events.js';
import { applyFilters, columnsOf, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { SubPortRow, TrunkRow } from '../db/schema.js';
import { checkRevision, type Db, nextRevision, now, setTags, standardView, type Store, type Tx, tagsOf } from '../db/store.js';
import {
  DuplicateSubPort, PortInUseAsSubPort, PortInUseAsTrunkParent, SubPortNotFound, TrunkDisabled, TrunkInErrorState, TrunkInUse, TrunkNotFound,
} from '../errors.js';
import { VIF_TYPE_UNBOUND } from '../ml2/driver-api.js';
import type { WriteOptions } from '../types/common.js';
import type { Port } from '../types/port.js';
import { type SubPort, type SubPortRequest, TRUNK_STATUS, type Trunk, type TrunkCreate, type TrunkStatus, type TrunkUpdate } from '../types/trunk.js';
import { subPortsOf, subPortView } from './trunk-details.js';
import { canBeTrunkedOrUntrunked, type PortLookup, SubPortsValidator, validateParentPort } from './trunk-rules.js';
import type { ResourceHandlers } from './types.js';
import { ownedBy } from './visibility.js';

const spec: ListSpec<'trunks'> = {
  table: 'trunks',
  tagType: 'trunks',
  columns: {
    ...stringColumns<'trunks'>('id', 'name', 'project_id', 'port_id', 'status', 'description', 'created_at', 'updated_at'),
    ...columnsOf<'trunks'>('bool', 'admin_state_up'),
    ...columnsOf<'trunks'>('int', 'revision_number'),
  },
};

export interface TrunkDeps {
  store: Store;
  events: EventRegistry;
  /** A port as the caller may see it. */
  findPort: PortLookup;
}

export class TrunkManager implements ResourceHandlers<Trunk, TrunkCreate, TrunkUpdate> {
  private readonly subports: SubPortsValidator;

  constructor(private readonly d: TrunkDeps) {
    this.subports = new SubPortsValidator(d.findPort);
    d.events.subscribe('port', 'before_delete', (e) => this.checkPortDeletion(e), PRIORITY_CHECK);
    d.events.subscribe('port', 'after_update', (e) => this.followParentPort(e));
    d.events.subscribe('port_status', 'after_update', (e) => this.followParentPort(e));
  }

  private get db(): Db {
    return this.d.store.db;
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Trunk[]> {
    let qb = this.db.selectFrom('trunks').selectAll('trunks');
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'trunks'));
    qb = applyFilters(qb, spec, q.filters);
    return this.views(this.db, await runPaged(this.db, qb, spec, q));
  }

  private async views(db: Db, rows: TrunkRow[]): Promise<Trunk[]> {
    const ids = rows.map((r) => r.id);
    const [subports, tags] = await Promise.all([subPortsOf(db, ids), tagsOf(db, 'trunks', ids)]);
    return rows.map((r) => ({
      admin_state_up: Boolean(Number(r.admin_state_up)),
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      project_id: r.project_id,
      port_id: r.port_id,
      status: r.status,
      sub_ports: (subports.get(r.id) ?? []).map(subPortView),
      tags: tags.get(r.id) ?? [],
      ...standardView(r),
    }));
  }

  private async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<TrunkRow> {
    let qb = db.selectFrom('trunks').selectAll('trunks').where('trunks.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'trunks'));
    const row = await qb.executeTakeFirst();
    if (!row) throw new TrunkNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<Trunk> {
    return this.getIn(this.db, ctx, id);
  }

  private async getIn(db: Db, ctx: NeutronContext, id: string): Promise<Trunk> {
    return (await this.views(db, [await this.getRow(ctx, id, db)]))[0]!;
  }

  async create(ctx: NeutronContext, body: TrunkCreate): Promise<Trunk> {
    return this.d.store.write(async (tx) => {
      await validateParentPort(ctx, tx, body.port_id, this.d.findPort);
      const subports = await this.subports.validate(ctx, tx, body.sub_ports ?? [], body.port_id);
      const t = now();
      const row: TrunkRow = {
        id: randomUUID(), project_id: body.project_id, name: body.name ?? '', admin_state_up: body.admin_state_up === false ? 0 : 1,
        status: TRUNK_STATUS.DOWN, port_id: body.port_id, description: body.description ?? '', revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('trunks').values(row).execute();
      await this.insertSubports(tx, row.id, subports);
      if (isSet(body.tags)) await setTags(tx, 'trunks', row.id, body.tags);
      return this.getIn(tx, ctx, row.id);
    });
  }

  /** Subports after the trunk's current ones; a segmentation already on the trunk is DuplicateSubPort. */
  private async insertSubports(tx: Tx, trunkId: string, subports: SubPort[]): Promise<void> {
    const existing = await tx.selectFrom('subports').select(['segmentation_type', 'segmentation_id', 'position']).where('trunk_id', '=', trunkId).execute();
    const taken = new Set(existing.map((s) => `${s.segmentation_type}/${Number(s.segmentation_id)}`));
    let position = existing.reduce((max, s) => Math.max(max, Number(s.position)), 0);
    for (const sp of subports) {
      const key = `${sp.segmentation_type}/${sp.segmentation_id}`;
      if (taken.has(key)) throw new DuplicateSubPort(sp.segmentation_type, sp.segmentation_id, trunkId);
      taken.add(key);
      position += 1;
      const row: SubPortRow = { port_id: sp.port_id, trunk_id: trunkId, segmentation_type: sp.segmentation_type, segmentation_id: sp.segmentation_id, position };
      await tx.insertInto('subports').values(row).execute();
    }
  }

  async update(ctx: NeutronContext, id: string, body: TrunkUpdate, opts: WriteOptions): Promise<Trunk> {
    return this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const set: Partial<TrunkRow> = {};
      if (body.name !== undefined) set.name = body.name;
      if (body.description !== undefined) set.description = body.description;
      if (body.admin_state_up !== undefined) set.admin_state_up = body.admin_state_up ? 1 : 0;
      if (Object.keys(set).length) await tx.updateTable('trunks').set({ ...set, ...nextRevision() }).where('id', '=', id).execute();
      return this.getIn(tx, ctx, id);
    });
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      if (!Number(row.admin_state_up)) throw new TrunkDisabled(id);
      const parent = await tx.selectFrom('ports').select('binding_host_id').where('id', '=', row.port_id).executeTakeFirst();
      if (parent && !canBeTrunkedOrUntrunked(parent)) throw new TrunkInUse(id);
      await tx.deleteFrom('tags').where('resource_type', '=', 'trunks').where('resource_id', '=', id).execute();
      await tx.deleteFrom('subports').where('trunk_id', '=', id).execute();
      await tx.deleteFrom('trunks').where('id', '=', id).execute();
    });
  }

  /**
   * PUT /trunks/{id}/add_subports: the trunk with its subports, status DOWN. `requested` gives
   * the request's subports, checked for shape (400) when upstream checks them: after the trunk
   * is found here, after it is found manageable for removals.
   */
  async addSubports(ctx: NeutronContext, id: string, requested: () => SubPortRequest[]): Promise<Trunk> {
    return this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      const subports = await this.subports.validate(ctx, tx, requested(), row.port_id);
      if (!Number(row.admin_state_up)) throw new TrunkDisabled(id);
      if (row.status === TRUNK_STATUS.ERROR) throw new TrunkInErrorState(id);
      await this.insertSubports(tx, id, subports);
      await this.setStatusIn(tx, id, TRUNK_STATUS.DOWN);
      return this.getIn(tx, ctx, id);
    });
  }

  /** PUT /trunks/{id}/remove_subports: each must be on the trunk (SubPortNotFound); status DOWN. */
  async removeSubports(ctx: NeutronContext, id: string, requested: () => SubPortRequest[]): Promise<Trunk> {
    return this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      if (!Number(row.admin_state_up)) throw new TrunkDisabled(id);
      const subports = requested();
      const current = new Set((await tx.selectFrom('subports').select('port_id').where('trunk_id', '=', id).execute()).map((s) => s.port_id));
      for (const sp of subports) {
        if (!current.delete(sp.port_id)) throw new SubPortNotFound(id, sp.port_id);
        await tx.deleteFrom('subports').where('trunk_id', '=', id).where('port_id', '=', sp.port_id).execute();
      }
      await this.setStatusIn(tx, id, TRUNK_STATUS.DOWN);
      return this.getIn(tx, ctx, id);
    });
  }

  /** GET /trunks/{id}/get_subports. */
  async getSubports(ctx: NeutronContext, id: string): Promise<{ sub_ports: SubPort[] }> {
    return { sub_ports: (await this.get(ctx, id)).sub_ports };
  }

  /**
   * The status a trunk driver's agent reports (update_trunk_status): a new revision when it
   * changes; an unknown trunk is ignored, as upstream's TrunkSkeleton does.
   */
  async setStatus(id: string, status: TrunkStatus): Promise<void> {
    await this.d.store.write(async (tx) => {
      const row = await tx.selectFrom('trunks').select('status').where('id', '=', id).executeTakeFirst();
      if (row && row.status !== status) await this.setStatusIn(tx, id, status);
    });
  }

  /** The trunk's status, and a new revision: its subports changed, or its status did. */
  private async setStatusIn(tx: Db, id: string, status: TrunkStatus): Promise<void> {
    await tx.updateTable('trunks').set({ status, ...nextRevision() }).where('id', '=', id).execute();
  }

  /** enforce_port_deletion_rules (port BEFORE_DELETE): a port in a trunk stays. */
  private async checkPortDeletion({ port }: PortDeleting): Promise<void> {
    const sub = await this.db.selectFrom('subports').select('trunk_id').where('port_id', '=', port.id).executeTakeFirst();
    if (sub) throw new PortInUseAsSubPort(port.id, sub.trunk_id);
    const trunk = await this.db.selectFrom('trunks').select('id').where('port_id', '=', port.id).executeTakeFirst();
    if (trunk) throw new PortInUseAsTrunkParent(port.id, trunk.id);
  }

  /** _trigger_trunk_status_change: a parent port unbound makes its trunk DOWN, gone ACTIVE makes it ACTIVE. */
  private async followParentPort({ current, original }: Updated<Port>): Promise<void> {
    if (!current.trunk_details) return;
    const vifChanged = current['binding:vif_type'] !== original['binding:vif_type'];
    let status: TrunkStatus | undefined;
    if (vifChanged && current['binding:vif_type'] === VIF_TYPE_UNBOUND) status = TRUNK_STATUS.DOWN;
    else if (current.status === 'ACTIVE' && original.status !== 'ACTIVE') status = TRUNK_STATUS.ACTIVE;
    if (!status) return;
    await this.setStatus(current.trunk_details.trunk_id, status);
  }
}
