/**
 * Generic volume groups and group snapshots (cinder/group/api.py with the generic group
 * driver, which keeps groups in the database only): a group has a group type and the volume
 * types its volumes may have; volumes join it at create or by update (add/remove), and leave
 * only with it (delete with delete-volumes). A group snapshot takes a snapshot of each volume
 * of the group; a group can be made from a group snapshot or another group (3.14), its volumes
 * made from the snapshots or the source volumes.
 *
 * The states of the aggregates follow their members (volume/group-progress.ts): a group made
 * from a source is creating until its volumes are available, a group snapshot creating until
 * its snapshots are and deleting until they are gone.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { GroupRecord, GroupSnapshotRecord, GroupTypeRecord } from '../db/groups.js';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeRecord } from '../db/records.js';
import { InvalidInput, InvalidVolume, VolumeNotFound } from '../errors.js';
import { GroupLimitExceeded, GroupNotFound, GroupSnapshotNotFound, InvalidGroup, InvalidGroupSnapshot } from '../resource-errors.js';
import { GroupProgress } from '../volume/group-progress.js';
import type { GroupTypes } from './group-types.js';
import type { Quotas } from './quotas.js';
import type { SnapshotAPI } from './snapshots.js';
import type { VolumeTypes } from './volume-types.js';
import type { VolumeAPI } from './volumes.js';

export const GROUP_STATUSES = ['creating', 'available', 'deleting', 'error', 'error_deleting', 'updating', 'in-use', 'deleted'];
export const GROUP_SNAPSHOT_STATUSES = ['creating', 'available', 'deleting', 'error', 'error_deleting', 'deleted'];

export class GroupAPI {
  constructor(private readonly o: {
    repos: CinderRepos; groupTypes: GroupTypes; types: VolumeTypes; quotas: Quotas; volumes: VolumeAPI; snapshots: SnapshotAPI; defaultZone: string;
  }) {
    this.progress = new GroupProgress(o.repos);
  }

  private readonly progress: GroupProgress;

  private get repos(): CinderRepos {
    return this.o.repos;
  }

  // --- groups ----------------------------------------------------------------------------------

  async get(ctx: RequestContext, id: string, isAdmin: boolean): Promise<GroupRecord> {
    const g = await this.repos.groups.find(id);
    if (!g || (!isAdmin && g.project_id !== ctx.projectId)) throw new GroupNotFound(id);
    return g;
  }

  async list(ctx: RequestContext, allProjects: boolean): Promise<GroupRecord[]> {
    return this.repos.groups.list(allProjects ? null : ctx.projectId ?? '');
  }

  private async checkGroupQuota(projectId: string): Promise<void> {
    const limit = (await this.o.quotas.limits(projectId))['groups'] ?? -1;
    if (limit >= 0 && (await this.repos.groups.count(projectId)) + 1 > limit) throw new GroupLimitExceeded(limit);
  }

  private async insert(ctx: RequestContext, o: {
    name: string | null; description: string | null; groupType: GroupTypeRecord; volumeTypes: string[]; zone: string; status: string;
    groupSnapshotId?: string | null; sourceGroupId?: string | null;
  }): Promise<GroupRecord> {
    const projectId = ctx.projectId ?? '';
    await this.checkGroupQuota(projectId);
    const id = randomUUID();
    await this.repos.groups.create({
      id, project_id: projectId, user_id: ctx.userId ?? '', host: null, availability_zone: o.zone, name: o.name, description: o.description, status: o.status,
      group_type_id: o.groupType.id, group_snapshot_id: o.groupSnapshotId ?? null, source_group_id: o.sourceGroupId ?? null, replication_status: 'disabled',
      volume_types: o.volumeTypes,
    });
    return (await this.repos.groups.find(id))!;
  }

  async create(ctx: RequestContext, isAdmin: boolean, input: { name: string | null; description: string | null; groupType: string; volumeTypes: string[]; zone: string | null }): Promise<GroupRecord> {
    const groupType = await this.o.groupTypes.byNameOrId(input.groupType);
    const types = [];
    for (const t of input.volumeTypes) types.push((await this.o.types.byNameOrId(t, ctx.projectId, isAdmin)).id);
    const zone = input.zone ?? this.o.defaultZone;
    if (!(await this.o.volumes.availabilityZones()).some((z) => z.name === zone)) throw new InvalidInput(`Availability zone '${zone}' is invalid.`);
    // the generic group driver has nothing to make on a backend: the group is available at once
    return this.insert(ctx, { name: input.name, description: input.description, groupType, volumeTypes: [...new Set(types)], zone, status: 'available' });
  }

  /** A volume may be created in the group: the group is available and allows the volume's type. @throws InvalidGroup, InvalidInput */
  async checkVolumeCreate(g: GroupRecord, volumeTypeId: string): Promise<void> {
    if (g.status !== 'available' && g.status !== 'creating') throw new InvalidGroup(`Group ${g.id} status must be available, but current status is: ${g.status}.`);
    if (!g.volume_types.includes(volumeTypeId)) throw new InvalidInput(`Invalid volume_type provided: ${volumeTypeId}. Volume type must be one of the group's volume types.`);
  }

  async createFromSource(ctx: RequestContext, isAdmin: boolean, input: { name: string | null; description: string | null; groupSnapshotId: string | null; sourceGroupId: string | null }): Promise<GroupRecord> {
    if ((input.groupSnapshotId === null) === (input.sourceGroupId === null)) {
      throw new InvalidInput("Either 'group_snapshot_id' or 'source_group_id' must be provided to create group from source.");
    }
    let source: GroupRecord;
    let members: Array<{ size: number; typeId: string; snapshotId: string | null; sourceVolid: string | null }>;
    if (input.groupSnapshotId) {
      const gs = await this.getSnapshot(ctx, input.groupSnapshotId, isAdmin);
      if (gs.status !== 'available') throw new InvalidGroupSnapshot(`Group snapshot ${gs.id} status must be available.`);
      source = await this.get(ctx, gs.group_id, isAdmin);
      members = [];
      for (const sid of await this.repos.groupSnapshots.snapshotIds(gs.id)) {
        const s = (await this.repos.snapshots.find(sid))!;
        const v = await this.repos.volumes.find(s.volume_id);
        members.push({ size: s.volume_size, typeId: v?.volume_type_id ?? source.volume_types[0]!, snapshotId: s.id, sourceVolid: null });
      }
    } else {
      source = await this.get(ctx, input.sourceGroupId!, isAdmin);
      if (source.status !== 'available') throw new InvalidGroup(`Source group ${source.id} status must be available.`);
      members = [];
      for (const vid of await this.repos.groups.volumeIds(source.id)) {
        const v = (await this.repos.volumes.find(vid))!;
        members.push({ size: v.size, typeId: v.volume_type_id, snapshotId: null, sourceVolid: v.id });
      }
    }
    const groupType = await this.o.groupTypes.get(source.group_type_id);
    const g = await this.insert(ctx, {
      name: input.name, description: input.description, groupType, volumeTypes: source.volume_types, zone: source.availability_zone,
      status: members.length > 0 ? 'creating' : 'available', groupSnapshotId: input.groupSnapshotId, sourceGroupId: input.sourceGroupId,
    });
    try {
      for (const m of members) {
        await this.o.volumes.create(ctx, isAdmin, {
          size: m.size, name: null, description: null, metadata: {}, volume_type: m.typeId, availability_zone: source.availability_zone, snapshot_id: m.snapshotId,
          source_volid: m.sourceVolid, image_id: null, multiattach: false, group_id: g.id,
        });
      }
    } catch (err) {
      await this.repos.groups.update(g.id, { status: 'error' });
      throw err;
    }
    await this.progress.settleGroup(g.id);
    return g;
  }

  async update(ctx: RequestContext, g: GroupRecord, o: { name?: string | null; description?: string | null; addVolumes: string[]; removeVolumes: string[] }): Promise<void> {
    if (g.status !== 'available') throw new InvalidGroup(`Group ${g.id} status must be available, but current status is: ${g.status}.`);
    const members = new Set(await this.repos.groups.volumeIds(g.id));
    const add: VolumeRecord[] = [];
    for (const id of o.addVolumes) {
      const v = await this.repos.volumes.find(id);
      if (!v || v.project_id !== g.project_id) throw new VolumeNotFound(id);
      if (members.has(v.id)) continue;
      if (v.group_id) throw new InvalidVolume(`Cannot add volume ${v.id} to group ${g.id} because it is already in group ${v.group_id}.`);
      if (!['available', 'in-use'].includes(v.status)) throw new InvalidVolume(`Cannot add volume ${v.id} to group ${g.id} because volume is in an invalid state: ${v.status}. Valid states are: available, in-use.`);
      if (!g.volume_types.includes(v.volume_type_id)) throw new InvalidVolume(`Cannot add volume ${v.id} to group ${g.id} because volume type ${v.volume_type_id} is not supported by the group.`);
      add.push(v);
    }
    for (const id of o.removeVolumes) {
      if (!members.has(id)) throw new InvalidVolume(`Cannot remove volume ${id} from group ${g.id} because it is not in the group.`);
      const v = (await this.repos.volumes.find(id))!;
      if (!['available', 'in-use', 'error', 'error_deleting'].includes(v.status)) {
        throw new InvalidVolume(`Cannot remove volume ${v.id} from group ${g.id} because volume is in an invalid state: ${v.status}.`);
      }
    }
    const fields: { name?: string | null; description?: string | null } = {};
    if (o.name !== undefined) fields.name = o.name;
    if (o.description !== undefined) fields.description = o.description;
    if (Object.keys(fields).length > 0) await this.repos.groups.update(g.id, fields);
    await this.repos.groups.setVolumesGroup(add.map((v) => v.id), g.id);
    await this.repos.groups.setVolumesGroup(o.removeVolumes, null);
  }

  async delete(ctx: RequestContext, g: GroupRecord, deleteVolumes: boolean): Promise<void> {
    const volumes = (await Promise.all((await this.repos.groups.volumeIds(g.id)).map((id) => this.repos.volumes.find(id)))).filter((v): v is VolumeRecord => !!v);
    if (!deleteVolumes && volumes.length > 0) throw new InvalidGroup(`Group ${g.id} still contains volumes. The delete-volumes flag is required to delete it.`);
    if (!['available', 'error', 'error_deleting', 'creating'].includes(g.status) && !(deleteVolumes && g.status === 'error')) {
      throw new InvalidGroup(`Group status must be available or error, but current status is: ${g.status}`);
    }
    if ((await this.repos.groupSnapshots.ofGroup(g.id)).length > 0) throw new InvalidGroup(`Group ${g.id} still has dependent group snapshots.`);
    for (const v of volumes) {
      if (v.attach_status === 'attached') throw new InvalidGroup(`Volume ${v.id} in group ${g.id} is attached. Need to detach first.`);
      if ((await this.repos.snapshots.ofVolume(v.id)).length > 0) throw new InvalidGroup(`Volume ${v.id} in group ${g.id} still has dependent snapshots.`);
    }
    if (!(await this.repos.groups.conditionalUpdate(g.id, [g.status], { status: 'deleting' }))) throw new InvalidGroup(`Group ${g.id} changed status meanwhile.`);
    for (const v of volumes) await this.o.volumes.delete(ctx, v, { cascade: false, force: false, inGroupDelete: true });
    await this.repos.groups.softDelete(g.id);
  }

  async resetStatus(g: GroupRecord, status: string): Promise<void> {
    if (!GROUP_STATUSES.includes(status)) throw new InvalidGroup(`Group status ${status} is not valid.`);
    await this.repos.groups.update(g.id, { status });
  }

  // --- group snapshots -------------------------------------------------------------------------

  async getSnapshot(ctx: RequestContext, id: string, isAdmin: boolean): Promise<GroupSnapshotRecord> {
    const gs = await this.repos.groupSnapshots.find(id);
    if (!gs || (!isAdmin && gs.project_id !== ctx.projectId)) throw new GroupSnapshotNotFound(id);
    return gs;
  }

  async listSnapshots(ctx: RequestContext, allProjects: boolean): Promise<GroupSnapshotRecord[]> {
    return this.repos.groupSnapshots.list(allProjects ? null : ctx.projectId ?? '');
  }

  async createSnapshot(ctx: RequestContext, g: GroupRecord, name: string | null, description: string | null): Promise<GroupSnapshotRecord> {
    if (g.status !== 'available') throw new InvalidGroup(`Group ${g.id} status must be available, but current status is: ${g.status}.`);
    const volumes = (await Promise.all((await this.repos.groups.volumeIds(g.id)).map((id) => this.repos.volumes.find(id)))).filter((v): v is VolumeRecord => !!v);
    const bad = volumes.find((v) => !['available', 'in-use'].includes(v.status));
    if (bad) throw new InvalidGroup(`Volume ${bad.id} in group ${g.id} is in an invalid state: ${bad.status}.`);
    const id = randomUUID();
    await this.repos.groupSnapshots.create({
      id, group_id: g.id, project_id: g.project_id, user_id: ctx.userId ?? '', name, description, status: volumes.length > 0 ? 'creating' : 'available', group_type_id: g.group_type_id,
    });
    try {
      for (const v of volumes) {
        await this.o.snapshots.create(ctx, v, { name: null, description: null, metadata: {}, force: true, allowInUse: true, groupSnapshotId: id });
      }
    } catch (err) {
      await this.repos.groupSnapshots.update(id, { status: 'error' });
      throw err;
    }
    await this.progress.settleGroupSnapshot(id);
    return (await this.repos.groupSnapshots.find(id))!;
  }

  async deleteSnapshot(ctx: RequestContext, gs: GroupSnapshotRecord): Promise<void> {
    if (!['available', 'error'].includes(gs.status)) throw new InvalidGroupSnapshot(`Group snapshot status must be available or error, but current status is: ${gs.status}`);
    if (!(await this.repos.groupSnapshots.conditionalUpdate(gs.id, ['available', 'error'], { status: 'deleting' }))) {
      throw new InvalidGroupSnapshot(`Group snapshot ${gs.id} changed status meanwhile.`);
    }
    for (const sid of await this.repos.groupSnapshots.snapshotIds(gs.id)) {
      const s = await this.repos.snapshots.find(sid);
      if (s) await this.o.snapshots.delete(ctx, s, true, true);
    }
    await this.progress.settleGroupSnapshot(gs.id);
  }

  async updateSnapshot(gs: GroupSnapshotRecord, fields: { name?: string | null; description?: string | null }): Promise<void> {
    await this.repos.groupSnapshots.update(gs.id, fields);
  }

  async resetSnapshotStatus(gs: GroupSnapshotRecord, status: string): Promise<void> {
    if (!GROUP_SNAPSHOT_STATUSES.includes(status)) throw new InvalidGroupSnapshot(`Group snapshot status ${status} is not valid.`);
    await this.repos.groupSnapshots.update(gs.id, { status });
  }
}
