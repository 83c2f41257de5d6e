/**
 * Quotas (cinder/quota.py's DbQuotaDriver with counted usage): limits of a project are its
 * rows in the quotas table over the [DEFAULT] quota_* defaults; usage is counted from the live
 * volumes, snapshots and backups; a request that would exceed volumes, snapshots, gigabytes,
 * backups, backup_gigabytes or per_volume_gigabytes is refused with Cinder's 413 errors. Per-type quotas
 * (`volumes_<type>`, `gigabytes_<type>`, `snapshots_<type>`) are shown and stored, -1 by
 * default, and enforced when set. The `default` quota class (os-quota-class-sets) overrides the
 * configured defaults. `reserve` checks and writes in one transaction that holds the project's
 * quota lock, so two concurrent creates cannot both pass a limit only one of them fits.
 */
import { BackupLimitExceeded, VolumeBackupSizeExceedsAvailableQuota } from '../backup/errors.js';
import type { Transaction } from 'kysely';
import { withRetry } from '../../../common/db/index.js';
import type { CountedUsage } from '../db/quota-usages.js';
import type { CinderRepos } from '../db/repos.js';
import type { CinderDB } from '../db/schema.js';
import { InvalidInput, SnapshotLimitExceeded, VolumeLimitExceeded, VolumeSizeExceedsAvailableQuota } from '../errors.js';

export interface QuotaDefaults {
  volumes: number;
  snapshots: number;
  gigabytes: number;
  backups: number;
  backup_gigabytes: number;
  groups: number;
  per_volume_gigabytes: number;
}

export const BASE_RESOURCES = ['volumes', 'snapshots', 'gigabytes', 'backups', 'backup_gigabytes', 'groups', 'per_volume_gigabytes'] as const;

export interface Usage {
  volumes: number;
  snapshots: number;
  gigabytes: number;
  [resource: string]: number;
}

export interface QuotaDelta { volumes?: number; snapshots?: number; gigabytes?: number; backups?: number; backup_gigabytes?: number; size?: number; typeName?: string }

export class Quotas {
  constructor(private readonly repos: CinderRepos, private readonly defaults: QuotaDefaults) {}

  /** Every resource name: the base ones and those of each live volume type. */
  async resources(): Promise<string[]> {
    const types = await this.repos.types.list();
    return [...BASE_RESOURCES, ...types.flatMap((t) => [`volumes_${t.name}`, `gigabytes_${t.name}`, `snapshots_${t.name}`])];
  }

  async defaultLimits(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of await this.resources()) out[r] = (this.defaults as unknown as Record<string, number>)[r] ?? -1;
    const byClass = await this.repos.quotaClasses.ofClass('default');
    for (const r of Object.keys(out)) if (byClass[r] !== undefined) out[r] = byClass[r];
    return out;
  }

  async limits(projectId: string): Promise<Record<string, number>> {
    return { ...(await this.defaultLimits()), ...(await this.repos.quotas.ofProject(projectId)) };
  }

  async usage(projectId: string): Promise<Usage> {
    const [v, s, b] = await Promise.all([this.repos.volumes.usage(projectId), this.repos.snapshots.usage(projectId), this.repos.backups.usage(projectId)]);
    const usage: Usage = { volumes: v.volumes, snapshots: s.snapshots, gigabytes: v.gigabytes + s.gigabytes, backups: b.backups, backup_gigabytes: b.backup_gigabytes };
    const volumes = await this.repos.volumes.list(projectId);
    for (const vol of volumes) {
      const name = vol.volume_type?.name;
      if (!name) continue;
      usage[`volumes_${name}`] = (usage[`volumes_${name}`] ?? 0) + 1;
      usage[`gigabytes_${name}`] = (usage[`gigabytes_${name}`] ?? 0) + vol.size;
    }
    return usage;
  }

  /** @throws a QuotaError when adding `volumes`/`snapshots`/`gigabytes` would pass a limit */
  async check(projectId: string, delta: QuotaDelta): Promise<void> {
    const limits = await this.limits(projectId);
    this.checkPerVolume(limits, delta);
    this.compare(limits, await this.usage(projectId), delta);
  }

  /**
   * Check `delta` against the project's limits and run `write` in the same transaction, which
   * first locks the project's quota row: concurrent reservations of one project are counted
   * one after the other, each seeing what the previous one wrote.
   * @throws a QuotaError (nothing written)
   */
  async reserve<T>(projectId: string, delta: QuotaDelta, write: (trx: Transaction<CinderDB>) => Promise<T>): Promise<T> {
    const limits = await this.limits(projectId);
    this.checkPerVolume(limits, delta);
    await this.repos.quotaUsages.ensureLockRow(projectId);
    return withRetry(() => this.repos.db.transaction().execute(async (trx) => {
      await this.repos.quotaUsages.lock(trx, projectId);
      this.compare(limits, await this.repos.quotaUsages.count(trx, projectId), delta);
      return write(trx);
    }));
  }

  /** A volume moving to type `typeName` fits that type's volumes_ and gigabytes_ quotas (retype). @throws a QuotaError */
  async checkTypeChange(projectId: string, typeName: string, size: number): Promise<void> {
    const limits = await this.limits(projectId);
    const usage = await this.usage(projectId);
    const over = (r: string, add: number) => (limits[r] ?? -1) >= 0 && (usage[r] ?? 0) + add > limits[r]!;
    if (over(`gigabytes_${typeName}`, size)) throw new VolumeSizeExceedsAvailableQuota(`gigabytes_${typeName}`, size, limits[`gigabytes_${typeName}`]!, usage[`gigabytes_${typeName}`] ?? 0);
    if (over(`volumes_${typeName}`, 1)) throw new VolumeLimitExceeded(limits[`volumes_${typeName}`]!, `volumes_${typeName}`);
  }

  private checkPerVolume(limits: Record<string, number>, delta: QuotaDelta): void {
    const perVolume = limits['per_volume_gigabytes'] ?? -1;
    if (delta.size !== undefined && perVolume >= 0 && delta.size > perVolume) {
      throw new VolumeSizeExceedsAvailableQuota('per_volume_gigabytes', delta.size, perVolume, 0);
    }
  }

  private compare(limits: Record<string, number>, usage: Usage | CountedUsage, delta: QuotaDelta): void {
    const over = (resource: string, add: number | undefined): boolean => {
      const limit = limits[resource] ?? -1;
      return add !== undefined && add > 0 && limit >= 0 && (usage[resource] ?? 0) + add > limit;
    };
    const t = delta.typeName;
    if (over('gigabytes', delta.gigabytes)) throw new VolumeSizeExceedsAvailableQuota('gigabytes', delta.gigabytes!, limits['gigabytes']!, usage.gigabytes);
    if (t && over(`gigabytes_${t}`, delta.gigabytes)) {
      throw new VolumeSizeExceedsAvailableQuota(`gigabytes_${t}`, delta.gigabytes!, limits[`gigabytes_${t}`]!, usage[`gigabytes_${t}`] ?? 0);
    }
    if (over('volumes', delta.volumes)) throw new VolumeLimitExceeded(limits['volumes']!);
    if (t && over(`volumes_${t}`, delta.volumes)) throw new VolumeLimitExceeded(limits[`volumes_${t}`]!, `volumes_${t}`);
    if (over('snapshots', delta.snapshots)) throw new SnapshotLimitExceeded(limits['snapshots']!);
    if (over('backup_gigabytes', delta.backup_gigabytes)) {
      throw new VolumeBackupSizeExceedsAvailableQuota(delta.backup_gigabytes!, limits['backup_gigabytes']!, usage['backup_gigabytes'] ?? 0);
    }
    if (over('backups', delta.backups)) throw new BackupLimitExceeded(limits['backups']!);
    if (t && over(`snapshots_${t}`, delta.snapshots)) throw new SnapshotLimitExceeded(limits[`snapshots_${t}`]!);
  }

  /** A quota class's limits: its rows over the defaults (get_class_quotas). */
  async classLimits(className: string): Promise<Record<string, number>> {
    return { ...(await this.defaultLimits()), ...(await this.repos.quotaClasses.ofClass(className)) };
  }

  async updateClass(className: string, limits: Record<string, number>): Promise<void> {
    const known = new Set(await this.resources());
    const bad = Object.keys(limits).filter((r) => !known.has(r));
    if (bad.length > 0) throw new InvalidInput(`Bad key(s) in quota set: ${bad.join(', ')}`);
    await this.repos.quotaClasses.set(className, limits);
  }

  async update(projectId: string, limits: Record<string, number>): Promise<void> {
    const known = new Set(await this.resources());
    for (const r of Object.keys(limits)) if (!known.has(r)) throw new InvalidInput(`Bad key(s) in quota set: ${r}`);
    await this.repos.quotas.set(projectId, limits);
  }

  async reset(projectId: string): Promise<void> {
    await this.repos.quotas.remove(projectId);
  }
}
