/**
 * SchedulerAPI's retype and migrate_volume (cinder/scheduler/rpcapi.py): the API asks a
 * scheduler whether the volume's backend takes the new type (else where it may move), or
 * whether the named destination takes the volume. Casts.
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { SCHEDULER_RPC_VERSION, SCHEDULER_TOPIC } from '../rpc/topics.js';
import type { RequestSpec } from './rpcapi.js';

export type MigrationPolicy = 'never' | 'on-demand';

export class SchedulerMigrationRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: SCHEDULER_TOPIC, version: SCHEDULER_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  retype(ctx: RequestContext, spec: RequestSpec, migrationPolicy: MigrationPolicy): Promise<void> {
    return this.client.cast(ctx, 'retype', { request_spec: spec, migration_policy: migrationPolicy });
  }

  migrateVolume(ctx: RequestContext, spec: RequestSpec, host: string): Promise<void> {
    return this.client.cast(ctx, 'migrate_volume', { request_spec: spec, host });
  }
}
