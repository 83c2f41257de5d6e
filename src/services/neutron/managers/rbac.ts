/**
 * RBAC policies (neutron/db/rbac_db_mixin.py, rbac_db_models.py, external_net_db.py):
 * share a network, security group, subnet pool, address scope or QoS policy with one project or with
 * everyone ('*'), or expose a network as external to them. A policy others depend on (their
 * ports on a shared network, their routers on an external one) cannot be removed
 * (RbacPolicyInUse); removing the last access_as_external policy makes the network internal.
 */
import { randomUUID } from 'node:crypto';
import { isSet, type Settable } from '../common/attributes.js';
import type { NeutronContext } from '../common/context.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { RbacRow } from '../db/schema.js';
import { bumpRevision, type Db, nextRevision, type Store } from '../db/store.js';
import { DuplicateRbacPolicy, HTTPBadRequest, InvalidInput, RbacPolicyInitError, RbacPolicyInUse, RbacPolicyNotFound } from '../errors.js';
import type { WriteOptions } from '../types/common.js';
import type { RbacPolicy, RbacPolicyCreate, RbacPolicyUpdate } from '../types/rbac.js';
import { checkGrantRemoval } from './qos/policies.js';
import type { ResourceHandlers } from './types.js';
import { ACCESS_EXTERNAL, ACCESS_SHARED, ownedBy } from './visibility.js';

type RbacObjectTable = 'networks' | 'securitygroups' | 'subnetpools' | 'address_scopes' | 'qos_policies' | 'address_groups';

/** object_type -> table of the object and the actions it accepts. */
export const RBAC_OBJECT_TYPES: Readonly<Record<string, { table: RbacObjectTable; actions: string[] }>> = {
  network: { table: 'networks', actions: [ACCESS_SHARED, ACCESS_EXTERNAL] },
  security_group: { table: 'securitygroups', actions: [ACCESS_SHARED] },
  subnetpool: { table: 'subnetpools', actions: [ACCESS_SHARED] },
  address_scope: { table: 'address_scopes', actions: [ACCESS_SHARED] },
  qos_policy: { table: 'qos_policies', actions: [ACCESS_SHARED] },
  address_group: { table: 'address_groups', actions: [ACCESS_SHARED] },
};

const spec: ListSpec<'rbac_policies'> = {
  table: 'rbac_policies',
  columns: {
    ...stringColumns<'rbac_policies'>('id', 'project_id', 'object_type', 'object_id', 'action'),
    target_tenant: { column: 'target_project', kind: 'string' },
    target_project: { column: 'target_project', kind: 'string' },
  },
};

/** target_tenant, or its newer name target_project, of a request. */
function targetOf(body: { target_tenant?: Settable<string>; target_project?: Settable<string> }): string | undefined {
  return isSet(body.target_tenant) ? body.target_tenant : isSet(body.target_project) ? body.target_project : undefined;
}

function view(r: RbacRow): RbacPolicy {
  return {
    id: r.id, object_type: r.object_type, object_id: r.object_id, target_tenant: r.target_project,
    action: r.action, tenant_id: r.project_id, project_id: r.project_id,
  };
}

export class RbacManager implements ResourceHandlers<RbacPolicy, RbacPolicyCreate, RbacPolicyUpdate> {
  constructor(private readonly store: Store) {}

  async list(ctx: NeutronContext, q: ListQuery): Promise<RbacPolicy[]> {
    let qb = this.store.db.selectFrom('rbac_policies').selectAll('rbac_policies');
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'rbac_policies'));
    qb = applyFilters(qb, spec, q.filters);
    return (await runPaged(this.store.db, qb, spec, q)).map(view);
  }

  private async getRow(ctx: NeutronContext, id: string, db: Db = this.store.db): Promise<RbacRow> {
    let qb = db.selectFrom('rbac_policies').selectAll('rbac_policies').where('rbac_policies.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'rbac_policies'));
    const row = await qb.executeTakeFirst();
    if (!row) throw new RbacPolicyNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<RbacPolicy> {
    return view(await this.getRow(ctx, id));
  }

  private async objectOwner(db: Db, objectType: string, objectId: string): Promise<string | undefined> {
    const t = RBAC_OBJECT_TYPES[objectType]!;
    const row = await db.selectFrom(t.table).select('project_id').where('id', '=', objectId).executeTakeFirst();
    return row?.project_id;
  }

  /**
   * SubnetPool.validate_rbac_policy_create: a pool in an address scope can only be shared with
   * projects the scope is shared with (an RBAC grant to them or to all, or a shared scope).
   */
  private async checkPoolScopeReachable(db: Db, poolId: string, target: string): Promise<void> {
    const pool = await db.selectFrom('subnetpools').select('address_scope_id').where('id', '=', poolId).executeTakeFirst();
    if (!pool?.address_scope_id) return;
    const scope = await db.selectFrom('address_scopes').select('shared').where('id', '=', pool.address_scope_id).executeTakeFirst();
    if (scope && Number(scope.shared)) return;
    const grant = await db.selectFrom('rbac_policies').select('id').where('object_type', '=', 'address_scope')
      .where('object_id', '=', pool.address_scope_id).where('target_project', 'in', ['*', target]).executeTakeFirst();
    if (!grant) throw new RbacPolicyInitError(poolId, "target project doesn't have access to associated address scope");
  }

  /** Whether an RBAC grant (or the object's own `shared` flag) lets the project see the object. */
  private async visibleTo(db: Db, objectType: string, objectId: string, projectId: string): Promise<boolean> {
    const grant = await db.selectFrom('rbac_policies').select('id').where('object_type', '=', objectType).where('object_id', '=', objectId)
      .where('target_project', 'in', ['*', projectId]).executeTakeFirst();
    if (grant) return true;
    const t = RBAC_OBJECT_TYPES[objectType]!.table;
    if (t === 'subnetpools' || t === 'address_scopes') {
      const row = await db.selectFrom(t).select('shared').where('id', '=', objectId).executeTakeFirst();
      return Boolean(Number(row?.shared ?? 0));
    }
    return false;
  }

  async create(ctx: NeutronContext, body: RbacPolicyCreate): Promise<RbacPolicy> {
    const objectType = body.object_type;
    const type = RBAC_OBJECT_TYPES[objectType];
    if (!type) throw new InvalidInput(`Invalid object type ${objectType}, valid types are ${Object.keys(RBAC_OBJECT_TYPES).join(', ')}`);
    const action = body.action;
    if (!type.actions.includes(action)) {
      throw new InvalidInput(`Invalid action '${action}' for object type '${objectType}'. Valid actions: ${type.actions.map((a) => `'${a}'`).join(', ')}`);
    }
    const target = targetOf(body);
    if (target === undefined) throw new HTTPBadRequest("Failed to parse request. Required attribute 'target_tenant' not specified");
    const objectId = body.object_id;
    const row: RbacRow = { id: randomUUID(), project_id: body.project_id, object_type: objectType, object_id: objectId, target_project: target, action };
    await this.store.write(async (tx) => {
      const owner = await this.objectOwner(tx, objectType, objectId);
      if (owner === undefined || (!ctx.unscoped && owner !== ctx.projectId && !(await this.visibleTo(tx, objectType, objectId, ctx.projectId ?? '')))) {
        throw new RbacPolicyNotFound(objectId, objectType);
      }
      if (!ctx.unscoped && owner !== ctx.projectId) {
        throw new InvalidInput(`Only admins can manipulate policies on objects they do not own`);
      }
      const dup = await tx.selectFrom('rbac_policies').select('id').where('object_type', '=', objectType).where('object_id', '=', objectId)
        .where('action', '=', action).where('target_project', '=', target).executeTakeFirst();
      if (dup) throw new DuplicateRbacPolicy();
      if (objectType === 'subnetpool') await this.checkPoolScopeReachable(tx, objectId, target);
      await tx.insertInto('rbac_policies').values(row).execute();
      if (objectType === 'network' && action === ACCESS_EXTERNAL) {
        await tx.updateTable('networks').set({ router_external: 1, ...nextRevision() }).where('id', '=', objectId).execute();
      } else if (objectType === 'network') {
        await bumpRevision(tx, 'networks', objectId);
      }
    });
    return view(row);
  }

  async update(ctx: NeutronContext, id: string, body: RbacPolicyUpdate, _opts: WriteOptions): Promise<RbacPolicy> {
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      const target = targetOf(body) ?? row.target_project;
      if (target !== row.target_project) {
        await this.checkNotInUse(tx, row, target);
        const dup = await tx.selectFrom('rbac_policies').select('id').where('object_type', '=', row.object_type).where('object_id', '=', row.object_id)
          .where('action', '=', row.action).where('target_project', '=', target).executeTakeFirst();
        if (dup) throw new DuplicateRbacPolicy();
        await tx.updateTable('rbac_policies').set({ target_project: target }).where('id', '=', id).execute();
        if (row.object_type === 'network') await bumpRevision(tx, 'networks', row.object_id);
      }
    });
    return this.get(ctx, id);
  }

  async delete(ctx: NeutronContext, id: string): Promise<void> {
    await this.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      await this.checkNotInUse(tx, row);
      await tx.deleteFrom('rbac_policies').where('id', '=', id).execute();
      if (row.object_type === 'network') {
        const left = row.action === ACCESS_EXTERNAL && await tx.selectFrom('rbac_policies').select('id').where('object_type', '=', 'network')
          .where('object_id', '=', row.object_id).where('action', '=', ACCESS_EXTERNAL).executeTakeFirst();
        await tx.updateTable('networks').set({ ...(row.action === ACCESS_EXTERNAL && !left ? { router_external: 0 } : {}), ...nextRevision() })
          .where('id', '=', row.object_id).execute();
      }
    });
  }

  /** Whether removing (or retargeting) this grant strands other projects' resources. */
  private async checkNotInUse(tx: Db, row: RbacRow, newTarget?: string): Promise<void> {
    if (row.object_type === 'qos_policy') {
      // validate_rbac_policy_update: retargeting is removing the old grant, unless the new target is everyone
      if (newTarget === '*') return;
      return checkGrantRemoval(tx, row.object_id, (await this.objectOwner(tx, row.object_type, row.object_id)) ?? '', row.target_project);
    }
    if (row.object_type === 'network' && row.action === ACCESS_EXTERNAL && row.target_project === '*' && newTarget !== '*') {
      const net = await tx.selectFrom('networks').select('is_default').where('id', '=', row.object_id).executeTakeFirst();
      if (net && Number(net.is_default)) throw new RbacPolicyInUse(row.object_id, 'Default external networks must be shared to everyone.');
    }
    const owner = await this.objectOwner(tx, row.object_type, row.object_id);
    // projects that still have their own grant keep access
    const others = await tx.selectFrom('rbac_policies').select('target_project').where('object_type', '=', row.object_type)
      .where('object_id', '=', row.object_id).where('action', '=', row.action).where('id', '!=', row.id).execute();
    const stillAllowed = new Set([...others.map((o) => o.target_project), ...(newTarget ? [newTarget] : []), owner ?? '']);
    if (stillAllowed.has('*')) return;
    const affected = (projectId: string) => (row.target_project === '*' ? !stillAllowed.has(projectId) : projectId === row.target_project && !stillAllowed.has(projectId));
    if (row.object_type === 'network' && row.action === ACCESS_SHARED) {
      const ports = await tx.selectFrom('ports').select(['project_id', 'device_owner']).where('network_id', '=', row.object_id).execute();
      if (ports.some((p) => p.project_id !== '' && affected(p.project_id) && !p.device_owner.startsWith('network:'))) {
        throw new RbacPolicyInUse(row.object_id, 'There are ports still in use on the network');
      }
    } else if (row.object_type === 'network' && row.action === ACCESS_EXTERNAL) {
      const routers = await tx.selectFrom('routers').select('project_id').where('gw_network_id', '=', row.object_id).execute();
      if (routers.some((r) => affected(r.project_id))) {
        throw new RbacPolicyInUse(row.object_id, 'There are routers attached to this network that depend on this policy for access.');
      }
    } else if (row.object_type === 'security_group') {
      const ports = await tx.selectFrom('securitygroupportbindings').innerJoin('ports', 'ports.id', 'securitygroupportbindings.port_id')
        .select('ports.project_id').where('securitygroupportbindings.security_group_id', '=', row.object_id).execute();
      if (ports.some((p) => affected(p.project_id))) throw new RbacPolicyInUse(row.object_id, 'There are ports using the security group');
    } else if (row.object_type === 'subnetpool') {
      const subnets = await tx.selectFrom('subnets').select('project_id').where('subnetpool_id', '=', row.object_id).execute();
      if (subnets.some((s) => affected(s.project_id))) throw new RbacPolicyInUse(row.object_id, 'There are subnets allocated from the subnet pool');
    } else if (row.object_type === 'address_scope') {
      const pools = await tx.selectFrom('subnetpools').select('project_id').where('address_scope_id', '=', row.object_id).execute();
      if (pools.some((p) => affected(p.project_id))) throw new RbacPolicyInUse(row.object_id, 'There are subnet pools in the address scope');
    } else if (row.object_type === 'address_group') {
      // AddressGroup.get_bound_project_ids: the projects of the rules naming the group
      const rules = await tx.selectFrom('securitygrouprules').select('project_id').where('remote_address_group_id', '=', row.object_id).execute();
      if (rules.some((r) => affected(r.project_id))) throw new RbacPolicyInUse(row.object_id, 'There are security group rules using the address group');
    }
  }
}
