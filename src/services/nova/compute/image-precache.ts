/**
 * The compute host's part of image pre-caching (nova/compute/manager.py cache_images, RPC 5.4):
 * each image an aggregate's request names goes into this host's image cache through its virt
 * driver, one after another, and the conductor gets each image's outcome: 'cached' (fetched
 * now), 'existing' (there already), 'unsupported' (the driver keeps no image cache) or 'error'.
 * A failed image does not stop the others.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import { FeatureNotSupported } from '../errors.js';
import type { GlanceAPI } from '../image/glance.js';
import { COMPUTE_RPC_VERSION } from '../rpc/topics.js';
import type { ComputeDriver } from '../virt/driver.js';

export type ImageCacheStatus = 'cached' | 'existing' | 'unsupported' | 'error';

export interface ImagePrecacheOptions {
  driver: Pick<ComputeDriver, 'cacheImage'>;
  glance: Pick<GlanceAPI, 'get'>;
  log: Logger;
}

export class ImagePrecacheManager {
  constructor(private readonly o: ImagePrecacheOptions) {}

  /** The compute endpoint's cache_images (a call: the conductor waits for the outcomes). */
  endpoint(): object {
    const m = this;
    return {
      target: { version: COMPUTE_RPC_VERSION },
      async cache_images(ctx: RequestContext, args: Record<string, unknown>) {
        const ids = Array.isArray(args['image_ids']) ? args['image_ids'].filter((id): id is string => typeof id === 'string') : [];
        return m.cacheImages(ctx, ids);
      },
    };
  }

  async cacheImages(ctx: RequestContext, imageIds: readonly string[]): Promise<Record<string, ImageCacheStatus>> {
    this.o.log.info({ images: imageIds.length }, `Caching ${imageIds.length} image(s) by request`);
    const results: Record<string, ImageCacheStatus> = Object.create(null) as Record<string, ImageCacheStatus>;
    for (const id of imageIds) {
      try {
        const image = await this.o.glance.get(ctx, id);
        results[id] = (await this.o.driver.cacheImage(ctx, image)) ? 'cached' : 'existing';
      } catch (err) {
        if (err instanceof FeatureNotSupported) {
          this.o.log.warn('Virt driver does not support image pre-caching; ignoring request');
          results[id] = 'unsupported';
        } else {
          this.o.log.error({ err, image: id }, `Failed to cache image ${id}`);
          results[id] = 'error';
        }
      }
    }
    return results;
  }
}
