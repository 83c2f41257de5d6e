/**
 * SchedulerAPI (cinder/scheduler/rpcapi.py): the API asks a scheduler to place a volume
 * (cast: the scheduler then casts to the chosen volume service, or marks the volume error),
 * to list the pools it knows (call); volume services announce their capabilities to every
 * scheduler (fanout cast).
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import { callRemote } from '../rpc/remote-errors.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { SCHEDULER_RPC_VERSION, SCHEDULER_TOPIC } from '../rpc/topics.js';
import type { PoolView } from './host-state.js';

/** What the scheduler needs to place a volume (cinder's RequestSpec, as plain data). */
export interface RequestSpec {
  volume_id: string;
  size: number;
  availability_zone: string | null;
  volume_type_id: string;
  extra_specs: Record<string, string>;
  multiattach: boolean;
  /** Only this backend (`host@backend`): a volume made from a snapshot or another volume. */
  resource_backend: string | null;
}

export interface Capabilities {
  [key: string]: unknown;
  pools: Array<Record<string, unknown>>;
}

export class SchedulerRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: SCHEDULER_TOPIC, version: SCHEDULER_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  createVolume(ctx: RequestContext, spec: RequestSpec): Promise<void> {
    return this.client.cast(ctx, 'create_volume', { request_spec: spec });
  }

  getPools(ctx: RequestContext, filters: Record<string, unknown> | null): Promise<PoolView[]> {
    return callRemote(() => this.client.call<PoolView[]>(ctx, 'get_pools', { filters }));
  }

  updateServiceCapabilities(ctx: RequestContext, serviceName: string, host: string, capabilities: Capabilities, timestamp: string): Promise<void> {
    return this.client.prepare({ fanout: true }).cast(ctx, 'update_service_capabilities', {
      service_name: serviceName, host, capabilities, timestamp,
    });
  }
}
