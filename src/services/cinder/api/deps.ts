/** What the Block Storage API routes are built from (composed in roles/volume-api.ts). */
import type { CinderRepos } from '../db/repos.js';
import type { AttachmentAPI } from '../managers/attachments.js';
import type { BackupAPI } from '../managers/backups.js';
import type { DefaultTypes } from '../managers/default-types.js';
import type { VolumeConnectionAPI } from '../managers/connections.js';
import type { GroupTypes } from '../managers/group-types.js';
import type { GroupAPI } from '../managers/groups.js';
import type { LegacyAttachAPI } from '../managers/legacy-attach.js';
import type { UserMessages } from '../managers/messages.js';
import type { QosSpecsAPI } from '../managers/qos-specs.js';
import type { Quotas } from '../managers/quotas.js';
import type { SnapshotAPI } from '../managers/snapshots.js';
import type { TransferAPI } from '../managers/transfers.js';
import type { VolumeTypes } from '../managers/volume-types.js';
import type { VolumeImageAPI } from '../managers/volume-images.js';
import type { VolumeManageAPI } from '../managers/volume-manage.js';
import type { VolumeMigrationAPI } from '../managers/volume-migration.js';
import type { VolumeRevertAPI } from '../managers/volume-revert.js';
import type { VolumeAPI } from '../managers/volumes.js';
import type { CinderPolicy } from '../policies/index.js';
import type { SchedulerRpcAPI } from '../scheduler/rpcapi.js';
import type { VolumeCleanupRpcAPI } from '../volume/cleanup.js';

export interface ApiDeps {
  repos: CinderRepos;
  policy: CinderPolicy;
  volumes: VolumeAPI;
  types: VolumeTypes;
  defaultTypes: DefaultTypes;
  quotas: Quotas;
  snapshots: SnapshotAPI;
  attachments: AttachmentAPI;
  backups: BackupAPI;
  volumeImages: VolumeImageAPI;
  legacyAttach: LegacyAttachAPI;
  transfers: TransferAPI;
  qosSpecs: QosSpecsAPI;
  messages: UserMessages;
  connections: VolumeConnectionAPI;
  migration: VolumeMigrationAPI;
  revert: VolumeRevertAPI;
  groupTypes: GroupTypes;
  groups: GroupAPI;
  manage: VolumeManageAPI;
  cleanup: VolumeCleanupRpcAPI;
  scheduler: SchedulerRpcAPI;
  /** The project's public base URL ('http://host/volume'). */
  baseUrl: string;
  settings: { maxLimit: number };
}
