/**
 * How groups and group snapshots follow their members (the generic group driver's part of
 * cinder/volume/manager.py): a group made from a source is creating until all the volumes it
 * gets are there and out of creating (available; error when one failed); a group snapshot is
 * creating until its snapshots are (available or error), and deleting until they are gone
 * (error_deleting when one failed). The volume host settles them when a member's work ends,
 * the API once more after it made the members (they may all have finished already). Statuses
 * an admin set (reset_status) stay until a member changes.
 */
import type { CinderRepos } from '../db/repos.js';

export class GroupProgress {
  constructor(private readonly repos: CinderRepos) {}

  /** How many volumes a group made from a source gets. */
  private async expectedMembers(groupSnapshotId: string | null, sourceGroupId: string | null): Promise<number> {
    if (groupSnapshotId) return (await this.repos.groupSnapshots.snapshotIds(groupSnapshotId)).length;
    if (sourceGroupId) return (await this.repos.groups.volumeIds(sourceGroupId)).length;
    return 0;
  }

  async settleGroup(groupId: string): Promise<void> {
    const g = await this.repos.groups.find(groupId);
    if (!g || g.status !== 'creating') return;
    const volumes = await Promise.all((await this.repos.groups.volumeIds(g.id)).map((id) => this.repos.volumes.find(id)));
    const statuses = volumes.map((v) => v?.status);
    if (statuses.some((s) => s === 'error')) {
      await this.repos.groups.conditionalUpdate(g.id, ['creating'], { status: 'error' });
      return;
    }
    if (statuses.length < (await this.expectedMembers(g.group_snapshot_id, g.source_group_id))) return;
    if (statuses.every((s) => s !== 'creating' && s !== undefined)) await this.repos.groups.conditionalUpdate(g.id, ['creating'], { status: 'available' });
  }

  async settleGroupSnapshot(groupSnapshotId: string): Promise<void> {
    const gs = await this.repos.groupSnapshots.find(groupSnapshotId);
    if (!gs || (gs.status !== 'creating' && gs.status !== 'deleting')) return;
    const snaps = (await Promise.all((await this.repos.groupSnapshots.snapshotIds(gs.id)).map((id) => this.repos.snapshots.find(id)))).filter((s) => s !== undefined);
    if (gs.status === 'deleting') {
      if (snaps.some((s) => s.status === 'error_deleting')) await this.repos.groupSnapshots.conditionalUpdate(gs.id, ['deleting'], { status: 'error_deleting' });
      else if (snaps.length === 0) await this.repos.groupSnapshots.softDelete(gs.id);
      return;
    }
    if (snaps.some((s) => s.status === 'error')) {
      await this.repos.groupSnapshots.conditionalUpdate(gs.id, ['creating'], { status: 'error' });
      return;
    }
    if (snaps.length < (await this.repos.groups.volumeIds(gs.group_id)).length) return;
    if (snaps.every((s) => s.status === 'available')) await this.repos.groupSnapshots.conditionalUpdate(gs.id, ['creating'], { status: 'available' });
  }

  /** After a volume's create ended. */
  async volumeSettled(volumeId: string): Promise<void> {
    const v = await this.repos.volumes.find(volumeId);
    if (v?.group_id) await this.settleGroup(v.group_id);
  }

  /** After a snapshot's create or delete ended (`groupSnapshotId`: the one it belonged to, read before a delete). */
  async snapshotSettled(groupSnapshotId: string | null | undefined): Promise<void> {
    if (groupSnapshotId) await this.settleGroupSnapshot(groupSnapshotId);
  }
}
