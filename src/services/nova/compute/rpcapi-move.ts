/**
 * The compute RPC API of moves (nova/compute/rpcapi.py: prep_resize, resize_instance,
 * finish_resize, confirm_resize, revert_resize, finish_revert_resize, pre_live_migration,
 * live_migration, post_live_migration_at_destination, rollback_live_migration_at_destination,
 * rebuild_instance for an evacuation, shelve_instance, shelve_offload_instance,
 * unshelve_instance): casts where upstream casts, calls where the caller waits for the answer
 * (the live migration's steps on the destination).
 */
import type { RequestContext } from '../../../common/context.js';
import type { Flavor, ImageMeta, Instance, Migration, RequestSpec, Selection } from '../objects/index.js';
import { callRemote } from '../rpc/remote-errors.js';
import { ComputeAPI } from './rpcapi.js';

export interface PrepResizeArgs {
  instance: Instance;
  image: ImageMeta;
  flavor: Flavor;
  migration: Migration;
  request_spec: RequestSpec;
  node: string;
  clean_shutdown: boolean;
  /** The chosen host first, then the alternates. */
  host_list: Selection[];
}

export interface RebuildArgs {
  instance: Instance;
  image: ImageMeta;
  new_pass: string | null;
  migration: Migration;
  node: string;
  on_shared_storage: boolean;
  request_spec: RequestSpec;
}

export interface UnshelveArgs {
  instance: Instance;
  image: ImageMeta | null;
  node: string;
  request_spec: RequestSpec;
}

/** The moves' messages on the same client as ComputeAPI's (one compute RPC API, split by concern). */
export class ComputeMoveAPI extends ComputeAPI {
  prepResize(ctx: RequestContext, host: string, args: PrepResizeArgs): Promise<void> {
    return this.at(host).cast(ctx, 'prep_resize', { ...args });
  }

  resizeInstance(ctx: RequestContext, host: string, instance: Instance, migration: Migration, flavor: Flavor, image: ImageMeta, cleanShutdown: boolean): Promise<void> {
    return this.at(host).cast(ctx, 'resize_instance', { instance, migration, flavor, image, clean_shutdown: cleanShutdown });
  }

  finishResize(ctx: RequestContext, host: string, instance: Instance, migration: Migration, image: ImageMeta, diskInfo: string): Promise<void> {
    return this.at(host).cast(ctx, 'finish_resize', { instance, migration, image, disk_info: diskInfo });
  }

  /** A cast, or (`wait`: a delete confirming first) a call. */
  confirmResize(ctx: RequestContext, host: string, instance: Instance, migration: Migration, wait = false): Promise<void> {
    if (wait) return callRemote(() => this.at(host).call<void>(ctx, 'confirm_resize', { instance, migration }));
    return this.at(host).cast(ctx, 'confirm_resize', { instance, migration });
  }

  revertResize(ctx: RequestContext, host: string, instance: Instance, migration: Migration): Promise<void> {
    return this.at(host).cast(ctx, 'revert_resize', { instance, migration });
  }

  finishRevertResize(ctx: RequestContext, host: string, instance: Instance, migration: Migration): Promise<void> {
    return this.at(host).cast(ctx, 'finish_revert_resize', { instance, migration });
  }

  preLiveMigration(ctx: RequestContext, host: string, instance: Instance, migration: Migration): Promise<void> {
    return callRemote(() => this.at(host).call<void>(ctx, 'pre_live_migration', { instance, migration }));
  }

  liveMigration(ctx: RequestContext, host: string, instance: Instance, dest: string, migration: Migration, blockMigration: boolean): Promise<void> {
    return this.at(host).cast(ctx, 'live_migration', { instance, dest, migration, block_migration: blockMigration });
  }

  postLiveMigrationAtDestination(ctx: RequestContext, host: string, instance: Instance, migration: Migration): Promise<void> {
    return callRemote(() => this.at(host).call<void>(ctx, 'post_live_migration_at_destination', { instance, migration }));
  }

  liveMigrationForceComplete(ctx: RequestContext, host: string, instance: Instance, migration: Migration): Promise<void> {
    return this.at(host).cast(ctx, 'live_migration_force_complete', { instance, migration });
  }

  liveMigrationAbort(ctx: RequestContext, host: string, instance: Instance, migrationId: number): Promise<void> {
    return this.at(host).cast(ctx, 'live_migration_abort', { instance, migration_id: migrationId });
  }

  rollbackLiveMigrationAtDestination(ctx: RequestContext, host: string, instance: Instance): Promise<void> {
    return this.at(host).cast(ctx, 'rollback_live_migration_at_destination', { instance });
  }

  /** rebuild_instance with recreate (an evacuation; the plain rebuild is ComputeAPI.rebuildInstance). */
  rebuildForEvacuate(ctx: RequestContext, host: string, args: RebuildArgs): Promise<void> {
    return this.at(host).cast(ctx, 'rebuild_instance', { ...args, recreate: true });
  }

  shelveInstance(ctx: RequestContext, host: string, instance: Instance, imageId: string, cleanShutdown: boolean): Promise<void> {
    return this.at(host).cast(ctx, 'shelve_instance', { instance, image_id: imageId, clean_shutdown: cleanShutdown });
  }

  shelveOffloadInstance(ctx: RequestContext, host: string, instance: Instance, cleanShutdown: boolean): Promise<void> {
    return this.at(host).cast(ctx, 'shelve_offload_instance', { instance, clean_shutdown: cleanShutdown });
  }

  unshelveInstance(ctx: RequestContext, host: string, args: UnshelveArgs): Promise<void> {
    return this.at(host).cast(ctx, 'unshelve_instance', { ...args });
  }
}
