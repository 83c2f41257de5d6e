/**
 * Nova's image API over Glance (nova/image/glance.py): an image as ImageMeta, read with the
 * caller's token (so visibility and membership apply), with Glance's answers mapped to nova's
 * exceptions (404 ImageNotFound, 403 ImageNotAuthorized).
 */
import { ServiceClientError, type ImageClient, type ImageCreate, type ImagePatchOp } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import { Forbidden, ImageNotAuthorized, ImageNotFound, Invalid, NotFound } from '../errors.js';
import { ImageMeta } from '../objects/index.js';

/** Glance's largest page (api_limit_max): the pages a listing walks through. */
const GLANCE_PAGE = 1000;

/** What Glance said, for nova's str(glanceclient exception): the fault's text without its markup. */
function glanceMessage(err: ServiceClientError): string {
  let text = err.responseBody;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const inner = Object.values(body).find((v) => v && typeof v === 'object') as Record<string, unknown> | undefined;
    text = String((inner && (inner['message'] ?? inner['explanation'])) ?? body['message'] ?? body['detail'] ?? text);
  } catch {
    text = text.replace(/<[^>]*>/g, ' ');
  }
  return `${text.replace(/\s+/g, ' ').trim() || 'Glance refused the request'} (HTTP ${err.status})`;
}

/** The JSON pointer of an image property. */
function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export class GlanceAPI {
  constructor(private readonly client: ImageClient) {}

  private as(ctx: RequestContext): ImageClient {
    return ctx.token ? this.client.forUser(ctx.token) : this.client;
  }

  /** Glance's 404/403 as nova's ImageNotFound / ImageNotAuthorized. */
  private static mapped(err: unknown, imageId: string): unknown {
    if (err instanceof ServiceClientError && (err.status === 404 || err.status === 400)) return new ImageNotFound(imageId);
    if (err instanceof ServiceClientError && err.status === 403) return new ImageNotAuthorized(imageId);
    return err;
  }

  /** @throws ImageNotFound, ImageNotAuthorized */
  async get(ctx: RequestContext, imageId: string): Promise<ImageMeta> {
    try {
      return ImageMeta.fromGlance(await this.as(ctx).getImage(imageId));
    } catch (err) {
      throw GlanceAPI.mapped(err, imageId);
    }
  }

  /** generate_image_url: the image's URL at Glance's endpoint (the Location of a createImage before 2.45). */
  async imageUrl(imageId: string): Promise<string> {
    return `${await this.glanceUrl()}/images/${imageId}`;
  }

  /** generate_glance_url: Glance's endpoint (the images proxy's alternate links). */
  async glanceUrl(): Promise<string> {
    return (await this.client.session.endpoint('image')).replace(/\/+$/, '');
  }

  /** create: a queued image record (a snapshot's or backup's, before its data), shared with the server's project when another project made it. */
  async create(ctx: RequestContext, fields: ImageCreate): Promise<ImageMeta> {
    const client = this.as(ctx);
    const image = await client.createImage(fields);
    // A shared snapshot of another project's server: that project becomes a member (_add_image_member).
    const owner = fields['instance_owner'];
    if (image.visibility === 'shared' && typeof owner === 'string' && owner) await client.addMember(image.id, owner);
    return ImageMeta.fromGlance(image);
  }

  /** @throws ImageNotFound, ImageNotAuthorized */
  async delete(ctx: RequestContext, imageId: string): Promise<void> {
    try {
      await this.as(ctx).deleteImage(imageId);
    } catch (err) {
      throw GlanceAPI.mapped(err, imageId);
    }
  }

  /** _translate_plain_exception: Glance's 403/401, 404 and 400 as nova's Forbidden, NotFound and Invalid. */
  private static plain(err: unknown): unknown {
    if (!(err instanceof ServiceClientError)) return err;
    if (err.status === 403 || err.status === 401) return new Forbidden(glanceMessage(err));
    if (err.status === 404) return new NotFound(glanceMessage(err));
    if (err.status === 400) return new Invalid(glanceMessage(err));
    return err;
  }

  /**
   * get_all/detail as the images proxy asks it: Glance's v2 filters, at most `limit` images
   * after `marker`, Glance's pages walked through. @throws Forbidden, NotFound, Invalid
   */
  async detail(ctx: RequestContext, filters: Record<string, string>, page: { limit?: number; marker?: string }): Promise<ImageMeta[]> {
    const client = this.as(ctx);
    const found: ImageMeta[] = [];
    let marker = page.marker;
    for (;;) {
      const want = page.limit === undefined ? GLANCE_PAGE : Math.min(GLANCE_PAGE, page.limit - found.length);
      if (want <= 0) break;
      let result: { images: ImageMeta[]; more: boolean };
      try {
        const listed = await client.listImagesPage({ ...filters, limit: want, ...(marker !== undefined ? { marker } : {}) });
        result = { images: listed.images.map((i) => ImageMeta.fromGlance(i)), more: listed.more };
      } catch (err) {
        throw GlanceAPI.plain(err);
      }
      found.push(...result.images);
      const last = result.images.at(-1);
      if (!result.more || !last) break;
      marker = last.data.id;
    }
    return found;
  }

  /**
   * update with purge_props: the image's additional properties become `properties` (added,
   * replaced, and the others removed). @throws ImageNotFound, ImageNotAuthorized, Invalid
   */
  async replaceProperties(ctx: RequestContext, imageId: string, properties: Readonly<Record<string, string>>): Promise<ImageMeta> {
    const current = await this.get(ctx, imageId);
    const ops: ImagePatchOp[] = [];
    for (const [key, value] of Object.entries(properties)) {
      ops.push({ op: Object.hasOwn(current.data.properties, key) ? 'replace' : 'add', path: pointer(key), value });
    }
    for (const key of Object.keys(current.data.properties)) {
      if (!Object.hasOwn(properties, key)) ops.push({ op: 'remove', path: pointer(key) });
    }
    if (ops.length === 0) return current;
    try {
      return ImageMeta.fromGlance(await this.as(ctx).updateImage(imageId, ops));
    } catch (err) {
      if (err instanceof ServiceClientError && err.status === 400) throw new Invalid(`Request to image ${imageId} caused a bad request: ${glanceMessage(err)}`);
      throw GlanceAPI.mapped(err, imageId);
    }
  }

  /** get_all with Glance's filters (a backup rotation's images by their properties). */
  async list(ctx: RequestContext, filters: Record<string, string | number>): Promise<ImageMeta[]> {
    return (await this.as(ctx).listImages(filters)).map((i) => ImageMeta.fromGlance(i));
  }

  /** upload: PUT the image data (Glance computes size and checksum and makes the image active). */
  async upload(ctx: RequestContext, imageId: string, data: Buffer, meta: { disk_format: string; container_format: string }): Promise<void> {
    try {
      const client = this.as(ctx);
      await client.updateImage(imageId, [
        { op: 'replace', path: '/disk_format', value: meta.disk_format }, { op: 'replace', path: '/container_format', value: meta.container_format },
      ]);
      await client.uploadData(imageId, data, { size: data.length });
    } catch (err) {
      throw GlanceAPI.mapped(err, imageId);
    }
  }
}
