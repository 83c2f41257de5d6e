/**
 * Which rows a project sees (neutron_lib.db.model_query's project filter plus the RBAC query
 * hooks): its own, plus networks (and their subnets) an RBAC policy shares with it or with
 * everyone (access_as_shared) or exposes as external (access_as_external), ports on networks
 * it owns, rules of security groups it owns, shared subnet pools and address scopes. Admins
 * and services see everything.
 */
import { type Expression, type ExpressionBuilder, expressionBuilder, type SqlBool } from 'kysely';
import type { NeutronContext } from '../common/context.js';
import { columnRef, type FilterValue } from '../db/listing.js';
import type { NeutronDB } from '../db/schema.js';

export const ACCESS_SHARED = 'access_as_shared';
export const ACCESS_EXTERNAL = 'access_as_external';

type EB<TB extends keyof NeutronDB> = ExpressionBuilder<NeutronDB, TB>;
type Condition = Expression<SqlBool>;

/** Tables whose rows belong to a project and that RBAC can share by their `shared` column too. */
type SharedTable = 'subnetpools' | 'address_scopes';

/**
 * An RBAC entry for `objectType` on the object whose id is in column `objectIdCol`
 * (`table.column` of the enclosing query) grants `projectId` one of `actions`.
 */
export function rbacGrants(objectType: string, objectIdCol: string, projectId: string, actions: string[]): Condition {
  return expressionBuilder<NeutronDB, never>().exists(expressionBuilder<NeutronDB, never>().selectFrom('rbac_policies as rb').select('rb.id')
    .where('rb.object_type', '=', objectType)
    .whereRef('rb.object_id', '=', columnRef(...splitColumn(objectIdCol)))
    .where('rb.action', 'in', actions)
    .where('rb.target_project', 'in', ['*', projectId]));
}

function splitColumn(col: string): [string, string] {
  const dot = col.lastIndexOf('.');
  return [col.slice(0, dot), col.slice(dot + 1)];
}

/** Networks the project owns or that are shared with it or external to it. */
export function networkVisible(ctx: NeutronContext) {
  return (eb: EB<'networks'>): Condition => eb.or([
    eb('networks.project_id', '=', ctx.projectId ?? ''),
    rbacGrants('network', 'networks.id', ctx.projectId ?? '', [ACCESS_SHARED, ACCESS_EXTERNAL]),
  ]);
}

/** Subnets the project owns or of networks shared with it (an external network's are not). */
export function subnetVisible(ctx: NeutronContext) {
  return (eb: EB<'subnets'>): Condition => eb.or([
    eb('subnets.project_id', '=', ctx.projectId ?? ''),
    rbacGrants('network', 'subnets.network_id', ctx.projectId ?? '', [ACCESS_SHARED]),
  ]);
}

/** Ports the project owns or on networks it owns. */
export function portVisible(ctx: NeutronContext) {
  return (eb: EB<'ports'>): Condition => eb.or([
    eb('ports.project_id', '=', ctx.projectId ?? ''),
    eb.exists(eb.selectFrom('networks as pn').select('pn.id').whereRef('pn.id', '=', 'ports.network_id').where('pn.project_id', '=', ctx.projectId ?? '')),
  ]);
}

/** Rows of `table` the project owns. */
export function ownedBy<TB extends keyof NeutronDB>(ctx: NeutronContext, table: TB) {
  return (eb: EB<TB>): Condition => eb(columnRef(table, 'project_id'), '=', ctx.projectId ?? '');
}

/** Security groups the project owns or that are shared with it. */
export function securityGroupVisible(ctx: NeutronContext) {
  return (eb: EB<'securitygroups'>): Condition => securityGroupUsableBy(eb, 'securitygroups', ctx.projectId ?? '');
}

/** Groups (`alias` of securitygroups) that `projectId` owns or that are shared with it. */
function securityGroupUsableBy<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, alias: string, projectId: string): Condition {
  return eb.or([
    eb(columnRef(alias, 'project_id'), '=', projectId),
    rbacGrants('security_group', `${alias}.id`, projectId, [ACCESS_SHARED]),
  ]);
}

/** Security groups a port of `projectId` may use. */
export function securityGroupUsable(projectId: string) {
  return (eb: EB<'securitygroups'>): Condition => securityGroupUsableBy(eb, 'securitygroups', projectId);
}

/** Address groups `projectId` owns or that an RBAC policy shares with it. */
export function addressGroupVisibleTo(projectId: string) {
  return (eb: EB<'address_groups'>): Condition => eb.or([
    eb('address_groups.project_id', '=', projectId),
    rbacGrants('address_group', 'address_groups.id', projectId, [ACCESS_SHARED]),
  ]);
}

/** Rules the project owns or of groups it sees. */
export function sgRuleVisible(ctx: NeutronContext) {
  return (eb: EB<'securitygrouprules'>): Condition => eb.or([
    eb('securitygrouprules.project_id', '=', ctx.projectId ?? ''),
    eb.exists(eb.selectFrom('securitygroups as rsg').select('rsg.id').whereRef('rsg.id', '=', 'securitygrouprules.security_group_id')
      .where((e) => securityGroupUsableBy(e, 'rsg', ctx.projectId ?? ''))),
  ]);
}

/**
 * The `shared` filter on a resource with a shared column that RBAC can also share (subnet
 * pools, address scopes): shared=True matches the column or a grant to the caller.
 */
export function sharedFilter<TB extends SharedTable>(ctx: NeutronContext, table: TB, objectType: string) {
  return (eb: EB<TB>, values: FilterValue[]): Condition => {
    const shared = eb.or([eb(columnRef(table, 'shared'), '=', 1), rbacGrants(objectType, `${table}.id`, ctx.projectId ?? '', [ACCESS_SHARED])]);
    const wanted = values.map((v) => v === true || v === 1 || String(v).toLowerCase() === 'true' || v === '1');
    if (wanted.every(Boolean)) return shared;
    if (wanted.every((w) => !w)) return eb.not(shared);
    return eb.and([]);
  };
}

/** Rows of `table` the project owns, shared ones, and those RBAC shares with it. */
export function sharedOrOwned<TB extends SharedTable>(ctx: NeutronContext, table: TB, objectType: string) {
  return (eb: EB<TB>): Condition => eb.or([
    eb(columnRef(table, 'project_id'), '=', ctx.projectId ?? ''),
    eb(columnRef(table, 'shared'), '=', 1),
    rbacGrants(objectType, `${table}.id`, ctx.projectId ?? '', [ACCESS_SHARED]),
  ]);
}

/** QoS policies the project owns or that RBAC shares with it (or with everyone). */
export function qosPolicyVisible(ctx: NeutronContext) {
  return (eb: EB<'qos_policies'>): Condition => eb.or([
    eb('qos_policies.project_id', '=', ctx.projectId ?? ''),
    rbacGrants('qos_policy', 'qos_policies.id', ctx.projectId ?? '', [ACCESS_SHARED]),
  ]);
}
