/** Every repository of Nova's database, built once per role over the project's Kysely. */
import type { Kysely } from 'kysely';
import { AggregateRepo } from './aggregates.js';
import { BlockDeviceMappingRepo } from './block-devices.js';
import { ComputeNodeRepo } from './compute-nodes.js';
import { FaultRepo } from './faults.js';
import { FlavorRepo } from './flavors.js';
import { InstanceActionRepo } from './instance-actions.js';
import { InstanceMoveStateRepo } from './instance-move-state.js';
import { InstanceGroupRepo } from './instance-groups.js';
import { InstanceMetadataRepo } from './instance-metadata.js';
import { InstanceRepo } from './instances.js';
import { KeyPairRepo } from './keypairs.js';
import { MigrationRepo } from './migration-records.js';
import { QuotaRepo } from './quotas.js';
import { RequestSpecRepo } from './request-specs.js';
import type { NovaDB } from './schema.js';
import { ServiceRepo } from './services.js';
import { TagRepo } from './tags.js';
import { VirtualInterfaceRepo } from './virtual-interfaces.js';

export class NovaRepos {
  readonly instances: InstanceRepo;
  readonly flavors: FlavorRepo;
  readonly keypairs: KeyPairRepo;
  readonly groups: InstanceGroupRepo;
  readonly requestSpecs: RequestSpecRepo;
  readonly actions: InstanceActionRepo;
  readonly faults: FaultRepo;
  readonly bdms: BlockDeviceMappingRepo;
  readonly services: ServiceRepo;
  readonly computeNodes: ComputeNodeRepo;
  readonly aggregates: AggregateRepo;
  readonly quotas: QuotaRepo;
  readonly metadata: InstanceMetadataRepo;
  readonly tags: TagRepo;
  readonly vifs: VirtualInterfaceRepo;
  readonly migrations: MigrationRepo;
  readonly moveState: InstanceMoveStateRepo;

  constructor(readonly db: Kysely<NovaDB>) {
    this.instances = new InstanceRepo(db);
    this.flavors = new FlavorRepo(db);
    this.keypairs = new KeyPairRepo(db);
    this.groups = new InstanceGroupRepo(db);
    this.requestSpecs = new RequestSpecRepo(db);
    this.actions = new InstanceActionRepo(db);
    this.faults = new FaultRepo(db);
    this.bdms = new BlockDeviceMappingRepo(db);
    this.services = new ServiceRepo(db);
    this.computeNodes = new ComputeNodeRepo(db);
    this.aggregates = new AggregateRepo(db);
    this.quotas = new QuotaRepo(db);
    this.metadata = new InstanceMetadataRepo(db);
    this.tags = new TagRepo(db);
    this.vifs = new VirtualInterfaceRepo(db);
    this.migrations = new MigrationRepo(db);
    this.moveState = new InstanceMoveStateRepo(db);
  }
}
