/**
 * The listing of role assignments (keystone/assignment/core.py list_role_assignments and its
 * helpers): direct grants as the driver stores them, or effective ones (groups expanded to
 * their members, inherited grants expanded down the tree, implied roles added, domain-specific
 * roles stripped), optionally with the names of everything they mention.
 */
import type { IdentityManager } from '../identity/core.js';
import type { ResourceManager } from '../resource/core.js';
import type { DomainRecord, ProjectRecord } from '../resource/backends/base.js';
import type { AssignmentDriver, AssignmentRef } from './backends/base.js';
import type { RoleManager } from './roles.js';

export interface ListAssignmentsParams {
  roleId?: string;
  userId?: string;
  groupId?: string;
  /** 'all' lists system assignments only. */
  system?: string;
  domainId?: string;
  projectId?: string;
  includeSubtree?: boolean;
  /** true: only inherited; false: only direct; undefined: both. */
  inherited?: boolean;
  effective?: boolean;
  includeNames?: boolean;
  /** Internal: assignments sourced from these groups, not expanded to members. */
  sourceFromGroupIds?: string[];
  stripDomainRoles?: boolean;
}

export interface AssignmentListingDeps {
  identity: IdentityManager;
  resource: ResourceManager;
  roles: RoleManager;
}

const clone = <T>(v: T): T => structuredClone(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class AssignmentListing {
  constructor(private readonly driver: AssignmentDriver, private readonly m: AssignmentListingDeps) {}

  /** list_role_assignments with upstream's semantics. */
  async list(p: ListAssignmentsParams = {}): Promise<AssignmentRef[]> {
    if (p.userId && p.sourceFromGroupIds) throw new Error('Cannot list assignments sourced from groups and filtered by user ID.');
    const subtreeIds = p.projectId && p.includeSubtree ? (await this.m.resource.listProjectsInSubtree(p.projectId)).map((x) => x.id) : undefined;
    const refs = p.effective ? await this.listEffective(p, subtreeIds) : await this.listDirect(p, subtreeIds);
    return p.includeNames ? this.withNames(refs) : refs;
  }

  /** Assignments for an actor that affect the target (list_role_assignments_for_actor). */
  private async forActor(inherited: boolean | undefined, a: { userId?: string; groupIds?: string[]; projectId?: string; subtreeIds?: string[]; domainId?: string }): Promise<AssignmentRef[]> {
    const interest = a.projectId ? [...(a.subtreeIds ?? []), a.projectId] : undefined;
    let direct: AssignmentRef[] = [];
    if (inherited !== true) {
      direct = await this.driver.listRoleAssignments({
        ...(a.userId ? { userId: a.userId } : {}), ...(a.groupIds ? { groupIds: a.groupIds } : {}),
        ...(a.domainId ? { domainId: a.domainId } : {}), ...(interest ? { projectIds: interest } : {}), inherited: false,
      });
    }
    let inh: AssignmentRef[] = [];
    if (inherited !== false) {
      const actor = { ...(a.userId ? { userId: a.userId } : {}), ...(a.groupIds ? { groupIds: a.groupIds } : {}) };
      if (a.projectId) {
        const project = await this.m.resource.getProject(a.projectId);
        if (project.domain_id) inh.push(...await this.driver.listRoleAssignments({ ...actor, domainId: project.domain_id, inherited: true }));
        const sources = (await this.m.resource.listProjectParents(a.projectId)).map((p) => p.id);
        if (a.subtreeIds && a.subtreeIds.length > 0) sources.push(...interest!);
        if (sources.length > 0) inh.push(...await this.driver.listRoleAssignments({ ...actor, projectIds: sources, inherited: true }));
      } else {
        inh = await this.driver.listRoleAssignments({ ...actor, inherited: true });
      }
    }
    return [...direct, ...inh];
  }

  private async expandGroup(ref: AssignmentRef, userId: string | undefined): Promise<AssignmentRef[]> {
    const make = (uid: string): AssignmentRef => {
      const r = clone(ref);
      r.user_id = uid;
      r.indirect = { ...(r.indirect ?? {}), group_id: r.group_id! };
      delete r.group_id;
      return r;
    };
    if (userId) return [make(userId)];
    return (await this.m.identity.listUserIdsInGroup(ref.group_id!)).map(make);
  }

  private async expandIndirect(ref: AssignmentRef, userId: string | undefined, projectId: string | undefined, subtreeIds: string[] | undefined, expandGroups: boolean): Promise<AssignmentRef[]> {
    if (ref.inherited_to_projects === 'projects') {
      let projectIds: string[];
      if (projectId) {
        projectIds = [projectId];
        if (subtreeIds) {
          projectIds.push(...subtreeIds);
          if (ref.project_id && projectIds.includes(ref.project_id)) {
            projectIds = (await this.m.resource.listProjectsInSubtree(ref.project_id)).map((p) => p.id);
          }
        }
      } else if (ref.domain_id) {
        projectIds = (await this.m.resource.listProjectsInDomain(ref.domain_id)).map((p) => p.id);
      } else {
        projectIds = (await this.m.resource.listProjectsInSubtree(ref.project_id!)).map((p) => p.id);
      }
      const inheritTo = (base: AssignmentRef, pid: string): AssignmentRef => {
        const r = clone(base);
        r.indirect = { ...(r.indirect ?? {}) };
        if (r.project_id) r.indirect.project_id = r.project_id;
        else r.indirect.domain_id = r.domain_id!;
        delete r.domain_id;
        r.project_id = pid;
        delete r.inherited_to_projects;
        return r;
      };
      const bases = ref.group_id && expandGroups ? await this.expandGroup(ref, userId) : [ref];
      return bases.flatMap((b) => projectIds.map((pid) => inheritTo(b, pid)));
    }
    if (ref.group_id && expandGroups) return this.expandGroup(ref, userId);
    return [ref];
  }

  /** add_implied_roles: a copy of each assignment for every role its role implies. */
  async addImpliedRoles(refs: AssignmentRef[]): Promise<AssignmentRef[]> {
    const rules = await this.m.roles.listRoleInferenceRules();
    const implies = new Map<string, string[]>();
    for (const r of rules) implies.set(r.prior_role_id, [...(implies.get(r.prior_role_id) ?? []), r.implied_role_id]);
    const results = [...refs];
    const toCheck = [...refs];
    const checked: AssignmentRef[] = [];
    while (toCheck.length > 0) {
      const next = toCheck.pop()!;
      checked.push(next);
      for (const impliedId of implies.get(next.role_id) ?? []) {
        const copy = clone(next);
        copy.role_id = impliedId;
        copy.indirect = { ...(copy.indirect ?? {}), role_id: next.role_id };
        if (checked.some((c) => same(c, copy))) continue;
        results.push(copy);
        toCheck.push(copy);
      }
    }
    return results;
  }

  private async listEffective(p: ListAssignmentsParams, subtreeIds: string[] | undefined): Promise<AssignmentRef[]> {
    if (p.groupId || (p.domainId && p.inherited)) return [];
    const inherited = p.domainId ? false : p.inherited;
    const direct = await this.forActor(inherited, {
      ...(p.userId ? { userId: p.userId } : {}), ...(p.sourceFromGroupIds ? { groupIds: p.sourceFromGroupIds } : {}),
      ...(p.projectId ? { projectId: p.projectId } : {}), ...(subtreeIds ? { subtreeIds } : {}), ...(p.domainId ? { domainId: p.domainId } : {}),
    });
    let groupRefs: AssignmentRef[] = [];
    if (!p.sourceFromGroupIds && p.userId) {
      const groupIds = await this.m.identity.groupIdsForUser(p.userId);
      if (groupIds.length > 0) {
        groupRefs = await this.forActor(inherited, {
          groupIds, ...(p.projectId ? { projectId: p.projectId } : {}), ...(subtreeIds ? { subtreeIds } : {}),
          ...(p.domainId ? { domainId: p.domainId } : {}),
        });
      }
    }
    const expandGroups = p.sourceFromGroupIds === undefined;
    let refs: AssignmentRef[] = [];
    for (const ref of [...direct, ...groupRefs]) refs.push(...await this.expandIndirect(ref, p.userId, p.projectId, subtreeIds, expandGroups));
    refs = await this.addImpliedRoles(refs);
    if (p.stripDomainRoles !== false) {
      const roles = new Map((await this.m.roles.listRolesFromIds(refs.map((r) => r.role_id))).map((r) => [r.id, r]));
      refs = refs.filter((r) => roles.get(r.role_id)?.domain_id === null);
    }
    if (p.roleId) refs = refs.filter((r) => r.role_id === p.roleId);
    return refs;
  }

  private async listDirect(p: ListAssignmentsParams, subtreeIds: string[] | undefined): Promise<AssignmentRef[]> {
    const system = p.system === 'all';
    let refs: AssignmentRef[] = [];
    if (!system) {
      const interest = p.projectId ? [...(subtreeIds ?? []), p.projectId] : undefined;
      refs = await this.driver.listRoleAssignments({
        ...(p.roleId ? { roleId: p.roleId } : {}), ...(p.userId ? { userId: p.userId } : {}),
        ...(p.groupId ? { groupIds: [p.groupId] } : {}), ...(p.domainId ? { domainId: p.domainId } : {}),
        ...(interest ? { projectIds: interest } : {}), ...(p.inherited !== undefined ? { inherited: p.inherited } : {}),
      });
    }
    if (system || (!p.projectId && !p.domainId)) {
      refs.push(...await this.driver.listSystemAssignments({
        ...(p.userId ? { userId: p.userId } : p.groupId ? { groupId: p.groupId } : {}), ...(p.roleId ? { roleId: p.roleId } : {}),
      }));
    }
    return refs;
  }

  /** _get_names_from_role_assignments. */
  private async withNames(refs: AssignmentRef[]): Promise<AssignmentRef[]> {
    const domains = new Map<string, DomainRecord | undefined>();
    const domainName = async (id: string): Promise<string> => {
      if (!domains.has(id)) domains.set(id, await this.m.resource.findDomain(id));
      return domains.get(id)?.name ?? '';
    };
    const projects = new Map<string, ProjectRecord | undefined>();
    const out: AssignmentRef[] = [];
    for (const ref of refs) {
      const n = clone(ref);
      if (ref.domain_id) n.domain_name = await domainName(ref.domain_id);
      if (ref.user_id) {
        const u = await this.m.identity.findUser(ref.user_id);
        n.user_name = u?.name ?? '';
        n.user_domain_id = u?.domain_id ?? '';
        n.user_domain_name = u ? await domainName(u.domain_id) : '';
      }
      if (ref.group_id) {
        const g = await this.m.identity.findGroup(ref.group_id);
        n.group_name = g?.name ?? '';
        n.group_domain_id = g?.domain_id ?? '';
        n.group_domain_name = g ? await domainName(g.domain_id) : '';
      }
      if (ref.project_id) {
        if (!projects.has(ref.project_id)) projects.set(ref.project_id, await this.m.resource.findProject(ref.project_id));
        const pr = projects.get(ref.project_id);
        n.project_name = pr?.name ?? '';
        n.project_domain_id = pr?.domain_id ?? '';
        n.project_domain_name = pr?.domain_id ? await domainName(pr.domain_id) : '';
      }
      const role = await this.m.roles.findRole(ref.role_id);
      n.role_name = role?.name ?? '';
      if (role?.domain_id) {
        n.role_domain_id = role.domain_id;
        n.role_domain_name = await domainName(role.domain_id);
      }
      out.push(n);
    }
    return out;
  }
}
