/**
 * The quota engine (nova/quota.py's QuotaEngine over the DbQuotaDriver, with
 * [quota] count_usage_from_placement=false): limits from per-user rows, per-project rows, the
 * `default` quota class and [quota] in nova.conf; usage counted from the resources (instances,
 * cores and ram from the live instances, server groups, key pairs and group members from their
 * tables). No reservations: a check counts, compares usage + delta with the limits, and a
 * recheck after the records are written catches races (recheck_quota).
 *
 * What callers use:
 *  - checkNumInstances / recheck: server create (check_num_instances_quota), max_count reduced
 *    to what fits when at least min_count do, otherwise TooManyInstances with nova's message.
 *  - checkDeltas(ctx, projectId, userId, { cores, ram }): resize (and revert of a downsize),
 *    nova's _check_quota_for_upsize. Pass the positive deltas of the new flavor over the old
 *    one, with the instance's project and user; throws TooManyInstances ("Quota exceeded for
 *    cores: Requested 2, but already used 19 of 20 cores"), which the API answers with 403.
 *  - checkMetadata, checkInjectedFiles: per-server absolute limits (limit_check).
 *  - checkServerGroups, checkGroupMembers: server group create, a boot into a group (each with
 *    a recheck at delta 0 after the record is made). Key pair create reads limits().key_pairs.
 *  - defaults, classQuotas, projectQuotas, userQuotas, settable, update, destroy: the
 *    os-quota-sets, os-quota-class-sets and /limits APIs.
 */
import type { RequestContext } from '../../../common/context.js';
import { QUOTA_RESOURCES, type QuotaRepo, type QuotaResource, type QuotaRows } from '../db/quotas.js';
import type { InstanceRepo } from '../db/instances.js';
import {
  GroupMemberLimitExceeded, InvalidQuotaLimit, MetadataLimitExceeded, OnsetFileContentLimitExceeded,
  OnsetFileLimitExceeded, OnsetFilePathLimitExceeded, ServerGroupLimitExceeded, TooManyInstances,
} from '../errors.js';
import type { Flavor, InstanceGroup } from '../objects/index.js';

export type { QuotaResource } from '../db/quotas.js';
export { QUOTA_RESOURCES } from '../db/quotas.js';

type Counted = 'instances' | 'cores' | 'ram';
type Limits = Record<QuotaResource, number>;
/** The resources counted per project and per user (nova's CountableResources but key_pairs and group members). */
type ScopedCounted = Counted | 'server_groups';
type Deltas = Partial<Record<ScopedCounted, number>>;

/** One resource in a quota view: its limit, and its usage when asked for. */
export interface QuotaValue {
  limit: number;
  in_use: number;
  reserved: number;
}

/** The nova.conf [quota] options the engine takes its defaults from. */
export interface QuotaConfig {
  instances: number;
  cores: number;
  ram: number;
  metadata_items: number;
  injected_files: number;
  injected_file_content_bytes: number;
  injected_file_path_length: number;
  key_pairs: number;
  server_groups: number;
  server_group_members: number;
}

/** Each resource's default as its BaseResource.default reads it (the nova-network ones: -1). */
export function quotaConfigDefaults(q: QuotaConfig): Limits {
  return {
    instances: q.instances, cores: q.cores, ram: q.ram, metadata_items: q.metadata_items, injected_files: q.injected_files,
    injected_file_content_bytes: q.injected_file_content_bytes, injected_file_path_bytes: q.injected_file_path_length,
    key_pairs: q.key_pairs, server_groups: q.server_groups, server_group_members: q.server_group_members,
    fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1,
  };
}

/** exception.OverQuota's kwargs. */
interface Over {
  overs: ScopedCounted[];
  quotas: Partial<Record<ScopedCounted, number>>;
  usages: Partial<Record<ScopedCounted, number>>;
}

const COUNTED: readonly Counted[] = ['instances', 'cores', 'ram'];
/** main_db_api.quota_get_per_project_resources. */
const PER_PROJECT: readonly QuotaResource[] = ['fixed_ips', 'floating_ips'];

/** compute_utils.get_headroom. */
function headroomOf(quotas: Over['quotas'], usages: Over['usages'], deltas: Deltas): Record<string, number> {
  const h: Record<string, number> = {};
  for (const [r, q] of Object.entries(quotas)) h[r] = q - (usages[r as ScopedCounted] ?? 0);
  for (const r of ['cores', 'ram'] as const) {
    if (quotas[r] !== -1) continue;
    const d = deltas[r];
    h[r] = d ? ((h['instances'] ?? 1) * d) / (deltas.instances ?? 1) : (h['instances'] ?? 1);
  }
  return h;
}

/** compute_utils.get_over_quota_detail as TooManyInstances. */
function tooMany(headroom: Record<string, number>, overs: readonly string[], quotas: Record<string, number>, requested: Record<string, number | string>): TooManyInstances {
  return new TooManyInstances(
    overs.join(', '),
    overs.map((r) => String(requested[r])).join(', '),
    overs.map((r) => String(quotas[r]! - headroom[r]!)).join(', '),
    overs.map((r) => String(quotas[r])).join(', '),
  );
}

/** "inf" for -1, as the quota-sets API compares limits. */
const inf = (v: number): number => (v === -1 ? Number.POSITIVE_INFINITY : v);

export class QuotaChecker {
  private readonly conf: Readonly<Limits>;

  /** `config`: nova.conf [quota]. */
  constructor(
    private readonly quotas: QuotaRepo,
    private readonly instances: InstanceRepo,
    config: QuotaConfig,
  ) {
    this.conf = quotaConfigDefaults(config);
  }

  /** The limits in force for a project, or a user of it. */
  limits(projectId: string, userId?: string): Promise<Limits> {
    return this.quotas.limits(projectId, userId, this.conf);
  }

  // --- views ---------------------------------------------------------------------------------

  /** get_defaults: the `default` class over nova.conf. */
  async defaults(): Promise<Limits> {
    return { ...this.conf, ...(await this.quotas.classRows('default')) } as Limits;
  }

  /** get_class_quotas: the class's rows over nova.conf (not over the default class). */
  async classQuotas(className: string): Promise<Limits> {
    return { ...this.conf, ...(await this.quotas.classRows(className)) } as Limits;
  }

  /** _get_usages: instances/cores/ram and server groups counted (for the user when given); the rest 0. */
  async usages(projectId: string, userId?: string): Promise<Record<QuotaResource, number>> {
    const [counted, groups] = await Promise.all([this.instances.usage(projectId, userId), this.quotas.countServerGroups(projectId, userId)]);
    const out = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, 0])) as Record<QuotaResource, number>;
    return { ...out, ...counted, server_groups: userId ? groups.user : groups.project };
  }

  private view(rows: QuotaRows, defaults: Limits, usages?: Record<QuotaResource, number>): Record<QuotaResource, QuotaValue> {
    const out = {} as Record<QuotaResource, QuotaValue>;
    for (const r of QUOTA_RESOURCES) out[r] = { limit: rows[r] ?? defaults[r], in_use: usages?.[r] ?? 0, reserved: 0 };
    return out;
  }

  /** get_project_quotas (with usages). */
  async projectQuotas(projectId: string): Promise<Record<QuotaResource, QuotaValue>> {
    const [rows, defaults, usages] = await Promise.all([this.quotas.projectRows(projectId), this.defaults(), this.usages(projectId)]);
    return this.view(rows, defaults, usages);
  }

  /** get_user_quotas: the user's rows, then the project's, then the defaults (with the user's usage). */
  async userQuotas(projectId: string, userId: string): Promise<Record<QuotaResource, QuotaValue>> {
    const [project, user, defaults, usages] = await Promise.all([
      this.quotas.projectRows(projectId), this.quotas.userRows(projectId, userId), this.defaults(), this.usages(projectId, userId),
    ]);
    return this.view({ ...project, ...user }, defaults, usages);
  }

  /** get_settable_quotas: the range each limit may be set to (-1: no maximum). */
  async settable(projectId: string, userId?: string): Promise<Record<QuotaResource, { minimum: number; maximum: number }>> {
    const project = await this.projectQuotas(projectId);
    const remains = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, project[r].limit])) as Record<string, number>;
    for (const row of await this.quotas.allUserRows(projectId)) {
      // a plain subtraction, as nova's (an unlimited project stays at or below -1)
      if (row.resource in remains) remains[row.resource] = remains[row.resource]! - row.hard_limit;
    }
    const out = {} as Record<QuotaResource, { minimum: number; maximum: number }>;
    if (userId) {
      const [user, own] = await Promise.all([this.userQuotas(projectId, userId), this.quotas.userRows(projectId, userId)]);
      for (const r of QUOTA_RESOURCES) {
        const mine = own[r] ?? 0;
        out[r] = { minimum: user[r].in_use, maximum: remains[r]! <= -1 || mine <= -1 ? -1 : remains[r]! + mine };
      }
      return out;
    }
    for (const r of QUOTA_RESOURCES) {
      const given = project[r].limit <= -1 || remains[r]! <= -1 ? -1 : project[r].limit - remains[r]!;
      out[r] = { minimum: Math.max(given, project[r].in_use), maximum: -1 };
    }
    return out;
  }

  /**
   * The quota-sets update: every value checked against its settable range first (unless
   * `force`), then all written. @throws InvalidQuotaLimit with nova's message
   */
  async update(projectId: string, userId: string | null, values: Partial<Record<QuotaResource, number>>, force: boolean): Promise<void> {
    const settable = force ? undefined : await this.settable(projectId, userId ?? undefined);
    for (const [resource, limit] of Object.entries(values) as Array<[QuotaResource, number]>) {
      if (!settable) break;
      const { minimum, maximum } = settable[resource];
      if (inf(limit) < inf(minimum)) {
        throw new InvalidQuotaLimit(`Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${minimum}.`);
      }
      if (inf(limit) > inf(maximum)) throw new InvalidQuotaLimit(`Quota limit ${limit} for ${resource} must be less than or equal to ${maximum}.`);
    }
    for (const [resource, limit] of Object.entries(values) as Array<[QuotaResource, number]>) {
      // nova keeps its per-project resources (the nova-network ones) in project rows, whoever they are set for
      await this.quotas.setLimit(projectId, PER_PROJECT.includes(resource) ? null : userId, resource, limit);
    }
  }

  /** The quota-class-sets update (no range check, as nova). */
  async updateClass(className: string, values: Partial<Record<QuotaResource, number>>): Promise<void> {
    for (const [resource, limit] of Object.entries(values) as Array<[QuotaResource, number]>) await this.quotas.setClassLimit(className, resource, limit);
  }

  /** The quota-sets delete: back to the defaults. */
  destroy(projectId: string, userId: string | null): Promise<void> {
    return this.quotas.destroy(projectId, userId);
  }

  // --- checks --------------------------------------------------------------------------------

  /** count_as_dict for the scoped counted resources. */
  private async count(projectId: string, userId: string | null, keys: readonly ScopedCounted[]): Promise<{ project: Deltas; user?: Deltas }> {
    const project: Deltas = {};
    const user: Deltas = {};
    if (keys.some((k) => k !== 'server_groups')) {
      Object.assign(project, await this.instances.usage(projectId));
      if (userId) Object.assign(user, await this.instances.usage(projectId, userId));
    }
    if (keys.includes('server_groups')) {
      const groups = await this.quotas.countServerGroups(projectId, userId ?? undefined);
      project.server_groups = groups.project;
      if (userId) user.server_groups = groups.user;
    }
    return userId ? { project, user } : { project };
  }

  /**
   * Quotas.check_deltas + limit_check_project_and_user for the resources counted per project
   * (and per user when `userId`): usage + delta against the project's limits, then the user's.
   * `limitUserId` is whose limits bound an unscoped check (the caller's, as nova's context).
   */
  private async overDeltas(projectId: string, userId: string | null, limitUserId: string, deltas: Deltas, read?: { project: Limits; user: Limits }): Promise<Over | null> {
    const keys = Object.keys(deltas) as ScopedCounted[];
    const counts = await this.count(projectId, userId, keys);
    const [projectLimits, userLimits] = read ? [read.project, read.user] : await Promise.all([this.limits(projectId), this.limits(projectId, userId ?? limitUserId)]);
    const pick = (l: Limits): Over['quotas'] => Object.fromEntries(keys.map((k) => [k, l[k]]));
    if (!counts.user) {
      const merged = Object.fromEntries(keys.map((k) => [k, Math.min(projectLimits[k], userLimits[k])])) as Over['quotas'];
      const overs = keys.filter((k) => merged[k]! >= 0 && merged[k]! < (counts.project[k] ?? 0) + deltas[k]!).sort();
      return overs.length > 0 ? { overs, quotas: merged, usages: counts.project } : null;
    }
    let overUser = false;
    const overs: ScopedCounted[] = [];
    for (const k of keys) {
      if (projectLimits[k] >= 0 && projectLimits[k] < (counts.project[k] ?? 0) + deltas[k]!) overs.push(k);
      else if (userLimits[k] >= 0 && userLimits[k] < (counts.user[k] ?? 0) + deltas[k]!) {
        overs.push(k);
        overUser = true;
      }
    }
    return overs.length > 0 ? { overs: overs.sort(), quotas: pick(overUser ? userLimits : projectLimits), usages: counts.user } : null;
  }

  /**
   * The limits a server create is checked against (the project's and the user's) and whose
   * usage is counted: the user's own when they have per-user rows for instances, cores or ram,
   * otherwise the project's (null).
   */
  private async instanceLimits(projectId: string, userId: string): Promise<{ scope: string | null; limits: { project: Limits; user: Limits } }> {
    const { project, user, userRows } = await this.quotas.projectAndUserLimits(projectId, userId, this.conf);
    return { scope: COUNTED.some((r) => r in userRows) ? userId : null, limits: { project, user } };
  }

  /**
   * check_num_instances_quota: how many of min..max servers of `flavor` may be created now.
   * @throws TooManyInstances when not even `min` fit
   */
  async checkNumInstances(projectId: string, userId: string, flavor: Flavor, min: number, max: number): Promise<number> {
    const { scope, limits } = await this.instanceLimits(projectId, userId);
    const { vcpus, memory_mb: ram } = flavor.data;
    for (;;) {
      const deltas = { instances: max, cores: max * vcpus, ram: max * ram };
      const over = await this.overDeltas(projectId, scope, userId, deltas, limits);
      if (!over) return max;
      const headroom = headroomOf(over.quotas, over.usages, deltas);
      let allowed = headroom['instances'] ?? 1;
      if (vcpus) allowed = Math.min(allowed, Math.floor(headroom['cores']! / vcpus));
      if (ram) allowed = Math.min(allowed, Math.floor(headroom['ram']! / ram));
      if (allowed > 0 && min <= allowed && allowed <= max && allowed !== max) {
        max = allowed;
        continue;
      }
      const requested = { instances: min === max ? String(min) : `${min}-${max}`, cores: deltas.cores, ram: deltas.ram };
      throw tooMany(headroom, over.overs, over.quotas as Record<string, number>, requested);
    }
  }

  /** recheck_quota after the servers were recorded: usage must still be within the limits. */
  async recheck(projectId: string, userId: string, flavor: Flavor, requested: number): Promise<void> {
    const { scope, limits } = await this.instanceLimits(projectId, userId);
    const deltas = { instances: 0, cores: 0, ram: 0 };
    const over = await this.overDeltas(projectId, scope, userId, deltas, limits);
    if (!over) return;
    const asked = { instances: requested, cores: requested * flavor.data.vcpus, ram: requested * flavor.data.memory_mb };
    throw tooMany(deltas, over.overs, over.quotas as Record<string, number>, asked);
  }

  /**
   * _check_quota_for_upsize (resize, and revert of a downsize): the growth in cores and ram of
   * the instance's project and user. Zero or negative deltas pass without counting.
   * @throws TooManyInstances as nova reports it
   */
  async checkDeltas(_ctx: RequestContext, projectId: string, userId: string, deltas: { cores: number; ram: number }): Promise<void> {
    const wanted: Deltas = {};
    if (deltas.cores > 0) wanted.cores = deltas.cores;
    if (deltas.ram > 0) wanted.ram = deltas.ram;
    if (Object.keys(wanted).length === 0) return;
    const checked = { cores: wanted.cores ?? 0, ram: wanted.ram ?? 0 };
    const over = await this.overDeltas(projectId, userId, userId, checked);
    if (!over) return;
    throw tooMany(headroomOf(over.quotas, over.usages, wanted), over.overs, over.quotas as Record<string, number>, checked);
  }

  /** limit_check: values against both the project's and the user's limits; the resources over, sorted. */
  private async limitCheck(projectId: string, userId: string | undefined, values: Partial<Record<QuotaResource, number>>): Promise<{ overs: QuotaResource[]; quotas: Limits }> {
    const [quotas, user] = await Promise.all([this.limits(projectId), this.limits(projectId, userId)]);
    const overs = (Object.entries(values) as Array<[QuotaResource, number]>)
      .filter(([k, v]) => (quotas[k] >= 0 && quotas[k] < v) || (user[k] >= 0 && user[k] < v)).map(([k]) => k).sort();
    return { overs, quotas };
  }

  /**
   * _check_metadata_properties_quota: against the project's limit, and the user's when given.
   * @throws MetadataLimitExceeded
   */
  async checkMetadata(projectId: string, items: number, userId?: string): Promise<void> {
    if (items === 0) return;
    const { overs, quotas } = await this.limitCheck(projectId, userId, { metadata_items: items });
    if (overs.length > 0) throw new MetadataLimitExceeded(quotas.metadata_items);
  }

  /** _check_injected_file_quota: the number of files, then the longest path and content. */
  async checkInjectedFiles(projectId: string, userId: string, files: ReadonlyArray<readonly [string, string]>): Promise<void> {
    if (files.length === 0) return;
    if ((await this.limitCheck(projectId, userId, { injected_files: files.length })).overs.length > 0) throw new OnsetFileLimitExceeded();
    const path = Math.max(...files.map(([p]) => p.length));
    const content = Math.max(...files.map(([, c]) => c.length));
    const { overs, quotas } = await this.limitCheck(projectId, userId, { injected_file_path_bytes: path, injected_file_content_bytes: content });
    if (overs.includes('injected_file_path_bytes')) throw new OnsetFilePathLimitExceeded(quotas.injected_file_path_bytes);
    if (overs.length > 0) throw new OnsetFileContentLimitExceeded(quotas.injected_file_content_bytes);
  }

  /** Limits of a resource counted per user only: the smaller of the project's and the user's. */
  private async userOnlyLimit(projectId: string, userId: string, resource: QuotaResource): Promise<number> {
    const [p, u] = await Promise.all([this.limits(projectId), this.limits(projectId, userId)]);
    return Math.min(p[resource], u[resource]);
  }

  /** Server group create: the project's and the user's groups + `adding`. @throws ServerGroupLimitExceeded */
  async checkServerGroups(projectId: string, userId: string, adding: number): Promise<void> {
    if (await this.overDeltas(projectId, userId, userId, { server_groups: adding })) throw new ServerGroupLimitExceeded();
  }

  /** A boot into a group: the user's live members of it + `adding`. @throws GroupMemberLimitExceeded */
  async checkGroupMembers(projectId: string, userId: string, group: InstanceGroup, adding: number): Promise<void> {
    const limit = await this.userOnlyLimit(projectId, userId, 'server_group_members');
    if (limit >= 0 && (await this.quotas.countGroupMembersByUser(group.data.id, userId)) + adding > limit) throw new GroupMemberLimitExceeded();
  }
}
