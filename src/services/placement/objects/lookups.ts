/**
 * Name/id lookups of resource classes, traits and consumer types for one operation
 * (placement/attribute_cache.py): resource classes and consumer types are read whole on first
 * use, traits only by the names or ids asked for (there are hundreds). Built per request or per
 * transaction attempt on the handle that operation uses, so that no process-wide cache can go
 * stale when another process renames or deletes one.
 */
import type { Queryable } from '../../../common/db/index.js';
import type { PlacementDB } from '../db/schema.js';
import { chunks } from '../db/store.js';
import { ConsumerTypeNotFound, ResourceClassNotFound, TraitNotFound } from '../errors.js';

/** A resource class or trait row. */
export interface NamedRow {
  id: number;
  name: string;
  created_at: string | null;
  updated_at: string | null;
}

/** How consumers without a type are shown (consumer_type.NULL_CONSUMER_TYPE_ALIAS). */
export const NULL_CONSUMER_TYPE_ALIAS = 'unknown';

export class Lookups {
  private rcByName: Map<string, NamedRow> | undefined;
  private rcById: Map<number, NamedRow> | undefined;
  private ctByName: Map<string, number> | undefined;
  private ctById: Map<number, string> | undefined;

  constructor(readonly db: Queryable<PlacementDB>) {}

  private async loadResourceClasses(): Promise<void> {
    const rows = await this.db.selectFrom('resource_classes').select(['id', 'name', 'created_at', 'updated_at']).orderBy('id').execute();
    this.rcByName = new Map(rows.map((r) => [r.name, { ...r, id: Number(r.id) }]));
    this.rcById = new Map(rows.map((r) => [Number(r.id), { ...r, id: Number(r.id) }]));
  }

  /** All resource classes, in id order. */
  async resourceClasses(): Promise<NamedRow[]> {
    if (!this.rcById) await this.loadResourceClasses();
    return [...this.rcById!.values()];
  }

  /** Names of all resource classes by id. */
  async resourceClassNames(): Promise<Map<number, string>> {
    if (!this.rcById) await this.loadResourceClasses();
    return new Map([...this.rcById!].map(([id, row]) => [id, row.name]));
  }

  /** @throws ResourceClassNotFound */
  async resourceClass(name: string): Promise<NamedRow> {
    if (!this.rcByName?.has(name)) await this.loadResourceClasses();
    const row = this.rcByName!.get(name);
    if (!row) throw new ResourceClassNotFound(name);
    return row;
  }

  /** @throws ResourceClassNotFound */
  async rcId(name: string): Promise<number> {
    return (await this.resourceClass(name)).id;
  }

  /** @throws ResourceClassNotFound */
  async rcName(id: number): Promise<string> {
    if (!this.rcById?.has(id)) await this.loadResourceClasses();
    const row = this.rcById!.get(id);
    if (!row) throw new ResourceClassNotFound(id);
    return row.name;
  }

  /** Forget what was read (after creating, renaming or deleting a resource class). */
  clear(): void {
    this.rcByName = undefined;
    this.rcById = undefined;
    this.ctByName = undefined;
    this.ctById = undefined;
  }

  /** Trait ids by name; TraitNotFound naming the first unknown one (trait.ids_from_names). */
  async traitIds(names: Iterable<string>): Promise<Map<string, number>> {
    const wanted = [...new Set(names)];
    const out = new Map<string, number>();
    for (const part of chunks(wanted)) {
      const rows = await this.db.selectFrom('traits').select(['id', 'name']).where('name', 'in', part).execute();
      for (const r of rows) out.set(r.name, Number(r.id));
    }
    const missing = wanted.find((n) => !out.has(n));
    if (missing !== undefined) throw new TraitNotFound(missing);
    return out;
  }

  /** @throws TraitNotFound */
  async trait(name: string): Promise<NamedRow> {
    const row = await this.db.selectFrom('traits').select(['id', 'name', 'created_at', 'updated_at']).where('name', '=', name).executeTakeFirst();
    if (!row) throw new TraitNotFound(name);
    return { ...row, id: Number(row.id) };
  }

  private async loadConsumerTypes(): Promise<void> {
    const rows = await this.db.selectFrom('consumer_types').select(['id', 'name']).execute();
    this.ctByName = new Map(rows.map((r) => [r.name, Number(r.id)]));
    this.ctById = new Map(rows.map((r) => [Number(r.id), r.name]));
  }

  /** The name of a consumer type id; `unknown` for consumers without one. */
  async consumerTypeName(id: number | null): Promise<string> {
    if (id === null) return NULL_CONSUMER_TYPE_ALIAS;
    if (!this.ctById?.has(id)) await this.loadConsumerTypes();
    const name = this.ctById!.get(id);
    if (name === undefined) throw new ConsumerTypeNotFound(id);
    return name;
  }

  /** The id of a consumer type, or undefined. */
  async consumerTypeId(name: string): Promise<number | undefined> {
    if (!this.ctByName?.has(name)) await this.loadConsumerTypes();
    return this.ctByName!.get(name);
  }
}
