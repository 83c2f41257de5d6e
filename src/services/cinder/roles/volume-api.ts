/**
 * The volume-api role (cinder-api): the Block Storage API over Cinder's database and policy,
 * with the volume, snapshot, attachment, type and quota APIs that record the requests and
 * cast to the scheduler and the volume services. The __DEFAULT__ type is made on first start.
 */
import { IdentityClient, ImageClient, ServiceClientError } from '../../../common/clients/index.js';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import type { ApiDeps } from '../api/deps.js';
import { cinderRoutes } from '../api/routes.js';
import { cinderDefaultGroup } from '../config.js';
import { ImageNotFound } from '../errors.js';
import { BackupRpcAPI } from '../backup/rpcapi.js';
import { AttachmentAPI } from '../managers/attachments.js';
import { BackupAPI } from '../managers/backups.js';
import { DefaultTypes } from '../managers/default-types.js';
import { VolumeConnectionAPI } from '../managers/connections.js';
import { GroupTypes } from '../managers/group-types.js';
import { GroupAPI } from '../managers/groups.js';
import { LegacyAttachAPI } from '../managers/legacy-attach.js';
import { UserMessages } from '../managers/messages.js';
import { QosSpecsAPI } from '../managers/qos-specs.js';
import { Quotas } from '../managers/quotas.js';
import { SnapshotAPI } from '../managers/snapshots.js';
import { TransferAPI } from '../managers/transfers.js';
import { VolumeTypes } from '../managers/volume-types.js';
import { VolumeImageAPI } from '../managers/volume-images.js';
import { VolumeManageAPI } from '../managers/volume-manage.js';
import { VolumeMigrationAPI } from '../managers/volume-migration.js';
import { VolumeRevertAPI } from '../managers/volume-revert.js';
import { VolumeAPI } from '../managers/volumes.js';
import { loadCinderPolicy } from '../policies/index.js';
import { SchedulerRpcAPI } from '../scheduler/rpcapi.js';
import { SchedulerMigrationRpcAPI } from '../scheduler/rpcapi-migration.js';
import { VolumeCleanupRpcAPI } from '../volume/cleanup.js';
import { VolumeManageRpcAPI } from '../volume/manage.js';
import { VolumeRevertRpcAPI } from '../volume/revert.js';
import { VolumeConnectionRpcAPI } from '../volume/rpcapi-connection.js';
import { VolumeRpcAPI } from '../volume/rpcapi.js';
import { repositories } from './shared.js';

export async function createVolumeApi(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const d = ctx.config.get(cinderDefaultGroup);
  const types = new VolumeTypes(repos, d.default_volume_type);
  await types.ensureDefault();
  // cinder's enforcer is built with suppress_default_change_warnings: the new-versus-deprecated notices are not logged
  const policy = loadCinderPolicy(ctx.config, ctx.dataDir, ctx.periodic, (msg) => { if (!/ was deprecated in \w+ in favor of /.test(msg)) ctx.log.warn(msg); });
  const quotas = new Quotas(repos, {
    volumes: d.quota_volumes, snapshots: d.quota_snapshots, gigabytes: d.quota_gigabytes, backups: d.quota_backups,
    backup_gigabytes: d.quota_backup_gigabytes, groups: d.quota_groups, per_volume_gigabytes: d.per_volume_size_limit,
  });
  const scheduler = new SchedulerRpcAPI(ctx.transport);
  const volume = new VolumeRpcAPI(ctx.transport);
  const images = new ImageClient(ctx.session);
  /** glance.show as the caller: an image they cannot see is a 404. */
  const getImage = async (c: { token?: string | undefined }, id: string) => {
    try {
      return await (c.token ? images.forUser(c.token) : images).getImage(id);
    } catch (err) {
      if (err instanceof ServiceClientError && err.status === 404) throw new ImageNotFound(id);
      throw err;
    }
  };
  const legacyAttach = new LegacyAttachAPI(repos);
  const volumeApi = new VolumeAPI({
    repos, types, quotas, scheduler, volume, getImage,
    settings: { storageAvailabilityZone: d.storage_availability_zone, allowAvailabilityZoneFallback: d.allow_availability_zone_fallback },
  });
  const snapshots = new SnapshotAPI({ repos, quotas, volume });
  const groupTypes = new GroupTypes(repos, null);
  const identity = new IdentityClient(ctx.session);
  const deps: ApiDeps = {
    repos, policy, types, quotas, scheduler,
    defaultTypes: new DefaultTypes({ repos, types, projectExists: (id) => identity.projectExists(id) }),
    volumes: volumeApi,
    backups: new BackupAPI({ repos, quotas, volumes: volumeApi, backup: new BackupRpcAPI(ctx.transport) }),
    // the image belongs to the caller: made with their token
    volumeImages: new VolumeImageAPI({ repos, volume, createImage: (c, fields) => (c.token ? images.forUser(c.token) : images).createImage(fields) }),
    snapshots,
    attachments: new AttachmentAPI({ repos, volume }),
    legacyAttach,
    transfers: new TransferAPI({ repos, quotas }),
    qosSpecs: new QosSpecsAPI(repos),
    messages: new UserMessages(repos),
    connections: new VolumeConnectionAPI({ rpc: new VolumeConnectionRpcAPI(ctx.transport), legacyAttach }),
    migration: new VolumeMigrationAPI({ repos, types, quotas, scheduler: new SchedulerMigrationRpcAPI(ctx.transport) }),
    revert: new VolumeRevertAPI({ repos, rpc: new VolumeRevertRpcAPI(ctx.transport) }),
    groupTypes,
    cleanup: new VolumeCleanupRpcAPI(ctx.transport),
    manage: new VolumeManageAPI({ repos, types, quotas, rpc: new VolumeManageRpcAPI(ctx.transport) }),
    groups: new GroupAPI({ repos, groupTypes, types, quotas, volumes: volumeApi, snapshots, defaultZone: d.storage_availability_zone }),
    baseUrl: ctx.baseUrl.replace(/\/$/, ''),
    settings: { maxLimit: d.osapi_max_limit },
  };
  return { routes: cinderRoutes(deps) };
}
