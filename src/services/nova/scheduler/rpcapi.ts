/**
 * SchedulerAPI (nova/scheduler/rpcapi.py): the conductor's call to the scheduler. A call, since
 * the conductor waits for the hosts: for each server a list of Selections, the chosen host
 * first (its resources already claimed in Placement), then its alternates.
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { RequestSpec, Selection } from '../objects/index.js';
import { callRemote } from '../rpc/remote-errors.js';
import { novaSerializer } from '../rpc/serializer.js';
import { SCHEDULER_RPC_VERSION, SCHEDULER_TOPIC } from '../rpc/topics.js';

export interface SelectDestinationsArgs {
  spec_obj: RequestSpec;
  instance_uuids: string[];
  return_objects: true;
  return_alternates: boolean;
}

export class SchedulerAPI {
  private readonly client: RpcClient<RequestContext>;

  /** `timeout`: seconds the conductor waits (oslo's rpc_response_timeout, 60 by default). */
  constructor(transport: Transport, timeout?: number) {
    this.client = new RpcClient<RequestContext>(transport, { topic: SCHEDULER_TOPIC, version: SCHEDULER_RPC_VERSION }, {
      serializer: novaSerializer(), ...(timeout !== undefined ? { timeout } : {}),
    });
  }

  selectDestinations(ctx: RequestContext, args: SelectDestinationsArgs): Promise<Selection[][]> {
    return callRemote(() => this.client.prepare({ version: '4.5' }).call<Selection[][]>(ctx, 'select_destinations', { ...args }));
  }
}
