/**
 * Address groups (neutron/db/address_group_db.py, extensions address-group and
 * rbac-address-group): a project's named set of CIDRs that security group rules name as
 * remote_address_group_id. Addresses are kept with their host bits zero ('192.168.0.10/24' is
 * 192.168.0.0/24, a bare address in add/remove_addresses is a /32 or /128). Adding an address
 * already there (AddressesAlreadyExist) or removing one that is not (AddressesNotFound) changes
 * nothing; a group some rule names cannot be deleted (AddressGroupInUse). RBAC access_as_shared
 * policies let other projects see and use a group.
 */
import { randomUUID } from 'node:crypto';
import { isSet } from '../common/attributes.js';
import type { NeutronContext } from '../common/context.js';
import type { EventRegistry } from '../common/events.js';
import { cidrToString, parseCidr } from '../common/netaddr.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged, stringColumns, columnsOf } from '../db/listing.js';
import type { AddressGroupRow } from '../db/schema.js';
import { checkRevision, type Db, groupBy, nextRevision, now, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import { AddressGroupInUse, AddressGroupNotFound, AddressesAlreadyExist, AddressesNotFound, HTTPBadRequest } from '../errors.js';
import type { AddressGroup, AddressGroupCreate, AddressGroupUpdate } from '../types/address-group.js';
import type { WriteOptions } from '../types/common.js';
import type { ResourceHandlers } from './types.js';
import { addressGroupVisibleTo } from './visibility.js';

const spec: ListSpec<'address_groups'> = {
  table: 'address_groups',
  tagType: 'address_groups',
  columns: {
    ...stringColumns<'address_groups'>('id', 'name', 'project_id', 'description', 'created_at', 'updated_at'),
    ...columnsOf<'address_groups'>('int', 'revision_number'),
  },
};

/**
 * An address as the group keeps it: `addr/len` with the host bits zero (netaddr's
 * f"{net.network}/{net.prefixlen}"); a bare address is a host prefix. undefined: not an address.
 */
export function normalizeAddress(text: unknown): string | undefined {
  if (typeof text !== 'string' || /\s/.test(text)) return undefined;
  const c = parseCidr(text, true);
  return c ? cidrToString(c) : undefined;
}

/** The `addresses` of an add/remove_addresses body, normalised and without repeats. */
export function addressesRequest(body: Readonly<Record<string, unknown>>): string[] {
  const list = body.addresses;
  if (!Array.isArray(list)) throw new HTTPBadRequest("Unable to find 'addresses' in request body");
  const out = new Set<string>();
  for (const a of list) {
    const n = normalizeAddress(a);
    if (!n) throw new HTTPBadRequest(`invalid IPNetwork ${typeof a === 'string' ? a : JSON.stringify(a)}`);
    out.add(n);
  }
  return [...out];
}

export class AddressGroupManager implements ResourceHandlers<AddressGroup, AddressGroupCreate, AddressGroupUpdate> {
  constructor(private readonly store: Store, private readonly events: EventRegistry) {}

  private get db(): Db {
    return this.store.db;
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<AddressGroup[]> {
    let qb = this.db.selectFrom('address_groups').selectAll('address_groups');
    if (!ctx.unscoped) qb = qb.where(addressGroupVisibleTo(ctx.projectId ?? ''));
    qb = applyFilters(qb, spec, q.filters);
    return this.view(ctx, await runPaged(this.db, qb, spec, q));
  }

  /** The group, if `projectId` (or, unscoped, anyone) may see it; else AddressGroupNotFound. */
  async getRow(ctx: NeutronContext, id: string, db: Db = this.db, projectId?: string): Promise<AddressGroupRow> {
    let qb = db.selectFrom('address_groups').selectAll('address_groups').where('address_groups.id', '=', id);
    const asProject = projectId ?? ctx.projectId ?? '';
    if (!ctx.unscoped || projectId !== undefined) qb = qb.where(addressGroupVisibleTo(asProject));
    const row = await qb.executeTakeFirst();
    if (!row) throw new AddressGroupNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<AddressGroup> {
    return this.viewOne(ctx, await this.getRow(ctx, id));
  }

  private async viewOne(ctx: NeutronContext, row: AddressGroupRow, db: Db = this.db): Promise<AddressGroup> {
    return (await this.view(ctx, [row], db))[0]!;
  }

  private async view(ctx: NeutronContext, rows: AddressGroupRow[], db: Db = this.db): Promise<AddressGroup[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [addresses, tags, grants] = await Promise.all([
      db.selectFrom('address_associations').selectAll().where('address_group_id', 'in', ids).orderBy('address').execute(),
      tagsOf(db, 'address_groups', ids),
      db.selectFrom('rbac_policies').select(['object_id', 'target_project']).where('object_type', '=', 'address_group').where('object_id', 'in', ids).execute(),
    ]);
    const byGroup = groupBy(addresses, (a) => a.address_group_id);
    return rows.map((r): AddressGroup => ({
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      project_id: r.project_id,
      addresses: (byGroup.get(r.id) ?? []).map((a) => a.address),
      shared: grants.some((g) => g.object_id === r.id && (g.target_project === '*' || g.target_project === ctx.projectId)),
      tags: tags.get(r.id) ?? [],
      ...standardView(r),
    }));
  }

  async create(ctx: NeutronContext, body: AddressGroupCreate): Promise<AddressGroup> {
    const addresses = isSet(body.addresses) ? [...new Set(body.addresses.map((a) => normalizeAddress(a)!))] : [];
    const row = await this.store.write(async (tx) => {
      const t = now();
      const r: AddressGroupRow = {
        id: randomUUID(), project_id: body.project_id, name: body.name ?? '', description: body.description ?? '', revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('address_groups').values(r).execute();
      if (addresses.length) await tx.insertInto('address_associations').values(addresses.map((address) => ({ address, address_group_id: r.id }))).execute();
      if (isSet(body.tags)) await setTags(tx, 'address_groups', r.id, body.tags);
      return r;
    });
    const current = await this.viewOne(ctx, row);
    await this.events.publish('address_group', 'after_create', { ctx, current });
    return current;
  }

  async update(ctx: NeutronContext, id: string, body: AddressGroupUpdate, opts: WriteOptions): Promise<AddressGroup> {
    return this.change(ctx, id, opts, async (tx) => {
      const set: Partial<AddressGroupRow> = {};
      if (body.name !== undefined) set.name = body.name;
      if (body.description !== undefined) set.description = body.description;
      await tx.updateTable('address_groups').set({ ...set, ...nextRevision() }).where('id', '=', id).execute();
    });
  }

  /** add_addresses: every address must be new to the group. */
  async addAddresses(ctx: NeutronContext, id: string, addresses: readonly string[]): Promise<AddressGroup> {
    return this.change(ctx, id, {}, async (tx, current) => {
      const present = addresses.filter((a) => current.includes(a));
      if (present.length) throw new AddressesAlreadyExist(present, id);
      if (addresses.length) await tx.insertInto('address_associations').values(addresses.map((address) => ({ address, address_group_id: id }))).execute();
      await tx.updateTable('address_groups').set(nextRevision()).where('id', '=', id).execute();
    });
  }

  /** remove_addresses: every address must be in the group. */
  async removeAddresses(ctx: NeutronContext, id: string, addresses: readonly string[]): Promise<AddressGroup> {
    return this.change(ctx, id, {}, async (tx, current) => {
      const missing = addresses.filter((a) => !current.includes(a));
      if (missing.length) throw new AddressesNotFound(missing, id);
      if (addresses.length) await tx.deleteFrom('address_associations').where('address_group_id', '=', id).where('address', 'in', [...addresses]).execute();
      await tx.updateTable('address_groups').set(nextRevision()).where('id', '=', id).execute();
    });
  }

  /** One write to a visible group (with its current addresses), then after_update with the old and new views. */
  private async change(ctx: NeutronContext, id: string, opts: WriteOptions, fn: (tx: Db, addresses: string[]) => Promise<void>): Promise<AddressGroup> {
    const original = await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const original = await this.viewOne(ctx, row, tx);
      await fn(tx, original.addresses);
      return original;
    });
    const current = await this.get(ctx, id);
    await this.events.publish('address_group', 'after_update', { ctx, current, original });
    return current;
  }

  /** get_secgroup_ids_for_address_group: the security groups with rules naming the group. */
  async securityGroupsUsing(id: string): Promise<string[]> {
    const rows = await this.db.selectFrom('securitygrouprules').select('security_group_id').distinct().where('remote_address_group_id', '=', id).execute();
    return rows.map((r) => r.security_group_id);
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const original = await this.store.write(async (tx) => {
      const used = await tx.selectFrom('securitygrouprules').select('id').where('remote_address_group_id', '=', id).executeTakeFirst();
      if (used) throw new AddressGroupInUse(id);
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const original = await this.viewOne(ctx, row, tx);
      await tx.deleteFrom('tags').where('resource_type', '=', 'address_groups').where('resource_id', '=', id).execute();
      await tx.deleteFrom('rbac_policies').where('object_type', '=', 'address_group').where('object_id', '=', id).execute();
      await tx.deleteFrom('address_associations').where('address_group_id', '=', id).execute();
      await tx.deleteFrom('address_groups').where('id', '=', id).execute();
      return original;
    });
    await this.events.publish('address_group', 'after_delete', { ctx, current: original });
  }
}
