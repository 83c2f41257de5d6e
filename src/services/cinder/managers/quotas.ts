/**
 * Quotas (cinder/quota.py's DbQuotaDriver with counted usage): limits of a project are its
 * rows in the quotas table over the [DEFAULT] quota_* defaults; usage is counted from the live
 * volumes, snapshots and backups; a request that would exceed volumes, snapshots, gigabytes,
 * backups, backup_gigabytes or per_volume_gigabytes is refused with Cinder's 413 errors. Per-type quotas
 * (`volumes_<type>`, `gigabytes_<type>`, `snapshots_<type>`) are shown and stored, -1 by
 * default, and enforced when set.
 */
import { BackupLimitExceeded, VolumeBackupSizeExceedsAvailableQuota } from '../backup/errors.js';
import type { CinderRepos } from '../db/repos.js';
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
  async check(projectId: string, delta: { volumes?: number; snapshots?: number; gigabytes?: number; backups?: number; backup_gigabytes?: number; size?: number; typeName?: string }): Promise<void> {
    const limits = await this.limits(projectId);
    const perVolume = limits['per_volume_gigabytes'] ?? -1;
    if (delta.size !== undefined && perVolume >= 0 && delta.size > perVolume) {
      throw new VolumeSizeExceedsAvailableQuota('per_volume_gigabytes', delta.size, perVolume, 0);
    }
    const usage = await this.usage(projectId);
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
