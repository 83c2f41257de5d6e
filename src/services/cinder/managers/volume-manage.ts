/**
 * Managing existing backend objects as volumes and unmanaging volumes (cinder/volume/api.py
 * manage_existing, delete with unmanage_only, get_manageable_volumes): manage needs a live
 * volume host and a reference; the volume is recorded managing (size 0 until the host knows
 * it) within the volumes quota and handed to the host; unmanage has delete's rules (available
 * or error, detached, no snapshots, no group, no transfer) and leaves the data on the backend.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeRecord } from '../db/records.js';
import { InvalidInput, InvalidVolume, ServiceNotFound } from '../errors.js';
import { VOLUME_BINARY } from '../rpc/topics.js';
import { serviceIsUp } from '../scheduler/host-manager.js';
import { backendOf } from '../volume/rpcapi.js';
import type { VolumeManageRpcAPI } from '../volume/manage.js';
import type { Quotas } from './quotas.js';
import type { VolumeTypes } from './volume-types.js';
import { DELETABLE } from './volumes.js';

export interface ManageInput {
  host: string;
  ref: Record<string, unknown>;
  name: string | null;
  description: string | null;
  volumeType: string | null;
  zone: string | null;
  metadata: Record<string, string>;
  bootable: boolean;
}

export interface ManageableVolume {
  reference: { 'source-name': string };
  size: number;
  safe_to_manage: boolean;
  reason_not_safe: string | null;
  cinder_id: string | null;
  extra_info: null;
}

export class VolumeManageAPI {
  constructor(private readonly o: { repos: CinderRepos; types: VolumeTypes; quotas: Quotas; rpc: VolumeManageRpcAPI }) {}

  private async liveHost(host: string): Promise<string> {
    const service = (await this.o.repos.services.list()).find((s) => s.binary === VOLUME_BINARY && s.host === backendOf(host));
    if (!service) throw new ServiceNotFound(host);
    if (service.disabled || !serviceIsUp(service.updated_at, service.created_at)) throw new InvalidInput(`Service ${host} is down or disabled.`);
    return service.host;
  }

  async manage(ctx: RequestContext, isAdmin: boolean, input: ManageInput): Promise<VolumeRecord> {
    const backend = await this.liveHost(input.host);
    const type = input.volumeType !== null ? await this.o.types.byNameOrId(input.volumeType, ctx.projectId, isAdmin) : await this.o.types.getDefault(ctx.projectId);
    const zone = input.zone ?? (await this.o.repos.services.list()).find((s) => s.host === backend && s.binary === VOLUME_BINARY)!.availability_zone;
    const projectId = ctx.projectId ?? '';
    const id = randomUUID();
    const pool = input.host.includes('#') ? input.host : `${backend}#${backend.split('@')[1] ?? backend}`;
    await this.o.quotas.reserve(projectId, { volumes: 1, typeName: type.name }, (trx) => this.o.repos.volumes.create({
      id, project_id: projectId, user_id: ctx.userId ?? '', host: pool, size: 0, availability_zone: zone, status: 'managing', attach_status: 'detached',
      migration_status: null, previous_status: null, display_name: input.name, display_description: input.description, volume_type_id: type.id,
      snapshot_id: null, source_volid: null, bootable: input.bootable, multiattach: false, encryption_key_id: null, provider_location: null,
      replication_status: null, service_uuid: null, launched_at: null, terminated_at: null, group_id: null,
    }, input.metadata, {}, {}, trx));
    await this.o.rpc.manageExisting(ctx, pool, id, input.ref);
    return (await this.o.repos.volumes.find(id))!;
  }

  async unmanage(ctx: RequestContext, v: VolumeRecord): Promise<void> {
    const refuse = () => new InvalidVolume('Volume status must be available or error and must not be migrating, attached, belong to a group, have snapshots or be awaiting a transfer.');
    if (v.attach_status === 'attached' || v.attachments.length > 0 || v.group_id) throw refuse();
    if ((await this.o.repos.snapshots.ofVolume(v.id)).length > 0 || (await this.o.repos.transfers.ofVolume(v.id)).length > 0) throw refuse();
    if (!v.host) throw new InvalidVolume(`Volume ${v.id} has no host.`);
    if (!(await this.o.repos.volumes.conditionalUpdate(v.id, DELETABLE, { status: 'unmanaging', previous_status: v.status }))) throw refuse();
    await this.o.rpc.unmanage(ctx, v.host, v.id);
  }

  /** The host's objects, those of live volumes marked not safe to manage. */
  async listManageable(ctx: RequestContext, host: string): Promise<ManageableVolume[]> {
    const backend = await this.liveHost(host);
    const known = new Map((await this.o.repos.volumes.onHost(backend)).map((v) => [`volume-${v.id}`, v.id]));
    return (await this.o.rpc.listManageable(ctx, backend)).map((f) => {
      const cinderId = known.get(f.name) ?? null;
      return {
        reference: { 'source-name': f.name }, size: f.sizeGb, safe_to_manage: cinderId === null, reason_not_safe: cinderId === null ? null : 'already managed',
        cinder_id: cinderId, extra_info: null,
      };
    });
  }
}
