/**
 * The backup role (cinder-backup): the BackupManager of this host on `cinder-backup.<host>`
 * with the driver of [DEFAULT] backup_driver (posix files or Swift objects); it reads and
 * writes volumes through their volume services' local files, with a scratch directory
 * under <data_dir>/backup-tmp/<host> for qcow2 conversions. Leftovers of a previous run are
 * settled at start (init_host).
 */
import { join } from 'node:path';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { backupGroup } from '../backup/config.js';
import { BackupDevices } from '../backup/device.js';
import type { ChunkedBackupDriver } from '../backup/drivers/chunked.js';
import { createBackupDriver } from '../backup/drivers/index.js';
import { BackupManager } from '../backup/manager.js';
import { CinderNotifier } from '../notifications.js';
import { BACKUP_BINARY, BACKUP_TOPIC } from '../rpc/topics.js';
import { WorkerService } from '../service.js';
import { VolumeRpcAPI } from '../volume/rpcapi.js';
import { repositories } from './shared.js';

export interface BackupRoleInstance extends RoleInstance {
  manager: BackupManager;
  driver: ChunkedBackupDriver;
}

export async function createBackupService(ctx: RoleContext): Promise<BackupRoleInstance> {
  const repos = await repositories(ctx);
  const driver = createBackupDriver(ctx.config.get(backupGroup), { dataDir: ctx.dataDir, session: ctx.session, region: ctx.region });
  const manager = new BackupManager({
    host: ctx.host, driver, devices: new BackupDevices(join(ctx.dataDir, 'backup-tmp', ctx.host)), repos, volume: new VolumeRpcAPI(ctx.transport), log: ctx.log,
    notifier: CinderNotifier.create(ctx.transport, ctx.config, ctx.host),
  });
  const service = new WorkerService({
    ctx, binary: BACKUP_BINARY, topic: BACKUP_TOPIC, host: ctx.host, endpoints: [manager.endpoint()], services: repos.services,
    beforeServe: () => manager.initHost(),
    afterStop: () => manager.drain(),
  });
  return { start: () => service.start(), stop: () => service.stop(), manager, driver };
}
