/**
 * VolumeAPI's initialize_connection and terminate_connection (cinder/volume/rpcapi.py): the
 * legacy way (before the attachments API) a host gets a volume's connection info for its
 * connector, and gives it up. Calls to the volume's host.
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import { callRemote } from '../rpc/remote-errors.js';
import { cinderSerializer } from '../rpc/serializer.js';
import { VOLUME_RPC_VERSION, VOLUME_TOPIC } from '../rpc/topics.js';
import { backendOf, type ConnectionInfo } from './rpcapi.js';

export class VolumeConnectionRpcAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport) {
    this.client = new RpcClient<RequestContext>(transport, { topic: VOLUME_TOPIC, version: VOLUME_RPC_VERSION }, { serializer: cinderSerializer() });
  }

  initializeConnection(ctx: RequestContext, host: string, volumeId: string, connector: Record<string, unknown>): Promise<ConnectionInfo> {
    return callRemote(() => this.client.prepare({ server: backendOf(host) }).call<ConnectionInfo>(ctx, 'initialize_connection', { volume_id: volumeId, connector }));
  }

  terminateConnection(ctx: RequestContext, host: string, volumeId: string, connector: Record<string, unknown> | null, force: boolean): Promise<void> {
    return callRemote(() => this.client.prepare({ server: backendOf(host) }).call<void>(ctx, 'terminate_connection', { volume_id: volumeId, connector, force }));
  }
}
