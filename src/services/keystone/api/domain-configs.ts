/**
 * Domain-specific configuration (keystone/api/domains.py DomainConfig* resources):
 * /v3/domains/{id}/config[/{group}[/{option}]] and /v3/domains/config[/{group}[/{option}]]/default.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorize, body, params, type ResourceDeps } from './resource-common.js';

const configSchema = { type: 'object', properties: { config: { type: 'object' } }, required: ['config'], additionalProperties: false };

export function registerDomainConfigRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const paths = ['/v3/domains/:domain_id/config', '/v3/domains/:domain_id/config/:group', '/v3/domains/:domain_id/config/:group/:option'];

  /** GET: the domain is looked up first, but a missing domain is reported after the policy check (as upstream). */
  const get = async (req: FastifyRequest) => {
    const { domain_id, group, option } = params(req);
    let missing: unknown;
    try {
      await m.resource.getDomain(domain_id!);
    } catch (err) {
      missing = err;
    }
    if (group === 'security_compliance') {
      authorize(deps, req, 'identity:get_security_compliance_domain_config');
      if (missing) throw missing;
      return { config: m.domainConfigs.getSecurityComplianceConfig(domain_id!, group, option) };
    }
    authorize(deps, req, 'identity:get_domain_config');
    if (missing) throw missing;
    return { config: await m.domainConfigs.getConfig(domain_id!, group, option) };
  };

  for (const path of paths) {
    app.get(path, get);
    app.patch(path, {
      schema: { body: configSchema },
      // Upstream enforces before it validates the body.
      preValidation: async (req) => { authorize(deps, req, 'identity:update_domain_config'); },
    }, async (req) => {
      const { domain_id, group, option } = params(req);
      await m.resource.getDomain(domain_id!);
      return { config: await m.domainConfigs.updateConfig(domain_id!, body(req).config, group, option) };
    });
    app.delete(path, async (req, reply) => {
      authorize(deps, req, 'identity:delete_domain_config');
      const { domain_id, group, option } = params(req);
      await m.resource.getDomain(domain_id!);
      await m.domainConfigs.deleteConfig(domain_id!, group, option);
      reply.code(204).send();
    });
  }

  app.put('/v3/domains/:domain_id/config', { schema: { body: configSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_domain_config');
    const { domain_id } = params(req);
    await m.resource.getDomain(domain_id!);
    const existed = await m.domainConfigs.hasConfig(domain_id!);
    const config = await m.domainConfigs.createConfig(domain_id!, body(req).config);
    reply.code(existed ? 200 : 201);
    return { config };
  });

  for (const path of ['/v3/domains/config/default', '/v3/domains/config/:group/default', '/v3/domains/config/:group/:option/default']) {
    app.get(path, async (req) => {
      authorize(deps, req, 'identity:get_domain_config_default');
      const { group, option } = params(req);
      return { config: m.domainConfigs.getConfigDefault(group, option) };
    });
  }
}
