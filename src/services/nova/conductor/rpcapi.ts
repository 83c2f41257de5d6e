/**
 * ComputeTaskAPI (nova/conductor/rpcapi.py): how the API and the compute hosts ask the conductor
 * to run the long tasks. Both are casts: the caller does not wait for a server to be built.
 *  - schedule_and_build_instances: a new boot (API -> conductor);
 *  - build_instances: a reschedule (compute host -> conductor, with the alternates left);
 *  - cache_images: an aggregate's image pre-caching (API -> conductor).
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { BlockDeviceMapping, ImageMeta, Instance, NetworkRequestList, RequestSpec, Selection } from '../objects/index.js';
import { novaSerializer } from '../rpc/serializer.js';
import type { CacheAggregate } from './image-cache-manager.js';
import { COMPUTE_TASK_NAMESPACE, COMPUTE_TASK_RPC_VERSION, CONDUCTOR_TOPIC } from '../rpc/topics.js';

/** What a boot sends: one entry per server of the request, all sharing image and networks. */
export interface ScheduleAndBuildArgs {
  instances: Instance[];
  request_specs: RequestSpec[];
  image: ImageMeta;
  admin_password: string | null;
  injected_files: Array<[string, string]>;
  requested_networks: NetworkRequestList;
  /** The block device mappings of each server, in the order of `instances`. */
  block_device_mapping: BlockDeviceMapping[][];
  tags: string[];
}

/** What a reschedule sends: the server, its spec, and the hosts still untried. */
export interface BuildInstancesArgs {
  instances: Instance[];
  image: ImageMeta;
  request_spec: RequestSpec;
  admin_password: string | null;
  injected_files: Array<[string, string]>;
  requested_networks: NetworkRequestList;
  block_device_mapping: BlockDeviceMapping[];
  /** One list per instance: the alternate hosts left after the failed one. */
  host_lists: Selection[][];
}

export class ComputeTaskAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: CONDUCTOR_TOPIC, namespace: COMPUTE_TASK_NAMESPACE, version: COMPUTE_TASK_RPC_VERSION }, {
      serializer: novaSerializer(),
    });
  }

  scheduleAndBuildInstances(ctx: RequestContext, args: ScheduleAndBuildArgs): Promise<void> {
    return this.client.prepare({ version: '1.17' }).cast(ctx, 'schedule_and_build_instances', { ...args });
  }

  buildInstances(ctx: RequestContext, args: BuildInstancesArgs): Promise<void> {
    return this.client.prepare({ version: '1.19' }).cast(ctx, 'build_instances', { ...args });
  }

  /** cache_images: the aggregate's hosts put the images in their caches (a cast: the API answers 202 at once). */
  cacheImages(ctx: RequestContext, aggregate: CacheAggregate, imageIds: string[]): Promise<void> {
    return this.client.prepare({ version: '1.21' }).cast(ctx, 'cache_images', { aggregate, image_ids: imageIds });
  }
}
