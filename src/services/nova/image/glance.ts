/**
 * Nova's image API over Glance (nova/image/glance.py): an image as ImageMeta, read with the
 * caller's token (so visibility and membership apply), with Glance's answers mapped to nova's
 * exceptions (404 ImageNotFound, 403 ImageNotAuthorized).
 */
import { ServiceClientError, type ImageClient, type ImageCreate } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import { ImageNotAuthorized, ImageNotFound } from '../errors.js';
import { ImageMeta } from '../objects/index.js';

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
    return `${(await this.client.session.endpoint('image')).replace(/\/+$/, '')}/images/${imageId}`;
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
