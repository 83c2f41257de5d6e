/**
 * Tags on standard-attribute resources (neutron/services/tag/tag_plugin.py): read, replace,
 * add one, remove one or all. Changing tags bumps the resource's revision_number. The tags
 * table keys tags by collection name (`security_groups`), the resource by its table.
 */
import { bumpRevision, type StandardTable, type Store, tagsOf } from '../db/store.js';
import { NeutronBadRequest, TagNotFound } from '../errors.js';

export const MAX_TAGS_COUNT = 50;

/** Taggable collections -> their table. */
export const TAGGABLE = {
  networks: 'networks',
  subnets: 'subnets',
  ports: 'ports',
  routers: 'routers',
  floatingips: 'floatingips',
  security_groups: 'securitygroups',
  subnetpools: 'subnetpools',
  policies: 'qos_policies',
  trunks: 'trunks',
  address_groups: 'address_groups',
} as const satisfies Record<string, StandardTable>;

export type TaggableCollection = keyof typeof TAGGABLE;

export function isTaggable(collection: string): collection is TaggableCollection {
  return collection in TAGGABLE;
}

export class TagManager {
  constructor(private readonly store: Store) {}

  async get(collection: TaggableCollection, id: string): Promise<string[]> {
    return (await tagsOf(this.store.db, collection, [id])).get(id) ?? [];
  }

  private checkLimit(collection: TaggableCollection, tags: string[]): void {
    if (new Set(tags).size > MAX_TAGS_COUNT) throw new NeutronBadRequest(collection, `The number of tags exceed the per-resource limit of ${MAX_TAGS_COUNT}`);
  }

  async has(collection: TaggableCollection, id: string, tag: string): Promise<void> {
    if (!(await this.get(collection, id)).includes(tag)) throw new TagNotFound(tag);
  }

  async replace(collection: TaggableCollection, id: string, tags: string[]): Promise<string[]> {
    this.checkLimit(collection, tags);
    await this.store.write(async (tx) => {
      await tx.deleteFrom('tags').where('resource_type', '=', collection).where('resource_id', '=', id).execute();
      for (const tag of new Set(tags)) await tx.insertInto('tags').values({ resource_type: collection, resource_id: id, tag }).execute();
      await bumpRevision(tx, TAGGABLE[collection], id);
    });
    return tags;
  }

  async add(collection: TaggableCollection, id: string, tag: string): Promise<void> {
    const current = await this.get(collection, id);
    if (current.includes(tag)) return;
    this.checkLimit(collection, [...current, tag]);
    await this.store.write(async (tx) => {
      const exists = await tx.selectFrom('tags').select('tag').where('resource_type', '=', collection).where('resource_id', '=', id).where('tag', '=', tag).executeTakeFirst();
      if (exists) return;
      await tx.insertInto('tags').values({ resource_type: collection, resource_id: id, tag }).execute();
      await bumpRevision(tx, TAGGABLE[collection], id);
    });
  }

  async remove(collection: TaggableCollection, id: string, tag: string): Promise<void> {
    await this.store.write(async (tx) => {
      const res = await tx.deleteFrom('tags').where('resource_type', '=', collection).where('resource_id', '=', id).where('tag', '=', tag).executeTakeFirst();
      if (!res.numDeletedRows) throw new TagNotFound(tag);
      await bumpRevision(tx, TAGGABLE[collection], id);
    });
  }

  async removeAll(collection: TaggableCollection, id: string): Promise<void> {
    await this.store.write(async (tx) => {
      await tx.deleteFrom('tags').where('resource_type', '=', collection).where('resource_id', '=', id).execute();
      await bumpRevision(tx, TAGGABLE[collection], id);
    });
  }
}
