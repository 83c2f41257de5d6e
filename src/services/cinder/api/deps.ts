/** What the Block Storage API routes are built from (composed in roles/volume-api.ts). */
import type { CinderRepos } from '../db/repos.js';
import type { AttachmentAPI } from '../managers/attachments.js';
import type { BackupAPI } from '../managers/backups.js';
import type { LegacyAttachAPI } from '../managers/legacy-attach.js';
import type { Quotas } from '../managers/quotas.js';
import type { SnapshotAPI } from '../managers/snapshots.js';
import type { VolumeTypes } from '../managers/volume-types.js';
import type { VolumeImageAPI } from '../managers/volume-images.js';
import type { VolumeAPI } from '../managers/volumes.js';
import type { CinderPolicy } from '../policies/index.js';
import type { SchedulerRpcAPI } from '../scheduler/rpcapi.js';

export interface ApiDeps {
  repos: CinderRepos;
  policy: CinderPolicy;
  volumes: VolumeAPI;
  types: VolumeTypes;
  quotas: Quotas;
  snapshots: SnapshotAPI;
  attachments: AttachmentAPI;
  backups: BackupAPI;
  volumeImages: VolumeImageAPI;
  legacyAttach: LegacyAttachAPI;
  scheduler: SchedulerRpcAPI;
  /** The project's public base URL ('http://host/volume'). */
  baseUrl: string;
  settings: { maxLimit: number };
}
