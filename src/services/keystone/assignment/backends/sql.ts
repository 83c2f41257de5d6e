/**
 * The SQL assignment driver (keystone/assignment/backends/sql.py): project and domain grants in
 * `assignment` (typed UserProject, GroupProject, UserDomain, GroupDomain), system grants in
 * `system_assignment`.
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../../../common/db/index.js';
import { type AssignmentType, b01, type KeystoneDB, SYSTEM_TARGET } from '../../db/schema.js';
import { bool } from '../../db/rows.js';
import type { AssignmentDriver, AssignmentRef, GrantQuery, GrantTarget, SystemActor, SystemGrantQuery } from './base.js';

function assignmentType(g: GrantTarget): AssignmentType {
  if (g.userId) return g.projectId ? 'UserProject' : 'UserDomain';
  return g.projectId ? 'GroupProject' : 'GroupDomain';
}

const actorOf = (a: SystemActor): string => (a.userId ?? a.groupId)!;

export class SqlAssignmentDriver implements AssignmentDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async createGrant(g: GrantTarget): Promise<void> {
    try {
      await this.db.insertInto('assignment').values({
        type: assignmentType(g), actor_id: (g.userId ?? g.groupId)!, target_id: (g.projectId ?? g.domainId)!,
        role_id: g.roleId, inherited: g.inherited ?? false,
      }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
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

  async checkGrant(g: GrantTarget): Promise<boolean> {
    return (await this.db.selectFrom('assignment').select('role_id').where(this.grantQuery(g)).executeTakeFirst()) !== undefined;
  }

  async listGrantRoleIds(g: Omit<GrantTarget, 'roleId'>): Promise<string[]> {
    const rows = await this.db.selectFrom('assignment').select('role_id')
      .where('actor_id', '=', (g.userId ?? g.groupId)!).where('target_id', '=', (g.projectId ?? g.domainId)!)
      .where('inherited', '=', b01(g.inherited ?? false)).execute();
    return rows.map((r) => r.role_id);
  }

  async deleteGrant(g: GrantTarget): Promise<boolean> {
    const res = await this.db.deleteFrom('assignment').where(this.grantQuery(g)).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async listRoleAssignments(q: GrantQuery): Promise<AssignmentRef[]> {
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

  async createSystemGrant(actor: SystemActor, roleId: string): Promise<void> {
    try {
      await this.db.insertInto('system_assignment').values({
        type: actor.userId ? 'UserSystem' : 'GroupSystem', actor_id: actorOf(actor), target_id: SYSTEM_TARGET, role_id: roleId, inherited: false,
      }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async checkSystemGrant(actor: SystemActor, roleId: string): Promise<boolean> {
    const row = await this.db.selectFrom('system_assignment').select('role_id')
      .where('actor_id', '=', actorOf(actor)).where('role_id', '=', roleId).where('target_id', '=', SYSTEM_TARGET).executeTakeFirst();
    return row !== undefined;
  }

  async listSystemGrantRoleIds(actor: SystemActor): Promise<string[]> {
    const rows = await this.db.selectFrom('system_assignment').select('role_id')
      .where('actor_id', '=', actorOf(actor)).where('type', '=', actor.userId ? 'UserSystem' : 'GroupSystem').execute();
    return rows.map((r) => r.role_id);
  }

  async deleteSystemGrant(actor: SystemActor, roleId: string): Promise<boolean> {
    const res = await this.db.deleteFrom('system_assignment')
      .where('actor_id', '=', actorOf(actor)).where('role_id', '=', roleId).where('target_id', '=', SYSTEM_TARGET).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async listSystemAssignments(q: SystemGrantQuery): Promise<AssignmentRef[]> {
    if (q.actorIds && q.actorIds.length === 0) return [];
    let query = this.db.selectFrom('system_assignment').selectAll().where('target_id', '=', SYSTEM_TARGET);
    if (q.userId) query = query.where('actor_id', '=', q.userId).where('type', '=', 'UserSystem');
    else if (q.groupId) query = query.where('actor_id', '=', q.groupId).where('type', '=', 'GroupSystem');
    if (q.actorIds) query = query.where('actor_id', 'in', q.actorIds);
    if (q.roleId) query = query.where('role_id', '=', q.roleId);
    const rows = await query.orderBy('actor_id').orderBy('role_id').execute();
    return rows.map((r) => ({ ...(r.type === 'UserSystem' ? { user_id: r.actor_id } : { group_id: r.actor_id }), role_id: r.role_id, system: { all: true } }));
  }

  async hasAssignments(actorId: string): Promise<boolean> {
    const a = await this.db.selectFrom('assignment').select('role_id').where('actor_id', '=', actorId).executeTakeFirst();
    if (a) return true;
    const s = await this.db.selectFrom('system_assignment').select('role_id').where('actor_id', '=', actorId).executeTakeFirst();
    return s !== undefined;
  }

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
