/**
 * Address scopes (neutron/db/address_scope_db.py): a name, an IP version and sharing; subnet
 * pools join one. A scope in use by subnet pools cannot be deleted, and sharing cannot be
 * withdrawn (AddressScopeUpdateError).
 */
import { randomUUID } from 'node:crypto';
import type { NeutronContext } from '../common/context.js';
import { applyFilters, columnsOf, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { AddressScopeRow } from '../db/schema.js';
import type { Db, Store } from '../db/store.js';
import { AddressScopeInUse, AddressScopeNotFound, AddressScopeUpdateError } from '../errors.js';
import type { AddressScope, AddressScopeCreate, AddressScopeUpdate } from '../types/subnet-pool.js';
import type { ResourceHandlers } from './types.js';
import { sharedFilter, sharedOrOwned } from './visibility.js';

const spec: ListSpec<'address_scopes'> = {
  table: 'address_scopes',
  columns: {
    ...stringColumns<'address_scopes'>('id', 'name', 'project_id'),
    ...columnsOf<'address_scopes'>('bool', 'shared'),
    ...columnsOf<'address_scopes'>('int', 'ip_version'),
  },
};

function view(r: AddressScopeRow, granted: boolean): AddressScope {
  return { id: r.id, name: r.name, tenant_id: r.project_id, project_id: r.project_id, shared: Boolean(Number(r.shared)) || granted, ip_version: Number(r.ip_version) };
}

export class AddressScopeManager implements ResourceHandlers<AddressScope, AddressScopeCreate, AddressScopeUpdate> {
  constructor(private readonly store: Store) {}

  async list(ctx: NeutronContext, q: ListQuery): Promise<AddressScope[]> {
    const withShared: ListSpec<'address_scopes'> = { ...spec, hooks: { shared: sharedFilter(ctx, 'address_scopes', 'address_scope') } };
    let qb = this.store.db.selectFrom('address_scopes').selectAll('address_scopes');
    if (!ctx.unscoped) qb = qb.where(sharedOrOwned(ctx, 'address_scopes', 'address_scope'));
    qb = applyFilters(qb, withShared, q.filters);
    return this.views(ctx, await runPaged(this.store.db, qb, spec, q));
  }

  /** `shared` is also true for the caller when an RBAC policy shares the scope with it. */
  private async views(ctx: NeutronContext, rows: AddressScopeRow[]): Promise<AddressScope[]> {
    if (rows.length === 0) return [];
    const grants = await this.store.db.selectFrom('rbac_policies').select(['object_id', 'target_project'])
      .where('object_type', '=', 'address_scope').where('object_id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => view(r, grants.some((g) => g.object_id === r.id && (g.target_project === '*' || g.target_project === ctx.projectId))));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.store.db): Promise<AddressScopeRow> {
    let qb = db.selectFrom('address_scopes').selectAll('address_scopes').where('address_scopes.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(sharedOrOwned(ctx, 'address_scopes', 'address_scope'));
    const row = await qb.executeTakeFirst();
    if (!row) throw new AddressScopeNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<AddressScope> {
    return (await this.views(ctx, [await this.getRow(ctx, id)]))[0]!;
  }

  async create(_ctx: NeutronContext, body: AddressScopeCreate): Promise<AddressScope> {
    const row: AddressScopeRow = {
      id: randomUUID(), project_id: body.project_id, name: body.name ?? '', shared: body.shared === true ? 1 : 0, ip_version: Number(body.ip_version),
    };
    await this.store.db.insertInto('address_scopes').values(row).execute();
    return view(row, false);
  }

  async update(ctx: NeutronContext, id: string, body: AddressScopeUpdate): Promise<AddressScope> {
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      if (!ctx.unscoped && row.project_id !== ctx.projectId) throw new AddressScopeNotFound(id);
      const set: Partial<AddressScopeRow> = {};
      if (body.name !== undefined) set.name = body.name;
      if (body.shared !== undefined) {
        if (Number(row.shared) && body.shared === false) throw new AddressScopeUpdateError(id, 'Shared address scope can\'t be unshared');
        set.shared = body.shared ? 1 : 0;
      }
      if (Object.keys(set).length) await tx.updateTable('address_scopes').set(set).where('id', '=', id).execute();
    });
    return this.get(ctx, id);
  }

  async delete(ctx: NeutronContext, id: string): Promise<void> {
    await this.store.write(async (tx) => {
      await this.getRow(ctx, id, tx);
      const used = await tx.selectFrom('subnetpools').select('id').where('address_scope_id', '=', id).executeTakeFirst();
      if (used) throw new AddressScopeInUse(id);
      await tx.deleteFrom('address_scopes').where('id', '=', id).execute();
    });
  }
}
