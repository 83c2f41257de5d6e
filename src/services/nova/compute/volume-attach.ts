/**
 * Volume attach and detach on the compute host (nova/compute/manager.py attach_volume and
 * detach_volume with the Cinder attachments flow), an RPC endpoint of `compute.<host>`:
 *  - attach_volume (a cast): the reserved attachment is given this host's connector, which
 *    answers the connection info; the virt driver attaches the disk at the mapping's device;
 *    the attachment is completed (the volume is in-use) and the mapping keeps the connection
 *    info. On a failure the attachment is deleted, the mapping destroyed and a fault recorded.
 *  - detach_volume (a cast): the driver detaches the disk, the attachment is deleted and the
 *    mapping destroyed; when the driver fails, the volume (detaching since the API's
 *    begin_detaching) is rolled back to in-use.
 *  - prepForSpawn (a build): the volumes to make (from an image, a snapshot, or blank) are
 *    created in Cinder and waited for (driver_block_device's _create_volume and the manager's
 *    _await_block_device_map_created), then reserved; every volume gets this host's connector.
 *  - cleanupForInstance (a deleted server): every volume attachment is deleted (the disks went
 *    with the guest), then the volumes marked delete_on_termination.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { NovaRepos } from '../db/repos.js';
import { VolumeAttachFailed, VolumeNotCreated } from '../errors.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import { BlockDeviceMapping, expectObject, Instance } from '../objects/index.js';
import { COMPUTE_RPC_VERSION } from '../rpc/topics.js';
import type { ComputeDriver } from '../virt/driver.js';
import type { CinderAPI } from '../volume/cinder.js';
import { nextDeviceName } from './block-device-names.js';
import { withInstanceEvent } from './event-reporter.js';
import { KeyedLock } from './locks.js';

export interface VolumeAttachOptions {
  host: string;
  driver: ComputeDriver;
  repos: NovaRepos;
  volume: CinderAPI;
  notifier: NovaNotifier;
  log: Logger;
  /** [DEFAULT] block_device_allocate_retries and _interval: the wait for a volume being created. */
  createWait?: { retries: number; intervalSeconds: number };
}

export class VolumeAttachManager {
  private readonly locks = new KeyedLock();

  constructor(private readonly o: VolumeAttachOptions) {}

  endpoint(): object {
    const m = this;
    return {
      target: { version: COMPUTE_RPC_VERSION },
      async attach_volume(ctx: RequestContext, args: Record<string, unknown>) {
        await m.attachVolume(ctx, expectObject(args['instance'], Instance, 'instance'), expectObject(args['bdm'], BlockDeviceMapping, 'bdm'));
      },
      async swap_volume(ctx: RequestContext, args: Record<string, unknown>) {
        await m.swapVolume(ctx, expectObject(args['instance'], Instance, 'instance'), String(args['old_volume_id']), String(args['new_volume_id']), String(args['new_attachment_id']));
      },
      async detach_volume(ctx: RequestContext, args: Record<string, unknown>) {
        await m.detachVolume(ctx, expectObject(args['instance'], Instance, 'instance'), String(args['volume_id']));
      },
    };
  }

  attachVolume(ctx: RequestContext, instance: Instance, bdm: BlockDeviceMapping): Promise<void> {
    return this.locks.run(instance.uuid, () => withInstanceEvent(this.o.repos.actions, ctx, instance.uuid, 'compute_attach_volume', this.o.host, async () => {
      const fresh = await this.o.repos.instances.get(instance.uuid);
      const { attachment_id: attachmentId, volume_id: volumeId, device_name: mountpoint } = bdm.data;
      await this.o.notifier.instanceAction(ctx, fresh, 'volume_attach', 'start');
      try {
        if (!attachmentId || !volumeId || !mountpoint) throw new VolumeAttachFailed(volumeId ?? '', 'the mapping has no attachment or device');
        const attachment = await this.o.volume.attachmentUpdate(ctx, attachmentId, this.o.driver.getVolumeConnector(fresh), mountpoint);
        const connectionInfo = attachment.connection_info ?? {};
        await this.o.driver.attachVolume(ctx, connectionInfo, fresh, mountpoint);
        try {
          await this.o.volume.attachmentComplete(ctx, attachmentId);
        } catch (err) {
          await this.o.driver.detachVolume(ctx, connectionInfo, fresh, mountpoint).catch(() => undefined);
          throw err;
        }
        await this.o.repos.bdms.update(bdm.data.uuid, { connection_info: JSON.stringify(connectionInfo) });
      } catch (err) {
        this.o.log.error({ err, instance: instance.uuid, volume: volumeId }, 'Failed to attach volume');
        if (attachmentId) await this.o.volume.attachmentDelete(ctx, attachmentId).catch((e: unknown) => this.o.log.warn({ err: e }, 'attachment cleanup failed'));
        await this.o.repos.bdms.destroy(bdm.data.uuid);
        await this.o.repos.faults.addFromError(instance.uuid, err, this.o.host);
        await this.o.notifier.instanceAction(ctx, fresh, 'volume_attach', 'error', { err, fn: 'attach_volume' });
        throw err;
      }
      await this.o.notifier.instanceAction(ctx, fresh, 'volume_attach', 'end');
    })).catch(() => undefined);
  }

  detachVolume(ctx: RequestContext, instance: Instance, volumeId: string): Promise<void> {
    return this.locks.run(instance.uuid, () => withInstanceEvent(this.o.repos.actions, ctx, instance.uuid, 'compute_detach_volume', this.o.host, async () => {
      const fresh = await this.o.repos.instances.get(instance.uuid);
      const bdm = await this.o.repos.bdms.byVolumeAndInstance(volumeId, instance.uuid);
      await this.o.notifier.instanceAction(ctx, fresh, 'volume_detach', 'start');
      const connectionInfo = bdm.data.connection_info ? JSON.parse(bdm.data.connection_info) as Record<string, unknown> : {};
      try {
        if (bdm.data.device_name) await this.o.driver.detachVolume(ctx, connectionInfo, fresh, bdm.data.device_name);
      } catch (err) {
        // the guest keeps the disk: the volume is in-use again (driver_block_device's roll_detaching)
        await this.o.volume.rollDetaching(ctx, volumeId).catch((e: unknown) => this.o.log.warn({ err: e, volume: volumeId }, 'roll_detaching failed'));
        throw err;
      }
      if (bdm.data.attachment_id) await this.o.volume.attachmentDelete(ctx, bdm.data.attachment_id);
      await this.o.repos.bdms.destroy(bdm.data.uuid);
      await this.o.notifier.instanceAction(ctx, fresh, 'volume_detach', 'end');
    })).catch((err: unknown) => this.o.log.error({ err, instance: instance.uuid, volume: volumeId }, 'Failed to detach volume'));
  }

  /**
   * swap_volume (new-style attachments): the new volume's attachment gets this host's connector,
   * the driver swaps the disk at the same device, the new attachment is completed and the old
   * one deleted, and the mapping now names the new volume. A failure deletes the new
   * attachment and leaves the old volume in place.
   */
  swapVolume(ctx: RequestContext, instance: Instance, oldVolumeId: string, newVolumeId: string, newAttachmentId: string): Promise<void> {
    return this.locks.run(instance.uuid, () => withInstanceEvent(this.o.repos.actions, ctx, instance.uuid, 'compute_swap_volume', this.o.host, async () => {
      const fresh = await this.o.repos.instances.get(instance.uuid);
      const bdm = await this.o.repos.bdms.byVolumeAndInstance(oldVolumeId, instance.uuid);
      const mountpoint = bdm.data.device_name ?? '';
      const oldInfo = bdm.data.connection_info ? JSON.parse(bdm.data.connection_info) as Record<string, unknown> : {};
      await this.o.notifier.instanceAction(ctx, fresh, 'volume_swap', 'start');
      try {
        const attachment = await this.o.volume.attachmentUpdate(ctx, newAttachmentId, this.o.driver.getVolumeConnector(fresh), mountpoint || undefined);
        const newInfo = attachment.connection_info ?? {};
        await this.o.driver.swapVolume(ctx, oldInfo, newInfo, fresh, mountpoint);
        await this.o.volume.attachmentComplete(ctx, newAttachmentId);
        if (bdm.data.attachment_id) await this.o.volume.attachmentDelete(ctx, bdm.data.attachment_id);
        const newVolume = await this.o.volume.get(ctx, newVolumeId);
        await this.o.repos.bdms.swapVolume(bdm.data.uuid, { volume_id: newVolumeId, attachment_id: newAttachmentId, connection_info: JSON.stringify(newInfo), volume_size: newVolume.size });
      } catch (err) {
        this.o.log.error({ err, instance: instance.uuid, old: oldVolumeId, new: newVolumeId }, 'Failed to swap volume');
        await this.o.volume.attachmentDelete(ctx, newAttachmentId).catch(() => undefined);
        await this.o.repos.faults.addFromError(instance.uuid, err, this.o.host);
        await this.o.notifier.instanceAction(ctx, fresh, 'volume_swap', 'error', { err, fn: 'swap_volume' });
        throw err;
      }
      await this.o.notifier.instanceAction(ctx, fresh, 'volume_swap', 'end');
    })).catch(() => undefined);
  }

  /**
   * _prep_block_device for the volumes a server boots with: each reserved attachment gets this
   * host's connector, the mapping its connection info. The mappings come back for the spawn.
   */
  async prepForSpawn(ctx: RequestContext, instance: Instance): Promise<BlockDeviceMapping[]> {
    // _default_block_device_names: volumes asked for without a device get the next free ones.
    const bdms = await this.o.repos.bdms.byInstance(instance.uuid);
    let written = false;
    for (const bdm of bdms) {
      if (!bdm.isVolume || bdm.data.device_name || bdm.isRoot) continue;
      written = true;
      bdm.data.device_name = nextDeviceName(instance, bdms, null);
      await this.o.repos.bdms.update(bdm.data.uuid, { device_name: bdm.data.device_name });
    }
    for (const bdm of bdms) {
      if (!bdm.isVolume || bdm.data.volume_id || bdm.data.source_type === 'volume') continue;
      written = true;
      await this.createVolume(ctx, instance, bdm);
    }
    const connector = this.o.driver.getVolumeConnector(instance);
    for (const bdm of bdms) {
      if (!bdm.isVolume || !bdm.data.attachment_id) continue;
      written = true;
      const attachment = await this.o.volume.attachmentUpdate(ctx, bdm.data.attachment_id, connector, bdm.data.device_name ?? undefined);
      await this.o.repos.bdms.update(bdm.data.uuid, { connection_info: JSON.stringify(attachment.connection_info ?? {}) });
    }
    // a server without volumes (an image boot) has its mappings as read
    return written ? this.o.repos.bdms.byInstance(instance.uuid) : bdms;
  }

  /**
   * _create_volume: the volume of a mapping made in Cinder (its id kept at once, so that a
   * failed build can delete it), waited for until available, then reserved for the server.
   * The mapping object follows its record.
   * @throws VolumeNotCreated
   */
  private async createVolume(ctx: RequestContext, instance: Instance, bdm: BlockDeviceMapping): Promise<void> {
    const { source_type: source, image_id: imageId, snapshot_id: snapshotId } = bdm.data;
    const volume = await this.o.volume.create(ctx, {
      size: bdm.data.volume_size ?? 1,
      name: source === 'blank' ? `${instance.uuid}-blank-vol` : '',
      description: '',
      ...(bdm.data.volume_type ? { volume_type: bdm.data.volume_type } : {}),
      ...(source === 'image' && imageId ? { imageRef: imageId } : {}),
      ...(source === 'snapshot' && snapshotId ? { snapshot_id: snapshotId } : {}),
    });
    bdm.data.volume_id = volume.id;
    bdm.data.volume_size = volume.size;
    await this.o.repos.bdms.update(bdm.data.uuid, { volume_id: volume.id, volume_size: volume.size });
    await this.awaitAvailable(ctx, volume.id);
    const attachment = await this.o.volume.attachmentCreate(ctx, volume.id, instance.uuid);
    bdm.data.attachment_id = attachment.id;
    await this.o.repos.bdms.update(bdm.data.uuid, { attachment_id: attachment.id });
  }

  /**
   * _await_block_device_map_created: up to retries + 1 looks at the volume. Nova sleeps the
   * whole interval between them; here the pause starts at 50 ms and doubles up to the interval,
   * so that a volume made in a moment is not waited for seconds.
   */
  private async awaitAvailable(ctx: RequestContext, volumeId: string): Promise<void> {
    const { retries, intervalSeconds } = this.o.createWait ?? { retries: 60, intervalSeconds: 3 };
    const attempts = retries >= 1 ? retries + 1 : 1;
    const started = Date.now();
    let delay = 50;
    let status = 'unknown';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      status = (await this.o.volume.get(ctx, volumeId)).status;
      if (status === 'available') return;
      if (status !== 'creating' && status !== 'downloading') {
        this.o.log.warn({ volume: volumeId, status }, 'Volume finished being created but its status is not available');
        throw new VolumeNotCreated(volumeId, Math.round((Date.now() - started) / 1000), attempt, status);
      }
      if (attempt === attempts) throw new VolumeNotCreated(volumeId, Math.round((Date.now() - started) / 1000), attempt, status);
      await new Promise((r) => setTimeout(r, Math.min(delay, intervalSeconds * 1000)));
      delay *= 2;
    }
  }

  /**
   * After the spawn: the attachments are complete (the volumes in-use). `bdms`: the mappings
   * prepForSpawn gave for the spawn (the build holds the server's lock, so none changed since).
   */
  async completeAfterSpawn(ctx: RequestContext, bdms: readonly BlockDeviceMapping[]): Promise<void> {
    for (const bdm of bdms) {
      if (bdm.isVolume && bdm.data.attachment_id) await this.o.volume.attachmentComplete(ctx, bdm.data.attachment_id);
    }
  }

  /**
   * _terminate_volume_connections (a shelve offload): Cinder has no disconnect of an attachment,
   * so each volume gets a new attachment without a connector (it stays reserved for the server)
   * and the old one is deleted; the host that unshelves the server connects the new one.
   */
  async terminateConnections(ctx: RequestContext, instance: Instance): Promise<void> {
    for (const bdm of await this.o.repos.bdms.byInstance(instance.uuid)) {
      if (!bdm.isVolume || !bdm.data.attachment_id || !bdm.data.volume_id) continue;
      const fresh = await this.o.volume.attachmentCreate(ctx, bdm.data.volume_id, instance.uuid);
      await this.o.volume.attachmentDelete(ctx, bdm.data.attachment_id);
      await this.o.repos.bdms.update(bdm.data.uuid, { attachment_id: fresh.id, connection_info: null });
    }
  }

  /** The attachments of a server being deleted (_cleanup_volumes' attachment part). */
  async cleanupForInstance(instance: Instance): Promise<void> {
    await this.o.volume.releaseVolumes(await this.o.repos.bdms.byInstance(instance.uuid), (err, volume, what) => this.o.log.warn({ err, instance: instance.uuid, volume }, what));
  }
}
