/**
 * The compute-api role (nova-api): the Compute API over Nova's database, its policy, and the
 * compute API layer that records servers and casts to the conductor.
 */
import type { Kysely } from 'kysely';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import type { ApiDeps } from '../api/deps.js';
import { LinkBuilder } from '../api/links.js';
import { computeRoutes } from '../api/routes.js';
import { apiGroup } from '../config.js';
import type { NovaDB } from '../db/schema.js';
import { loadNovaPolicy } from '../policies/index.js';

export async function createComputeApi(ctx: RoleContext): Promise<RoleInstance> {
  const db = (await ctx.database()).db as Kysely<NovaDB>;
  const api = ctx.config.get(apiGroup);
  const policy = loadNovaPolicy(ctx.config, ctx.dataDir, (msg) => ctx.log.warn(msg));
  const deps: ApiDeps = {
    db,
    policy,
    settings: { maxLimit: api.max_limit },
    links: new LinkBuilder(ctx.baseUrl, api.compute_link_prefix),
  };
  return {
    routes: computeRoutes(deps, ctx.baseUrl),
    async stop() {
      policy.close();
    },
  };
}
