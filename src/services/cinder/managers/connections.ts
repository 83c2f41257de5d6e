/**
 * The legacy connection requests (cinder/volume/api.py initialize_connection,
 * terminate_connection) and os-force_detach (admin_actions._force_detach): the volume's host
 * gives a connector the connection info or gives the connection up; force_detach gives it up
 * whatever the volume's status, then detaches the attachment (the volume available when it
 * was the last one).
 */
import type { RequestContext } from '../../../common/context.js';
import type { VolumeRecord } from '../db/records.js';
import { InvalidVolume } from '../errors.js';
import type { ConnectionInfo } from '../volume/rpcapi.js';
import type { VolumeConnectionRpcAPI } from '../volume/rpcapi-connection.js';
import type { LegacyAttachAPI } from './legacy-attach.js';

export class VolumeConnectionAPI {
  constructor(private readonly o: { rpc: VolumeConnectionRpcAPI; legacyAttach: LegacyAttachAPI }) {}

  private host(v: VolumeRecord): string {
    if (!v.host) throw new InvalidVolume(`Volume ${v.id} has no host: it was never created on a backend.`);
    return v.host;
  }

  async initialize(ctx: RequestContext, v: VolumeRecord, connector: Record<string, unknown>): Promise<ConnectionInfo> {
    if (v.status === 'maintenance') throw new InvalidVolume(`Volume ${v.id} is in maintenance.`);
    return this.o.rpc.initializeConnection(ctx, this.host(v), v.id, connector);
  }

  async terminate(ctx: RequestContext, v: VolumeRecord, connector: Record<string, unknown> | null, force = false): Promise<void> {
    await this.o.rpc.terminateConnection(ctx, this.host(v), v.id, connector, force);
  }

  async forceDetach(ctx: RequestContext, v: VolumeRecord, connector: Record<string, unknown> | null, attachmentId: string | null): Promise<void> {
    if (v.host) await this.terminate(ctx, v, connector, true);
    await this.o.legacyAttach.detach(v, attachmentId);
  }
}
