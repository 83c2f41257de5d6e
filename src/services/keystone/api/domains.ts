/** /v3/domains (keystone/api/domains.py): CRUD; a domain must be disabled before deletion. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../errors.js';
import { newId } from '../db/rows.js';
import { immutableOptionsSchema } from '../lib/resource-options.js';
import {
  authorize, authorizeMember, body, buildHints, filterValues, orUndefined, params, type ResourceDeps, schemas, wrapCollection, wrapMember,
} from './resource-common.js';

const domainProperties = {
  description: schemas.description,
  enabled: schemas.boolean,
  name: { type: 'string', minLength: 1, maxLength: 64, pattern: '\\S+' },
  options: immutableOptionsSchema,
  tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^,/]*$' }, maxItems: 80, uniqueItems: true },
};
const createSchema = schemas.wrap('domain', {
  type: 'object', properties: { explicit_domain_id: schemas.idString, ...domainProperties }, required: ['name'], additionalProperties: true,
});
const updateSchema = schemas.wrap('domain', { type: 'object', properties: domainProperties, minProperties: 1, additionalProperties: true });
const UUID_HEX = /^[0-9a-f]{32}$/;

export function registerDomainRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const domainTarget = async (req: FastifyRequest): Promise<Record<string, unknown>> => {
    const domain = await orUndefined(() => m.resource.getDomain(params(req).domain_id!));
    return domain ? { domain } : {};
  };

  app.get('/v3/domains', async (req) => {
    const filters = ['name', 'enabled'];
    // As upstream: no target, and no narrowing to the caller's domain (Zed's rule does not admit domain scope).
    authorize(deps, req, 'identity:list_domains', { filters: filterValues(req, filters) });
    const hints = buildHints(req, filters, deps.config.resource.list_limit);
    return wrapCollection(deps, req, 'domains', await m.resource.listDomains(hints), hints);
  });

  app.post('/v3/domains', { schema: { body: createSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_domain');
    const { explicit_domain_id: explicit, ...domain } = body(req).domain as Record<string, unknown>;
    let id = newId();
    if (explicit !== undefined && explicit !== null) {
      // _validate_id_format: a UUID in its 32-hex-digit form.
      if (typeof explicit !== 'string' || !UUID_HEX.test(explicit.replaceAll('-', '').toLowerCase()) || explicit.replaceAll('-', '').toLowerCase() !== explicit) {
        throw new ValidationError('Domain ID does not conform to required UUID format.');
      }
      id = explicit;
    }
    reply.code(201);
    return wrapMember(deps, 'domains', 'domain', await m.resource.createDomain(id, domain));
  });

  app.get('/v3/domains/:domain_id', async (req) => {
    authorize(deps, req, 'identity:get_domain', { target: await domainTarget(req) });
    return wrapMember(deps, 'domains', 'domain', await m.resource.getDomain(params(req).domain_id!));
  });

  const loadDomain = (req: FastifyRequest) => () => m.resource.getDomain(params(req).domain_id!);
  app.patch('/v3/domains/:domain_id', {
    schema: { body: updateSchema },
    preValidation: (req) => authorizeMember(deps, req, 'identity:update_domain', 'domain', loadDomain(req)),
  }, async (req) => {
    const changes = body(req).domain as Record<string, unknown>;
    return wrapMember(deps, 'domains', 'domain', await m.resource.updateDomain(params(req).domain_id!, changes));
  });

  app.delete('/v3/domains/:domain_id', async (req, reply) => {
    await authorizeMember(deps, req, 'identity:delete_domain', 'domain', loadDomain(req));
    await m.resource.deleteDomain(params(req).domain_id!);
    reply.code(204).send();
  });
}
