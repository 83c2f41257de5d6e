/**
 * Retype and migration requests (cinder/volume/api.py retype, migrate_volume): the rules
 * before the scheduler decides. Retype: an available or in-use volume, a different type that
 * the project may use, migration_policy never or on-demand, the new type's quotas; the volume
 * goes retyping. Migrate (admin): an available volume without snapshots, not migrating, to
 * another live volume host; migration_status starting (the volume stays available unless
 * lock_volume, which puts it in maintenance).
 */
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeRecord, VolumeTypeRecord } from '../db/records.js';
import { InvalidInput, InvalidVolume } from '../errors.js';
import { serviceIsUp } from '../scheduler/host-manager.js';
import type { RequestSpec } from '../scheduler/rpcapi.js';
import type { MigrationPolicy, SchedulerMigrationRpcAPI } from '../scheduler/rpcapi-migration.js';
import { backendOf } from '../volume/rpcapi.js';
import { VOLUME_BINARY } from '../rpc/topics.js';
import type { Quotas } from './quotas.js';
import type { VolumeTypes } from './volume-types.js';

/** Migration states that allow another migration or a retype (AVAILABLE_MIGRATION_STATUS). */
const SETTLED_MIGRATION = [null, 'success', 'error', 'none'];

function specOf(v: VolumeRecord, type: VolumeTypeRecord): RequestSpec {
  return {
    volume_id: v.id, size: v.size, availability_zone: v.availability_zone, volume_type_id: type.id, extra_specs: type.extra_specs,
    multiattach: v.multiattach, resource_backend: null,
  };
}

export class VolumeMigrationAPI {
  constructor(private readonly o: { repos: CinderRepos; types: VolumeTypes; quotas: Quotas; scheduler: SchedulerMigrationRpcAPI }) {}

  async retype(ctx: RequestContext, v: VolumeRecord, newType: string, policy: string, isAdmin: boolean): Promise<void> {
    if (policy !== 'never' && policy !== 'on-demand') throw new InvalidInput(`migration_policy must be 'on-demand' or 'never', passed: ${policy}`);
    if (!['available', 'in-use'].includes(v.status)) {
      throw new InvalidVolume(`Volume ${v.id} status must be available or in-use, but current status is: ${v.status}.`);
    }
    if (!SETTLED_MIGRATION.includes(v.migration_status)) throw new InvalidVolume(`Volume ${v.id} is already part of an active migration.`);
    const type = await this.o.types.byNameOrId(newType, ctx.projectId, isAdmin);
    if (type.id === v.volume_type_id) throw new InvalidInput('Retype cannot change to the same volume type.');
    await this.o.quotas.checkTypeChange(v.project_id, type.name, v.size);
    if (!(await this.o.repos.volumes.conditionalUpdate(v.id, ['available', 'in-use'], { status: 'retyping', previous_status: v.status }))) {
      throw new InvalidVolume(`Volume ${v.id} status must be available or in-use.`);
    }
    await this.o.scheduler.retype(ctx, specOf(v, type), policy);
  }

  async migrate(ctx: RequestContext, v: VolumeRecord, host: string, lockVolume: boolean): Promise<void> {
    if (v.status !== 'available') throw new InvalidVolume(`Volume ${v.id} status must be available, but current status is: ${v.status}.`);
    if (!SETTLED_MIGRATION.includes(v.migration_status)) throw new InvalidVolume(`Volume ${v.id} is already part of an active migration.`);
    if ((await this.o.repos.snapshots.ofVolume(v.id)).length > 0) throw new InvalidVolume(`Volume ${v.id} must not have snapshots.`);
    if ((await this.o.repos.transfers.ofVolume(v.id)).length > 0) throw new InvalidVolume(`Volume ${v.id} is awaiting a transfer.`);
    const service = (await this.o.repos.services.list()).find((s) => s.binary === VOLUME_BINARY && s.host === backendOf(host));
    if (!service || service.disabled || !serviceIsUp(service.updated_at, service.created_at)) throw new InvalidInput(`No available service named ${host}`);
    if (v.host && backendOf(v.host) === backendOf(host)) throw new InvalidInput('Destination host must be different than the current host.');
    const fields = lockVolume ? { migration_status: 'starting', status: 'maintenance', previous_status: v.status } : { migration_status: 'starting' };
    if (!(await this.o.repos.volumes.conditionalUpdate(v.id, ['available'], fields))) throw new InvalidVolume(`Volume ${v.id} status must be available.`);
    const type = v.volume_type ?? await this.o.types.get(v.volume_type_id);
    await this.o.scheduler.migrateVolume(ctx, specOf(v, type), host);
  }
}
