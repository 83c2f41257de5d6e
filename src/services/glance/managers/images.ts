/**
 * Image records: create, show, list, PATCH, delete, deactivate/reactivate and tags, with
 * Glance's rules (glance/api/v2/images.py, image_actions.py, image_tags.py and the domain,
 * quota and policy proxies behind them).
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import { BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge } from '../../../common/errors.js';
import { setOwnValue } from '../../../common/own.js';
import { type Viewer } from '../db/image-repo.js';
import { isCoreAttribute, RESERVED_NAMESPACE, setCoreAttribute, type Image } from '../domain/image.js';
import type { PatchChange } from '../domain/json-patch.js';
import { parseImageListQuery, type QueryPairs } from '../domain/list-query.js';
import { BASE_PROPERTY_NAMES } from '../domain/schemas.js';
import { transition } from '../domain/status.js';
import { nowStored } from '../domain/time.js';
import { storeContext, type GlanceDeps } from './deps.js';
import { updateStoreAcls } from './store-acls.js';
import { ImageLimitExceeded, InvalidImageStatusTransition, PolicyForbidden, StatusConflict } from '../errors.js';

const DISALLOWED_ON_CREATE = ['direct_url', 'self', 'file', 'schema', 'stores'];
const READONLY_ON_CREATE = ['created_at', 'updated_at', 'status', 'checksum', 'os_hash_algo', 'os_hash_value', 'size', 'virtual_size'];
const RESERVED_EXTRA = ['owner', 'locations', 'deleted', 'deleted_at', 'direct_url', 'self', 'file', 'schema', 'location'];
/** Base properties create() takes as image attributes; the rest are custom properties. */
const CREATE_ATTRIBUTES = ['checksum', 'created_at', 'container_format', 'disk_format', 'id', 'min_disk', 'min_ram', 'name', 'size',
  'virtual_size', 'status', 'tags', 'owner', 'updated_at', 'visibility', 'protected', 'os_hidden'];

export interface ListResult {
  images: Image[];
  nextMarker: string | undefined;
}

export class ImageManager {
  constructor(private readonly d: GlanceDeps) {}

  /** Whether the viewer may see the image at all (glance.db.utils.is_image_visible). */
  async isVisible(viewer: Viewer, image: Image): Promise<boolean> {
    if (viewer.isAdmin || image.owner === null) return true;
    if (image.visibility === 'public' || image.visibility === 'community') return true;
    if (viewer.projectId === null) return false;
    if (viewer.projectId === image.owner) return true;
    return image.visibility === 'shared' && (await this.d.members.get(image.id, viewer.projectId)) !== undefined;
  }

  /**
   * The image if the caller can see it (and get_image allows it), else 404.
   */
  async load(ctx: RequestContext, id: string, notFoundMessage = `No image found with ID ${id}`): Promise<Image> {
    const image = await this.d.images.get(id);
    if (!image || !(await this.isVisible(this.d.policy.viewer(ctx), image))) throw new NotFound(notFoundMessage);
    try {
      this.d.policy.enforceImage(ctx, 'get_image', image);
    } catch (err) {
      if (err instanceof NotFound) throw new NotFound(notFoundMessage);
      throw err;
    }
    return image;
  }

  /** Validate attributes against the image schema (400). */
  validateImage(partial: Record<string, unknown>): void {
    this.d.validator.validate('image', partial);
  }

  private checkPropertyQuota(image: Image): void {
    const max = this.d.settings.propertyQuota;
    const n = Object.keys(image.properties).filter((k) => !k.startsWith(RESERVED_NAMESPACE)).length;
    if (max >= 0 && n > max) {
      throw new ImageLimitExceeded(`The limit has been exceeded on the number of allowed image properties. Attempted: ${n}, Maximum: ${max}`);
    }
  }

  private checkTagQuota(image: Image): void {
    const max = this.d.settings.tagQuota;
    if (max >= 0 && image.tags.length > max) {
      throw new ImageLimitExceeded(`The limit has been exceeded on the number of allowed image tags. Attempted: ${image.tags.length}, Maximum: ${max}`);
    }
  }

  async create(ctx: RequestContext, body: unknown): Promise<Image> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      if (body === undefined) throw new BadRequest('Body expected in request.');
      throw new BadRequest(`Provided object does not match schema 'image': ${JSON.stringify(body)} is not of type 'object'`);
    }
    const props = { ...(body as Record<string, unknown>) };
    for (const key of DISALLOWED_ON_CREATE) if (key in props) throw new Forbidden(`Attribute '${key}' is read-only.`);
    this.d.validator.validate('image', props);
    const attrs: Record<string, unknown> = {};
    const tags = (props['tags'] as string[] | undefined) ?? [];
    delete props['tags'];
    for (const key of CREATE_ATTRIBUTES) {
      if (key in props && key !== 'tags') {
        attrs[key] = props[key];
        delete props[key];
      }
    }
    for (const key of Object.keys(props)) {
      if (key.length > 255) throw new BadRequest('Custom property should not be greater than 255 characters.');
      if (['location', 'deleted', 'deleted_at'].includes(key) || key.startsWith(RESERVED_NAMESPACE)) throw new Forbidden(`Attribute '${key}' is reserved.`);
    }
    if (!('owner' in attrs)) attrs['owner'] = ctx.projectId ?? null;
    const owner = attrs['owner'] as string | null;

    const target = this.d.policy.proposedTarget(ctx, owner, attrs['visibility'] as string | undefined);
    if (!this.d.policy.check(ctx, 'add_image', target)) {
      if (owner !== (ctx.projectId ?? null)) throw new Forbidden(`You are not permitted to create images owned by '${owner}'`);
      throw new PolicyForbidden('add_image');
    }
    this.d.policy.enforceVisibility(ctx, attrs['visibility'], target);
    await this.d.quota.enforce(ctx.projectId, { image_count_total: 1 });

    for (const key of READONLY_ON_CREATE) if (key in attrs) throw new Forbidden(`Attribute '${key}' is read-only.`);
    for (const key of RESERVED_EXTRA) if (key in props) throw new Forbidden(`Attribute '${key}' is reserved.`);
    for (const key of ['min_disk', 'min_ram'] as const) {
      const v = attrs[key];
      if (typeof v === 'number' && v < 0) throw new BadRequest(`Invalid value '${v}' for parameter '${key}': Cannot be a negative value.`);
    }
    const now = nowStored();
    const image: Image = {
      id: (attrs['id'] as string | undefined) ?? randomUUID(),
      name: (attrs['name'] as string | null | undefined) ?? null,
      status: 'queued',
      visibility: (attrs['visibility'] as Image['visibility'] | undefined) ?? 'shared',
      protected: Boolean(attrs['protected'] ?? false),
      os_hidden: Boolean(attrs['os_hidden'] ?? false),
      min_disk: (attrs['min_disk'] as number | undefined) ?? 0,
      min_ram: (attrs['min_ram'] as number | undefined) ?? 0,
      owner,
      disk_format: (attrs['disk_format'] as string | null | undefined) ?? null,
      container_format: (attrs['container_format'] as string | null | undefined) ?? null,
      size: null, virtual_size: null, checksum: null, os_hash_algo: null, os_hash_value: null,
      created_at: now, updated_at: now,
      properties: props as Record<string, string | null>,
      tags: [...new Set(tags)],
      locations: [],
    };
    this.checkPropertyQuota(image);
    this.checkTagQuota(image);
    await this.d.images.add(image);
    this.d.notifier.imageCreated(image);
    return image;
  }

  async list(ctx: RequestContext, pairs: QueryPairs): Promise<ListResult> {
    const q = parseImageListQuery(pairs, { limitDefault: this.d.settings.limitDefault, limitMax: this.d.settings.limitMax });
    this.d.policy.enforce(ctx, 'get_images', { project_id: ctx.projectId ?? null });
    const viewer = this.d.policy.viewer(ctx);
    let marker: Image | undefined;
    if (q.marker !== undefined) {
      marker = await this.d.images.get(q.marker);
      if (!marker) throw new BadRequest(`No image found with ID ${q.marker}`);
      if (!(await this.isVisible(viewer, marker))) throw new Forbidden(`Forbidding request, image ${q.marker} not visible`);
    }
    const rows = await this.d.images.list(viewer, q, marker);
    const images = rows.filter((img) => this.d.policy.check(ctx, 'get_image', this.d.policy.imageTarget(ctx, img)));
    const nextMarker = images.length > 0 && rows.length === q.limit ? images[images.length - 1]!.id : undefined;
    return { images, nextMarker };
  }

  async update(ctx: RequestContext, id: string, changes: PatchChange[]): Promise<Image> {
    const image = await this.load(ctx, id);
    const visibility = image.visibility;
    const isAdmin = this.d.policy.isAdmin(ctx);
    for (const change of changes) {
      const root = change.path[0]!;
      if (root === 'locations') this.locationChange(ctx, image, change);
      else if (change.op === 'replace') this.replace(ctx, image, root, change.value, isAdmin);
      else if (change.op === 'add') this.add(ctx, image, root, change.value, change.draft);
      else this.remove(ctx, image, root);
    }
    if (changes.length > 0) {
      this.checkPropertyQuota(image);
      this.checkTagQuota(image);
      await this.save(image);
      if (image.visibility !== visibility) await updateStoreAcls(this.d, image, storeContext(ctx));
      this.d.notifier.imageUpdated(image);
    }
    return image;
  }

  /** Save and translate a lost race into Glance's answers. */
  async save(image: Image, fromStatus?: Image['status']): Promise<void> {
    try {
      await this.d.images.save(image, fromStatus);
    } catch (err) {
      if (err instanceof NotFound) throw new NotFound(`No image found with ID ${image.id}`);
      throw err;
    }
  }

  /** glance's update_property policy: visibility has its own rule, then modify_image. */
  private enforceModify(ctx: RequestContext, image: Image, name: string, value?: unknown): void {
    if (name === 'visibility') {
      try {
        this.d.policy.enforceVisibility(ctx, value, this.d.policy.imageTarget(ctx, image));
      } catch (err) {
        if (err instanceof PolicyForbidden && !this.d.policy.check(ctx, 'get_image', this.d.policy.imageTarget(ctx, image))) throw new NotFound();
        throw err;
      }
    }
    this.d.policy.enforceImage(ctx, 'modify_image', image);
  }

  private locationChange(ctx: RequestContext, image: Image, change: PatchChange): void {
    // Locations are not shown ([DEFAULT] show_multiple_locations is off): upstream refuses edits.
    if (change.op === 'replace' && Array.isArray(change.value) && change.value.length === 0) throw new Forbidden('Cannot set locations to empty list.');
    if (change.op === 'remove') this.d.policy.enforceImage(ctx, 'delete_image_location', image);
    else this.d.policy.enforceImage(ctx, 'set_image_location', image);
    const verb = { add: 'add', remove: 'remove', replace: 'update' }[change.op];
    throw new Forbidden(`It's not allowed to ${verb} locations if locations are invisible.`);
  }

  private replace(ctx: RequestContext, image: Image, name: string, value: unknown, isAdmin: boolean): void {
    if (name === 'owner' && !isAdmin) throw new Forbidden("Owner can't be updated by non admin.");
    this.enforceModify(ctx, image, name, value);
    if (isCoreAttribute(name)) setCoreAttribute(image, name, value);
    else if (Object.hasOwn(image.properties, name)) setOwnValue(image.properties, name, value as string);
    else throw new Conflict(`Property ${name} does not exist.`);
  }

  private add(ctx: RequestContext, image: Image, name: string, value: unknown, draft: 4 | 10): void {
    this.enforceModify(ctx, image, name, value);
    const exists = isCoreAttribute(name) || Object.hasOwn(image.properties, name);
    if (exists && draft === 4) throw new Conflict(`Property ${name} already present.`);
    if (isCoreAttribute(name)) setCoreAttribute(image, name, value);
    else setOwnValue(image.properties, name, value as string);
  }

  private remove(ctx: RequestContext, image: Image, name: string): void {
    this.enforceModify(ctx, image, name);
    if (isCoreAttribute(name) || BASE_PROPERTY_NAMES.includes(name)) throw new Forbidden(`Property ${name} may not be removed.`);
    if (!Object.hasOwn(image.properties, name)) throw new Conflict(`Property ${name} does not exist.`);
    delete image.properties[name];
  }

  /**
   * Delete the image record and its data. `beforeDelete` runs once the caller is known to be
   * allowed (the data manager removes staged data there).
   */
  async delete(ctx: RequestContext, image: Image, beforeDelete?: () => Promise<void>): Promise<void> {
    this.d.policy.enforceImage(ctx, 'delete_image', image);
    if (image.protected) throw new Forbidden(`Image ${image.id} is protected and cannot be deleted.`);
    await beforeDelete?.();
    try {
      transition(image, 'deleted');
    } catch (err) {
      if (err instanceof InvalidImageStatusTransition) throw new BadRequest(err.message);
      throw err;
    }
    for (const loc of image.locations) {
      try {
        await this.d.stores.forLocation(loc.url, loc.metadata).delete(loc.url, storeContext(ctx));
      } catch (err) {
        this.d.log.warn({ err, image: image.id }, 'could not delete image data');
      }
    }
    await this.d.images.destroy(image.id);
    image.updated_at = nowStored();
    this.d.notifier.imageDeleted(image);
  }

  /** POST /actions/deactivate (and reactivate): a no-op when already there. */
  async setActivation(ctx: RequestContext, id: string, action: 'deactivate' | 'reactivate'): Promise<void> {
    const image = await this.load(ctx, id);
    this.d.policy.enforceImage(ctx, action, image);
    const [from, to] = action === 'deactivate' ? ['active', 'deactivated'] as const : ['deactivated', 'active'] as const;
    if (image.status === to) return;
    if (image.status !== from) throw new Forbidden(`Not allowed to ${action} image in status '${image.status}'`);
    transition(image, to);
    try {
      await this.save(image, from);
    } catch (err) {
      if (err instanceof StatusConflict) throw new BadRequest(err.message);
      throw err;
    }
    this.d.notifier.imageUpdated(image);
  }

  async addTag(ctx: RequestContext, id: string, tag: string): Promise<void> {
    this.d.validator.validate('image', { tags: [tag] });
    const image = await this.loadForTags(ctx, id, 'update');
    if (image.tags.includes(tag)) return;
    image.tags.push(tag);
    this.checkTagQuota(image);
    await this.save(image);
    this.d.notifier.imageUpdated(image);
  }

  async removeTag(ctx: RequestContext, id: string, tag: string): Promise<void> {
    const image = await this.loadForTags(ctx, id, 'delete');
    if (!image.tags.includes(tag)) throw new NotFound();
    image.tags = image.tags.filter((t) => t !== tag);
    await this.save(image);
    this.d.notifier.imageUpdated(image);
  }

  private async loadForTags(ctx: RequestContext, id: string, verb: 'update' | 'delete'): Promise<Image> {
    try {
      const image = await this.load(ctx, id);
      this.d.policy.enforceImage(ctx, 'modify_image', image);
      return image;
    } catch (err) {
      if (err instanceof NotFound) throw new NotFound(`Image ${id} not found.`);
      if (err instanceof Forbidden) throw new Forbidden(`Not allowed to ${verb} tags for image ${id}.`);
      throw err;
    }
  }
}
