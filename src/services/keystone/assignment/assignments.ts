/**
 * Role assignments (keystone/assignment/core.py Manager and backends/sql.py): grants of a role
 * to a user or group on a project, a domain (optionally inherited to the projects below) or
 * the system, and the listing of assignments, direct or effective (groups expanded to their
 * members, inherited grants expanded down the tree, implied roles added, domain-specific roles
 * stripped).
 */
import { isUniqueViolation } from '../../../common/db/index.js';
import { DomainSpecificRoleMismatch, RoleAssignmentNotFound, ValidationError } from '../errors.js';
import { type AssignmentType, b01, SYSTEM_TARGET } from '../db/schema.js';
import { bool } from '../db/rows.js';
import type { ManagerContext } from '../manager-context.js';
import type { DomainRecord, ProjectRecord } from '../resource/resource.js';
import type { RoleRecord } from './roles.js';

/** One assignment, in upstream's internal dict form. */
export interface AssignmentRef {
  user_id?: string;
  group_id?: string;
  project_id?: string;
  domain_id?: string;
  system?: { all: true };
  role_id: string;
  inherited_to_projects?: 'projects';
  indirect?: { group_id?: string; project_id?: string; domain_id?: string; role_id?: string };
  [name: string]: unknown;
}

export interface GrantTarget {
  roleId: string;
  userId?: string;
  groupId?: string;
  domainId?: string;
  projectId?: string;
  inherited?: boolean;
}

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

interface DriverQuery {
  roleId?: string;
  userId?: string;
  groupIds?: string[];
  domainId?: string;
  projectIds?: string[];
  inherited?: boolean;
}

function assignmentType(g: GrantTarget): AssignmentType {
  if (g.userId) return g.projectId ? 'UserProject' : 'UserDomain';
  return g.projectId ? 'GroupProject' : 'GroupDomain';
}

const clone = <T>(v: T): T => structuredClone(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class AssignmentManager {
  constructor(private readonly ctx: ManagerContext) {}

  private get db() { return this.ctx.db; }
  private get m() { return this.ctx.managers; }

  private async checkActor(g: GrantTarget): Promise<void> {
    if (g.userId) await this.m.users.getUser(g.userId);
    else if (g.groupId) await this.m.groups.getGroup(g.groupId);
  }

  /** PUT .../roles/{role_id}: silent when the grant exists. */
  async createGrant(g: GrantTarget): Promise<void> {
    const role = await this.m.roles.getRole(g.roleId);
    await this.checkActor(g);
    if (g.domainId) await this.m.resource.getDomain(g.domainId);
    if (g.projectId) {
      const project = await this.m.resource.getProject(g.projectId);
      if (role.domain_id && project.domain_id !== role.domain_id) throw new DomainSpecificRoleMismatch(g.roleId, g.projectId);
    }
    try {
      await this.db.insertInto('assignment').values({
        type: assignmentType(g), actor_id: (g.userId ?? g.groupId)!, target_id: (g.projectId ?? g.domainId)!,
        role_id: g.roleId, inherited: g.inherited ?? false,
      }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    this.ctx.audit.roleAssignment('created', { ...g, inherited: g.inherited ?? false });
  }

  private grantQuery(g: GrantTarget) {
    const types: AssignmentType[] = g.domainId ? ['UserDomain', 'GroupDomain'] : ['UserProject', 'GroupProject'];
    return (eb: any) => eb.and([
      eb('actor_id', '=', (g.userId ?? g.groupId)!),
      eb('target_id', '=', (g.domainId ?? g.projectId)!),
      eb('type', 'in', types),
      eb('role_id', '=', g.roleId),
      eb('inherited', '=', b01(g.inherited ?? false)),
    ]);
  }

  /** HEAD/GET .../roles/{role_id}: the role, or RoleAssignmentNotFound. */
  async getGrant(g: GrantTarget): Promise<RoleRecord> {
    const role = await this.m.roles.getRole(g.roleId);
    await this.checkActor(g);
    if (g.domainId) await this.m.resource.getDomain(g.domainId);
    if (g.projectId) await this.m.resource.getProject(g.projectId);
    const row = await this.db.selectFrom('assignment').select('role_id').where(this.grantQuery(g)).executeTakeFirst();
    if (!row) throw new RoleAssignmentNotFound(g.roleId, (g.userId ?? g.groupId)!, (g.domainId ?? g.projectId)!);
    return role;
  }

  /** GET .../roles: roles granted to the actor on the target. */
  async listGrants(g: Omit<GrantTarget, 'roleId'>): Promise<RoleRecord[]> {
    await this.checkActor({ ...g, roleId: '' });
    if (g.domainId) await this.m.resource.getDomain(g.domainId);
    if (g.projectId) await this.m.resource.getProject(g.projectId);
    const rows = await this.db.selectFrom('assignment').select('role_id')
      .where('actor_id', '=', (g.userId ?? g.groupId)!).where('target_id', '=', (g.projectId ?? g.domainId)!)
      .where('inherited', '=', b01(g.inherited ?? false)).execute();
    return this.m.roles.listRolesFromIds(rows.map((r) => r.role_id));
  }

  /** DELETE .../roles/{role_id}; revokes the tokens that carried the role. */
  async deleteGrant(g: GrantTarget): Promise<void> {
    await this.m.roles.getRole(g.roleId);
    if (g.domainId) await this.m.resource.getDomain(g.domainId);
    if (g.projectId) await this.m.resource.getProject(g.projectId);
    const res = await this.db.deleteFrom('assignment').where(this.grantQuery(g)).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw new RoleAssignmentNotFound(g.roleId, (g.userId ?? g.groupId)!, (g.domainId ?? g.projectId)!);
    }
    this.ctx.audit.roleAssignment('deleted', { ...g, inherited: g.inherited ?? false });
    await this.ctx.events.emit('assignment.removed', {
      ...(g.userId ? { userId: g.userId } : { groupId: g.groupId! }),
      ...(g.projectId ? { projectId: g.projectId } : { domainId: g.domainId! }),
      roleId: g.roleId,
    });
  }

  /** System grants (/v3/system/users|groups/{id}/roles/{role_id}). */
  async createSystemGrant(actor: { userId?: string; groupId?: string }, roleId: string): Promise<void> {
    const role = await this.m.roles.getRole(roleId);
    if (actor.userId) await this.m.users.getUser(actor.userId);
    else await this.m.groups.getGroup(actor.groupId!);
    if (role.domain_id) {
      throw new ValidationError(`Role ${roleId} is a domain-specific role. Unable to use a domain-specific role in a system assignment.`);
    }
    try {
      await this.db.insertInto('system_assignment').values({
        type: actor.userId ? 'UserSystem' : 'GroupSystem', actor_id: (actor.userId ?? actor.groupId)!, target_id: SYSTEM_TARGET,
        role_id: roleId, inherited: false,
      }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async checkSystemGrant(actor: { userId?: string; groupId?: string }, roleId: string): Promise<RoleRecord> {
    const role = await this.m.roles.getRole(roleId);
    const row = await this.db.selectFrom('system_assignment').select('role_id')
      .where('actor_id', '=', (actor.userId ?? actor.groupId)!).where('role_id', '=', roleId).where('target_id', '=', SYSTEM_TARGET)
      .executeTakeFirst();
    if (!row) throw new RoleAssignmentNotFound(roleId, (actor.userId ?? actor.groupId)!, SYSTEM_TARGET);
    return role;
  }

  async listSystemGrants(actor: { userId?: string; groupId?: string }): Promise<RoleRecord[]> {
    const rows = await this.db.selectFrom('system_assignment').select('role_id')
      .where('actor_id', '=', (actor.userId ?? actor.groupId)!).where('type', '=', actor.userId ? 'UserSystem' : 'GroupSystem').execute();
    return this.m.roles.listRolesFromIds(rows.map((r) => r.role_id));
  }

  async deleteSystemGrant(actor: { userId?: string; groupId?: string }, roleId: string): Promise<void> {
    await this.m.roles.getRole(roleId);
    const res = await this.db.deleteFrom('system_assignment')
      .where('actor_id', '=', (actor.userId ?? actor.groupId)!).where('role_id', '=', roleId).where('target_id', '=', SYSTEM_TARGET)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new RoleAssignmentNotFound(roleId, (actor.userId ?? actor.groupId)!, SYSTEM_TARGET);
    await this.ctx.events.emit('assignment.removed', {
      ...(actor.userId ? { userId: actor.userId } : { groupId: actor.groupId! }), system: true, roleId,
    });
  }

  /** The driver's list_role_assignments over project and domain grants. */
  private async listDriver(q: DriverQuery): Promise<AssignmentRef[]> {
    let types: AssignmentType[] | undefined;
    const actorTypes: AssignmentType[] | undefined = q.userId ? ['UserProject', 'UserDomain'] : q.groupIds ? ['GroupProject', 'GroupDomain'] : undefined;
    const targetTypes: AssignmentType[] | undefined = q.projectIds ? ['UserProject', 'GroupProject'] : q.domainId ? ['UserDomain', 'GroupDomain'] : undefined;
    if (actorTypes && targetTypes) types = actorTypes.filter((t) => targetTypes.includes(t));
    else types = actorTypes ?? targetTypes;
    const actors = q.groupIds ?? (q.userId ? [q.userId] : undefined);
    const targets = q.projectIds ?? (q.domainId ? [q.domainId] : undefined);
    if ((actors && actors.length === 0) || (targets && targets.length === 0)) return [];
    let query = this.db.selectFrom('assignment').selectAll();
    if (q.roleId) query = query.where('role_id', '=', q.roleId);
    if (actors) query = query.where('actor_id', 'in', actors);
    if (targets) query = query.where('target_id', 'in', targets);
    if (types) query = query.where('type', 'in', types);
    if (q.inherited !== undefined) query = query.where('inherited', '=', b01(q.inherited));
    const rows = await query.orderBy('actor_id').orderBy('target_id').orderBy('role_id').execute();
    return rows.map((r) => {
      const ref: AssignmentRef = { role_id: r.role_id };
      if (r.type === 'UserProject' || r.type === 'UserDomain') ref.user_id = r.actor_id;
      else ref.group_id = r.actor_id;
      if (r.type === 'UserProject' || r.type === 'GroupProject') ref.project_id = r.target_id;
      else ref.domain_id = r.target_id;
      if (bool(r.inherited)) ref.inherited_to_projects = 'projects';
      return ref;
    });
  }

  /** Assignments for an actor that affect the target (list_role_assignments_for_actor). */
  private async forActor(inherited: boolean | undefined, a: { userId?: string; groupIds?: string[]; projectId?: string; subtreeIds?: string[]; domainId?: string }): Promise<AssignmentRef[]> {
    const interest = a.projectId ? [...(a.subtreeIds ?? []), a.projectId] : undefined;
    let direct: AssignmentRef[] = [];
    if (inherited !== true) {
      direct = await this.listDriver({
        ...(a.userId ? { userId: a.userId } : {}), ...(a.groupIds ? { groupIds: a.groupIds } : {}),
        ...(a.domainId ? { domainId: a.domainId } : {}), ...(interest ? { projectIds: interest } : {}), inherited: false,
      });
    }
    let inh: AssignmentRef[] = [];
    if (inherited !== false) {
      const actor = { ...(a.userId ? { userId: a.userId } : {}), ...(a.groupIds ? { groupIds: a.groupIds } : {}) };
      if (a.projectId) {
        const project = await this.m.resource.getProject(a.projectId);
        if (project.domain_id) inh.push(...await this.listDriver({ ...actor, domainId: project.domain_id, inherited: true }));
        const sources = (await this.m.resource.listProjectParents(a.projectId)).map((p) => p.id);
        if (a.subtreeIds && a.subtreeIds.length > 0) sources.push(...interest!);
        if (sources.length > 0) inh.push(...await this.listDriver({ ...actor, projectIds: sources, inherited: true }));
      } else {
        inh = await this.listDriver({ ...actor, inherited: true });
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
    const members = await this.db.selectFrom('user_group_membership').select('user_id').where('group_id', '=', ref.group_id!).orderBy('user_id').execute();
    return members.map((m) => make(m.user_id));
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
      const groupIds = await this.m.groups.groupIdsForUser(p.userId);
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
      refs = await this.listDriver({
        ...(p.roleId ? { roleId: p.roleId } : {}), ...(p.userId ? { userId: p.userId } : {}),
        ...(p.groupId ? { groupIds: [p.groupId] } : {}), ...(p.domainId ? { domainId: p.domainId } : {}),
        ...(interest ? { projectIds: interest } : {}), ...(p.inherited !== undefined ? { inherited: p.inherited } : {}),
      });
    }
    if (system || (!p.projectId && !p.domainId)) {
      let q = this.db.selectFrom('system_assignment').selectAll().where('target_id', '=', SYSTEM_TARGET);
      if (p.userId) q = q.where('actor_id', '=', p.userId).where('type', '=', 'UserSystem');
      else if (p.groupId) q = q.where('actor_id', '=', p.groupId).where('type', '=', 'GroupSystem');
      if (p.roleId) q = q.where('role_id', '=', p.roleId);
      for (const r of await q.orderBy('actor_id').orderBy('role_id').execute()) {
        refs.push({ ...(r.type === 'UserSystem' ? { user_id: r.actor_id } : { group_id: r.actor_id }), role_id: r.role_id, system: { all: true } });
      }
    }
    return refs;
  }

  /** list_role_assignments with upstream's semantics. */
  async listRoleAssignments(p: ListAssignmentsParams = {}): Promise<AssignmentRef[]> {
    if (p.userId && p.sourceFromGroupIds) throw new Error('Cannot list assignments sourced from groups and filtered by user ID.');
    const subtreeIds = p.projectId && p.includeSubtree ? (await this.m.resource.listProjectsInSubtree(p.projectId)).map((x) => x.id) : undefined;
    const refs = p.effective ? await this.listEffective(p, subtreeIds) : await this.listDirect(p, subtreeIds);
    return p.includeNames ? this.withNames(refs) : refs;
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
        const u = await this.m.users.findUser(ref.user_id);
        n.user_name = u?.name ?? '';
        n.user_domain_id = u?.domain_id ?? '';
        n.user_domain_name = u ? await domainName(u.domain_id) : '';
      }
      if (ref.group_id) {
        const g = await this.m.groups.findGroup(ref.group_id);
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

  /** Effective role ids of a user on a project (get_roles_for_user_and_project). */
  async roleIdsForUserAndProject(userId: string, projectId: string, opts: { stripDomainRoles?: boolean } = {}): Promise<string[]> {
    await this.m.resource.getProject(projectId);
    const refs = await this.listRoleAssignments({ userId, projectId, effective: true, ...(opts.stripDomainRoles === false ? { stripDomainRoles: false } : {}) });
    return [...new Set(refs.map((r) => r.role_id))];
  }

  async roleIdsForUserAndDomain(userId: string, domainId: string): Promise<string[]> {
    await this.m.resource.getDomain(domainId);
    const refs = await this.listRoleAssignments({ userId, domainId, effective: true });
    return [...new Set(refs.map((r) => r.role_id))];
  }

  /** System roles of a user: direct, through groups, plus implied roles. */
  async roleIdsForUserOnSystem(userId: string): Promise<string[]> {
    const groupIds = await this.m.groups.groupIdsForUser(userId);
    const rows = await this.db.selectFrom('system_assignment').select(['role_id', 'actor_id'])
      .where('target_id', '=', SYSTEM_TARGET).where('actor_id', 'in', [userId, ...groupIds]).execute();
    const refs = await this.addImpliedRoles(rows.map((r) => ({ role_id: r.role_id })));
    return [...new Set(refs.map((r) => r.role_id))];
  }

  async listProjectsForUser(userId: string): Promise<ProjectRecord[]> {
    const refs = await this.listRoleAssignments({ userId, effective: true });
    return this.m.resource.listProjectsFromIds([...new Set(refs.flatMap((r) => (r.project_id ? [r.project_id] : [])))]);
  }

  async listDomainsForUser(userId: string): Promise<DomainRecord[]> {
    const refs = await this.listRoleAssignments({ userId, effective: true });
    return this.m.resource.listDomainsFromIds([...new Set(refs.flatMap((r) => (r.domain_id ? [r.domain_id] : [])))]);
  }

  /** Whether a user or group has any grant (deciding revocation on group deletion). */
  async actorHasAssignments(actorId: string): Promise<boolean> {
    const a = await this.db.selectFrom('assignment').select('role_id').where('actor_id', '=', actorId).executeTakeFirst();
    if (a) return true;
    const s = await this.db.selectFrom('system_assignment').select('role_id').where('actor_id', '=', actorId).executeTakeFirst();
    return s !== undefined;
  }

  /** Clean-ups when things are deleted. */
  async deleteProjectAssignments(projectId: string): Promise<void> {
    await this.db.deleteFrom('assignment').where('target_id', '=', projectId).where('type', 'in', ['UserProject', 'GroupProject']).execute();
  }

  async deleteDomainAssignments(domainId: string): Promise<void> {
    await this.db.deleteFrom('assignment').where('target_id', '=', domainId).where('type', 'in', ['UserDomain', 'GroupDomain']).execute();
  }

  async deleteUserAssignments(userId: string): Promise<void> {
    await this.db.deleteFrom('assignment').where('actor_id', '=', userId).where('type', 'in', ['UserProject', 'UserDomain']).execute();
    await this.db.deleteFrom('system_assignment').where('actor_id', '=', userId).where('type', '=', 'UserSystem').execute();
  }

  async deleteGroupAssignments(groupId: string): Promise<void> {
    await this.db.deleteFrom('assignment').where('actor_id', '=', groupId).where('type', 'in', ['GroupProject', 'GroupDomain']).execute();
    await this.db.deleteFrom('system_assignment').where('actor_id', '=', groupId).where('type', '=', 'GroupSystem').execute();
  }

  async deleteRoleAssignments(roleId: string): Promise<void> {
    await this.db.deleteFrom('assignment').where('role_id', '=', roleId).execute();
    await this.db.deleteFrom('system_assignment').where('role_id', '=', roleId).execute();
  }
}
