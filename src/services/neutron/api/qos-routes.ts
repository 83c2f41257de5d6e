/**
 * GET /v2.0/qos/rule-types and /v2.0/qos/rule-types/{type} (qos, qos-rule-type-details):
 * the rule types every loaded QoS driver supports, and for admins the drivers that support
 * one type with the parameter values they accept (QoSPlugin.get_rule_types/get_rule_type).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NeutronContext } from '../common/context.js';
import { HTTPNotFound, NotAuthorized } from '../errors.js';
import type { QosDriverManager } from '../managers/qos/drivers.js';
import { VALID_RULE_TYPES } from '../types/qos.js';
import type { NeutronPolicy } from './policy.js';
import { listArg, type QueryParams } from './query.js';

function only(fields: string[], item: Record<string, unknown>): Record<string, unknown> {
  return fields.length ? Object.fromEntries(Object.entries(item).filter(([k]) => fields.includes(k))) : item;
}

export function registerQosRuleTypes(app: FastifyInstance, drivers: QosDriverManager, policy: NeutronPolicy): void {
  const ctxOf = (req: FastifyRequest) => NeutronContext.fromRequest(req.ctx);
  const fields = (req: FastifyRequest) => listArg(req.query as QueryParams, 'fields');
  app.get('/v2.0/qos/rule-types', async (req) => {
    policy.enforce(ctxOf(req), 'get_rule_type', {});
    return { rule_types: drivers.supportedRuleTypes().map((type) => only(fields(req), { type })) };
  });
  app.get('/v2.0/qos/rule-types/:type', async (req) => {
    const ctx = ctxOf(req);
    policy.enforce(ctx, 'get_rule_type', {});
    if (!ctx.isAdmin) throw new NotAuthorized();
    const type = (req.params as Record<string, string>).type!;
    if (!(VALID_RULE_TYPES as readonly string[]).includes(type)) throw new HTTPNotFound('The resource could not be found.');
    return { rule_type: only(fields(req), { type, drivers: drivers.ruleTypeDetails(type) }) };
  });
}
