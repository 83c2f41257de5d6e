/**
 * Security groups and their rules (neutron/db/securitygroups_db.py): the per-project
 * `default` group created on first use with its default rules (egress IPv4/IPv6 to anywhere,
 * ingress from members of the same group), egress rules for every new group, rule validation
 * and duplicate detection (SecurityGroupRuleExists), protection of the default group and of
 * groups still used by ports.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NeutronContext } from '../context.js';
import { isSet } from '../api/attributes/spec.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged } from '../db/listing.js';
import type { SecurityGroupRow, SecurityGroupRuleRow } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, groupBy, now, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  SecurityGroupCannotRemoveDefault, SecurityGroupCannotUpdateDefault, SecurityGroupDefaultAlreadyExists, SecurityGroupInUse,
  SecurityGroupNotFound, SecurityGroupRuleExists, SecurityGroupRuleNotFound,
} from '../errors.js';
import type { EventBus } from '../events.js';
import type { QuotaManager } from './quotas.js';
import { normalizedCidr, ruleKey, type RuleValues, validateRule } from './sg-rules.js';
import type { Dict, ResourceHandlers, WriteOptions } from './types.js';
import { rbacGrants, securityGroupVisible, sgRuleVisible } from './visibility.js';

const sgSpec: ListSpec = {
  table: 'securitygroups',
  tagType: 'security_groups',
  columns: Object.fromEntries(['id', 'name', 'project_id', 'stateful', 'description', 'created_at', 'updated_at', 'revision_number']
    .map((c) => [c, { column: c, kind: c === 'stateful' ? 'bool' : c === 'revision_number' ? 'int' : 'string' }])) as ListSpec['columns'],
};

const ruleSpec: ListSpec = {
  table: 'securitygrouprules',
  columns: Object.fromEntries(['id', 'project_id', 'security_group_id', 'remote_group_id', 'remote_address_group_id', 'direction', 'ethertype',
    'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix', 'description', 'created_at', 'updated_at', 'revision_number']
    .map((c) => [c, { column: c, kind: ['port_range_min', 'port_range_max', 'revision_number'].includes(c) ? 'int' : 'string' }])) as ListSpec['columns'],
};

export class SecurityGroupManager implements ResourceHandlers {
  constructor(private readonly store: Store, private readonly events: EventBus, private readonly quotas?: QuotaManager) {}

  private get db(): Db {
    return this.store.db;
  }

  private visible(ctx: NeutronContext, qb: any): any {
    return ctx.unscoped ? qb : qb.where(securityGroupVisible(ctx));
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
  async ensureDefaultForListing(ctx: NeutronContext, filters: Record<string, unknown[]>): Promise<void> {
    if (!ctx.projectId) return;
    const asked = filters.project_id?.[0] ?? filters.tenant_id?.[0];
    const projectId = typeof asked === 'string' && asked !== '' ? asked : ctx.projectId;
    await this.ensureDefault(projectId);
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Dict[]> {
    await this.ensureDefaultForListing(ctx, q.filters);
    const spec = this.sgListSpec(ctx);
    const qb = applyFilters(this.visible(ctx, (this.db as Kysely<any>).selectFrom('securitygroups').selectAll('securitygroups')), spec, q.filters);
    return this.view(ctx, await runPaged<SecurityGroupRow>(this.db, qb, spec, q));
  }

  private sgListSpec(ctx: NeutronContext): ListSpec {
    return {
      ...sgSpec,
      hooks: {
        shared: (eb, values) => {
          const grant = rbacGrants(eb, 'security_group', 'securitygroups.id', ctx.projectId ?? '', ['access_as_shared']);
          return values.every(Boolean) ? grant : eb.not(grant);
        },
      },
    };
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<SecurityGroupRow> {
    const row = await this.visible(ctx, (db as Kysely<any>).selectFrom('securitygroups').selectAll('securitygroups').where('securitygroups.id', '=', id)).executeTakeFirst();
    if (!row) throw new SecurityGroupNotFound(id);
    return row as SecurityGroupRow;
  }

  async get(ctx: NeutronContext, id: string): Promise<Dict> {
    return (await this.view(ctx, [await this.getRow(ctx, id)]))[0]!;
  }

  async view(ctx: NeutronContext, rows: SecurityGroupRow[], db: Db = this.db): Promise<Dict[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    let rq = (db as Kysely<any>).selectFrom('securitygrouprules').selectAll('securitygrouprules').where('security_group_id', 'in', ids);
    if (!ctx.unscoped) rq = rq.where(sgRuleVisible(ctx));
    const [rules, tags, defaults, shared] = await Promise.all([
      rq.orderBy('created_at').orderBy('id').execute() as Promise<SecurityGroupRuleRow[]>,
      tagsOf(db, 'security_groups', ids),
      db.selectFrom('default_security_group').select('security_group_id').where('security_group_id', 'in', ids).execute(),
      db.selectFrom('rbac_policies').select(['object_id', 'target_project']).where('object_type', '=', 'security_group').where('object_id', 'in', ids).execute(),
    ]);
    const byGroup = groupBy(rules, (r) => r.security_group_id);
    const defaultIds = new Set(defaults.map((d) => d.security_group_id));
    return rows.map((r) => ({
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

  async create(ctx: NeutronContext, body: Dict): Promise<Dict> {
    const projectId = String(body.project_id);
    await this.ensureDefault(projectId);
    // a new group comes with one egress rule per ethertype
    await this.quotas?.limitCheck(projectId, 'security_group_rule', 2);
    const row = await this.store.write(async (tx) => {
      const g = await this.insertGroup(tx, { id: randomUUID(), projectId, name: String(body.name ?? ''), description: String(body.description ?? ''), stateful: body.stateful !== false });
      if (isSet(body.tags)) await setTags(tx, 'security_groups', g.id, body.tags as string[]);
      return g;
    });
    const current = (await this.view(ctx, [row]))[0]!;
    await this.events.publish({ resource: 'security_group', action: 'create', ctx, current });
    return current;
  }

  async update(ctx: NeutronContext, id: string, body: Dict, opts: WriteOptions): Promise<Dict> {
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const isDefault = await tx.selectFrom('default_security_group').select('project_id').where('security_group_id', '=', id).executeTakeFirst();
      if (isDefault && 'name' in body && body.name !== 'default') throw new SecurityGroupCannotUpdateDefault();
      if (!isDefault && 'name' in body && String(body.name).toLowerCase() === 'default') throw new SecurityGroupDefaultAlreadyExists();
      const set: Partial<SecurityGroupRow> = {};
      if ('name' in body) set.name = String(body.name);
      if ('description' in body) set.description = String(body.description);
      if ('stateful' in body && Boolean(body.stateful) !== Boolean(Number(row.stateful))) {
        const used = await tx.selectFrom('securitygroupportbindings').select('port_id').where('security_group_id', '=', id).executeTakeFirst();
        if (used) throw new SecurityGroupInUse(id, 'in use');
        set.stateful = body.stateful ? 1 : 0;
      }
      await bumpRevision(tx, 'securitygroups', id, set);
    });
    const current = await this.get(ctx, id);
    await this.events.publish({ resource: 'security_group', action: 'update', ctx, current });
    return current;
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    let original: Dict | undefined;
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      original = (await this.view(ctx, [row], tx))[0];
      const isDefault = await tx.selectFrom('default_security_group').select('project_id').where('security_group_id', '=', id).executeTakeFirst();
      if (isDefault && !ctx.isAdmin) throw new SecurityGroupCannotRemoveDefault();
      const used = await tx.selectFrom('securitygroupportbindings').select('port_id').where('security_group_id', '=', id).executeTakeFirst();
      if (used) throw new SecurityGroupInUse(id, 'in use');
      const remoteUse = await tx.selectFrom('securitygrouprules').select('id').where('remote_group_id', '=', id).where('security_group_id', '!=', id).executeTakeFirst();
      if (remoteUse) await tx.deleteFrom('securitygrouprules').where('remote_group_id', '=', id).execute();
      await tx.deleteFrom('tags').where('resource_type', '=', 'security_groups').where('resource_id', '=', id).execute();
      await tx.deleteFrom('rbac_policies').where('object_type', '=', 'security_group').where('object_id', '=', id).execute();
      await tx.deleteFrom('securitygroups').where('id', '=', id).execute();
    });
    await this.events.publish({ resource: 'security_group', action: 'delete', ctx, current: original! });
  }

  /** Security groups a port of `projectId` may use: the project's own and those shared with it. */
  async checkUsable(db: Db, projectId: string, ids: string[], unscoped: boolean): Promise<void> {
    for (const id of ids) {
      let qb = (db as Kysely<any>).selectFrom('securitygroups').select('securitygroups.id').where('securitygroups.id', '=', id);
      if (!unscoped) {
        qb = qb.where((eb: any) => eb.or([eb('securitygroups.project_id', '=', projectId), rbacGrants(eb, 'security_group', 'securitygroups.id', projectId, ['access_as_shared'])]));
      }
      if (!(await qb.executeTakeFirst())) throw new SecurityGroupNotFound(id);
    }
  }
}

export function ruleView(r: SecurityGroupRuleRow, belongsToDefault: boolean): Dict {
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

export class SecurityGroupRuleManager implements ResourceHandlers {
  constructor(private readonly store: Store, private readonly groups: SecurityGroupManager, private readonly events: EventBus) {}

  private get db(): Db {
    return this.store.db;
  }

  private visible(ctx: NeutronContext, qb: any): any {
    return ctx.unscoped ? qb : qb.where(sgRuleVisible(ctx));
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Dict[]> {
    await this.groups.ensureDefaultForListing(ctx, q.filters);
    const qb = applyFilters(this.visible(ctx, (this.db as Kysely<any>).selectFrom('securitygrouprules').selectAll('securitygrouprules')), ruleSpec, q.filters);
    return this.view(await runPaged<SecurityGroupRuleRow>(this.db, qb, ruleSpec, q));
  }

  private async view(rows: SecurityGroupRuleRow[], db: Db = this.db): Promise<Dict[]> {
    if (rows.length === 0) return [];
    const defaults = new Set((await db.selectFrom('default_security_group').select('security_group_id')
      .where('security_group_id', 'in', [...new Set(rows.map((r) => r.security_group_id))]).execute()).map((d) => d.security_group_id));
    return rows.map((r) => ruleView(r, defaults.has(r.security_group_id)));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<SecurityGroupRuleRow> {
    const row = await this.visible(ctx, (db as Kysely<any>).selectFrom('securitygrouprules').selectAll('securitygrouprules').where('securitygrouprules.id', '=', id)).executeTakeFirst();
    if (!row) throw new SecurityGroupRuleNotFound(id);
    return row as SecurityGroupRuleRow;
  }

  async get(ctx: NeutronContext, id: string): Promise<Dict> {
    return (await this.view([await this.getRow(ctx, id)]))[0]!;
  }

  async policyTarget(_ctx: NeutronContext, item: Dict): Promise<Dict> {
    // as neutron's OwnerCheck, a missing parent group is a 404
    const sg = await this.db.selectFrom('securitygroups').select('project_id').where('id', '=', String(item.security_group_id)).executeTakeFirst();
    if (!sg) throw new SecurityGroupNotFound(String(item.security_group_id));
    return { ...item, 'security_group:project_id': sg.project_id, 'security_group:tenant_id': sg.project_id };
  }

  async create(ctx: NeutronContext, body: Dict): Promise<Dict> {
    const rule: RuleValues = {
      security_group_id: String(body.security_group_id),
      direction: String(body.direction),
      ethertype: String(body.ethertype),
      protocol: (body.protocol as string | null) ?? null,
      port_range_min: (body.port_range_min as number | null) ?? null,
      port_range_max: (body.port_range_max as number | null) ?? null,
      remote_ip_prefix: (body.remote_ip_prefix as string | null) ?? null,
      remote_group_id: (body.remote_group_id as string | null) ?? null,
      remote_address_group_id: (body.remote_address_group_id as string | null) ?? null,
    };
    validateRule(rule);
    const projectId = String(body.project_id);
    const row = await this.store.write(async (tx) => {
      await this.groups.getRow(ctx, rule.security_group_id, tx);
      if (rule.remote_group_id) await this.groups.getRow(ctx, rule.remote_group_id, tx);
      const existing = await tx.selectFrom('securitygrouprules').selectAll().where('security_group_id', '=', rule.security_group_id).execute();
      const key = ruleKey(rule);
      const dup = existing.find((e) => ruleKey({ ...e, port_range_min: e.port_range_min === null ? null : Number(e.port_range_min), port_range_max: e.port_range_max === null ? null : Number(e.port_range_max) }) === key);
      if (dup) throw new SecurityGroupRuleExists(dup.id);
      const inserted = await this.groups.insertRule(tx, projectId, rule, String(body.description ?? ''));
      await bumpRevision(tx, 'securitygroups', rule.security_group_id);
      return inserted;
    });
    const current = (await this.view([row]))[0]!;
    await this.events.publish({ resource: 'security_group_rule', action: 'create', ctx, current });
    return current;
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    let original: Dict | undefined;
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      original = (await this.view([row], tx))[0];
      await tx.deleteFrom('securitygrouprules').where('id', '=', id).execute();
      await bumpRevision(tx, 'securitygroups', row.security_group_id);
    });
    await this.events.publish({ resource: 'security_group_rule', action: 'delete', ctx, current: original! });
  }
}
