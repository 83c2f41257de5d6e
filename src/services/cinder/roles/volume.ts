/**
 * The volume role (cinder-volume) of one host: the backend `<host>@<volume_backend_name>` with
 * the file driver under `<data_dir>/volumes/<host>/` (or the LVM driver, `volume_driver = lvm`), the VolumeManager on
 * `cinder-volume.<host>@<backend>`; at start the leftovers of a previous run are dealt with
 * (init_host) and the capabilities sent to the schedulers, then every periodic_interval.
 */
import { join } from 'node:path';
import { ImageClient } from '../../../common/clients/index.js';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { BackupRpcAPI } from '../backup/rpcapi.js';
import { backendDefaultsGroup, cinderDefaultGroup } from '../config.js';
import { CinderNotifier } from '../notifications.js';
import { VOLUME_BINARY, VOLUME_TOPIC } from '../rpc/topics.js';
import { SchedulerRpcAPI } from '../scheduler/rpcapi.js';
import { WorkerService } from '../service.js';
import { FileDriver } from '../volume/drivers/file.js';
import { LvmDriver } from '../volume/drivers/lvm.js';
import { VolumeCleanupManager } from '../volume/cleanup.js';
import { VolumeConnectionManager } from '../volume/connection.js';
import { GroupProgress } from '../volume/group-progress.js';
import { VolumeManageManager } from '../volume/manage.js';
import { VolumeManager } from '../volume/manager.js';
import { VolumeMigrationManager } from '../volume/migration.js';
import { VolumeRevertManager } from '../volume/revert.js';
import { VolumeMigrationRpcAPI } from '../volume/rpcapi-migration.js';
import { repositories } from './shared.js';

export interface VolumeRoleInstance extends RoleInstance {
  manager: VolumeManager;
  driver: FileDriver | LvmDriver;
  backendHost: string;
}

export async function createVolumeService(ctx: RoleContext): Promise<VolumeRoleInstance> {
  const repos = await repositories(ctx);
  const d = ctx.config.get(cinderDefaultGroup);
  const b = ctx.config.get(backendDefaultsGroup);
  const backendHost = `${ctx.host}@${b.volume_backend_name}`;
  const dir = join(ctx.dataDir, 'volumes', ctx.host);
  const driver = d.volume_driver === 'file'
    ? new FileDriver({
      dir, backendName: b.volume_backend_name, format: b.file_volume_format, capacityGb: b.file_capacity_gb,
      maxOverSubscriptionRatio: b.max_over_subscription_ratio, reservedPercentage: b.reserved_percentage, thinProvisioning: b.thin_provisioning,
    })
    : new LvmDriver({
      workDir: dir, backendName: b.volume_backend_name, volumeGroup: b.volume_group, lvmType: b.lvm_type, volumeClear: b.volume_clear,
      volumeClearSizeMb: b.volume_clear_size, maxOverSubscriptionRatio: b.max_over_subscription_ratio, reservedPercentage: b.reserved_percentage,
    });
  const images = new ImageClient(ctx.session);
  const manager = new VolumeManager({
    host: backendHost, driver, repos, scheduler: new SchedulerRpcAPI(ctx.transport), backup: new BackupRpcAPI(ctx.transport), log: ctx.log,
    groups: new GroupProgress(repos), notifier: CinderNotifier.create(ctx.transport, ctx.config, ctx.host),
    // as the user who asked for the volume when the request carried a token (the image may be private to them)
    downloadImage: async (c, imageId) => (await (c.token ? images.forUser(c.token) : images).downloadData(imageId)).body,
    uploadImage: (c, imageId, data, size) => (c.token ? images.forUser(c.token) : images).uploadData(imageId, data, { size }),
    deleteImage: (c, imageId) => (c.token ? images.forUser(c.token) : images).deleteImage(imageId),
  });
  const migration = new VolumeMigrationManager({ driver, repos, rpc: new VolumeMigrationRpcAPI(ctx.transport), log: ctx.log });
  const manage = new VolumeManageManager({ driver, repos, log: ctx.log });
  const cleanup = new VolumeCleanupManager({ host: backendHost, repos, manager, manage, driver, log: ctx.log });
  const endpoints = [
    manager.endpoint(), migration.endpoint(), new VolumeConnectionManager({ driver, repos }).endpoint(), new VolumeRevertManager({ driver, repos, log: ctx.log }).endpoint(),
    manage.endpoint(), cleanup.endpoint(),
  ];
  const service = new WorkerService({
    ctx, binary: VOLUME_BINARY, topic: VOLUME_TOPIC, host: backendHost, endpoints, services: repos.services,
    beforeServe: () => cleanup.initHost(),
    async afterServe() {
      await manager.publishServiceCapabilities();
      ctx.periodic.add({ name: 'publish_service_capabilities', interval: d.periodic_interval, run: () => manager.publishServiceCapabilities() });
    },
    afterStop: async () => { await manager.drain(); await migration.drain(); },
  });
  return { start: () => service.start(), stop: () => service.stop(), manager, driver, backendHost };
}
