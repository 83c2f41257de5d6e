/**
 * The fuzz plan: every route of a route table, each with a budget of cases per identity
 * (admin, a member of another project, no token), deletions last so that resources removed by
 * a lucky request do not hide the routes that need them.
 */
import type { RouteEntry } from '../../../src/common/http/route-table.js';
import { planRoute, type RouteContext } from './cases.js';
import type { Prng } from './prng.js';
import type { FuzzIdentity, FuzzJob } from './runner.js';

export interface PlanIdentity extends FuzzIdentity {
  /** Cases per route for this identity. */
  readonly budget: number;
}

export interface PlanOptions {
  readonly identities: readonly PlanIdentity[];
  /** Cases per route and identity for HEAD routes (Fastify's mirrors of GET routes). */
  readonly headBudget: number;
  /** Cases per route for public routes without a token (the routes' real audience). */
  readonly publicBudget: number;
  readonly prng: Prng;
  /** The context of a route: real ids, resource shape, filter names. */
  readonly context: (route: RouteEntry) => Promise<RouteContext>;
}

export async function planJobs(routes: readonly RouteEntry[], opts: PlanOptions): Promise<FuzzJob[]> {
  const ordered = [...routes.filter((r) => r.method !== 'DELETE'), ...routes.filter((r) => r.method === 'DELETE')];
  const jobs: FuzzJob[] = [];
  for (const route of ordered) {
    const ctx = await opts.context(route);
    for (const identity of opts.identities) {
      let budget = route.method === 'HEAD' ? Math.min(opts.headBudget, identity.budget) : identity.budget;
      if (!identity.token && route.public) budget = Math.max(budget, opts.publicBudget);
      for (const request of planRoute(ctx, opts.prng, budget)) jobs.push({ identity, request });
    }
  }
  return jobs;
}
