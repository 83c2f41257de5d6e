/** Groups and group membership (keystone/identity/core.py, backends/sql.py). */
import { isUniqueViolation } from '../../../common/db/index.js';
import { NotFound } from '../../../common/errors.js';
import { checkLength, duplicateEntry, GroupNotFound, KeystoneConflict, ValidationError } from '../errors.js';
import type { GroupRow } from '../db/schema.js';
import { jsonText, newId, parseJsonObject } from '../db/rows.js';
import { applyHints, Hints } from '../lib/hints.js';
import type { ManagerContext } from '../manager-context.js';

export interface GroupRecord {
  id: string;
  name: string;
  domain_id: string;
  description: string;
  [extra: string]: unknown;
}

const GROUP_ATTRS = new Set(['id', 'name', 'domain_id', 'description']);

function toRecord(row: GroupRow): GroupRecord {
  return { ...parseJsonObject(row.extra), id: row.id, name: row.name, domain_id: row.domain_id, description: row.description ?? '' };
}

export class GroupManager {
  constructor(private readonly ctx: ManagerContext) {}

  private get db() { return this.ctx.db; }

  async findGroup(groupId: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom('identity_group').selectAll().where('id', '=', groupId).executeTakeFirst();
    return row && row.id === groupId ? toRecord(row) : undefined;
  }

  async getGroup(groupId: string): Promise<GroupRecord> {
    const g = await this.findGroup(groupId);
    if (!g) throw new GroupNotFound(groupId);
    return g;
  }

  async getGroupByName(name: string, domainId: string): Promise<GroupRecord> {
    const row = await this.db.selectFrom('identity_group').selectAll().where('name', '=', name).where('domain_id', '=', domainId).executeTakeFirst();
    if (!row) throw new GroupNotFound(name);
    return toRecord(row);
  }

  async listGroups(hints: Hints = new Hints()): Promise<GroupRecord[]> {
    let q = this.db.selectFrom('identity_group').selectAll();
    const domainId = hints.take('domain_id');
    if (domainId !== undefined) q = q.where('domain_id', '=', domainId);
    const name = hints.take('name');
    if (name !== undefined) q = q.where('name', '=', name);
    return applyHints((await q.orderBy('id').execute()).map(toRecord), hints);
  }

  /** The groups of a user, each with membership_expires_at (always null: no expiring memberships here). */
  async listGroupsForUser(userId: string, hints: Hints = new Hints()): Promise<Array<GroupRecord & { membership_expires_at: null }>> {
    await this.ctx.managers.users.getUser(userId);
    const rows = await this.db.selectFrom('identity_group').innerJoin('user_group_membership', 'user_group_membership.group_id', 'identity_group.id')
      .selectAll('identity_group').where('user_group_membership.user_id', '=', userId).orderBy('identity_group.id').execute();
    return applyHints(rows.map((r) => ({ ...toRecord(r), membership_expires_at: null })), hints);
  }

  /** Ids of the groups a user belongs to (for effective role assignments). */
  async groupIdsForUser(userId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('user_group_membership').select('group_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.group_id);
  }

  async createGroup(input: Record<string, unknown>): Promise<GroupRecord> {
    const domainId = String(input.domain_id);
    await this.ctx.managers.resource.getDomain(domainId);
    const id = newId();
    const name = String(input.name ?? '').trim();
    checkLength(name, 64);
    const extra = Object.fromEntries(Object.entries(input).filter(([k]) => !GROUP_ATTRS.has(k)));
    try {
      await this.db.insertInto('identity_group').values({
        id, domain_id: domainId, name, description: (input.description as string | null | undefined) ?? '', extra: jsonText(extra),
      }).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('group', duplicateEntry('name', name, domainId));
      throw err;
    }
    this.ctx.audit.created('group', id);
    return this.getGroup(id);
  }

  async updateGroup(groupId: string, changes: Record<string, unknown>): Promise<GroupRecord> {
    const original = await this.getGroup(groupId);
    if ('domain_id' in changes && changes.domain_id !== original.domain_id) throw new ValidationError('Cannot change Domain ID');
    if ('id' in changes && changes.id !== groupId) throw new ValidationError('Cannot change ID');
    const name = 'name' in changes ? String(changes.name).trim() : original.name;
    checkLength(name, 64);
    const extra = { ...Object.fromEntries(Object.entries(original).filter(([k]) => !GROUP_ATTRS.has(k))),
      ...Object.fromEntries(Object.entries(changes).filter(([k]) => !GROUP_ATTRS.has(k))) };
    try {
      await this.db.updateTable('identity_group').set({
        name,
        description: 'description' in changes ? ((changes.description as string | null) ?? null) : original.description,
        extra: jsonText(extra),
      }).where('id', '=', groupId).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('group', duplicateEntry('name', name, original.domain_id));
      throw err;
    }
    this.ctx.audit.updated('group', groupId);
    return this.getGroup(groupId);
  }

  /**
   * Deletes a group with its memberships and role assignments; when the group had roles, its
   * members lose them (user.removed_from_group for each, which revokes their tokens).
   */
  async deleteGroup(groupId: string): Promise<void> {
    await this.getGroup(groupId);
    const members = await this.db.selectFrom('user_group_membership').select('user_id').where('group_id', '=', groupId).execute();
    const hadRoles = await this.ctx.managers.assignments.actorHasAssignments(groupId);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_group_membership').where('group_id', '=', groupId).execute();
      await trx.deleteFrom('identity_group').where('id', '=', groupId).execute();
    });
    await this.ctx.managers.assignments.deleteGroupAssignments(groupId);
    this.ctx.audit.deleted('group', groupId);
    if (hadRoles) {
      for (const m of members) await this.ctx.events.emit('user.removed_from_group', { userId: m.user_id, groupId });
    }
  }

  async deleteGroupsInDomain(domainId: string): Promise<void> {
    const rows = await this.db.selectFrom('identity_group').select('id').where('domain_id', '=', domainId).execute();
    for (const r of rows) await this.deleteGroup(r.id);
  }

  async addUserToGroup(userId: string, groupId: string): Promise<void> {
    await this.getGroup(groupId);
    await this.ctx.managers.users.getUser(userId);
    try {
      await this.db.insertInto('user_group_membership').values({ user_id: userId, group_id: groupId }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    this.ctx.audit.addedTo('group', groupId, 'user', userId);
  }

  private notInGroup(userId: string, groupId: string): NotFound {
    return new NotFound(`User '${userId}' not found in group '${groupId}'`);
  }

  async checkUserInGroup(userId: string, groupId: string): Promise<void> {
    await this.getGroup(groupId);
    await this.ctx.managers.users.getUser(userId);
    const row = await this.db.selectFrom('user_group_membership').select('user_id')
      .where('user_id', '=', userId).where('group_id', '=', groupId).executeTakeFirst();
    if (!row) throw this.notInGroup(userId, groupId);
  }

  async removeUserFromGroup(userId: string, groupId: string): Promise<void> {
    const res = await this.db.deleteFrom('user_group_membership').where('user_id', '=', userId).where('group_id', '=', groupId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      await this.getGroup(groupId);
      await this.ctx.managers.users.getUser(userId);
      throw this.notInGroup(userId, groupId);
    }
    this.ctx.audit.removedFrom('group', groupId, 'user', userId);
    await this.ctx.events.emit('user.removed_from_group', { userId, groupId });
  }
}
