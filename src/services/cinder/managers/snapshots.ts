/**
 * The snapshot API (cinder/volume/api.py create_snapshot, delete_snapshot, ...): a snapshot of
 * an available volume (in-use with force, or without it from 3.66), within the snapshots and
 * gigabytes quotas, in `creating` with a cast to the volume's host; delete from available or
 * error (→ deleting, cast); update of name and description; metadata.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import type { SnapshotRecord, VolumeRecord } from '../db/records.js';
import { InvalidSnapshot, InvalidVolume, SnapshotMetadataNotFound, SnapshotNotFound } from '../errors.js';
import type { VolumeRpcAPI } from '../volume/rpcapi.js';
import type { Quotas } from './quotas.js';

export const SNAPSHOT_STATUSES = ['error', 'available', 'creating', 'deleting', 'deleted', 'updating', 'error_deleting', 'unmanaging', 'backing-up', 'restoring'];

export class SnapshotAPI {
  constructor(private readonly o: { repos: CinderRepos; quotas: Quotas; volume: VolumeRpcAPI }) {}

  async get(ctx: RequestContext, id: string, isAdmin: boolean): Promise<SnapshotRecord> {
    const s = await this.o.repos.snapshots.find(id);
    if (!s || (!isAdmin && s.project_id !== ctx.projectId)) throw new SnapshotNotFound(id);
    return s;
  }

  async create(ctx: RequestContext, v: VolumeRecord, input: { name: string | null; description: string | null; metadata: Record<string, string>; force: boolean; allowInUse: boolean; groupSnapshotId?: string }): Promise<SnapshotRecord> {
    const allowed = input.force || input.allowInUse ? ['available', 'in-use'] : ['available'];
    if (!allowed.includes(v.status)) {
      throw new InvalidVolume(`Volume ${v.id} status must be ${allowed.join(' or ')}, but current status is: ${v.status}.`);
    }
    if (!v.host) throw new InvalidVolume(`Volume ${v.id} has no host`);
    await this.o.quotas.check(v.project_id, { snapshots: 1, gigabytes: v.size, typeName: v.volume_type?.name ?? '' });
    const id = randomUUID();
    await this.o.repos.snapshots.create({
      id, volume_id: v.id, project_id: ctx.projectId ?? v.project_id, user_id: ctx.userId ?? '', status: 'creating', progress: '0%',
      volume_size: v.size, display_name: input.name, display_description: input.description, provider_location: null, group_snapshot_id: input.groupSnapshotId ?? null,
    }, input.metadata);
    await this.o.volume.createSnapshot(ctx, v.host, id);
    return (await this.o.repos.snapshots.find(id))!;
  }

  /** `inGroupSnapshotDelete`: the group API deletes its group snapshot's snapshots (one cannot go alone). */
  async delete(ctx: RequestContext, s: SnapshotRecord, force = false, inGroupSnapshotDelete = false): Promise<void> {
    if (s.group_snapshot_id && !inGroupSnapshotDelete) throw new InvalidSnapshot('Snapshot status must be available or error and must not be part of a group.');
    const expected = force ? ['available', 'error', 'error_deleting', 'creating', 'deleting'] : ['available', 'error'];
    if (!(await this.o.repos.snapshots.conditionalUpdate(s.id, expected, { status: 'deleting' }))) {
      throw new InvalidSnapshot('Snapshot status must be available or error and must not be part of a group.');
    }
    const v = await this.o.repos.volumes.find(s.volume_id);
    if (!v?.host) {
      await this.o.repos.snapshots.softDelete(s.id);
      return;
    }
    await this.o.volume.deleteSnapshot(ctx, v.host, s.id);
  }

  async update(s: SnapshotRecord, fields: { display_name?: string | null; display_description?: string | null }): Promise<SnapshotRecord> {
    if (Object.keys(fields).length > 0) await this.o.repos.snapshots.update(s.id, fields);
    return (await this.o.repos.snapshots.find(s.id))!;
  }

  async resetStatus(s: SnapshotRecord, status: string): Promise<void> {
    if (!SNAPSHOT_STATUSES.includes(status)) throw new InvalidSnapshot(`Must specify a valid status`);
    await this.o.repos.snapshots.update(s.id, { status });
  }

  async setMetadata(s: SnapshotRecord, metadata: Record<string, string>, replace: boolean): Promise<Record<string, string>> {
    return this.o.repos.snapshots.metadata.set(s.id, metadata, replace);
  }

  metadataItem(s: SnapshotRecord, key: string): string {
    const v = s.metadata[key];
    if (v === undefined) throw new SnapshotMetadataNotFound(s.id, key);
    return v;
  }

  async deleteMetadata(s: SnapshotRecord, key: string): Promise<void> {
    if (!(await this.o.repos.snapshots.metadata.remove(s.id, key))) throw new SnapshotMetadataNotFound(s.id, key);
  }
}
