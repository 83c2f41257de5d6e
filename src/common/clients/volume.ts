/**
 * VolumeClient: Cinder's API v3 as Nova uses it for attachments (nova/volume/cinder.py, the
 * "new-style" attachment flow): show a volume, create an attachment (reserving the volume for a
 * server), update it with the host's connector (which returns the connection info), complete it
 * once the host attached the volume, delete it on detach. Microversion 3.44 (attachment
 * complete), 3.54 when an attach mode is given; volumes created for a server's block devices
 * (from an image, a snapshot, or blank); catalog type block-storage, or its aliases.
 */
import { seg, ServiceProxy, type ServiceDescription } from './proxy.js';

export interface Volume {
  id: string;
  name: string | null;
  status: string;
  size: number;
  volume_type: string | null;
  bootable: string;
  multiattach: boolean;
  attachments: Array<{ id: string; attachment_id: string; server_id: string; volume_id: string; device?: string; host_name?: string | null }>;
  availability_zone: string;
  encrypted: boolean;
  [attribute: string]: unknown;
}

/** The host side of an attachment, as os-brick describes it. */
export interface Connector {
  host: string;
  ip?: string;
  initiator?: string;
  multipath?: boolean;
  platform?: string;
  os_type?: string;
  [key: string]: unknown;
}

export interface VolumeAttachment {
  id: string;
  volume_id: string;
  instance: string;
  status: 'reserved' | 'attaching' | 'attached' | 'detached' | 'error_attaching' | 'error_detaching' | string;
  attach_mode: 'rw' | 'ro' | null;
  attached_at?: string | null;
  detached_at?: string | null;
  /** The connection info (driver_volume_type, data) once a connector was given. */
  connection_info: Record<string, unknown> | null;
  [attribute: string]: unknown;
}

/** A volume snapshot, as Nova reads it (size, and the volume it was taken of). */
export interface VolumeSnapshot {
  id: string;
  status: string;
  size: number;
  volume_id: string;
  [attribute: string]: unknown;
}

/** POST /v3/volumes as Nova creates a server's volume (nova/volume/cinder.py create). */
export interface VolumeCreateRequest {
  size: number;
  name?: string;
  description?: string;
  volume_type?: string | null;
  availability_zone?: string | null;
  imageRef?: string;
  snapshot_id?: string;
  metadata?: Record<string, string>;
}

const ATTACHMENT_MICROVERSION = '3.44';
const ATTACH_MODE_MICROVERSION = '3.54';

export class VolumeClient extends ServiceProxy {
  protected readonly service: ServiceDescription = {
    types: ['block-storage', 'volumev3', 'volume'],
    version: 'v3',
    microversion: { service: 'volume', default: ATTACHMENT_MICROVERSION },
  };

  /** GET /v3/volumes/{id}. */
  async getVolume(id: string): Promise<Volume> {
    return (await this.json<{ volume: Volume }>('GET', `/volumes/${seg(id)}`)).body.volume;
  }

  /** POST /v3/volumes: the volume is `creating` until the volume service made it. */
  async createVolume(req: VolumeCreateRequest): Promise<Volume> {
    const volume: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(req)) if (v !== undefined && v !== null) volume[k] = v;
    return (await this.json<{ volume: Volume }>('POST', '/volumes', { body: { volume } })).body.volume;
  }

  /** POST /v3/snapshots (`force`: even of an in-use volume): Nova's os-snapshots and its snapshots of volume-backed servers. */
  async createSnapshot(volumeId: string, opts: { name?: string | null; description?: string | null; force?: boolean } = {}): Promise<VolumeSnapshot> {
    const snapshot: Record<string, unknown> = { volume_id: volumeId };
    if (opts.force) snapshot['force'] = true;
    if (opts.name) snapshot['name'] = opts.name;
    if (opts.description) snapshot['description'] = opts.description;
    return (await this.json<{ snapshot: VolumeSnapshot }>('POST', '/snapshots', { body: { snapshot } })).body.snapshot;
  }

  /** GET /v3/snapshots/detail: the caller's project's snapshots. */
  async listSnapshots(): Promise<VolumeSnapshot[]> {
    return (await this.json<{ snapshots: VolumeSnapshot[] }>('GET', '/snapshots/detail')).body.snapshots;
  }

  /** DELETE /v3/snapshots/{id}. */
  async deleteSnapshot(id: string): Promise<void> {
    await this.json('DELETE', `/snapshots/${seg(id)}`);
  }

  /** GET /v3/volumes/detail: the caller's project's volumes. */
  async listVolumes(): Promise<Volume[]> {
    return (await this.json<{ volumes: Volume[] }>('GET', '/volumes/detail')).body.volumes;
  }

  /** GET /v3/limits: the project's absolute limits and usage (maxTotalSnapshots, totalSnapshotsUsed, ...). */
  async absoluteLimits(): Promise<Record<string, number>> {
    return (await this.json<{ limits: { absolute: Record<string, number> } }>('GET', '/limits')).body.limits.absolute;
  }

  /** GET /v3/snapshots/{id}. */
  async getSnapshot(id: string): Promise<VolumeSnapshot> {
    return (await this.json<{ snapshot: VolumeSnapshot }>('GET', `/snapshots/${seg(id)}`)).body.snapshot;
  }

  /**
   * POST /v3/attachments: reserve the volume for a server; with a connector the attachment is
   * made at once and carries its connection info.
   */
  async createAttachment(volumeId: string, instanceUuid: string, opts: { connector?: Connector; mode?: 'rw' | 'ro' } = {}): Promise<VolumeAttachment> {
    const attachment: Record<string, unknown> = { volume_uuid: volumeId, instance_uuid: instanceUuid };
    if (opts.connector) attachment['connector'] = opts.connector;
    if (opts.mode) attachment['mode'] = opts.mode;
    const res = await this.json<{ attachment: VolumeAttachment }>('POST', '/attachments', {
      body: { attachment },
      ...(opts.mode ? { microversion: ATTACH_MODE_MICROVERSION } : {}),
    });
    return res.body.attachment;
  }

  /** PUT /v3/attachments/{id}: give the host's connector; the answer has the connection info. */
  async updateAttachment(id: string, connector: Connector): Promise<VolumeAttachment> {
    return (await this.json<{ attachment: VolumeAttachment }>('PUT', `/attachments/${seg(id)}`, { body: { attachment: { connector } } })).body.attachment;
  }

  /** POST /v3/attachments/{id}/action os-complete: the host attached the volume (volume in-use). */
  async completeAttachment(id: string): Promise<void> {
    await this.json('POST', `/attachments/${seg(id)}/action`, { body: { 'os-complete': null } });
  }

  /** POST /v3/volumes/{id}/action os-begin_detaching: the in-use volume is detaching (a 400 when it is not in-use). */
  async beginDetaching(id: string): Promise<void> {
    await this.json('POST', `/volumes/${seg(id)}/action`, { body: { 'os-begin_detaching': null } });
  }

  /** POST /v3/volumes/{id}/action os-roll_detaching: a detaching volume is in-use again (the detach failed). */
  async rollDetaching(id: string): Promise<void> {
    await this.json('POST', `/volumes/${seg(id)}/action`, { body: { 'os-roll_detaching': null } });
  }

  /** DELETE /v3/volumes/{id} (a server's volume with delete_on_termination, once detached). */
  async deleteVolume(id: string): Promise<void> {
    await this.json('DELETE', `/volumes/${seg(id)}`);
  }

  /** DELETE /v3/attachments/{id}: detach (the volume goes back to available when it was the last). */
  async deleteAttachment(id: string): Promise<void> {
    await this.json('DELETE', `/attachments/${seg(id)}`);
  }
}
