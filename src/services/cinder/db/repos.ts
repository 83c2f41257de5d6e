/** The repositories of the cinder database, built once per role over its Kysely handle. */
import type { Kysely } from 'kysely';
import { BackupRepo } from './backups.js';
import { QuotaRepo } from './quotas.js';
import type { CinderDB } from './schema.js';
import { ServiceRepo } from './services.js';
import { SnapshotRepo } from './snapshots.js';
import { VolumeTypeRepo } from './volume-types.js';
import { VolumeRepo } from './volumes.js';

export class CinderRepos {
  readonly types: VolumeTypeRepo;
  readonly volumes: VolumeRepo;
  readonly snapshots: SnapshotRepo;
  readonly quotas: QuotaRepo;
  readonly services: ServiceRepo;
  readonly backups: BackupRepo;

  constructor(readonly db: Kysely<CinderDB>) {
    this.types = new VolumeTypeRepo(db);
    this.volumes = new VolumeRepo(db, this.types);
    this.snapshots = new SnapshotRepo(db);
    this.quotas = new QuotaRepo(db);
    this.services = new ServiceRepo(db);
    this.backups = new BackupRepo(db);
  }
}
