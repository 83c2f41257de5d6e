/**
 * Tags on standard-attribute resources (neutron/services/tag/tag_plugin.py): read, replace,
 * add one, remove one or all. Changing tags bumps the resource's revision_number.
 */
import type { Kysely } from 'kysely';
import { bumpRevision, type StandardTable, type Store, tagsOf } from '../db/store.js';
import { InvalidInput, NeutronBadRequest, TagNotFound } from '../errors.js';
import { show } from '../api/attributes/validators.js';

export const MAX_TAG_LEN = 255;
export const MAX_TAGS_COUNT = 50;

/** Taggable collections -> their table. */
export const TAGGABLE: Readonly<Record<string, StandardTable>> = {
  networks: 'networks',
  subnets: 'subnets',
  ports: 'ports',
  routers: 'routers',
  floatingips: 'floatingips',
  security_groups: 'securitygroups',
  subnetpools: 'subnetpools',
};

export function validateTag(tag: unknown): string {
  if (typeof tag !== 'string') throw new InvalidInput(`'${show(tag)}' is not a valid string`);
  if (tag.length > MAX_TAG_LEN) throw new InvalidInput(`'${tag}' exceeds maximum length of ${MAX_TAG_LEN}`);
  return tag;
}

/** validate_tags: {"tags": [unique strings]}. */
export function validateTagsBody(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || !('tags' in body)) throw new InvalidInput('Invalid tags body');
  const tags = (body as { tags: unknown }).tags;
  if (!Array.isArray(tags)) throw new InvalidInput(`'${show(tags)}' is not a list`);
  const seen = new Set<string>();
  for (const t of tags) {
    validateTag(t);
    if (seen.has(t as string)) throw new InvalidInput(`Duplicate items in the list: '${String(t)}'`);
    seen.add(t as string);
  }
  return tags as string[];
}

export class TagManager {
  constructor(private readonly store: Store) {}

  async get(collection: string, id: string): Promise<string[]> {
    return (await tagsOf(this.store.db, collection, [id])).get(id) ?? [];
  }

  private checkLimit(collection: string, tags: string[]): void {
    if (new Set(tags).size > MAX_TAGS_COUNT) throw new NeutronBadRequest(collection, `The number of tags exceed the per-resource limit of ${MAX_TAGS_COUNT}`);
  }

  async has(collection: string, id: string, tag: string): Promise<void> {
    if (!(await this.get(collection, id)).includes(tag)) throw new TagNotFound(tag);
  }

  async replace(collection: string, id: string, tags: string[]): Promise<string[]> {
    this.checkLimit(collection, tags);
    await this.store.write(async (tx) => {
      await tx.deleteFrom('tags').where('resource_type', '=', collection).where('resource_id', '=', id).execute();
      for (const tag of new Set(tags)) await tx.insertInto('tags').values({ resource_type: collection, resource_id: id, tag }).execute();
      await bumpRevision(tx, TAGGABLE[collection]!, id);
    });
    return tags;
  }

  async add(collection: string, id: string, tag: string): Promise<void> {
    const current = await this.get(collection, id);
    if (current.includes(tag)) return;
    this.checkLimit(collection, [...current, tag]);
    await this.store.write(async (tx) => {
      const exists = await tx.selectFrom('tags').select('tag').where('resource_type', '=', collection).where('resource_id', '=', id).where('tag', '=', tag).executeTakeFirst();
      if (exists) return;
      await tx.insertInto('tags').values({ resource_type: collection, resource_id: id, tag }).execute();
      await bumpRevision(tx, TAGGABLE[collection]!, id);
    });
  }

  async remove(collection: string, id: string, tag: string): Promise<void> {
    await this.store.write(async (tx) => {
      const res = await tx.deleteFrom('tags').where('resource_type', '=', collection).where('resource_id', '=', id).where('tag', '=', tag).executeTakeFirst();
      if (!res.numDeletedRows) throw new TagNotFound(tag);
      await bumpRevision(tx, TAGGABLE[collection]!, id);
    });
  }

  async removeAll(collection: string, id: string): Promise<void> {
    await this.store.write(async (tx) => {
      await (tx as Kysely<any>).deleteFrom('tags').where('resource_type', '=', collection).where('resource_id', '=', id).execute();
      await bumpRevision(tx, TAGGABLE[collection]!, id);
    });
  }
}
