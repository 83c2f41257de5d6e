/**
 * The backup API (cinder/backup/api.py): the rules of each request on backups before a backup
 * service does the work. create: a volume available (in-use with force) or an available
 * snapshot of it, within the backups and backup_gigabytes quotas; incremental backups take the
 * latest available backup of the volume as parent (one older than the snapshot when backing a
 * snapshot up); the volume goes backing-up (the snapshot backing-up) and the backup creating,
 * cast to an up backup service of the zone (the parent's host for the posix driver's
 * incrementals). restore: to a new volume (made and waited for) or an available one big
 * enough, backup restoring and volume restoring-backup. delete: available or error (any
 * state with force), never with incremental backups on it. reset_status, export/import of a
 * record (base64 JSON of the row, as Backup.encode_record), update of name, description and
 * metadata.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestContext } from '../../../common/context.js';
import { nowIso } from '../../../common/db/index.js';
import { BackupNotFound, BackupServiceUnavailable, InvalidBackup } from '../backup/errors.js';
import type { BackupRpcAPI } from '../backup/rpcapi.js';
import type { BackupRecord, NewBackup } from '../db/backups.js';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeRecord } from '../db/records.js';
import { InvalidInput, InvalidSnapshot, InvalidVolume, SnapshotNotFound, VolumeNotFound } from '../errors.js';
import { BACKUP_BINARY } from '../rpc/topics.js';
import { serviceIsUp } from '../scheduler/host-manager.js';
import type { Quotas } from './quotas.js';
import type { VolumeAPI } from './volumes.js';

export interface CreateBackupInput {
  volume_id: string;
  container: string | null;
  name: string | null;
  description: string | null;
  incremental: boolean;
  force: boolean;
  snapshot_id: string | null;
  metadata: Record<string, string>;
  availability_zone: string | null;
}

export const BACKUP_STATUSES = ['creating', 'available', 'deleting', 'error', 'restoring', 'error_restoring', 'deleted'];

/** The fields of a record export_record writes and import_record reads (Backup.encode_record). */
const RECORD_FIELDS = [
  'id', 'user_id', 'project_id', 'volume_id', 'host', 'availability_zone', 'display_name', 'display_description', 'container', 'status',
  'fail_reason', 'service_metadata', 'service', 'size', 'object_count', 'parent_id', 'num_dependent_backups', 'snapshot_id', 'data_timestamp',
  'encryption_key_id', 'created_at', 'updated_at', 'metadata',
] as const;

export class BackupAPI {
  constructor(private readonly o: {
    repos: CinderRepos; quotas: Quotas; backup: BackupRpcAPI; volumes: VolumeAPI;
    /** How long a restore waits for the volume it creates (seconds). */
    restoreVolumeWait?: number;
  }) {}

  private get repos(): CinderRepos {
    return this.o.repos;
  }

  /** A live backup the caller may see (another project's is 404 unless admin). */
  async get(ctx: RequestContext, id: string, isAdmin: boolean): Promise<BackupRecord> {
    const b = await this.repos.backups.find(id);
    if (!b || (!isAdmin && b.project_id !== ctx.projectId)) throw new BackupNotFound(id);
    return b;
  }

  /** A backup service host that is up and enabled, in `zone` when given; `preferred` when it is one. */
  async backupHost(zone: string | null, preferred: string | null = null): Promise<string> {
    const up = (await this.repos.services.list()).filter((s) => s.binary === BACKUP_BINARY && !s.disabled && serviceIsUp(s.updated_at, s.created_at)
      && (!zone || s.availability_zone === zone));
    if (preferred) return up.some((s) => s.host === preferred) ? preferred : Promise.reject(new BackupServiceUnavailable());
    const pick = up[Math.floor(Math.random() * up.length)];
    if (!pick) throw new BackupServiceUnavailable();
    return pick.host;
  }

  async create(ctx: RequestContext, v: VolumeRecord, input: CreateBackupInput, isAdmin: boolean): Promise<BackupRecord> {
    let snapshotCreatedAt: string | null = null;
    if (input.snapshot_id) {
      const snap = await this.repos.snapshots.find(input.snapshot_id);
      if (!snap || (!isAdmin && snap.project_id !== ctx.projectId)) throw new SnapshotNotFound(input.snapshot_id);
      if (snap.volume_id !== v.id) throw new InvalidVolume(`Volume ${v.id} does not match with snapshot.volume_id ${snap.volume_id}.`);
      if (snap.status !== 'available') throw new InvalidSnapshot(`Snapshot to be backed up must be available, but the current status is "${snap.status}".`);
      snapshotCreatedAt = snap.created_at;
    } else if (!['available', 'in-use'].includes(v.status)) {
      throw new InvalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${v.status}".`);
    } else if (v.status === 'in-use' && !input.force) {
      throw new InvalidVolume('Backing up an in-use volume must use the force flag.');
    }
    const projectId = ctx.projectId ?? v.project_id;
    await this.o.quotas.check(projectId, { backups: 1, backup_gigabytes: v.size });
    let parent: BackupRecord | null = null;
    if (input.incremental) {
      const candidates = (await this.repos.backups.ofVolume(v.id)).filter((b) => b.project_id === projectId && b.status === 'available'
        && (snapshotCreatedAt === null || (b.data_timestamp ?? b.created_at) < snapshotCreatedAt));
      candidates.sort((a, b) => ((a.data_timestamp ?? a.created_at) < (b.data_timestamp ?? b.created_at) ? 1 : -1));
      parent = candidates[0] ?? null;
      if (!parent) throw new InvalidBackup('No backups available to do an incremental backup.');
    }
    const zone = input.availability_zone ?? v.availability_zone;
    const posixParent = parent?.service?.includes('posix') ? parent.host : null;
    const host = await this.backupHost(input.availability_zone, posixParent);
    if (input.snapshot_id) {
      if (!(await this.repos.snapshots.conditionalUpdate(input.snapshot_id, ['available'], { status: 'backing-up' }))) {
        throw new InvalidSnapshot('Snapshot to be backed up must be available.');
      }
    } else if (!(await this.repos.volumes.conditionalUpdate(v.id, input.force ? ['available', 'in-use'] : ['available'], { status: 'backing-up', previous_status: v.status }))) {
      throw new InvalidVolume(`Volume to be backed up must be available or in-use, but the current status is "${v.status}".`);
    }
    const id = randomUUID();
    const created = nowIso();
    const row: NewBackup = {
      id, volume_id: v.id, user_id: ctx.userId ?? '', project_id: projectId, host, availability_zone: zone, display_name: input.name,
      display_description: input.description, container: input.container, status: 'creating', fail_reason: null, service_metadata: null, service: null,
      size: v.size, parent_id: parent?.id ?? null, snapshot_id: input.snapshot_id, data_timestamp: snapshotCreatedAt ?? created, restore_volume_id: null,
      encryption_key_id: v.encryption_key_id, created_at: created,
    };
    await this.repos.backups.create(row, input.metadata);
    await this.o.backup.createBackup(ctx, host, id);
    return (await this.repos.backups.find(id))!;
  }

  async update(b: BackupRecord, fields: { display_name?: string | null; display_description?: string | null; metadata?: Record<string, string> }): Promise<BackupRecord> {
    const { metadata, ...rest } = fields;
    if (Object.keys(rest).length > 0) await this.repos.backups.update(b.id, rest);
    if (metadata !== undefined) await this.repos.backups.metadata.set(b.id, metadata, true);
    return (await this.repos.backups.find(b.id))!;
  }

  async delete(ctx: RequestContext, b: BackupRecord, force: boolean): Promise<void> {
    if (!force && !['available', 'error'].includes(b.status)) throw new InvalidBackup('Backup status must be available or error');
    if ((await this.repos.backups.children(b.id)).length > 0) throw new InvalidBackup('Incremental backups exist for this backup.');
    const expected = force ? BACKUP_STATUSES.filter((s) => s !== 'deleted') : ['available', 'error'];
    if (!b.service_metadata && !b.host) {
      // never reached a backup service: nothing to remove but the row
      if (!(await this.repos.backups.conditionalUpdate(b.id, expected, { status: 'deleting' }))) throw new InvalidBackup('Backup status must be available or error');
      await this.repos.backups.softDelete(b.id);
      return;
    }
    const host = await this.backupHost(b.availability_zone, b.service?.includes('posix') ? b.host : null).catch(() => this.backupHost(null));
    if (!(await this.repos.backups.conditionalUpdate(b.id, expected, { status: 'deleting', host }))) throw new InvalidBackup('Backup status must be available or error');
    await this.o.backup.deleteBackup(ctx, host, b.id);
  }

  /** Restore into `volumeId`, or a new volume named `name` (restore_backup_<id> by default). */
  async restore(ctx: RequestContext, isAdmin: boolean, b: BackupRecord, volumeId: string | null, name: string | null): Promise<{ backup_id: string; volume_id: string; volume_name: string | null }> {
    if (b.status !== 'available') throw new InvalidBackup('Backup status must be available');
    let v: VolumeRecord;
    let isNew = false;
    if (volumeId === null) {
      const created = await this.o.volumes.create(ctx, isAdmin, {
        size: b.size, name: name ?? `restore_backup_${b.id}`, description: 'auto-created_from_restore_from_backup', metadata: {}, volume_type: null,
        availability_zone: null, snapshot_id: null, source_volid: null, image_id: null, multiattach: false,
      });
      v = await this.waitCreated(created.id, b.id);
      isNew = true;
    } else {
      const found = await this.repos.volumes.find(volumeId);
      if (!found || (!isAdmin && found.project_id !== ctx.projectId)) throw new VolumeNotFound(volumeId);
      v = found;
    }
    if (v.status !== 'available') throw new InvalidVolume('Volume to be restored to must be available');
    if (b.size > v.size) throw new InvalidVolume(`volume size ${v.size} is too small to restore backup of size ${b.size}.`);
    const host = await this.backupHost(b.availability_zone, b.service?.includes('posix') ? b.host : null).catch(() => this.backupHost(null));
    if (!(await this.repos.backups.conditionalUpdate(b.id, ['available'], { status: 'restoring', restore_volume_id: v.id, host }))) {
      throw new InvalidBackup('Backup status must be available');
    }
    if (!(await this.repos.volumes.conditionalUpdate(v.id, ['available'], { status: 'restoring-backup' }))) {
      await this.repos.backups.conditionalUpdate(b.id, ['restoring'], { status: 'available', restore_volume_id: null });
      throw new InvalidVolume('Volume to be restored to must be available');
    }
    await this.o.backup.restoreBackup(ctx, host, b.id, v.id, isNew);
    return { backup_id: b.id, volume_id: v.id, volume_name: v.display_name };
  }

  private async waitCreated(volumeId: string, backupId: string): Promise<VolumeRecord> {
    const deadline = Date.now() + (this.o.restoreVolumeWait ?? 300) * 1000;
    for (;;) {
      const v = await this.repos.volumes.find(volumeId);
      if (!v) throw new VolumeNotFound(volumeId);
      if (v.status === 'error' || (v.status === 'creating' && Date.now() > deadline)) {
        throw new InvalidVolume(`Error while creating volume ${volumeId} for restoring backup ${backupId}.`);
      }
      if (v.status !== 'creating') return v;
      await sleep(100);
    }
  }

  async resetStatus(b: BackupRecord, status: string): Promise<void> {
    if (!['available', 'error'].includes(status)) throw new InvalidBackup(`The backup status ${status} is not allowed, use available or error.`);
    await this.repos.backups.update(b.id, { status, ...(status === 'available' ? { fail_reason: null } : {}) });
  }

  /** export_record: the driver's name and the backup's row, base64 of its JSON. */
  exportRecord(b: BackupRecord): { backup_service: string; backup_url: string } {
    if (b.status !== 'available') throw new InvalidBackup(`Backup status must be available and not ${b.status}.`);
    const record: Record<string, unknown> = {};
    for (const k of RECORD_FIELDS) record[k] = b[k];
    return { backup_service: b.service ?? '', backup_url: Buffer.from(JSON.stringify(record)).toString('base64') };
  }

  /** import_record: the row back (a deleted one reused), creating, checked by a backup service. */
  async importRecord(ctx: RequestContext, backupService: string, backupUrl: string): Promise<BackupRecord> {
    let record: Record<string, unknown>;
    try {
      const decoded = JSON.parse(Buffer.from(backupUrl, 'base64').toString('utf8')) as unknown;
      if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) throw new Error('not an object');
      record = decoded as Record<string, unknown>;
    } catch {
      throw new InvalidInput("Can't parse backup record.");
    }
    if (typeof record['id'] !== 'string' || !/^[0-9a-f-]{36}$/i.test(record['id'])) throw new InvalidInput('Provided backup record is missing an id');
    if (typeof record['size'] !== 'number' || !Number.isInteger(record['size']) || record['size'] < 0) throw new InvalidInput('Provided backup record is missing size attribute');
    const id = record['id'];
    const existing = await this.repos.backups.findAny(id);
    if (existing && !existing.deleted) throw new InvalidBackup('Backup already exists in database.');
    const str = (k: string): string | null => (typeof record[k] === 'string' ? record[k] as string : null);
    const projectId = ctx.projectId ?? '';
    await this.o.quotas.check(projectId, { backups: 1, backup_gigabytes: record['size'] });
    const host = await this.backupHost(null);
    const fields = {
      volume_id: str('volume_id') ?? '0', user_id: ctx.userId ?? '', project_id: projectId, host, availability_zone: str('availability_zone'),
      display_name: str('display_name'), display_description: str('display_description'), container: str('container'), status: 'creating',
      fail_reason: null, service_metadata: str('service_metadata'), service: backupService, size: record['size'], parent_id: str('parent_id'),
      snapshot_id: str('snapshot_id'), data_timestamp: str('data_timestamp'), restore_volume_id: null, encryption_key_id: str('encryption_key_id'),
    };
    const metadata = record['metadata'] && typeof record['metadata'] === 'object' && !Array.isArray(record['metadata'])
      ? Object.fromEntries(Object.entries(record['metadata'] as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>
      : {};
    if (existing) {
      await this.repos.backups.revive(id, { ...fields, object_count: typeof record['object_count'] === 'number' ? record['object_count'] : 0 });
      await this.repos.backups.metadata.set(id, metadata, true);
    } else {
      await this.repos.backups.create({ id, ...fields, created_at: str('created_at') ?? nowIso() }, metadata);
      if (typeof record['object_count'] === 'number') await this.repos.backups.update(id, { object_count: record['object_count'] });
    }
    await this.o.backup.importRecord(ctx, host, id);
    return (await this.repos.backups.find(id))!;
  }
}
