/**
 * Which rows a project sees (neutron_lib.db.model_query's project filter plus the RBAC query
 * hooks): its own, plus networks (and their subnets) an RBAC policy shares with it or with
 * everyone (access_as_shared) or exposes as external (access_as_external), ports on networks
 * it owns, rules of security groups it owns, shared subnet pools and address scopes. Admins
 * and services see everything.
 */
import type { ExpressionBuilder } from 'kysely';
import type { NeutronContext } from '../context.js';

export const ACCESS_SHARED = 'access_as_shared';
export const ACCESS_EXTERNAL = 'access_as_external';

type EB = ExpressionBuilder<any, any>;

/** An RBAC entry for `objectType` on `objectIdCol` grants `projectId` one of `actions`. */
export function rbacGrants(eb: EB, objectType: string, objectIdCol: string, projectId: string, actions: string[]) {
  return eb.exists(eb.selectFrom('rbac_policies as rb').select('rb.id')
    .where('rb.object_type', '=', objectType)
    .whereRef('rb.object_id', '=', objectIdCol)
    .where('rb.action', 'in', actions)
    .where('rb.target_project', 'in', ['*', projectId]));
}

/** A condition on `networks` (or any table whose network id column is given). */
export function networkVisible(ctx: NeutronContext, projectCol: string, networkIdCol: string) {
  return (eb: EB) => eb.or([
    eb(projectCol, '=', ctx.projectId ?? ''),
    rbacGrants(eb, 'network', networkIdCol, ctx.projectId ?? '', [ACCESS_SHARED, ACCESS_EXTERNAL]),
  ]);
}

export function portVisible(ctx: NeutronContext) {
  return (eb: EB) => eb.or([
    eb('ports.project_id', '=', ctx.projectId ?? ''),
    eb.exists(eb.selectFrom('networks as pn').select('pn.id').whereRef('pn.id', '=', 'ports.network_id').where('pn.project_id', '=', ctx.projectId ?? '')),
  ]);
}

export function ownedBy(ctx: NeutronContext, projectCol: string) {
  return (eb: EB) => eb(projectCol, '=', ctx.projectId ?? '');
}

export function securityGroupVisible(ctx: NeutronContext) {
  return (eb: EB) => eb.or([
    eb('securitygroups.project_id', '=', ctx.projectId ?? ''),
    rbacGrants(eb, 'security_group', 'securitygroups.id', ctx.projectId ?? '', [ACCESS_SHARED]),
  ]);
}

export function sgRuleVisible(ctx: NeutronContext) {
  return (eb: EB) => eb.or([
    eb('securitygrouprules.project_id', '=', ctx.projectId ?? ''),
    eb.exists(eb.selectFrom('securitygroups as rsg').select('rsg.id').whereRef('rsg.id', '=', 'securitygrouprules.security_group_id')
      .where((e) => e.or([e('rsg.project_id', '=', ctx.projectId ?? ''), rbacGrants(e, 'security_group', 'rsg.id', ctx.projectId ?? '', [ACCESS_SHARED])]))),
  ]);
}

/**
 * The `shared` filter on a resource with a shared column that RBAC can also share (subnet
 * pools, address scopes): shared=True matches the column or a grant to the caller.
 */
export function sharedFilter(ctx: NeutronContext, table: string, objectType: string) {
  return (eb: EB, values: unknown[]) => {
    const shared = eb.or([eb(`${table}.shared`, '=', 1), rbacGrants(eb, objectType, `${table}.id`, ctx.projectId ?? '', [ACCESS_SHARED])]);
    const wanted = values.map((v) => v === true || v === 1 || String(v).toLowerCase() === 'true' || v === '1');
    if (wanted.every(Boolean)) return shared;
    if (wanted.every((w) => !w)) return eb.not(shared);
    return eb.and([]);
  };
}

export function sharedOrOwned(ctx: NeutronContext, table: string, objectType: string) {
  return (eb: EB) => eb.or([
    eb(`${table}.project_id`, '=', ctx.projectId ?? ''),
    eb(`${table}.shared`, '=', 1),
    rbacGrants(eb, objectType, `${table}.id`, ctx.projectId ?? '', [ACCESS_SHARED]),
  ]);
}
