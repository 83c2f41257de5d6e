/**
 * os-security-groups (nova's SecurityGroupController), proxied to Neutron with the caller's
 * token up to 2.35 (404 from 2.36): list (the project's groups, every group for an admin with
 * all_tenants; limit and offset; sorted by project and name), show, create and update (name and
 * description, strings of at most 255 characters; 200), delete (202; a group in use or the
 * default group is a 400 as nova answers Neutron's 409). Ids must be uuids (400).
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { createGroup, destroyGroup, getGroup, listGroups, updateGroup } from '../network/security-group-api.js';
import { isUuidLike } from './admin-ids.js';
import type { ApiDeps } from './deps.js';
import { authorizeProxy } from './proxy-gate.js';
import { nonNegativeParam, type RawQuery } from './query.js';
import { caller, type Caller } from './request.js';
import { formatGroup, SourceGroups } from './security-group-view.js';

/** security_group_api.validate_id. */
export function validateSecurityGroupId(id: unknown): string {
  if (typeof id !== 'string' || !isUuidLike(id)) throw new BadRequest('Security group id should be uuid');
  return id;
}

/** _from_body: the object under `key`. */
export function fromBody(body: unknown, key: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) throw new BadRequest("The request body can't be empty");
  const value = (body as Record<string, unknown>)[key];
  if (value === undefined || value === null) throw new BadRequest(`Missing parameter ${key}`);
  if (typeof value !== 'object' || Array.isArray(value)) throw new BadRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(value)}. ${JSON.stringify(value)} is not of type 'object'`);
  return value as Record<string, unknown>;
}

/** validate_property (utils.check_string_length, 0 to 255 characters). */
function property(group: Record<string, unknown>, name: 'name' | 'description'): string {
  const value = group[name];
  if (typeof value !== 'string') throw new BadRequest(`${name} is not a string or unicode`);
  const length = [...value].length;
  if (length > 255) throw new BadRequest(`${name} has ${length} characters, more than 255.`);
  return value;
}

export function securityGroupsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const client = (c: Caller) => deps.compute.network.clientFor(c.ctx);

  app.get<{ Querystring: RawQuery }>('/os-security-groups', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-security-groups:get');
    const offset = nonNegativeParam(req.query, 'offset') ?? 0;
    const limit = Math.min(deps.settings.maxLimit, nonNegativeParam(req.query, 'limit') || deps.settings.maxLimit);
    const all = c.isAdmin && req.query['all_tenants'] !== undefined;
    const groups = (await listGroups(client(c), c.ctx.projectId ?? '', all)).slice(offset, offset + limit);
    const sources = new SourceGroups(client(c), groups);
    const views = [];
    for (const g of groups) views.push(await formatGroup(g, sources));
    views.sort((a, b) => (a.tenant_id === b.tenant_id ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.tenant_id < b.tenant_id ? -1 : 1));
    return { security_groups: views };
  });

  app.get<{ Params: { id: string } }>('/os-security-groups/:id', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-security-groups:show');
    const group = await getGroup(client(c), validateSecurityGroupId(req.params.id));
    return { security_group: await formatGroup(group, new SourceGroups(client(c), [group])) };
  });

  app.post('/os-security-groups', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-security-groups:create');
    const body = fromBody(req.body, 'security_group');
    const group = await createGroup(client(c), property(body, 'name'), property(body, 'description'));
    return { security_group: await formatGroup(group, new SourceGroups(client(c), [group])) };
  });

  app.put<{ Params: { id: string } }>('/os-security-groups/:id', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-security-groups:update');
    const existing = await getGroup(client(c), validateSecurityGroupId(req.params.id));
    const body = fromBody(req.body, 'security_group');
    const group = await updateGroup(client(c), existing.id, property(body, 'name'), property(body, 'description'));
    return { security_group: await formatGroup(group, new SourceGroups(client(c), [group])) };
  });

  app.delete<{ Params: { id: string } }>('/os-security-groups/:id', async (req, reply) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-security-groups:delete');
    const group = await getGroup(client(c), validateSecurityGroupId(req.params.id));
    await destroyGroup(client(c), group.id);
    return reply.code(202).send();
  });
}
