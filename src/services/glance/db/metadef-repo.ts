/**
 * Metadata definitions in the database: namespaces with their objects, properties (both kept
 * as a name plus a JSON document), tags and resource type associations.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { insertIgnore, isUniqueViolation, toBool, transaction, type Database } from '../../../common/db/index.js';
import { Conflict } from '../../../common/errors.js';
import type { GlanceDB, MetadefNamespacesTable } from './schema.js';
import { nowStored } from '../domain/time.js';

export interface Namespace {
  id: string;
  namespace: string;
  display_name: string | null;
  description: string | null;
  visibility: 'public' | 'private';
  protected: boolean;
  owner: string | null;
  created_at: string;
  updated_at: string;
}

export interface Item {
  name: string;
  body: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface Tag {
  name: string;
  created_at: string;
  updated_at: string;
}

export interface Association {
  name: string;
  prefix: string | null;
  properties_target: string | null;
  created_at: string;
  updated_at: string;
}

export type ItemTable = 'metadef_objects' | 'metadef_properties';

export interface NamespaceFilter {
  viewerProject: string | null;
  isAdmin: boolean;
  visibility?: 'public' | 'private';
  resourceTypes?: string[];
  sortKey: 'created_at' | 'updated_at' | 'namespace' | 'display_name' | 'visibility' | 'protected' | 'owner';
  sortDir: 'asc' | 'desc';
  marker?: Namespace;
  limit: number;
}

const toNamespace = (r: MetadefNamespacesTable): Namespace => ({
  ...r, visibility: r.visibility as Namespace['visibility'], protected: toBool(r.protected),
});

export class MetadefRepo {
  constructor(private readonly database: Database<GlanceDB>) {}

  private get db() {
    return this.database.db;
  }

  async getNamespace(name: string): Promise<Namespace | undefined> {
    const row = await this.db.selectFrom('metadef_namespaces').selectAll().where('namespace', '=', name).executeTakeFirst();
    return row ? toNamespace(row) : undefined;
  }

  async listNamespaces(f: NamespaceFilter): Promise<Namespace[]> {
    let q = this.db.selectFrom('metadef_namespaces').selectAll();
    if (!f.isAdmin) q = q.where((eb) => eb.or([eb('visibility', '=', 'public'), ...(f.viewerProject ? [eb('owner', '=', f.viewerProject)] : [])]));
    if (f.visibility) q = q.where('visibility', '=', f.visibility);
    if (f.resourceTypes && f.resourceTypes.length > 0) {
      q = q.where((eb) => eb.exists(eb.selectFrom('metadef_namespace_resource_types as a')
        .innerJoin('metadef_resource_types as rt', 'rt.id', 'a.resource_type_id')
        .select('a.namespace_id').whereRef('a.namespace_id', '=', 'metadef_namespaces.id').where('rt.name', 'in', f.resourceTypes!)));
    }
    const key = sql.ref(`metadef_namespaces.${f.sortKey}`);
    q = q.orderBy(sql`coalesce(${key}, '')`, f.sortDir).orderBy('id', f.sortDir);
    if (f.marker) {
      const m = f.marker;
      const mv = String((m as unknown as Record<string, unknown>)[f.sortKey] === true ? 1 : (m as unknown as Record<string, unknown>)[f.sortKey] === false ? 0 : (m as unknown as Record<string, unknown>)[f.sortKey] ?? '');
      const cmp = f.sortDir === 'desc' ? '<' : '>';
      q = q.where((eb) => eb.or([
        eb(sql`coalesce(${key}, '')` as never, cmp, mv as never),
        eb.and([eb(sql`coalesce(${key}, '')` as never, '=', mv as never), eb('id', cmp, m.id)]),
      ]));
    }
    return (await q.limit(f.limit).execute()).map(toNamespace);
  }

  /** @throws Conflict when the namespace name is taken */
  async createNamespace(ns: Omit<Namespace, 'id' | 'created_at' | 'updated_at'>): Promise<Namespace> {
    const now = nowStored();
    const row = { id: randomUUID(), ...ns, protected: ns.protected ? 1 : 0, created_at: now, updated_at: now };
    if (!(await insertIgnore(this.db, 'metadef_namespaces', row))) throw new Conflict(`Namespace ${ns.namespace} already exists`);
    return toNamespace(row);
  }

  /** @throws Conflict when renamed to a taken name */
  async updateNamespace(ns: Namespace): Promise<Namespace> {
    const updated = { ...ns, updated_at: nowStored() };
    try {
      await this.db.updateTable('metadef_namespaces').set({
        namespace: ns.namespace, display_name: ns.display_name, description: ns.description, visibility: ns.visibility,
        protected: ns.protected ? 1 : 0, owner: ns.owner, updated_at: updated.updated_at,
      }).where('id', '=', ns.id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new Conflict(`Namespace ${ns.namespace} already exists`);
      throw err;
    }
    return updated;
  }

  async deleteNamespace(ns: Namespace): Promise<void> {
    await transaction(this.database, async (trx) => {
      for (const table of ['metadef_objects', 'metadef_properties', 'metadef_tags', 'metadef_namespace_resource_types'] as const) {
        await trx.deleteFrom(table).where('namespace_id', '=', ns.id).execute();
      }
      await trx.deleteFrom('metadef_namespaces').where('id', '=', ns.id).execute();
    });
  }

  /** Delete every object, property or tag of a namespace. */
  async deleteAll(ns: Namespace, table: ItemTable | 'metadef_tags'): Promise<void> {
    await this.db.deleteFrom(table).where('namespace_id', '=', ns.id).execute();
  }

  async listItems(ns: Namespace, table: ItemTable): Promise<Item[]> {
    const rows = await this.db.selectFrom(table).selectAll().where('namespace_id', '=', ns.id).orderBy('created_at').orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, body: JSON.parse(r.body) as Record<string, unknown>, created_at: r.created_at, updated_at: r.updated_at }));
  }

  async getItem(ns: Namespace, table: ItemTable, name: string): Promise<Item | undefined> {
    const r = await this.db.selectFrom(table).selectAll().where('namespace_id', '=', ns.id).where('name', '=', name).executeTakeFirst();
    return r ? { name: r.name, body: JSON.parse(r.body) as Record<string, unknown>, created_at: r.created_at, updated_at: r.updated_at } : undefined;
  }

  /** @throws Conflict when the name is taken in the namespace */
  async addItem(ns: Namespace, table: ItemTable, name: string, body: Record<string, unknown>, what: string): Promise<Item> {
    const now = nowStored();
    const row = { id: randomUUID(), namespace_id: ns.id, name, body: JSON.stringify(body), created_at: now, updated_at: now };
    if (!(await insertIgnore(this.db, table, row))) throw new Conflict(`A metadata definition ${what} with name=${name} already exists in namespace=${ns.namespace}.`);
    return { name, body, created_at: now, updated_at: now };
  }

  /** Replace an item (possibly renaming it). @throws Conflict on a taken name */
  async replaceItem(ns: Namespace, table: ItemTable, oldName: string, item: Item, what: string): Promise<Item> {
    const updated = { ...item, updated_at: nowStored() };
    try {
      await this.db.updateTable(table).set({ name: item.name, body: JSON.stringify(item.body), updated_at: updated.updated_at })
        .where('namespace_id', '=', ns.id).where('name', '=', oldName).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new Conflict(`A metadata definition ${what} with name=${item.name} already exists in namespace=${ns.namespace}.`);
      throw err;
    }
    return updated;
  }

  async deleteItem(ns: Namespace, table: ItemTable | 'metadef_tags', name: string): Promise<boolean> {
    const r = await this.db.deleteFrom(table).where('namespace_id', '=', ns.id).where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listTags(ns: Namespace): Promise<Tag[]> {
    return this.db.selectFrom('metadef_tags').select(['name', 'created_at', 'updated_at']).where('namespace_id', '=', ns.id).orderBy('created_at').orderBy('name').execute();
  }

  async getTag(ns: Namespace, name: string): Promise<Tag | undefined> {
    return this.db.selectFrom('metadef_tags').select(['name', 'created_at', 'updated_at']).where('namespace_id', '=', ns.id).where('name', '=', name).executeTakeFirst();
  }

  /** @throws Conflict on a duplicate name */
  async addTags(ns: Namespace, names: string[], replace: boolean): Promise<Tag[]> {
    const now = nowStored();
    if (new Set(names).size !== names.length) throw new Conflict(`A metadata tag with name=${names.find((n, i) => names.indexOf(n) !== i)} already exists in namespace=${ns.namespace}.`);
    return transaction(this.database, async (trx) => {
      if (replace) await trx.deleteFrom('metadef_tags').where('namespace_id', '=', ns.id).execute();
      for (const name of names) {
        if (!(await insertIgnore(trx, 'metadef_tags', { id: randomUUID(), namespace_id: ns.id, name, created_at: now, updated_at: now }))) {
          throw new Conflict(`A metadata tag with name=${name} already exists in namespace=${ns.namespace}.`);
        }
      }
      return names.map((name) => ({ name, created_at: now, updated_at: now }));
    });
  }

  async renameTag(ns: Namespace, oldName: string, name: string): Promise<Tag> {
    const now = nowStored();
    try {
      await this.db.updateTable('metadef_tags').set({ name, updated_at: now }).where('namespace_id', '=', ns.id).where('name', '=', oldName).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new Conflict(`A metadata tag with name=${name} already exists in namespace=${ns.namespace}.`);
      throw err;
    }
    return (await this.getTag(ns, name))!;
  }

  async listResourceTypes(): Promise<Array<{ name: string; created_at: string; updated_at: string }>> {
    return this.db.selectFrom('metadef_resource_types').select(['name', 'created_at', 'updated_at']).orderBy('created_at').orderBy('name').execute();
  }

  async associations(ns: Namespace): Promise<Association[]> {
    return this.db.selectFrom('metadef_namespace_resource_types as a').innerJoin('metadef_resource_types as rt', 'rt.id', 'a.resource_type_id')
      .select(['rt.name', 'a.prefix', 'a.properties_target', 'a.created_at', 'a.updated_at'])
      .where('a.namespace_id', '=', ns.id).orderBy('a.created_at').orderBy('rt.name').execute();
  }

  /** Associate a resource type (created when unknown). @throws Conflict when already associated */
  async associate(ns: Namespace, a: { name: string; prefix?: string | undefined; properties_target?: string | undefined }): Promise<Association> {
    const now = nowStored();
    return transaction(this.database, async (trx) => {
      await insertIgnore(trx, 'metadef_resource_types', { id: randomUUID(), name: a.name, protected: 0, created_at: now, updated_at: now });
      const rt = await trx.selectFrom('metadef_resource_types').select('id').where('name', '=', a.name).executeTakeFirstOrThrow();
      const row = { namespace_id: ns.id, resource_type_id: rt.id, prefix: a.prefix ?? null, properties_target: a.properties_target ?? null, created_at: now, updated_at: now };
      if (!(await insertIgnore(trx, 'metadef_namespace_resource_types', row))) {
        throw new Conflict(`The metadata definition resource-type association of resource-type=${a.name} to namespace=${ns.namespace}, already exists.`);
      }
      return { name: a.name, prefix: row.prefix, properties_target: row.properties_target, created_at: now, updated_at: now };
    });
  }

  async dissociate(ns: Namespace, name: string): Promise<boolean> {
    const rt = await this.db.selectFrom('metadef_resource_types').select('id').where('name', '=', name).executeTakeFirst();
    if (!rt) return false;
    const r = await this.db.deleteFrom('metadef_namespace_resource_types').where('namespace_id', '=', ns.id).where('resource_type_id', '=', rt.id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
