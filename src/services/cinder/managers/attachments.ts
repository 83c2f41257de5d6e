/**
 * The attachments API (cinder/volume/api.py attachment_create/update/complete/delete, 3.27+):
 * create reserves the volume for an instance (available, or in-use/reserved when multiattach;
 * the volume `reserved`, the attachment `reserved`), or with a connector attaches at once;
 * update gives the connector to the volume's host and stores the connection info (volume
 * `attaching`); complete marks the attachment attached (volume `in-use`); delete
 * terminates the connection and puts the volume back to `available` when it was the last
 * one (`in-use` otherwise).
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import type { AttachmentRecord, VolumeRecord } from '../db/records.js';
import { InvalidVolume, InvalidVolumeAttachMode, VolumeAttachmentNotFound } from '../errors.js';
import type { VolumeRpcAPI } from '../volume/rpcapi.js';

export class AttachmentAPI {
  constructor(private readonly o: { repos: CinderRepos; volume: VolumeRpcAPI }) {}

  private get repos(): CinderRepos {
    return this.o.repos;
  }

  async get(ctx: RequestContext, id: string, isAdmin: boolean): Promise<{ attachment: AttachmentRecord; volume: VolumeRecord }> {
    const a = await this.repos.volumes.findAttachment(id);
    const v = a ? await this.repos.volumes.find(a.volume_id) : undefined;
    if (!a || !v || (!isAdmin && v.project_id !== ctx.projectId)) throw new VolumeAttachmentNotFound(`attachment_id = ${id}`);
    return { attachment: a, volume: v };
  }

  async create(ctx: RequestContext, v: VolumeRecord, instanceUuid: string | null, connector: Record<string, unknown> | null, mode: 'rw' | 'ro' | null): Promise<AttachmentRecord> {
    const readonly = v.admin_metadata['readonly'] === 'True';
    if (mode === 'rw' && readonly) throw new InvalidVolumeAttachMode(mode, v.id);
    const attachMode = mode ?? (readonly ? 'ro' : null);
    const others = v.attachments.filter((a) => a.instance_uuid !== null);
    // _attachment_reserve: a volume that is not multiattach takes another attachment only for the
    // instance that has it (Nova's shelve offload and moves: a new attachment before the old one
    // goes, LP #1694530)
    const sameInstance = !v.multiattach && instanceUuid !== null && ['in-use', 'reserved'].includes(v.status)
      && others.length > 0 && others.every((a) => a.instance_uuid === instanceUuid);
    if (!v.multiattach && others.length > 0 && !sameInstance) {
      throw new InvalidVolume(`Volume ${v.id} status must be available or downloading, but current status is: ${v.status}.`);
    }
    const expected = v.multiattach ? ['available', 'in-use', 'reserved', 'attaching'] : sameInstance ? ['in-use', 'reserved'] : ['available', 'downloading'];
    const moved = await this.repos.volumes.conditionalUpdate(v.id, expected, { status: 'reserved', previous_status: v.status === 'in-use' ? 'in-use' : v.status });
    if (!moved) {
      throw new InvalidVolume(`Volume ${v.id} status must be available or downloading, but current status is: ${v.status}.`);
    }
    if (v.status === 'in-use' || v.status === 'attaching') await this.repos.volumes.update(v.id, { status: v.status });
    const id = randomUUID();
    await this.repos.volumes.createAttachment({ id, volume_id: v.id, instance_uuid: instanceUuid, attach_mode: attachMode, attach_status: 'reserved' });
    if (connector) return this.update(ctx, { ...(await this.repos.volumes.findAttachment(id))! }, (await this.repos.volumes.find(v.id))!, connector);
    return (await this.repos.volumes.findAttachment(id))!;
  }

  async update(ctx: RequestContext, a: AttachmentRecord, v: VolumeRecord, connector: Record<string, unknown>): Promise<AttachmentRecord> {
    if (!['reserved', 'attaching', 'attached'].includes(a.attach_status) || ['error_attaching'].includes(a.attach_status)) {
      throw new InvalidVolume(`Attachment ${a.id} is in status ${a.attach_status}.`);
    }
    if (!v.host) throw new InvalidVolume(`Volume ${v.id} has no host.`);
    await this.o.volume.attachmentUpdate(ctx, v.host, a.id, connector);
    if (v.status === 'reserved') await this.repos.volumes.conditionalUpdate(v.id, ['reserved'], { status: 'attaching' });
    return (await this.repos.volumes.findAttachment(a.id))!;
  }

  /**
   * os-complete: attached and in-use, with or without a connector, as Cinder's controller does
   * (Nova completes a shelved-offloaded server's attachment without one; the unshelving host
   * gives it later).
   */
  async complete(a: AttachmentRecord, v: VolumeRecord): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await this.repos.volumes.updateAttachment(a.id, { attach_status: 'attached', attach_time: now });
    await this.repos.volumes.update(v.id, { status: 'in-use', attach_status: 'attached' });
  }

  async delete(ctx: RequestContext, a: AttachmentRecord, v: VolumeRecord): Promise<void> {
    if (v.host && a.connector) await this.o.volume.attachmentDelete(ctx, v.host, a.id);
    await this.repos.volumes.deleteAttachment(a.id);
    const rest = (await this.repos.volumes.attachmentsOf([v.id])).get(v.id) ?? [];
    if (rest.length === 0) {
      await this.repos.volumes.update(v.id, { status: v.status === 'deleting' ? 'deleting' : 'available', attach_status: 'detached' });
    } else {
      const attached = rest.some((r) => r.attach_status === 'attached');
      await this.repos.volumes.update(v.id, { status: attached ? 'in-use' : 'reserved', attach_status: attached ? 'attached' : 'detached' });
    }
  }
}
