/**
 * os-quota-sets (nova/api/openstack/compute/quota_sets.py): a project's (or with ?user_id= a
 * user's) limits, with usage in /detail, the defaults, update with the settable-range check
 * unless `force`, and delete back to the defaults. 2.36 drops the nova-network resources,
 * 2.57 the injected files; from 2.75 unknown query parameters are a 400.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { QUOTA_RESOURCES, type QuotaResource, type QuotaValue } from '../compute/quota.js';
import type { ApiDeps } from './deps.js';
import { lastParam, rejectUnknownParams, type RawQuery } from './query.js';
import { caller, type Caller } from './request.js';
import { filteredQuotas, quotaUpdateSchema } from './schemas/quotas.js';
import { BOOLEAN_TRUE } from './schemas/booleans.js';
import { validateBody } from './validation.js';

const rule = (name: string): string => `os_compute_api:os-quota-sets:${name}`;

/** _format_quota_set: the resources in nova's order, without the filtered ones, `id` first when given. */
export function formatQuotaSet<T>(id: string | null, values: Record<QuotaResource, T>, filtered: readonly QuotaResource[]): Record<string, unknown> {
  const out: Record<string, unknown> = id === null ? {} : { id };
  for (const r of QUOTA_RESOURCES) if (!filtered.includes(r)) out[r] = values[r];
  return out;
}

const limitsOf = (v: Record<QuotaResource, QuotaValue>): Record<QuotaResource, number> =>
  Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, v[r].limit])) as Record<QuotaResource, number>;

/** The ?user_id= of the request (the first one, as parse_qs's [0]), checked against the query schema. */
function userIdParam(req: FastifyRequest, c: Caller): string | undefined {
  const q = req.query as RawQuery;
  rejectUnknownParams(q, ['user_id'], c.version);
  const v = q['user_id'];
  return Array.isArray(v) ? v[0] : v;
}

/** identity.verify_project_id. @throws BadRequest when Keystone has no such project */
async function verifyProjectId(deps: ApiDeps, projectId: string): Promise<void> {
  if (!(await deps.projectExists(projectId))) throw new BadRequest(`Project ID ${projectId} is not a valid project.`);
}

async function quotasFor(deps: ApiDeps, projectId: string, userId: string | undefined): Promise<Record<QuotaResource, QuotaValue>> {
  return userId ? deps.quotas.userQuotas(projectId, userId) : deps.quotas.projectQuotas(projectId);
}

interface UpdateBody {
  quota_set: Record<string, number | string | boolean> & { force?: boolean | string };
}

export function quotaSetsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/os-quota-sets/:id', async (req) => {
    const c = caller(req, deps);
    const userId = userIdParam(req, c);
    deps.policy.can(c.ctx, rule('show'), { project_id: req.params.id });
    await verifyProjectId(deps, req.params.id);
    const values = limitsOf(await quotasFor(deps, req.params.id, userId));
    return { quota_set: formatQuotaSet(req.params.id, values, filteredQuotas(c.version, '2.36')) };
  });

  app.get<{ Params: { id: string } }>('/os-quota-sets/:id/detail', async (req) => {
    const c = caller(req, deps);
    const userId = userIdParam(req, c);
    deps.policy.can(c.ctx, rule('detail'), { project_id: req.params.id });
    await verifyProjectId(deps, req.params.id);
    const values = await quotasFor(deps, req.params.id, userId);
    return { quota_set: formatQuotaSet(req.params.id, values, filteredQuotas(c.version, '2.36')) };
  });

  app.get<{ Params: { id: string } }>('/os-quota-sets/:id/defaults', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('defaults'), { project_id: req.params.id });
    await verifyProjectId(deps, req.params.id);
    return { quota_set: formatQuotaSet(req.params.id, await deps.quotas.defaults(), filteredQuotas(c.version, '2.36')) };
  });

  app.put<{ Params: { id: string } }>('/os-quota-sets/:id', async (req) => {
    const c = caller(req, deps);
    const body = validateBody<UpdateBody>(quotaUpdateSchema(c.version, 'quota_set'), req.body);
    const userId = userIdParam(req, c);
    deps.policy.can(c.ctx, rule('update'), { project_id: req.params.id });
    await verifyProjectId(deps, req.params.id);
    const set = body.quota_set;
    if ('networks' in set) throw new BadRequest('The networks quota has been removed');
    const force = set.force !== undefined && BOOLEAN_TRUE.has(String(set.force).toLowerCase());
    const values: Partial<Record<QuotaResource, number>> = {};
    for (const [key, value] of Object.entries(set)) {
      if (key === 'force') continue;
      values[key as QuotaResource] = Number(value);
    }
    await deps.quotas.update(req.params.id, userId ?? null, values, force);
    const after = limitsOf(await quotasFor(deps, req.params.id, userId));
    return { quota_set: formatQuotaSet(null, after, filteredQuotas(c.version, '2.36')) };
  });

  app.delete<{ Params: { id: string } }>('/os-quota-sets/:id', async (req, reply) => {
    const c = caller(req, deps);
    const userId = userIdParam(req, c);
    deps.policy.can(c.ctx, rule('delete'), { project_id: req.params.id });
    await deps.quotas.destroy(req.params.id, userId ?? null);
    return reply.code(202).send();
  });
}
