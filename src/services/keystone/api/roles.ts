/** /v3/roles (keystone/api/roles.py): global and domain-specific roles. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RoleRecord } from '../assignment/role_backends/base.js';
import { immutableOptionsSchema } from '../lib/resource-options.js';
import {
  authorize, body, buildHints, filterValues, params, qs, type ResourceDeps, requireMatchingId, schemas, wrapCollection, wrapMember,
} from './resource-common.js';

const roleProperties = {
  name: schemas.name,
  description: { type: ['string', 'null'], maxLength: 255 },
  domain_id: schemas.nullableIdString,
  options: immutableOptionsSchema,
};
const createSchema = schemas.wrap('role', { type: 'object', properties: roleProperties, required: ['name'], additionalProperties: true });
const updateSchema = schemas.wrap('role', { type: 'object', properties: roleProperties, minProperties: 1, additionalProperties: true });

export function registerRoleRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  /**
   * Member routes choose identity:<op>_role or identity:<op>_domain_role by the role; a missing
   * role is checked against the global rule before its 404 (as upstream).
   */
  const loadAndAuthorize = async (req: FastifyRequest, op: 'get' | 'update' | 'delete'): Promise<RoleRecord> => {
    let role: RoleRecord | undefined;
    let missing: unknown;
    try {
      role = await m.roles.getRole(params(req).role_id!);
    } catch (err) {
      missing = err;
    }
    // enforce_call without a target loads the role named by the path first: a missing role is a 404.
    if (missing) throw missing;
    if (!role!.domain_id) {
      authorize(deps, req, `identity:${op}_role`, { target: { role } });
    } else {
      authorize(deps, req, `identity:${op}_domain_role`, { target: { role } });
    }
    return role!;
  };

  app.get('/v3/roles', async (req) => {
    const filters = ['name', 'domain_id'];
    const domainFilter = qs(req, 'domain_id');
    authorize(deps, req, domainFilter ? 'identity:list_domain_roles' : 'identity:list_roles', { filters: filterValues(req, filters) });
    const hints = buildHints(req, filters, deps.config.assignment.list_limit);
    return wrapCollection(deps, req, 'roles', await m.roles.listRoles(hints, { globalOnly: !domainFilter }), hints);
  });

  app.post('/v3/roles', { schema: { body: createSchema } }, async (req, reply) => {
    const role = body(req).role as Record<string, unknown>;
    if (role.domain_id) authorize(deps, req, 'identity:create_domain_role', { target: { role } });
    else authorize(deps, req, 'identity:create_role');
    reply.code(201);
    return wrapMember(deps, 'roles', 'role', await m.roles.createRole(role));
  });

  app.get('/v3/roles/:role_id', async (req) => wrapMember(deps, 'roles', 'role', await loadAndAuthorize(req, 'get')));

  app.patch('/v3/roles/:role_id', {
    schema: { body: updateSchema },
    preValidation: async (req) => { await loadAndAuthorize(req, 'update'); },
  }, async (req) => {
    const changes = body(req).role as Record<string, unknown>;
    requireMatchingId(changes, params(req).role_id);
    return wrapMember(deps, 'roles', 'role', await m.roles.updateRole(params(req).role_id!, changes));
  });

  app.delete('/v3/roles/:role_id', async (req, reply) => {
    await loadAndAuthorize(req, 'delete');
    await m.roles.deleteRole(params(req).role_id!);
    reply.code(204).send();
  });
}
