/**
 * GET /resource_providers/{uuid}/usages and GET /usages (placement/handlers/usage.py): a
 * provider's usage per inventory class; a project's (or user's) totals from 1.9, grouped by
 * consumer type with consumer counts from 1.38. Usage is "now": last-modified is the time of
 * the answer.
 */
import { Lookups } from '../objects/lookups.js';
import { projectUsages, projectUsagesByType, providerUsages } from '../objects/usages.js';
import { Rules } from '../policies/index.js';
import type { ApiDeps } from './deps.js';
import { cacheHeaders, checkAccept, requireVersion, sendJson, validateQuery } from './request.js';
import { providerOr404 } from './resource-providers.js';
import type { Router } from './router.js';
import * as schemas from './schemas.js';

export function usageRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy } = deps;

  router.get('/resource_providers/:uuid/usages', async (call) => {
    checkAccept(call);
    policy.can(call.ctx, Rules.PROVIDER_USAGES);
    const uuid = call.params['uuid']!;
    const rp = await providerOr404(store.db, uuid, (m) => `No resource provider with uuid ${uuid} found: ${m}`);
    const usages = await providerUsages(store.db, new Lookups(store.db), rp.id);
    cacheHeaders(call);
    sendJson(call, { resource_provider_generation: rp.generation, usages: Object.fromEntries(usages) });
  });

  router.get('/usages', async (call) => {
    requireVersion(call, '1.9');
    checkAccept(call);
    const projectId = call.query.get('project_id');
    const userId = call.query.get('user_id');
    const consumerType = call.query.get('consumer_type');
    policy.can(call.ctx, Rules.TOTAL_USAGES, { project_id: projectId ?? null });
    const byType = call.version.atLeast('1.38');
    validateQuery(call, byType ? schemas.GET_USAGES_1_38 : schemas.GET_USAGES_1_9);
    const lookups = new Lookups(store.db);
    let usages: Record<string, unknown>;
    if (byType) {
      const grouped = await projectUsagesByType(store.db, lookups, projectId!, userId, consumerType);
      usages = Object.fromEntries([...grouped].map(([type, u]) => [type, { ...Object.fromEntries(u.usages), consumer_count: u.consumerCount }]));
    } else {
      usages = Object.fromEntries(await projectUsages(store.db, lookups, projectId!, userId));
    }
    cacheHeaders(call);
    sendJson(call, { usages });
  });
}
