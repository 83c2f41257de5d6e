/**
 * The composition of the Placement API role (placement-api): the database with the standard
 * traits and resource classes in it, the policy, the [placement] settings, and the routes.
 * Placement has no RPC and no background work.
 */
import type { Database } from '../../common/db/index.js';
import { loadServicePolicy } from '../../common/policy/index.js';
import type { RoleContext, RoleInstance } from '../../common/service/project.js';
import type { ApiDeps } from './api/deps.js';
import { placementRoutes } from './api/routes.js';
import { placementGroup } from './config.js';
import type { PlacementDB } from './db/schema.js';
import { Store } from './db/store.js';
import { syncStandards } from './objects/standard-sync.js';
import { PlacementPolicy, placementPolicySpec, policyDenied } from './policies/index.js';

export async function buildPlacementService(ctx: RoleContext): Promise<RoleInstance> {
  const store = new Store((await ctx.database()) as Database<PlacementDB>);
  await syncStandards(store);
  const policy = loadServicePolicy(placementPolicySpec, { config: ctx.config, dataDir: ctx.dataDir, project: ctx.project.name, periodic: ctx.periodic }, {
    denied: policyDenied,
    onWarning: (message) => ctx.log.warn(message),
  });
  const conf = ctx.config.get(placementGroup);
  const deps: ApiDeps = {
    store,
    policy: new PlacementPolicy(policy),
    settings: {
      randomizeAllocationCandidates: conf.randomize_allocation_candidates,
      incompleteConsumerProjectId: conf.incomplete_consumer_project_id,
      incompleteConsumerUserId: conf.incomplete_consumer_user_id,
      allocationConflictRetryCount: conf.allocation_conflict_retry_count,
    },
    log: ctx.log,
  };
  return {
    routes: placementRoutes(deps, ctx.role.prefix ?? ctx.project.prefix),
  };
}
