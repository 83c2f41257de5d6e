/**
 * GET /v3/role_assignments (keystone/api/role_assignments.py): filters user.id, group.id,
 * role.id, scope.project.id, scope.domain.id, scope.system, scope.OS-INHERIT:inherited_to;
 * options effective, include_names, include_subtree.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AssignmentRef } from '../assignment/backends/base.js';
import { ValidationError } from '../errors.js';
import { authorize, filterValues, qs, queryFlag, type ResourceDeps, selfUrl, v3Url } from './resource-common.js';

const FILTERS = ['group.id', 'role.id', 'scope.domain.id', 'scope.project.id', 'scope.OS-INHERIT:inherited_to', 'user.id', 'scope.system'];

/** _format_entity: an assignment as the API shows it, with its links. */
export function formatAssignment(deps: ResourceDeps, e: AssignmentRef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const links: Record<string, string> = {};
  let link = '';
  let inherited = e.inherited_to_projects === 'projects';
  let scope: Record<string, unknown> = {};
  if (e.project_id) {
    scope = {
      project: e.project_name !== undefined
        ? { id: e.project_id, name: e.project_name, domain: { id: e.project_domain_id, name: e.project_domain_name } }
        : { id: e.project_id },
    };
    if (e.indirect?.domain_id) {
      inherited = true;
      link = `/domains/${e.indirect.domain_id}`;
    } else if (e.indirect?.project_id) {
      inherited = true;
      link = `/projects/${e.indirect.project_id}`;
    } else {
      link = `/projects/${e.project_id}`;
    }
  } else if (e.domain_id) {
    scope = { domain: e.domain_name !== undefined ? { id: e.domain_id, name: e.domain_name } : { id: e.domain_id } };
    link = `/domains/${e.domain_id}`;
  } else if (e.system) {
    link = '/system';
    scope = { system: e.system };
  }
  out.scope = scope;
  if (e.user_id) {
    out.user = e.user_name !== undefined
      ? { id: e.user_id, name: e.user_name, domain: { id: e.user_domain_id, name: e.user_domain_name } }
      : { id: e.user_id };
    if (e.indirect?.group_id) {
      links.membership = v3Url(deps, `groups/${e.indirect.group_id}/users/${e.user_id}`);
      link += `/groups/${e.indirect.group_id}`;
    } else {
      link += `/users/${e.user_id}`;
    }
  } else if (e.group_id) {
    out.group = e.group_name !== undefined
      ? { id: e.group_id, name: e.group_name, domain: { id: e.group_domain_id, name: e.group_domain_name } }
      : { id: e.group_id };
    link += `/groups/${e.group_id}`;
  }
  const role: Record<string, unknown> = e.role_name !== undefined ? { id: e.role_id, name: e.role_name } : { id: e.role_id };
  if (e.role_domain_id !== undefined && e.role_domain_name !== undefined) role.domain = { id: e.role_domain_id, name: e.role_domain_name };
  out.role = role;
  let priorLink = '';
  if (e.indirect?.role_id) {
    link += `/roles/${e.indirect.role_id}`;
    priorLink = `/prior_role/${e.role_id}/implies/${e.indirect.role_id}`;
  } else {
    link += `/roles/${e.role_id}`;
  }
  if (inherited) {
    scope['OS-INHERIT:inherited_to'] = 'projects';
    link = `/OS-INHERIT${link}/inherited_to_projects`;
  }
  links.assignment = v3Url(deps, link);
  if (priorLink) links.prior_role = v3Url(deps, priorLink);
  out.links = links;
  return out;
}

export function registerRoleAssignmentRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  const build = async (req: FastifyRequest, includeSubtree: boolean) => {
    const has = (k: string) => Boolean(qs(req, k));
    if (has('scope.domain.id') && has('scope.project.id')) throw new ValidationError('Specify a domain or project, not both');
    if (has('scope.domain.id') && has('scope.system')) throw new ValidationError('Specify system or domain, not both');
    if (has('scope.project.id') && has('scope.system')) throw new ValidationError('Specify system or project, not both');
    if (has('user.id') && has('group.id')) throw new ValidationError('Specify a user or group, not both');
    const effective = queryFlag(req, 'effective');
    const inheritedTo = qs(req, 'scope.OS-INHERIT:inherited_to');
    const inherited = inheritedTo === undefined ? undefined : inheritedTo === 'projects';
    if (effective && has('group.id')) throw new ValidationError('Combining effective and group filter will always result in an empty list.');
    if (effective && inherited && has('scope.domain.id')) {
      throw new ValidationError('Combining effective, domain and inherited filters will always result in an empty list.');
    }
    const opt = (k: string) => qs(req, k) || undefined;
    const refs = await m.assignments.listRoleAssignments({
      ...(opt('role.id') ? { roleId: opt('role.id')! } : {}),
      ...(opt('user.id') ? { userId: opt('user.id')! } : {}),
      ...(opt('group.id') ? { groupId: opt('group.id')! } : {}),
      ...(opt('scope.system') ? { system: opt('scope.system')! } : {}),
      ...(opt('scope.domain.id') ? { domainId: opt('scope.domain.id')! } : {}),
      ...(opt('scope.project.id') ? { projectId: opt('scope.project.id')! } : {}),
      includeSubtree, effective, includeNames: queryFlag(req, 'include_names'),
      ...(inherited !== undefined ? { inherited } : {}),
    });
    return refs.map((r) => formatAssignment(deps, r));
  };

  app.get('/v3/role_assignments', async (req) => {
    if (queryFlag(req, 'include_subtree')) {
      const projectId = qs(req, 'scope.project.id');
      let target: Record<string, unknown> | undefined;
      if (projectId) {
        const project = await m.resource.getProject(projectId);
        target = { project, domain_id: project.domain_id };
      }
      authorize(deps, req, 'identity:list_role_assignments_for_tree', { filters: filterValues(req, FILTERS.slice(0, 6)), ...(target ? { target } : {}) });
      if (!projectId) throw new ValidationError('scope.project.id must be specified if include_subtree is also specified');
      return { role_assignments: await build(req, true), links: { self: selfUrl(deps, req), previous: null, next: null } };
    }
    const target = req.ctx.domainId ? { domain_id: req.ctx.domainId } : undefined;
    authorize(deps, req, 'identity:list_role_assignments', { filters: filterValues(req, FILTERS), ...(target ? { target } : {}) });
    let list = await build(req, false);
    const scopedDomain = req.ctx.domainId;
    if (scopedDomain) {
      const kept: Array<Record<string, unknown>> = [];
      for (const a of list) {
        const scope = a.scope as { domain?: { id: string }; project?: { id: string } };
        if (scope.domain?.id === scopedDomain) kept.push(a);
        else if (scope.project && (await m.resource.findProject(scope.project.id))?.domain_id === scopedDomain) kept.push(a);
      }
      list = kept;
    }
    return { role_assignments: list, links: { self: selfUrl(deps, req), previous: null, next: null } };
  });
}
