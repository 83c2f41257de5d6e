/**
 * QoS policies (neutron/services/qos/qos_plugin.py, neutron/objects/qos/policy.py): a name,
 * a description, tags, the rules, sharing (`shared` is a wildcard access_as_shared RBAC
 * entry, as for networks; RBAC can share a policy with single projects too) and the project's
 * default policy (qos-default: at most one per project, QoSPolicyDefaultAlreadyExists). A
 * policy bound to a network or port cannot be deleted (QosPolicyInUse); sharing cannot be
 * withdrawn while other projects' networks or ports use the policy (RbacPolicyInUse).
 */
import { randomUUID } from 'node:crypto';
import { isSet } from '../../common/attributes.js';
import type { NeutronContext } from '../../common/context.js';
import { applyFilters, columnsOf, type FilterValue, type ListQuery, type ListSpec, runPaged, stringColumns } from '../../db/listing.js';
import type { QosPolicyRow } from '../../db/schema.js';
import { checkRevision, type Db, nextRevision, now, setTags, standardView, type Store, tagsOf } from '../../db/store.js';
import { QoSPolicyDefaultAlreadyExists, QosPolicyInUse, QosPolicyNotFound, RbacPolicyInUse } from '../../errors.js';
import type { WriteOptions } from '../../types/common.js';
import type { QosPolicy, QosPolicyCreate, QosPolicyUpdate } from '../../types/qos.js';
import type { ResourceHandlers } from '../types.js';
import { ACCESS_SHARED, qosPolicyVisible, rbacGrants } from '../visibility.js';
import { rulesOf } from './rule-store.js';

export const QOS_OBJECT_TYPE = 'qos_policy';

const spec: ListSpec<'qos_policies'> = {
  table: 'qos_policies',
  tagType: 'policies',
  columns: {
    ...stringColumns<'qos_policies'>('id', 'name', 'project_id', 'description', 'created_at', 'updated_at'),
    ...columnsOf<'qos_policies'>('int', 'revision_number'),
  },
};

function wanted(values: FilterValue[]): boolean[] {
  return values.map((v) => v === true || v === 1 || v === '1' || String(v).toLowerCase() === 'true');
}

export class QosPolicyManager implements ResourceHandlers<QosPolicy, QosPolicyCreate, QosPolicyUpdate> {
  constructor(private readonly store: Store) {}

  private get db(): Db {
    return this.store.db;
  }

  private listSpec(ctx: NeutronContext): ListSpec<'qos_policies'> {
    return {
      ...spec,
      hooks: {
        shared: (eb, values) => {
          const grant = rbacGrants(QOS_OBJECT_TYPE, 'qos_policies.id', ctx.projectId ?? '', [ACCESS_SHARED]);
          return wanted(values).every(Boolean) ? grant : eb.not(grant);
        },
        is_default: (eb, values) => {
          const isDefault = eb.exists(eb.selectFrom('qos_policies_default as d').select('d.qos_policy_id').whereRef('d.qos_policy_id', '=', 'qos_policies.id'));
          return wanted(values).every(Boolean) ? isDefault : eb.not(isDefault);
        },
      },
    };
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<QosPolicy[]> {
    const s = this.listSpec(ctx);
    let qb = this.db.selectFrom('qos_policies').selectAll('qos_policies');
    if (!ctx.unscoped) qb = qb.where(qosPolicyVisible(ctx));
    qb = applyFilters(qb, s, q.filters);
    return this.views(ctx, await runPaged(this.db, qb, s, q));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<QosPolicyRow> {
    let qb = db.selectFrom('qos_policies').selectAll('qos_policies').where('qos_policies.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(qosPolicyVisible(ctx));
    const row = await qb.executeTakeFirst();
    if (!row) throw new QosPolicyNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<QosPolicy> {
    return (await this.views(ctx, [await this.getRow(ctx, id)]))[0]!;
  }

  async views(ctx: NeutronContext, rows: QosPolicyRow[], db: Db = this.db): Promise<QosPolicy[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [rules, grants, defaults, tags] = await Promise.all([
      rulesOf(db, ids),
      db.selectFrom('rbac_policies').select(['object_id', 'target_project']).where('object_type', '=', QOS_OBJECT_TYPE)
        .where('action', '=', ACCESS_SHARED).where('object_id', 'in', ids).execute(),
      db.selectFrom('qos_policies_default').select('qos_policy_id').where('qos_policy_id', 'in', ids).execute(),
      tagsOf(db, 'policies', ids),
    ]);
    return rows.map((r) => ({
      id: r.id, name: r.name, tenant_id: r.project_id, project_id: r.project_id,
      shared: grants.some((g) => g.object_id === r.id && (g.target_project === '*' || g.target_project === ctx.projectId)),
      is_default: defaults.some((d) => d.qos_policy_id === r.id),
      rules: rules.get(r.id) ?? [],
      tags: tags.get(r.id) ?? [],
      ...standardView(r),
    }));
  }

  async create(ctx: NeutronContext, body: QosPolicyCreate): Promise<QosPolicy> {
    const t = now();
    const row: QosPolicyRow = {
      id: randomUUID(), project_id: body.project_id, name: body.name ?? '', description: body.description ?? '', revision_number: 0, created_at: t, updated_at: t,
    };
    await this.store.write(async (tx) => {
      await tx.insertInto('qos_policies').values(row).execute();
      if (body.shared === true) await this.share(tx, row);
      if (body.is_default === true) await this.setDefault(tx, row);
      if (isSet(body.tags)) await setTags(tx, 'policies', row.id, body.tags);
    });
    return this.get(ctx.elevated(), row.id);
  }

  private async share(tx: Db, row: QosPolicyRow): Promise<void> {
    await tx.insertInto('rbac_policies').values({
      id: randomUUID(), project_id: row.project_id, object_type: QOS_OBJECT_TYPE, object_id: row.id, target_project: '*', action: ACCESS_SHARED,
    }).execute();
  }

  /** update_shared(False): the wildcard grant goes, unless a project using the policy has no grant of its own (the owner too). */
  private async unshare(tx: Db, row: QosPolicyRow): Promise<void> {
    await checkGrantRemoval(tx, row.id, row.project_id, '*');
    await tx.deleteFrom('rbac_policies').where('object_type', '=', QOS_OBJECT_TYPE).where('object_id', '=', row.id)
      .where('action', '=', ACCESS_SHARED).where('target_project', '=', '*').execute();
  }

  private async setDefault(tx: Db, row: QosPolicyRow): Promise<void> {
    const current = await tx.selectFrom('qos_policies_default').select('qos_policy_id').where('project_id', '=', row.project_id).executeTakeFirst();
    if (current?.qos_policy_id === row.id) return;
    if (current) throw new QoSPolicyDefaultAlreadyExists(row.project_id);
    await tx.insertInto('qos_policies_default').values({ project_id: row.project_id, qos_policy_id: row.id }).execute();
  }

  async update(ctx: NeutronContext, id: string, body: QosPolicyUpdate, opts: WriteOptions): Promise<QosPolicy> {
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const set: Partial<QosPolicyRow> = {};
      if (body.name !== undefined) set.name = body.name;
      if (body.description !== undefined) set.description = body.description;
      if (body.shared !== undefined) {
        const wild = await tx.selectFrom('rbac_policies').select('id').where('object_type', '=', QOS_OBJECT_TYPE).where('object_id', '=', id)
          .where('action', '=', ACCESS_SHARED).where('target_project', '=', '*').executeTakeFirst();
        if (body.shared && !wild) await this.share(tx, row);
        if (!body.shared && wild) await this.unshare(tx, row);
      }
      if (body.is_default === true) await this.setDefault(tx, row);
      if (body.is_default === false) await tx.deleteFrom('qos_policies_default').where('qos_policy_id', '=', id).execute();
      await tx.updateTable('qos_policies').set({ ...set, ...nextRevision() }).where('id', '=', id).execute();
    });
    return this.get(ctx.elevated(), id);
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const net = await tx.selectFrom('qos_network_policy_bindings').select('network_id').where('policy_id', '=', id).executeTakeFirst();
      if (net) throw new QosPolicyInUse(id, 'network', net.network_id);
      const port = await tx.selectFrom('qos_port_policy_bindings').select('port_id').where('policy_id', '=', id).executeTakeFirst();
      if (port) throw new QosPolicyInUse(id, 'port', port.port_id);
      await tx.deleteFrom('rbac_policies').where('object_type', '=', QOS_OBJECT_TYPE).where('object_id', '=', id).execute();
      await tx.deleteFrom('tags').where('resource_type', '=', 'policies').where('resource_id', '=', id).execute();
      for (const table of ['qos_policies_default', 'qos_bandwidth_limit_rules', 'qos_dscp_marking_rules', 'qos_minimum_bandwidth_rules'] as const) {
        await tx.deleteFrom(table).where('qos_policy_id', '=', id).execute();
      }
      await tx.deleteFrom('qos_policies').where('id', '=', id).execute();
    });
  }
}

/**
 * RbacNeutronDbObjectMixin._validate_rbac_policy_delete: a grant to one project cannot go
 * while that project uses the policy (unless a wildcard grant remains); the wildcard cannot
 * go while a project using the policy (its owner included) has no grant of its own. A grant
 * to the owner itself can always go.
 */
export async function checkGrantRemoval(db: Db, policyId: string, owner: string, target: string): Promise<void> {
  if (target === owner) return;
  const grants = (await db.selectFrom('rbac_policies').select('target_project').where('object_type', '=', QOS_OBJECT_TYPE)
    .where('object_id', '=', policyId).where('action', '=', ACCESS_SHARED).execute()).map((g) => g.target_project);
  const bound = await boundProjects(db, policyId);
  const inUse = target === '*'
    ? bound.some((p) => !grants.includes(p))
    : !grants.includes('*') && bound.includes(target);
  if (inUse) throw new RbacPolicyInUse(policyId, `project_id=${target}`);
}

/** get_bound_project_ids: the projects of the networks and ports bound to the policy. */
export async function boundProjects(db: Db, policyId: string): Promise<string[]> {
  const nets = await db.selectFrom('networks').innerJoin('qos_network_policy_bindings as b', 'b.network_id', 'networks.id')
    .select('networks.project_id').where('b.policy_id', '=', policyId).execute();
  const ports = await db.selectFrom('ports').innerJoin('qos_port_policy_bindings as b', 'b.port_id', 'ports.id')
    .select('ports.project_id').where('b.policy_id', '=', policyId).execute();
  return [...new Set([...nets, ...ports].map((r) => r.project_id))];
}
