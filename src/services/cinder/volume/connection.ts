/**
 * initialize_connection and terminate_connection on a volume host (cinder/volume/manager.py,
 * with _parse_connection_options): the driver's connection info for a connector, with the
 * access mode (the attach mode, else ro for a readonly volume, else rw), whether the volume is
 * encrypted and the front-end QoS specs of its type; terminate gives the connection up.
 */
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import { VolumeNotFound } from '../errors.js';
import { VOLUME_RPC_VERSION } from '../rpc/topics.js';
import type { VolumeDriver } from './drivers/driver.js';
import type { ConnectionInfo } from './rpcapi.js';

export class VolumeConnectionManager {
  constructor(private readonly o: { driver: VolumeDriver; repos: CinderRepos }) {}

  private async frontEndQos(typeId: string): Promise<Record<string, string> | null> {
    const qosId = await this.o.repos.qosSpecs.typeQos(typeId);
    const qos = qosId ? await this.o.repos.qosSpecs.find(qosId) : undefined;
    return qos && (qos.consumer === 'front-end' || qos.consumer === 'both') ? qos.specs : null;
  }

  async initializeConnection(volumeId: string, connector: Record<string, unknown>): Promise<ConnectionInfo> {
    const v = await this.o.repos.volumes.find(volumeId);
    if (!v) throw new VolumeNotFound(volumeId);
    const info = await this.o.driver.initializeConnection({ id: v.id, size: v.size, provider_location: v.provider_location }, connector);
    const mode = v.admin_metadata['attached_mode'] ?? (v.admin_metadata['readonly'] === 'True' ? 'ro' : 'rw');
    return {
      ...info,
      data: { ...info.data, access_mode: mode, encrypted: v.encryption_key_id !== null, qos_specs: await this.frontEndQos(v.volume_type_id), discard: false },
    };
  }

  async terminateConnection(volumeId: string, connector: Record<string, unknown> | null): Promise<void> {
    const v = await this.o.repos.volumes.find(volumeId);
    if (!v) throw new VolumeNotFound(volumeId);
    await this.o.driver.terminateConnection({ id: v.id, size: v.size, provider_location: v.provider_location }, connector);
  }

  endpoint(): object {
    const m = this;
    return {
      target: { version: VOLUME_RPC_VERSION },
      async initialize_connection(_ctx: RequestContext, args: Record<string, unknown>) {
        return m.initializeConnection(String(args['volume_id'] ?? ''), (args['connector'] ?? {}) as Record<string, unknown>);
      },
      async terminate_connection(_ctx: RequestContext, args: Record<string, unknown>) {
        await m.terminateConnection(String(args['volume_id'] ?? ''), (args['connector'] ?? null) as Record<string, unknown> | null);
      },
    };
  }
}
