/**
 * GET /v2.0/nubo-explain?from=&to=[&protocol=&port=] (Nubo's extension nubo-path-explain):
 * the hops of the path between two ends, each with its verdict, evidence and fix. Admins, and
 * readers of a project for what their project can see (policy `get_nubo-path-explain`).
 */
import type { FastifyInstance } from 'fastify';
import { NeutronContext } from '../common/context.js';
import type { PathExplainer } from '../explain/explainer.js';
import { explainRequest } from '../explain/request.js';
import type { NeutronPolicy } from './policy.js';

export function registerExplain(app: FastifyInstance, explainer: PathExplainer, policy: NeutronPolicy): void {
  app.get('/v2.0/nubo-explain', async (req) => {
    const ctx = NeutronContext.fromRequest(req.ctx);
    const projectId = ctx.projectId ?? '';
    policy.enforce(ctx, 'get_nubo-path-explain', { project_id: projectId, tenant_id: projectId });
    return { explanation: await explainer.explain(ctx, explainRequest(req.query as Record<string, unknown>)) };
  });
}
