/**
 * The conductor's image pre-caching (nova/conductor/manager.py ComputeTaskManager.cache_images,
 * cast from the API by POST /os-aggregates/{id}/images): every compute host of the aggregate
 * that is up is asked, [image_cache] precache_concurrency at a time, to put the images in its
 * image cache (a long call to each host); a host that is down or has no compute service is
 * skipped. aggregate.cache_images.start, one .progress per host with its outcome, .end; the
 * totals in the log, and each failed image at warning level.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { ComputeAPI } from '../compute/rpcapi.js';
import { serviceIsUp, type ServiceRecord } from '../db/services.js';
import type { AggregatePayloadFields } from '../notifications/aggregate-payload.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import { COMPUTE_TASK_NAMESPACE, COMPUTE_TASK_RPC_VERSION } from '../rpc/topics.js';

/** What the API sends of the aggregate (nova sends the Aggregate object). */
export type CacheAggregate = AggregatePayloadFields & { id: number; hosts: string[] };

export interface ImageCacheTaskOptions {
  compute: Pick<ComputeAPI, 'cacheImages'>;
  services: { get(host: string, binary: string): Promise<ServiceRecord | undefined> };
  notifier: Pick<NovaNotifier, 'aggregateAction' | 'aggregateCacheProgress'>;
  log: Logger;
  settings: {
    /** [image_cache] precache_concurrency. */
    concurrency: number;
    /** [DEFAULT] service_down_time. */
    serviceDownTime: number;
    /** [DEFAULT] long_rpc_timeout: how long one host may take. */
    callTimeout: number;
  };
}

type Outcome = Record<string, string>;
const COUNTED = ['cached', 'existing', 'error', 'unsupported'] as const;

export class ComputeTaskImageCacheManager {
  constructor(private readonly o: ImageCacheTaskOptions) {}

  endpoint(): object {
    const m = this;
    return {
      target: { version: COMPUTE_TASK_RPC_VERSION, namespace: COMPUTE_TASK_NAMESPACE },
      async cache_images(ctx: RequestContext, a: Record<string, unknown>) {
        const ids = Array.isArray(a['image_ids']) ? a['image_ids'].filter((id): id is string => typeof id === 'string') : [];
        await m.cacheImages(ctx, a['aggregate'] as CacheAggregate, ids);
      },
    };
  }

  async cacheImages(ctx: RequestContext, aggregate: CacheAggregate, imageIds: string[]): Promise<void> {
    const { o } = this;
    await o.notifier.aggregateAction(ctx, aggregate, 'cache_images', 'start');
    const started = Date.now();
    const hosts = [...aggregate.hosts];
    o.log.info({ images: imageIds, hosts: hosts.length }, `Preparing to request pre-caching of image(s) ${imageIds.join(',')} on ${hosts.length} hosts`);
    const counts = new Map<string, number>(COUNTED.map((k) => [k, 0]));
    const failures = new Map<string, number>();
    let completed = 0;
    let skipped = 0;
    const hostCompleted = async (host: string, outcome: Outcome): Promise<void> => {
      for (const [image, status] of Object.entries(outcome)) {
        if (counts.has(status)) counts.set(status, counts.get(status)! + 1);
        if (status === 'error') failures.set(image, (failures.get(image) ?? 0) + 1);
      }
      completed += 1;
      const ok = (s: string): boolean => s === 'cached' || s === 'existing';
      await o.notifier.aggregateCacheProgress(ctx, {
        id: aggregate.id, uuid: aggregate.uuid, name: aggregate.name, host, index: completed, total: hosts.length,
        images_cached: Object.keys(outcome).filter((i) => ok(outcome[i]!)), images_failed: Object.keys(outcome).filter((i) => !ok(outcome[i]!)),
      });
    };
    const cacheOn = async (host: string): Promise<void> => {
      const service = await o.services.get(host, 'nova-compute');
      if (!service || !serviceIsUp(service, o.settings.serviceDownTime)) {
        o.log.info({ host }, `Skipping image pre-cache request to compute '${host}' because it is not up`);
        skipped += 1;
        await hostCompleted(host, Object.fromEntries(imageIds.map((i) => [i, 'skipped'])));
        return;
      }
      let outcome: Outcome;
      try {
        outcome = await o.compute.cacheImages(ctx, host, imageIds, o.settings.callTimeout);
      } catch (err) {
        // nova lets the call's error end that host's green thread: the host is never counted
        // done; here its images count as errors, so that the progress still reaches the total.
        o.log.error({ err, host }, `Image pre-cache request to compute '${host}' failed`);
        outcome = Object.fromEntries(imageIds.map((i) => [i, 'error']));
      }
      await hostCompleted(host, outcome);
    };
    // [image_cache] precache_concurrency workers take the hosts in turn (nova's GreenPool).
    const queue = [...hosts];
    const worker = async (): Promise<void> => {
      for (let host = queue.shift(); host !== undefined; host = queue.shift()) await cacheOn(host);
    };
    await Promise.all(Array.from({ length: Math.min(o.settings.concurrency, hosts.length) }, worker));
    const c = Object.fromEntries(counts) as Record<(typeof COUNTED)[number], number>;
    o.log.info({ images: imageIds, ...c, skipped },
      `Image pre-cache operation for image(s) ${imageIds.join(',')} completed in ${((Date.now() - started) / 1000).toFixed(2)} seconds; `
      + `${c.cached} cached, ${c.existing} existing, ${c.error} errors, ${c.unsupported} unsupported, ${skipped} skipped (down) hosts`);
    for (const [image, fails] of failures) o.log.warn({ image, fails }, `Image pre-cache operation for image ${image} failed ${fails} times`);
    await o.notifier.aggregateAction(ctx, aggregate, 'cache_images', 'end');
  }
}
