/**
 * Nova's image API over Glance (nova/image/glance.py): an image as ImageMeta, read with the
 * caller's token (so visibility and membership apply), with Glance's answers mapped to nova's
 * exceptions (404 ImageNotFound, 403 ImageNotAuthorized).
 */
import { ServiceClientError, type ImageClient } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import { ImageNotAuthorized, ImageNotFound } from '../errors.js';
import { ImageMeta } from '../objects/index.js';

export class GlanceAPI {
  constructor(private readonly client: ImageClient) {}

  /** @throws ImageNotFound, ImageNotAuthorized */
  async get(ctx: RequestContext, imageId: string): Promise<ImageMeta> {
    const client = ctx.token ? this.client.forUser(ctx.token) : this.client;
    try {
      return ImageMeta.fromGlance(await client.getImage(imageId));
    } catch (err) {
      if (err instanceof ServiceClientError && (err.status === 404 || err.status === 400)) throw new ImageNotFound(imageId);
      if (err instanceof ServiceClientError && err.status === 403) throw new ImageNotAuthorized(imageId);
      throw err;
    }
  }
}
