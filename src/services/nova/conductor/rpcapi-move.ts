/**
 * The conductor's move tasks as the API asks for them (nova/conductor/rpcapi.py
 * migrate_server, live_migrate_instance, rebuild_instance, unshelve_instance), all casts as
 * Zed's API sends them (resize_instance with do_cast=True): a move the scheduler cannot place
 * ends with the server back in its state, a fault, and the migration in error.
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { Flavor, Instance, Migration, RequestSpec } from '../objects/index.js';
import { novaSerializer } from '../rpc/serializer.js';
import { COMPUTE_TASK_NAMESPACE, COMPUTE_TASK_RPC_VERSION, CONDUCTOR_TOPIC } from '../rpc/topics.js';

export interface MigrateServerArgs {
  instance: Instance;
  flavor: Flavor;
  request_spec: RequestSpec;
  clean_shutdown: boolean;
}

export interface LiveMigrateArgs {
  instance: Instance;
  /** A forced destination (no scheduling); null: the scheduler picks (request_spec.requested_destination may narrow it). */
  host: string | null;
  /** null: 'auto' (the fake driver does a block migration: no shared storage). */
  block_migration: boolean | null;
  request_spec: RequestSpec;
}

export interface EvacuateArgs {
  instance: Instance;
  new_pass: string | null;
  on_shared_storage: boolean;
  /** A forced destination; null: the scheduler picks. */
  host: string | null;
  request_spec: RequestSpec;
  migration: Migration;
}

export class ComputeTaskMoveAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport, timeout?: number) {
    this.client = new RpcClient<RequestContext>(transport, { topic: CONDUCTOR_TOPIC, namespace: COMPUTE_TASK_NAMESPACE, version: COMPUTE_TASK_RPC_VERSION }, {
      serializer: novaSerializer(), ...(timeout !== undefined ? { timeout } : {}),
    });
  }

  migrateServer(ctx: RequestContext, args: MigrateServerArgs): Promise<void> {
    return this.client.prepare({ version: '1.20' }).cast(ctx, 'migrate_server', { ...args });
  }

  liveMigrateInstance(ctx: RequestContext, args: LiveMigrateArgs): Promise<void> {
    return this.client.prepare({ version: '1.15' }).cast(ctx, 'live_migrate_instance', { ...args });
  }

  rebuildInstance(ctx: RequestContext, args: EvacuateArgs): Promise<void> {
    return this.client.prepare({ version: '1.25' }).cast(ctx, 'rebuild_instance', { ...args });
  }

  unshelveInstance(ctx: RequestContext, instance: Instance, requestSpec: RequestSpec): Promise<void> {
    return this.client.prepare({ version: '1.14' }).cast(ctx, 'unshelve_instance', { instance, request_spec: requestSpec });
  }
}
