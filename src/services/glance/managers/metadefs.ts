/**
 * Metadata definitions (glance/api/v2/metadef_*.py): namespaces of property, object and tag
 * definitions that describe image (and other resources') metadata, associated with resource
 * types. Anyone may read public namespaces and their own; only admins change them by default.
 */
import type { RequestContext } from '../../../common/context.js';
import { BadRequest, Forbidden, NotFound } from '../../../common/errors.js';
import type { GlancePolicy } from '../policies/index.js';
import { checkMarker, parseLimit, type QueryPairs } from '../domain/list-query.js';
import type { SchemaValidator } from '../domain/validator.js';
import type { Association, Item, ItemTable, MetadefRepo, Namespace, NamespaceFilter, Tag } from '../db/metadef-repo.js';

const NS_SORT_KEYS = ['created_at', 'updated_at', 'namespace', 'display_name', 'visibility', 'protected', 'owner'];

export interface NamespaceDetail {
  namespace: Namespace;
  associations: Association[];
  objects: Item[];
  properties: Item[];
  tags: Tag[];
}

export class MetadefManager {
  constructor(
    private readonly repo: MetadefRepo,
    private readonly policy: GlancePolicy,
    private readonly validator: SchemaValidator,
    private readonly limits: { limitDefault: number; limitMax: number },
  ) {}

  private target(ns: Namespace): Record<string, unknown> {
    return { project_id: ns.owner, visibility: ns.visibility, namespace: ns.namespace };
  }

  /** The namespace if the caller may see it (else 404), with a rule enforced on it (403). */
  async load(ctx: RequestContext, name: string, rule?: string): Promise<Namespace> {
    const ns = await this.repo.getNamespace(name);
    if (!ns || !this.policy.check(ctx, 'get_metadef_namespace', this.target(ns))) {
      throw new NotFound(`Metadata definition namespace=${name} was not found.`);
    }
    if (rule) this.policy.enforce(ctx, rule, this.target(ns));
    return ns;
  }

  private checkWritable(body: Record<string, unknown>, disallowed: string[]): void {
    for (const key of disallowed) if (key in body) throw new Forbidden(`Attribute '${key}' is read-only.`);
  }

  private object(body: unknown): Record<string, unknown> {
    if (body === undefined) throw new BadRequest('Body expected in request.');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('Body expected in request.');
    return { ...(body as Record<string, unknown>) };
  }

  async listNamespaces(ctx: RequestContext, pairs: QueryPairs): Promise<{ items: NamespaceDetail[]; next: string | undefined }> {
    this.policy.enforce(ctx, 'get_metadef_namespaces', { project_id: ctx.projectId ?? null });
    const p = new Map<string, string>();
    for (const [k, v] of pairs) if (!p.has(k)) p.set(k, v);
    const sortKey = p.get('sort_key') ?? 'created_at';
    if (!NS_SORT_KEYS.includes(sortKey)) throw new BadRequest(`Invalid sort key: ${sortKey}`);
    const sortDir = p.get('sort_dir') ?? 'desc';
    if (sortDir !== 'asc' && sortDir !== 'desc') throw new BadRequest(`Invalid sort direction: ${sortDir}`);
    const visibility = p.get('visibility');
    if (visibility && visibility !== 'public' && visibility !== 'private') throw new BadRequest(`Invalid visibility value: ${visibility}`);
    const limit = Math.min(this.limits.limitMax, p.has('limit') ? parseLimit(p.get('limit')!) : this.limits.limitDefault);
    const viewer = this.policy.viewer(ctx);
    const filter: NamespaceFilter = {
      viewerProject: viewer.projectId, isAdmin: viewer.isAdmin, sortKey: sortKey as NamespaceFilter['sortKey'], sortDir, limit,
      ...(visibility ? { visibility: visibility as 'public' | 'private' } : {}),
      ...(p.get('resource_types') ? { resourceTypes: p.get('resource_types')!.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    };
    const markerName = checkMarker(p.get('marker'));
    if (markerName) filter.marker = await this.load(ctx, markerName);
    const rows = await this.repo.listNamespaces(filter);
    const items = await Promise.all(rows.map(async (ns) => ({ namespace: ns, associations: await this.repo.associations(ns), objects: [], properties: [], tags: [] })));
    return { items, next: rows.length > 0 && rows.length === limit ? rows[rows.length - 1]!.namespace : undefined };
  }

  async createNamespace(ctx: RequestContext, raw: unknown): Promise<NamespaceDetail> {
    const body = this.object(raw);
    this.checkWritable(body, ['self', 'schema', 'created_at', 'updated_at']);
    this.validator.validate('metadef_namespace', body);
    this.policy.enforce(ctx, 'add_metadef_namespace', { project_id: ctx.projectId ?? null });
    const assoc = (body['resource_type_associations'] as Array<{ name: string; prefix?: string; properties_target?: string }> | undefined) ?? [];
    const objects = (body['objects'] as Array<Record<string, unknown>> | undefined) ?? [];
    const props = (body['properties'] as Record<string, Record<string, unknown>> | undefined) ?? {};
    const tags = (body['tags'] as Array<{ name: string }> | undefined) ?? [];
    const target = { project_id: ctx.projectId ?? null };
    if (assoc.length) this.policy.enforce(ctx, 'add_metadef_resource_type_association', target);
    if (objects.length) this.policy.enforce(ctx, 'add_metadef_object', target);
    if (Object.keys(props).length) this.policy.enforce(ctx, 'add_metadef_property', target);
    if (tags.length) this.policy.enforce(ctx, 'add_metadef_tag', target);
    const ns = await this.repo.createNamespace({
      namespace: body['namespace'] as string,
      display_name: (body['display_name'] as string | undefined) ?? null,
      description: (body['description'] as string | undefined) ?? null,
      visibility: (body['visibility'] as 'public' | 'private' | undefined) ?? 'private',
      protected: Boolean(body['protected'] ?? false),
      owner: (body['owner'] as string | undefined) ?? ctx.projectId ?? null,
    });
    try {
      const detail: NamespaceDetail = { namespace: ns, associations: [], objects: [], properties: [], tags: [] };
      for (const a of assoc) detail.associations.push(await this.repo.associate(ns, a));
      for (const o of objects) {
        const { name, ...rest } = o;
        detail.objects.push(await this.repo.addItem(ns, 'metadef_objects', String(name), rest, 'object'));
      }
      for (const [name, schema] of Object.entries(props)) {
        detail.properties.push(await this.repo.addItem(ns, 'metadef_properties', name, { ...schema, name }, 'property'));
      }
      if (tags.length) detail.tags = await this.repo.addTags(ns, tags.map((t) => t.name), false);
      return detail;
    } catch (err) {
      await this.repo.deleteNamespace(ns).catch(() => undefined);
      throw err;
    }
  }

  async showNamespace(ctx: RequestContext, name: string): Promise<NamespaceDetail> {
    const ns = await this.load(ctx, name);
    return {
      namespace: ns,
      associations: await this.repo.associations(ns),
      objects: await this.repo.listItems(ns, 'metadef_objects'),
      properties: await this.repo.listItems(ns, 'metadef_properties'),
      tags: await this.repo.listTags(ns),
    };
  }

  async updateNamespace(ctx: RequestContext, name: string, raw: unknown): Promise<NamespaceDetail> {
    const body = this.object(raw);
    const ns = await this.load(ctx, name, 'modify_metadef_namespace');
    this.checkWritable(body, ['self', 'schema', 'created_at', 'updated_at']);
    this.validator.validate('metadef_namespace', body);
    const updated = await this.repo.updateNamespace({
      ...ns,
      namespace: body['namespace'] as string,
      display_name: (body['display_name'] as string | undefined) ?? null,
      description: (body['description'] as string | undefined) ?? null,
      visibility: (body['visibility'] as 'public' | 'private' | undefined) ?? ns.visibility,
      protected: Boolean(body['protected'] ?? ns.protected),
      owner: (body['owner'] as string | undefined) ?? ns.owner,
    });
    return { namespace: updated, associations: await this.repo.associations(updated), objects: [], properties: [], tags: [] };
  }

  async deleteNamespace(ctx: RequestContext, name: string): Promise<void> {
    const ns = await this.load(ctx, name, 'delete_metadef_namespace');
    if (ns.protected) throw new Forbidden(`Metadata definition namespace ${name} is protected and cannot be deleted.`);
    await this.repo.deleteNamespace(ns);
  }

  /** DELETE /namespaces/{ns}/objects|properties|tags */
  async deleteContents(ctx: RequestContext, name: string, what: 'objects' | 'properties' | 'tags'): Promise<void> {
    const rule = { objects: 'delete_metadef_namespace', properties: 'delete_metadef_namespace', tags: 'delete_metadef_tags' }[what];
    const ns = await this.load(ctx, name, rule);
    if (ns.protected) throw new Forbidden(`Metadata definition namespace ${name} is protected and cannot be deleted.`);
    await this.repo.deleteAll(ns, what === 'tags' ? 'metadef_tags' : what === 'objects' ? 'metadef_objects' : 'metadef_properties');
  }

  // ---- objects and properties (name + JSON document)

  async listItems(ctx: RequestContext, name: string, table: ItemTable): Promise<Item[]> {
    const ns = await this.load(ctx, name, table === 'metadef_objects' ? 'get_metadef_objects' : 'get_metadef_properties');
    return this.repo.listItems(ns, table);
  }

  async getItem(ctx: RequestContext, name: string, table: ItemTable, item: string, resourceType?: string): Promise<Item> {
    const ns = await this.load(ctx, name, table === 'metadef_objects' ? 'get_metadef_object' : 'get_metadef_property');
    let wanted = item;
    if (resourceType) {
      const prefix = (await this.repo.associations(ns)).find((a) => a.name === resourceType)?.prefix;
      if (prefix && wanted.startsWith(prefix)) wanted = wanted.slice(prefix.length);
    }
    const found = await this.repo.getItem(ns, table, wanted);
    if (!found) {
      throw new NotFound(table === 'metadef_objects'
        ? `Metadata definition object=${item} was not found in namespace=${name}.`
        : `Metadata definition property=${item} was not found in namespace=${name}.`);
    }
    return found;
  }

  async createItem(ctx: RequestContext, name: string, table: ItemTable, raw: unknown): Promise<Item> {
    const body = this.object(raw);
    const isObject = table === 'metadef_objects';
    const ns = await this.load(ctx, name, isObject ? 'add_metadef_object' : 'add_metadef_property');
    this.checkWritable(body, isObject ? ['self', 'schema', 'created_at', 'updated_at'] : []);
    this.validator.validate(isObject ? 'metadef_object' : 'metadef_property', body);
    const itemName = String(body['name']);
    const doc = isObject ? Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'name')) : body;
    return this.repo.addItem(ns, table, itemName, doc, isObject ? 'object' : 'property');
  }

  async updateItem(ctx: RequestContext, name: string, table: ItemTable, item: string, raw: unknown): Promise<Item> {
    const body = this.object(raw);
    const isObject = table === 'metadef_objects';
    const ns = await this.load(ctx, name, isObject ? 'modify_metadef_object' : 'modify_metadef_property');
    const existing = await this.getItem(ctx, name, table, item);
    this.checkWritable(body, isObject ? ['self', 'schema', 'created_at', 'updated_at'] : []);
    this.validator.validate(isObject ? 'metadef_object' : 'metadef_property', body);
    const newName = String(body['name']);
    const doc = isObject ? Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'name')) : body;
    return this.repo.replaceItem(ns, table, existing.name, { ...existing, name: newName, body: doc }, isObject ? 'object' : 'property');
  }

  async deleteItem(ctx: RequestContext, name: string, table: ItemTable, item: string): Promise<void> {
    const isObject = table === 'metadef_objects';
    const ns = await this.load(ctx, name, isObject ? 'delete_metadef_object' : 'remove_metadef_property');
    if (ns.protected) throw new Forbidden(`Metadata definition namespace ${name} is protected and cannot be deleted.`);
    if (!(await this.repo.deleteItem(ns, table, item))) {
      throw new NotFound(isObject ? `Metadata definition object=${item} was not found in namespace=${name}.` : `Metadata definition property=${item} was not found in namespace=${name}.`);
    }
  }

  // ---- tags

  async listTags(ctx: RequestContext, name: string): Promise<Tag[]> {
    return this.repo.listTags(await this.load(ctx, name, 'get_metadef_tags'));
  }

  async getTag(ctx: RequestContext, name: string, tag: string): Promise<Tag> {
    const found = await this.repo.getTag(await this.load(ctx, name, 'get_metadef_tag'), tag);
    if (!found) throw new NotFound(`Metadata tag=${tag} was not found in namespace=${name}.`);
    return found;
  }

  async createTags(ctx: RequestContext, name: string, raw: unknown, append: boolean): Promise<Tag[]> {
    const body = this.object(raw);
    this.validator.validate('metadef_tags_create', body);
    const ns = await this.load(ctx, name, 'add_metadef_tags');
    return this.repo.addTags(ns, ((body['tags'] as Array<{ name: string }> | undefined) ?? []).map((t) => t.name), !append);
  }

  async createTag(ctx: RequestContext, name: string, tag: string): Promise<Tag> {
    this.validator.validate('metadef_tag', { name: tag });
    const ns = await this.load(ctx, name, 'add_metadef_tag');
    const [created] = await this.repo.addTags(ns, [tag], false);
    return created!;
  }

  async updateTag(ctx: RequestContext, name: string, tag: string, raw: unknown): Promise<Tag> {
    const body = this.object(raw);
    this.checkWritable(body, ['created_at', 'updated_at']);
    this.validator.validate('metadef_tag', body);
    const ns = await this.load(ctx, name, 'modify_metadef_tag');
    if (!(await this.repo.getTag(ns, tag))) throw new NotFound(`Metadata tag=${tag} was not found in namespace=${name}.`);
    return this.repo.renameTag(ns, tag, String(body['name']));
  }

  async deleteTag(ctx: RequestContext, name: string, tag: string): Promise<void> {
    const ns = await this.load(ctx, name, 'delete_metadef_tag');
    if (ns.protected) throw new Forbidden(`Metadata definition namespace ${name} is protected and cannot be deleted.`);
    if (!(await this.repo.deleteItem(ns, 'metadef_tags', tag))) throw new NotFound(`Metadata tag=${tag} was not found in namespace=${name}.`);
  }

  // ---- resource types

  async listResourceTypes(ctx: RequestContext): Promise<Array<{ name: string; created_at: string; updated_at: string }>> {
    this.policy.enforce(ctx, 'list_metadef_resource_types', { project_id: ctx.projectId ?? null });
    return this.repo.listResourceTypes();
  }

  async listAssociations(ctx: RequestContext, name: string): Promise<Association[]> {
    return this.repo.associations(await this.load(ctx, name, 'list_metadef_resource_types'));
  }

  async associate(ctx: RequestContext, name: string, raw: unknown): Promise<Association> {
    const body = this.object(raw);
    this.checkWritable(body, ['created_at', 'updated_at']);
    this.validator.validate('metadef_resource_type', body);
    const ns = await this.load(ctx, name, 'add_metadef_resource_type_association');
    return this.repo.associate(ns, body as { name: string; prefix?: string; properties_target?: string });
  }

  async dissociate(ctx: RequestContext, name: string, resourceType: string): Promise<void> {
    const ns = await this.load(ctx, name, 'remove_metadef_resource_type_association');
    if (ns.protected) throw new Forbidden(`Metadata definition namespace ${name} is protected and cannot be deleted.`);
    if (!(await this.repo.dissociate(ns, resourceType))) throw new NotFound(`Failed to find resource type ${resourceType} to delete`);
  }
}
