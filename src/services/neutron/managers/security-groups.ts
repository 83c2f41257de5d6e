/**
 * Security groups and their rules (neutron/db/securitygroups_db.py): the per-project
 * `default` group created on first use with its default rules (egress IPv4/IPv6 to anywhere,
 * ingress from members of the same group), egress rules for every new group, rule validation
 * and duplicate detection (SecurityGroupRuleExists), protection of the default group and of
 * groups still used by ports.
 */
import { randomUUID } from 'node:crypto';
import { isSet } from '../common/attributes.js';
import type { NeutronContext } from '../common/context.js';
import type { EventRegistry } from '../common/events.js';
import { applyFilters, columnsOf, type FilterValue, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { SecurityGroupRow, SecurityGroupRuleRow } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, groupBy, nextRevision, now, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  SecurityGroupCannotRemoveDefault, SecurityGroupCannotUpdateDefault, SecurityGroupDefaultAlreadyExists, SecurityGroupInUse,
  SecurityGroupNotFound, SecurityGroupRuleExists, SecurityGroupRuleNotFound,
} from '../errors.js';
import type { WriteOptions } from '../types/common.js';
import type { QuotaResource } from '../types/quota.js';
import type {
  SecurityGroup, SecurityGroupCreate, SecurityGroupRule, SecurityGroupRuleCreate, SecurityGroupUpdate,
} from '../types/security-group.js';
import type { AddressGroupManager } from './address-groups.js';
import type { PolicyAttributes, ResourceHandlers } from './types.js';
import { normalizedCidr, ruleKey, type RuleValues, validateRule } from './sg-rules.js';
import { ACCESS_SHARED, rbacGrants, securityGroupUsable, securityGroupVisible, sgRuleVisible } from './visibility.js';

/** Quota's limit check (the rules a new group brings along). */
export interface RuleQuota {
  limitCheck(projectId: string, resource: QuotaResource, delta: number): Promise<void>;
}

const sgSpec: ListSpec<'securitygroups'> = {
  table: 'securitygroups',
  tagType: 'security_groups',
  columns: {
    ...stringColumns<'securitygroups'>('id', 'name', 'project_id', 'description', 'created_at', 'updated_at'),
    ...columnsOf<'securitygroups'>('bool', 'stateful'),
    ...columnsOf<'securitygroups'>('int', 'revision_number'),
  },
};

const ruleSpec: ListSpec<'securitygrouprules'> = {
  table: 'securitygrouprules',
  columns: {
    ...stringColumns<'securitygrouprules'>('id', 'project_id', 'security_group_id', 'remote_group_id', 'remote_address_group_id', 'direction', 'ethertype',
      'protocol', 'remote_ip_prefix', 'description', 'created_at', 'updated_at'),
    ...columnsOf<'securitygrouprules'>('int', 'port_range_min', 'port_range_max', 'revision_number'),
  },
};

/** A remote group id of a request (not checked by the attribute map): null when absent. */
function remoteId(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export class SecurityGroupManager implements ResourceHandlers<SecurityGroup, SecurityGroupCreate, SecurityGroupUpdate> {
  constructor(private readonly store: Store, private readonly events: EventRegistry, private readonly quotas: RuleQuota) {}

  private get db(): Db {
    return this.store.db;
  }

  /** The id of the project's default group, created (with its rules) when missing. */
  async ensureDefault(projectId: string, tx?: Db): Promise<string> {
    const existing = await (tx ?? this.db).selectFrom('default_security_group').select('security_group_id').where('project_id', '=', projectId).executeTakeFirst();
    if (existing) return existing.security_group_id;
    const create = async (db: Db): Promise<string> => {
      const again = await db.selectFrom('default_security_group').select('security_group_id').where('project_id', '=', projectId).executeTakeFirst();
      if (again) return again.security_group_id;
      const id = randomUUID();
      await this.insertGroup(db, { id, projectId, name: 'default', description: 'Default security group', stateful: true });
      await db.insertInto('default_security_group').values({ project_id: projectId, security_group_id: id }).execute();
      for (const ethertype of ['IPv4', 'IPv6']) {
        await this.insertRule(db, projectId, { security_group_id: id, direction: 'ingress', ethertype, protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: id, remote_address_group_id: null });
      }
      return id;
    };
    return tx ? create(tx) : this.store.write(create);
  }

  private async insertGroup(db: Db, g: { id: string; projectId: string; name: string; description: string; stateful: boolean }): Promise<SecurityGroupRow> {
    const t = now();
    const row: SecurityGroupRow = { id: g.id, project_id: g.projectId, name: g.name, stateful: g.stateful ? 1 : 0, description: g.description, revision_number: 0, created_at: t, updated_at: t };
    await db.insertInto('securitygroups').values(row).execute();
    for (const ethertype of ['IPv4', 'IPv6']) {
      await this.insertRule(db, g.projectId, { security_group_id: g.id, direction: 'egress', ethertype, protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null });
    }
    return row;
  }

  async insertRule(db: Db, projectId: string, v: RuleValues, description = ''): Promise<SecurityGroupRuleRow> {
    const t = now();
    const row: SecurityGroupRuleRow = { id: randomUUID(), project_id: projectId, ...v, description, revision_number: 0, created_at: t, updated_at: t };
    await db.insertInto('securitygrouprules').values(row).execute();
    return row;
  }

  /**
   * Listing groups or rules creates the default group of the project asked about (the
   * project_id filter, else the caller's), as get_security_groups/_rules do upstream.
   */
  async ensureDefaultForListing(ctx: NeutronContext, filters: Readonly<Record<string, FilterValue[]>>): Promise<void> {
    if (!ctx.projectId) return;
    const asked = filters.project_id?.[0] ?? filters.tenant_id?.[0];
    const projectId = typeof asked === 'string' && asked !== '' ? asked : ctx.projectId;
    await this.ensureDefault(projectId);
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<SecurityGroup[]> {
    await this.ensureDefaultForListing(ctx, q.filters);
    const spec = this.sgListSpec(ctx);
    let qb = this.db.selectFrom('securitygroups').selectAll('securitygroups');
    if (!ctx.unscoped) qb = qb.where(securityGroupVisible(ctx));
    qb = applyFilters(qb, spec, q.filters);
    return this.view(ctx, await runPaged(this.db, qb, spec, q));
  }

  private sgListSpec(ctx: NeutronContext): ListSpec<'securitygroups'> {
    return {
      ...sgSpec,
      hooks: {
        shared: (eb, values) => {
          const grant = rbacGrants('security_group', 'securitygroups.id', ctx.projectId ?? '', [ACCESS_SHARED]);
          return values.every(Boolean) ? grant : eb.not(grant);
        },
      },
    };
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<SecurityGroupRow> {
    let qb = db.selectFrom('securitygroups').selectAll('securitygroups').where('securitygroups.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(securityGroupVisible(ctx));
    const row = await qb.executeTakeFirst();
    if (!row) throw new SecurityGroupNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<SecurityGroup> {
    return this.viewOne(ctx, await this.getRow(ctx, id));
  }

  private async viewOne(ctx: NeutronContext, row: SecurityGroupRow, db: Db = this.db): Promise<SecurityGroup> {
    return (await this.view(ctx, [row], db))[0]!;
  }

  async view(ctx: NeutronContext, rows: SecurityGroupRow[], db: Db = this.db): Promise<SecurityGroup[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    let rq = db.selectFrom('securitygrouprules').selectAll('securitygrouprules').where('security_group_id', 'in', ids);
    if (!ctx.unscoped) rq = rq.where(sgRuleVisible(ctx));
    const [rules, tags, defaults, shared] = await Promise.all([
      rq.orderBy('created_at').orderBy('id').execute(),
      tagsOf(db, 'security_groups', ids),
      db.selectFrom('default_security_group').select('security_group_id').where('security_group_id', 'in', ids).execute(),
      db.selectFrom('rbac_policies').select(['object_id', 'target_project']).where('object_type', '=', 'security_group').where('object_id', 'in', ids).execute(),
    ]);
    const byGroup = groupBy(rules, (r) => r.security_group_id);
    const defaultIds = new Set(defaults.map((d) => d.security_group_id));
    return rows.map((r): SecurityGroup => ({
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      project_id: r.project_id,
      stateful: Boolean(Number(r.stateful)),
      shared: shared.some((s) => s.object_id === r.id && (s.target_project === '*' || s.target_project === ctx.projectId)),
      security_group_rules: (byGroup.get(r.id) ?? []).map((x) => ruleView(x, defaultIds.has(x.security_group_id))),
      tags: tags.get(r.id) ?? [],
      ...standardView(r),
    }));
  }

  async create(ctx: NeutronContext, body: SecurityGroupCreate): Promise<SecurityGroup> {
    const projectId = body.project_id;
    await this.ensureDefault(projectId);
    // a new group comes with one egress rule per ethertype
    await this.quotas.limitCheck(projectId, 'security_group_rule', 2);
    const row = await this.store.write(async (tx) => {
      const g = await this.insertGroup(tx, { id: randomUUID(), projectId, name: body.name ?? '', description: body.description ?? '', stateful: body.stateful !== false });
      if (isSet(body.tags)) await setTags(tx, 'security_groups', g.id, body.tags);
      return g;
    });
    const current = await this.viewOne(ctx, row);
    await this.events.publish('security_group', 'after_create', { ctx, current });
    return current;
  }

  async update(ctx: NeutronContext, id: string, body: SecurityGroupUpdate, opts: WriteOptions): Promise<SecurityGroup> {
    const original = await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const original = await this.viewOne(ctx, row, tx);
      const isDefault = await tx.selectFrom('default_security_group').select('project_id').where('security_group_id', '=', id).executeTakeFirst();
      if (isDefault && body.name !== undefined && body.name !== 'default') throw new SecurityGroupCannotUpdateDefault();
      if (!isDefault && body.name !== undefined && body.name.toLowerCase() === 'default') throw new SecurityGroupDefaultAlreadyExists();
      const set: Partial<SecurityGroupRow> = {};
      if (body.name !== undefined) set.name = body.name;
      if (body.description !== undefined) set.description = body.description;
      if (body.stateful !== undefined && body.stateful !== Boolean(Number(row.stateful))) {
        const used = await tx.selectFrom('securitygroupportbindings').select('port_id').where('security_group_id', '=', id).executeTakeFirst();
        if (used) throw new SecurityGroupInUse(id, 'in use');
        set.stateful = body.stateful ? 1 : 0;
      }
      await tx.updateTable('securitygroups').set({ ...set, ...nextRevision() }).where('id', '=', id).execute();
      return original;
    });
    const current = await this.get(ctx, id);
    await this.events.publish('security_group', 'after_update', { ctx, current, original });
    return current;
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const original = await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const original = await this.viewOne(ctx, row, tx);
      const isDefault = await tx.selectFrom('default_security_group').select('project_id').where('security_group_id', '=', id).executeTakeFirst();
      if (isDefault && !ctx.isAdmin) throw new SecurityGroupCannotRemoveDefault();
      const used = await tx.selectFrom('securitygroupportbindings').select('port_id').where('security_group_id', '=', id).executeTakeFirst();
      if (used) throw new SecurityGroupInUse(id, 'in use');
      const remoteUse = await tx.selectFrom('securitygrouprules').select('id').where('remote_group_id', '=', id).where('security_group_id', '!=', id).executeTakeFirst();
      if (remoteUse) await tx.deleteFrom('securitygrouprules').where('remote_group_id', '=', id).execute();
      await tx.deleteFrom('tags').where('resource_type', '=', 'security_groups').where('resource_id', '=', id).execute();
      await tx.deleteFrom('rbac_policies').where('object_type', '=', 'security_group').where('object_id', '=', id).execute();
      await tx.deleteFrom('securitygroups').where('id', '=', id).execute();
      return original;
    });
    await this.events.publish('security_group', 'after_delete', { ctx, current: original });
  }

  /** Security groups a port of `projectId` may use: the project's own and those shared with it. */
  async checkUsable(db: Db, projectId: string, ids: string[], unscoped: boolean): Promise<void> {
    for (const id of ids) {
      let qb = db.selectFrom('securitygroups').select('securitygroups.id').where('securitygroups.id', '=', id);
      if (!unscoped) qb = qb.where(securityGroupUsable(projectId));
      if (!(await qb.executeTakeFirst())) throw new SecurityGroupNotFound(id);
    }
  }
}

export function ruleView(r: SecurityGroupRuleRow, belongsToDefault: boolean): SecurityGroupRule {
  return {
    id: r.id,
    tenant_id: r.project_id,
    project_id: r.project_id,
    security_group_id: r.security_group_id,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.port_range_min === null ? null : Number(r.port_range_min),
    port_range_max: r.port_range_max === null ? null : Number(r.port_range_max),
    remote_ip_prefix: r.remote_ip_prefix,
    remote_group_id: r.remote_group_id,
    remote_address_group_id: r.remote_address_group_id,
    normalized_cidr: normalizedCidr(r.remote_ip_prefix),
    belongs_to_default_sg: belongsToDefault,
    ...standardView(r),
  };
}

export class SecurityGroupRuleManager implements ResourceHandlers<SecurityGroupRule, SecurityGroupRuleCreate> {
  constructor(
    private readonly store: Store, private readonly groups: SecurityGroupManager, private readonly events: EventRegistry,
    private readonly addressGroups: AddressGroupManager,
  ) {}

  private get db(): Db {
    return this.store.db;
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<SecurityGroupRule[]> {
    await this.groups.ensureDefaultForListing(ctx, q.filters);
    let qb = this.db.selectFrom('securitygrouprules').selectAll('securitygrouprules');
    if (!ctx.unscoped) qb = qb.where(sgRuleVisible(ctx));
    qb = applyFilters(qb, ruleSpec, q.filters);
    return this.view(await runPaged(this.db, qb, ruleSpec, q));
  }

  private async view(rows: SecurityGroupRuleRow[], db: Db = this.db): Promise<SecurityGroupRule[]> {
    if (rows.length === 0) return [];
    const defaults = new Set((await db.selectFrom('default_security_group').select('security_group_id')
      .where('security_group_id', 'in', [...new Set(rows.map((r) => r.security_group_id))]).execute()).map((d) => d.security_group_id));
    return rows.map((r) => ruleView(r, defaults.has(r.security_group_id)));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<SecurityGroupRuleRow> {
    let qb = db.selectFrom('securitygrouprules').selectAll('securitygrouprules').where('securitygrouprules.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(sgRuleVisible(ctx));
    const row = await qb.executeTakeFirst();
    if (!row) throw new SecurityGroupRuleNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<SecurityGroupRule> {
    return (await this.view([await this.getRow(ctx, id)]))[0]!;
  }

  async policyAttributes(_ctx: NeutronContext, item: { security_group_id: string }): Promise<PolicyAttributes> {
    // as neutron's OwnerCheck, a missing parent group is a 404
    const sg = await this.db.selectFrom('securitygroups').select('project_id').where('id', '=', item.security_group_id).executeTakeFirst();
    if (!sg) throw new SecurityGroupNotFound(item.security_group_id);
    return { 'security_group:project_id': sg.project_id, 'security_group:tenant_id': sg.project_id };
  }

  async create(ctx: NeutronContext, body: SecurityGroupRuleCreate): Promise<SecurityGroupRule> {
    const rule: RuleValues = {
      security_group_id: body.security_group_id,
      direction: body.direction,
      ethertype: body.ethertype,
      protocol: body.protocol ?? null,
      port_range_min: body.port_range_min ?? null,
      port_range_max: body.port_range_max ?? null,
      remote_ip_prefix: body.remote_ip_prefix ?? null,
      remote_group_id: remoteId(body.remote_group_id),
      remote_address_group_id: remoteId(body.remote_address_group_id),
    };
    validateRule(rule);
    const remoteGroup = rule.remote_group_id;
    const row = await this.store.write(async (tx) => {
      await this.groups.getRow(ctx, rule.security_group_id, tx);
      if (remoteGroup) await this.groups.getRow(ctx, remoteGroup, tx);
      // check_address_group: the group must be one the rule's project sees (its own or shared with it)
      if (rule.remote_address_group_id) await this.addressGroups.getRow(ctx, rule.remote_address_group_id, tx, ctx.unscoped ? undefined : body.project_id);
      const existing = await tx.selectFrom('securitygrouprules').selectAll().where('security_group_id', '=', rule.security_group_id).execute();
      const key = ruleKey(rule);
      const dup = existing.find((e) => ruleKey({ ...e, port_range_min: e.port_range_min === null ? null : Number(e.port_range_min), port_range_max: e.port_range_max === null ? null : Number(e.port_range_max) }) === key);
      if (dup) throw new SecurityGroupRuleExists(dup.id);
      const inserted = await this.groups.insertRule(tx, body.project_id, rule, body.description ?? '');
      await bumpRevision(tx, 'securitygroups', rule.security_group_id);
      return inserted;
    });
    const current = (await this.view([row]))[0]!;
    await this.events.publish('security_group_rule', 'after_create', { ctx, current });
    return current;
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const original = await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const original = (await this.view([row], tx))[0]!;
      await tx.deleteFrom('securitygrouprules').where('id', '=', id).execute();
      await bumpRevision(tx, 'securitygroups', row.security_group_id);
      return original;
    });
    await this.events.publish('security_group_rule', 'after_delete', { ctx, current: original });
  }
}
