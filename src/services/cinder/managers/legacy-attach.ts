/**
 * The attach actions of the volume API before the attachments API (cinder/volume/api.py
 * reserve_volume, unreserve_volume, begin_detaching, roll_detaching, attach, detach), as
 * os-reserve, os-unreserve, os-begin_detaching, os-roll_detaching, os-attach and os-detach
 * still offer them: the same volume states (attaching, in-use, detaching, available) and
 * attachment records, without a connector (a file volume needs nothing done on its host for
 * them).
 */
import { randomUUID } from 'node:crypto';
import { nowIso } from '../../../common/db/index.js';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeRecord } from '../db/records.js';
import { InvalidVolume, InvalidVolumeAttachMode, VolumeAttachmentNotFound } from '../errors.js';

const statusError = (v: VolumeRecord, expected: string): InvalidVolume =>
  new InvalidVolume(`Volume ${v.id} status must be ${expected}, but current status is: ${v.status}.`);

export class LegacyAttachAPI {
  constructor(private readonly repos: CinderRepos) {}

  async reserve(v: VolumeRecord): Promise<void> {
    const expected = v.multiattach ? ['available', 'in-use'] : ['available'];
    if (!(await this.repos.volumes.conditionalUpdate(v.id, expected, { status: 'attaching', previous_status: v.status }))) {
      throw statusError(v, expected.join(' or '));
    }
  }

  async unreserve(v: VolumeRecord): Promise<void> {
    const attached = v.attachments.some((a) => a.attach_status === 'attached');
    if (!(await this.repos.volumes.conditionalUpdate(v.id, ['attaching'], { status: attached ? 'in-use' : 'available' }))) {
      throw statusError(v, 'attaching');
    }
  }

  async beginDetaching(v: VolumeRecord): Promise<void> {
    if (!(await this.repos.volumes.conditionalUpdate(v.id, ['in-use'], { status: 'detaching' }, { attachStatus: ['attached'] }))) {
      throw statusError(v, 'in-use');
    }
  }

  async rollDetaching(v: VolumeRecord): Promise<void> {
    await this.repos.volumes.conditionalUpdate(v.id, ['detaching'], { status: 'in-use' });
  }

  async attach(v: VolumeRecord, o: { instanceUuid: string | null; hostName: string | null; mountpoint: string; mode: 'rw' | 'ro' }): Promise<void> {
    const readonly = v.admin_metadata['readonly'] === 'True';
    if (readonly && o.mode === 'rw') throw new InvalidVolumeAttachMode(o.mode, v.id);
    const expected = v.multiattach ? ['available', 'attaching', 'in-use', 'reserved'] : ['available', 'attaching', 'reserved'];
    if (!expected.includes(v.status)) throw statusError(v, 'available or attaching');
    if (!v.multiattach && v.attachments.some((a) => a.attach_status === 'attached')) throw new InvalidVolume(`Volume ${v.id} is already attached.`);
    const id = randomUUID();
    await this.repos.volumes.createAttachment({ id, volume_id: v.id, instance_uuid: o.instanceUuid, attach_mode: o.mode, attach_status: 'attached' });
    await this.repos.volumes.updateAttachment(id, { attached_host: o.hostName, mountpoint: o.mountpoint, attach_time: nowIso() });
    await this.repos.volumes.adminMetadata.set(v.id, { attached_mode: o.mode }, false);
    await this.repos.volumes.update(v.id, { status: 'in-use', attach_status: 'attached' });
  }

  async detach(v: VolumeRecord, attachmentId: string | null): Promise<void> {
    const live = v.attachments;
    const target = attachmentId ? live.find((a) => a.id === attachmentId) : live.length === 1 ? live[0] : undefined;
    if (!target) {
      if (attachmentId) throw new VolumeAttachmentNotFound(`attachment_id = ${attachmentId}`);
      if (live.length > 1) throw new InvalidVolume('Volume has more than one attachment: give the attachment_id to detach.');
      // not attached: the manager just makes it available (volume/manager.py detach_volume)
      await this.repos.volumes.update(v.id, { status: 'available', attach_status: 'detached' });
      return;
    }
    await this.repos.volumes.deleteAttachment(target.id);
    const rest = live.filter((a) => a.id !== target.id);
    if (rest.length === 0) {
      await this.repos.volumes.adminMetadata.remove(v.id, 'attached_mode');
      await this.repos.volumes.update(v.id, { status: 'available', attach_status: 'detached' });
    } else {
      await this.repos.volumes.update(v.id, { status: 'in-use', attach_status: 'attached' });
    }
  }
}
