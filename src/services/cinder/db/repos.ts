/** The repositories of the cinder database, built once per role over its Kysely handle. */
import type { Kysely } from 'kysely';
import { BackupRepo } from './backups.js';
import { DefaultTypeRepo } from './default-types.js';
import { EncryptionRepo } from './encryption-types.js';
import { GroupRepo, GroupSnapshotRepo, GroupTypeRepo } from './groups.js';
import { MessageRepo } from './messages.js';
import { QosSpecsRepo } from './qos-specs.js';
import { QuotaClassRepo } from './quota-classes.js';
import { QuotaUsageRepo } from './quota-usages.js';
import { QuotaRepo } from './quotas.js';
import type { CinderDB } from './schema.js';
import { ServiceRepo } from './services.js';
import { SnapshotRepo } from './snapshots.js';
import { TransferRepo } from './transfers.js';
import { VolumeTypeRepo } from './volume-types.js';
import { VolumeRepo } from './volumes.js';

export class CinderRepos {
  readonly types: VolumeTypeRepo;
  readonly defaultTypes: DefaultTypeRepo;
  readonly volumes: VolumeRepo;
  readonly snapshots: SnapshotRepo;
  readonly quotas: QuotaRepo;
  readonly services: ServiceRepo;
  readonly backups: BackupRepo;
  readonly transfers: TransferRepo;
  readonly qosSpecs: QosSpecsRepo;
  readonly encryption: EncryptionRepo;
  readonly quotaClasses: QuotaClassRepo;
  readonly quotaUsages: QuotaUsageRepo;
  readonly messages: MessageRepo;
  readonly groupTypes: GroupTypeRepo;
  readonly groups: GroupRepo;
  readonly groupSnapshots: GroupSnapshotRepo;

  constructor(readonly db: Kysely<CinderDB>) {
    this.types = new VolumeTypeRepo(db);
    this.defaultTypes = new DefaultTypeRepo(db);
    this.volumes = new VolumeRepo(db, this.types);
    this.snapshots = new SnapshotRepo(db);
    this.quotas = new QuotaRepo(db);
    this.services = new ServiceRepo(db);
    this.backups = new BackupRepo(db);
    this.transfers = new TransferRepo(db);
    this.qosSpecs = new QosSpecsRepo(db);
    this.encryption = new EncryptionRepo(db);
    this.quotaClasses = new QuotaClassRepo(db);
    this.quotaUsages = new QuotaUsageRepo(db);
    this.messages = new MessageRepo(db);
    this.groupTypes = new GroupTypeRepo(db);
    this.groups = new GroupRepo(db);
    this.groupSnapshots = new GroupSnapshotRepo(db);
  }
}
