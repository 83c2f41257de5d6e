/**
 * Revert to snapshot (cinder/volume/api.py revert_to_snapshot, 3.40): an available volume
 * back to its latest snapshot, which must be available; the volume goes reverting and the
 * snapshot restoring (both as compare-and-swap), then the volume's host does the work.
 */
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import type { SnapshotRecord, VolumeRecord } from '../db/records.js';
import { InvalidSnapshot, InvalidVolume } from '../errors.js';
import type { VolumeRevertRpcAPI } from '../volume/revert.js';

export class VolumeRevertAPI {
  constructor(private readonly o: { repos: CinderRepos; rpc: VolumeRevertRpcAPI }) {}

  async revert(ctx: RequestContext, v: VolumeRecord, s: SnapshotRecord): Promise<void> {
    if (s.volume_id !== v.id) throw new InvalidSnapshot(`Snapshot ${s.id} is not a snapshot of volume ${v.id}.`);
    const latest = [...(await this.o.repos.snapshots.ofVolume(v.id))].sort((a, b) => (a.created_at === b.created_at ? 0 : a.created_at < b.created_at ? 1 : -1))[0];
    if (latest && latest.id !== s.id && latest.created_at !== s.created_at) {
      throw new InvalidSnapshot(`Volume ${v.id} can only be reverted to its latest snapshot, ${latest.id}.`);
    }
    if (v.status !== 'available') throw new InvalidVolume(`Volume ${v.id} status must be available, but current status is: ${v.status}.`);
    if (s.status !== 'available') throw new InvalidSnapshot(`Snapshot ${s.id} status must be available, but current status is: ${s.status}.`);
    if (!v.host) throw new InvalidVolume(`Volume ${v.id} has no host.`);
    if (!(await this.o.repos.volumes.conditionalUpdate(v.id, ['available'], { status: 'reverting' }))) {
      throw new InvalidVolume(`Volume ${v.id} status must be available.`);
    }
    if (!(await this.o.repos.snapshots.conditionalUpdate(s.id, ['available'], { status: 'restoring' }))) {
      await this.o.repos.volumes.conditionalUpdate(v.id, ['reverting'], { status: 'available' });
      throw new InvalidSnapshot(`Snapshot ${s.id} status must be available.`);
    }
    await this.o.rpc.revertToSnapshot(ctx, v.host, v.id, s.id);
  }
}
