/**
 * BackupManager (cinder/backup/manager.py) of one backup service: the driver's work behind
 * the backup states. create_backup: creating → available (error with its fail_reason), the
 * volume back from backing-up to its previous status (a snapshot from backing-up to
 * available); restore_backup: restoring → available, the volume restoring-backup (or
 * creating, for a volume made from the backup) → available, error_restoring on failure;
 * delete_backup: deleting → gone (error on failure); import_record: the imported record's
 * objects are checked → available (error if missing). The volume's data comes from its
 * volume service (get_backup_device) as a local file. At start, work a stopped service left
 * half done is settled as upstream's init_host does. A backup keeps its volume's metadata; a
 * restore puts it back (and, on a new volume, its bootable flag and image properties).
 */
import { RequestContext } from '../../../common/context.js';
import { newRequestId } from '../../../common/log/request-scope.js';
import type { Logger } from '../../../common/log/logger.js';
import type { BackupRecord } from '../db/backups.js';
import type { CinderRepos } from '../db/repos.js';
import type { BackupEvent, CinderNotifier } from '../notifications.js';
import { BACKUP_RPC_VERSION } from '../rpc/topics.js';
import type { VolumeRpcAPI } from '../volume/rpcapi.js';
import type { BackupDevices } from './device.js';
import type { ChunkedBackupDriver, DriverBackup } from './drivers/chunked.js';
import { BackupDriverException } from './errors.js';

export interface BackupManagerOptions {
  /** The backup service's host. */
  host: string;
  driver: ChunkedBackupDriver;
  devices: BackupDevices;
  repos: CinderRepos;
  volume: VolumeRpcAPI;
  log: Logger;
  /** backup.* usage notifications (none when notifications are off). */
  notifier?: CinderNotifier | null;
}

/** What a backup keeps of its volume, put back on a volume restored from it. */
interface VolumeMeta {
  bootable: boolean;
  metadata: Record<string, string>;
  image_metadata: Record<string, string>;
}

const driverBackup = (b: BackupRecord): DriverBackup => ({
  id: b.id, volume_id: b.volume_id, display_name: b.display_name, display_description: b.display_description, container: b.container,
  service_metadata: b.service_metadata, created_at: b.created_at,
});

/** fail_reason fits the column. */
const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 255);

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class BackupManager {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly o: BackupManagerOptions) {}

  private get repos(): CinderRepos {
    return this.o.repos;
  }

  private track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.o.log.error({ err }, 'backup operation failed')).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** backup.<event>.<phase> with the backup as it is now (read again unless given). */
  private async notify(b: BackupRecord | string, event: BackupEvent, phase: 'start' | 'end'): Promise<void> {
    if (!this.o.notifier) return;
    const backup = typeof b === 'string' ? await this.repos.backups.find(b) : b;
    if (backup) await this.o.notifier.backupUsage(backup, event, phase);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** init_host: creating backups are errors (their volumes back), restores are over (volumes error_restoring, or error when made from the backup), deletes are done again. */
  async initHost(): Promise<void> {
    await this.o.driver.setup();
    for (const b of await this.repos.backups.onHost(this.o.host)) {
      if (b.status === 'creating') {
        await this.repos.backups.update(b.id, { status: 'error', fail_reason: 'The backup service was restarted while the backup was being made.' });
        await this.releaseSource(b);
      } else if (b.status === 'restoring') {
        await this.repos.backups.update(b.id, { status: 'available', restore_volume_id: null });
        if (b.restore_volume_id) {
          // an existing volume restored into, or a volume made from the backup (3.47)
          await this.repos.volumes.conditionalUpdate(b.restore_volume_id, ['restoring-backup'], { status: 'error_restoring' });
          await this.repos.volumes.conditionalUpdate(b.restore_volume_id, ['creating'], { status: 'error', backup_id: null });
        }
      } else if (b.status === 'deleting') {
        this.track(this.deleteBackup(RequestContext.internal(newRequestId()), b.id));
      }
    }
  }

  /** The volume (or snapshot) a backup was made from goes back to where it was. */
  private async releaseSource(b: BackupRecord): Promise<void> {
    if (b.snapshot_id) {
      await this.repos.snapshots.conditionalUpdate(b.snapshot_id, ['backing-up'], { status: 'available' });
      return;
    }
    const v = await this.repos.volumes.find(b.volume_id);
    if (v) await this.repos.volumes.conditionalUpdate(v.id, ['backing-up'], { status: v.previous_status ?? 'available', previous_status: null });
  }

  async createBackup(ctx: RequestContext, backupId: string): Promise<void> {
    const b = await this.repos.backups.find(backupId);
    if (!b || b.status !== 'creating') return;
    await this.notify(b, 'create', 'start');
    try {
      const v = await this.repos.volumes.find(b.volume_id);
      if (!v?.host) throw new BackupDriverException(`volume ${b.volume_id} is gone`);
      let parent: BackupRecord | null = null;
      if (b.parent_id) {
        parent = (await this.repos.backups.find(b.parent_id)) ?? null;
        if (!parent || parent.status !== 'available') throw new BackupDriverException(`parent backup ${b.parent_id} is not available`);
        if (parent.service !== this.o.driver.serviceName) throw new BackupDriverException(`parent backup ${parent.id} was made by ${parent.service}`);
      }
      // where the objects go is recorded first: a delete of a backup interrupted midway finds them
      await this.repos.backups.update(b.id, { ...this.o.driver.target(driverBackup(b)), service: this.o.driver.serviceName });
      const dev = await this.o.volume.getBackupDevice(ctx, v.host, { volume_id: v.id, snapshot_id: b.snapshot_id });
      const meta: VolumeMeta = { bootable: v.bootable, metadata: v.metadata, image_metadata: v.image_metadata };
      const driver = await this.o.driver.forContext(ctx);
      const result = await this.o.devices.read(dev, (data) => driver.backup(driverBackup(b), data, parent && driverBackup(parent), meta));
      // the volume first, then the backup (as _finish_backup): who sees the backup available finds the volume free
      await this.releaseSource(b);
      await this.repos.backups.conditionalUpdate(b.id, ['creating'], {
        status: 'available', container: result.container, service_metadata: result.service_metadata, object_count: result.object_count,
        service: this.o.driver.serviceName, host: this.o.host, fail_reason: null,
      });
      await this.notify(b.id, 'create', 'end');
    } catch (err) {
      this.o.log.error({ err, backup_id: b.id }, 'create_backup failed');
      await this.releaseSource(b);
      await this.repos.backups.conditionalUpdate(b.id, ['creating'], { status: 'error', fail_reason: reasonOf(err), service: this.o.driver.serviceName });
    }
  }

  /** The chain a restore replays: the full backup first, then each incremental one up to `b`. */
  private async chainOf(b: BackupRecord): Promise<BackupRecord[]> {
    const chain = [b];
    for (let cur = b; cur.parent_id;) {
      const parent = await this.repos.backups.find(cur.parent_id);
      if (!parent) throw new BackupDriverException(`parent backup ${cur.parent_id} of backup ${cur.id} is gone`);
      if (chain.some((x) => x.id === parent.id)) throw new BackupDriverException(`backup ${b.id} has a cycle of parents`);
      chain.unshift(parent);
      cur = parent;
    }
    return chain;
  }

  async restoreBackup(ctx: RequestContext, backupId: string, volumeId: string, volumeIsNew: boolean): Promise<void> {
    const b = await this.repos.backups.find(backupId);
    const v = await this.repos.volumes.find(volumeId);
    const volumeStates = ['restoring-backup', 'creating'];
    if (!b || !v) {
      if (v) await this.repos.volumes.conditionalUpdate(v.id, volumeStates, { status: v.status === 'creating' ? 'error' : 'error_restoring', backup_id: null });
      return;
    }
    await this.notify(b, 'restore', 'start');
    try {
      if (!v.host) throw new BackupDriverException(`volume ${v.id} has no host`);
      const chain = await this.chainOf(b);
      for (const x of chain) if (x.service !== this.o.driver.serviceName) throw new BackupDriverException(`backup ${x.id} was made by ${x.service ?? 'no driver'}`);
      const dev = await this.o.volume.getBackupDevice(ctx, v.host, { volume_id: v.id });
      let meta: unknown = null;
      const driver = await this.o.driver.forContext(ctx);
      await this.o.devices.write(dev, v.size, b.size * 1024 ** 3, async (path, sparse) => { meta = await driver.restore(chain.map(driverBackup), path, sparse); });
      const vm = meta as Partial<VolumeMeta> | null;
      // the volume's metadata comes back with its data (merged into the target's, as chunkeddriver's _restore_vol_meta)
      if (vm?.metadata && Object.keys(vm.metadata).length > 0) await this.repos.volumes.metadata.set(v.id, vm.metadata, false);
      if (volumeIsNew && vm) {
        if (vm.bootable) await this.repos.volumes.update(v.id, { bootable: true });
        if (vm.image_metadata && Object.keys(vm.image_metadata).length > 0) await this.repos.volumes.imageMetadata.set(v.id, vm.image_metadata, false);
      }
      await this.repos.volumes.conditionalUpdate(v.id, volumeStates, {
        status: 'available', backup_id: null, ...(v.status === 'creating' ? { launched_at: now() } : {}),
      });
      await this.repos.backups.conditionalUpdate(b.id, ['restoring'], { status: 'available', restore_volume_id: null });
      await this.notify(b.id, 'restore', 'end');
    } catch (err) {
      this.o.log.error({ err, backup_id: b.id, volume_id: v.id }, 'restore_backup failed');
      await this.repos.volumes.conditionalUpdate(v.id, volumeStates, { status: v.status === 'creating' ? 'error' : 'error_restoring', backup_id: null });
      await this.repos.backups.conditionalUpdate(b.id, ['restoring'], { status: 'available', restore_volume_id: null });
    }
  }

  async deleteBackup(ctx: RequestContext, backupId: string): Promise<void> {
    const b = await this.repos.backups.find(backupId);
    if (!b) return;
    await this.notify(b, 'delete', 'start');
    try {
      if (b.service && b.service !== this.o.driver.serviceName) throw new BackupDriverException(`backup ${b.id} was made by ${b.service}, this service runs ${this.o.driver.serviceName}`);
      await (await this.o.driver.forContext(ctx)).delete(driverBackup(b));
      await this.repos.backups.softDelete(b.id);
      await this.notify({ ...b, deleted: true }, 'delete', 'end');
    } catch (err) {
      this.o.log.error({ err, backup_id: b.id }, 'delete_backup failed');
      await this.repos.backups.update(b.id, { status: 'error', fail_reason: reasonOf(err) });
    }
  }

  async importRecord(ctx: RequestContext, backupId: string): Promise<void> {
    const b = await this.repos.backups.find(backupId);
    if (!b || b.status !== 'creating') return;
    try {
      if (b.service !== this.o.driver.serviceName) throw new BackupDriverException(`the record is of ${b.service}, this service runs ${this.o.driver.serviceName}`);
      await (await this.o.driver.forContext(ctx)).metadataOf(driverBackup(b));
      await this.repos.backups.conditionalUpdate(b.id, ['creating'], { status: 'available', host: this.o.host, fail_reason: null });
    } catch (err) {
      this.o.log.error({ err, backup_id: b.id }, 'import_record failed');
      await this.repos.backups.conditionalUpdate(b.id, ['creating'], { status: 'error', fail_reason: reasonOf(err) });
    }
  }

  /** The RPC endpoint on `cinder-backup.<host>`. */
  endpoint(): object {
    const m = this;
    const str = (v: unknown): string => String(v ?? '');
    return {
      target: { version: BACKUP_RPC_VERSION },
      async create_backup(ctx: RequestContext, args: Record<string, unknown>) { m.track(m.createBackup(ctx, str(args['backup_id']))); },
      async restore_backup(ctx: RequestContext, args: Record<string, unknown>) {
        m.track(m.restoreBackup(ctx, str(args['backup_id']), str(args['volume_id']), args['volume_is_new'] === true));
      },
      async delete_backup(ctx: RequestContext, args: Record<string, unknown>) { m.track(m.deleteBackup(ctx, str(args['backup_id']))); },
      async import_record(ctx: RequestContext, args: Record<string, unknown>) { m.track(m.importRecord(ctx, str(args['backup_id']))); },
    };
  }
}
