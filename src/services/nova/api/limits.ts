/**
 * GET /limits (nova/api/openstack/compute/limits.py and views/limits.py): the project's
 * absolute limits under their API names with the used totals, `rate` always empty. An admin
 * may ask for another project's (?tenant_id=, policy limits:other_project). 2.36 drops the
 * nova-network limits, 2.39 maxImageMeta, 2.57 the personality limits; from 2.75 a parameter
 * other than tenant_id is a 400.
 */
import type { FastifyInstance } from 'fastify';
import type { APIVersion } from '../../../common/http/microversion.js';
import type { QuotaResource, QuotaValue } from '../compute/quota.js';
import type { ApiDeps } from './deps.js';
import { lastParam, rejectUnknownParams, type RawQuery } from './query.js';
import { caller } from './request.js';

/** views/limits.py limit_names. */
const LIMIT_NAMES: ReadonlyArray<[QuotaResource, string[]]> = [
  ['ram', ['maxTotalRAMSize']],
  ['instances', ['maxTotalInstances']],
  ['cores', ['maxTotalCores']],
  ['key_pairs', ['maxTotalKeypairs']],
  ['floating_ips', ['maxTotalFloatingIps']],
  ['metadata_items', ['maxServerMeta', 'maxImageMeta']],
  ['injected_files', ['maxPersonality']],
  ['injected_file_content_bytes', ['maxPersonalitySize']],
  ['security_groups', ['maxSecurityGroups']],
  ['security_group_rules', ['maxSecurityGroupRules']],
  ['server_groups', ['maxServerGroups']],
  ['server_group_members', ['maxServerGroupMembers']],
];

/** views/limits.py _build_used_limits' quota_map. */
const USED_NAMES: ReadonlyArray<[string, QuotaResource]> = [
  ['totalRAMUsed', 'ram'],
  ['totalCoresUsed', 'cores'],
  ['totalInstancesUsed', 'instances'],
  ['totalFloatingIpsUsed', 'floating_ips'],
  ['totalSecurityGroupsUsed', 'security_groups'],
  ['totalServerGroupsUsed', 'server_groups'],
];

function filteredLimits(v: APIVersion): QuotaResource[] {
  const out: QuotaResource[] = [];
  if (v.atLeast('2.36')) out.push('floating_ips', 'security_groups', 'security_group_rules');
  if (v.atLeast('2.57')) out.push('injected_files', 'injected_file_content_bytes');
  return out;
}

/** The `absolute` object of a limits body. */
export function absoluteLimits(quotas: Record<QuotaResource, QuotaValue>, v: APIVersion): Record<string, number> {
  const filtered = filteredLimits(v);
  const out: Record<string, number> = {};
  for (const [resource, names] of LIMIT_NAMES) {
    if (filtered.includes(resource)) continue;
    for (const name of names) if (name !== 'maxImageMeta' || !v.atLeast('2.39')) out[name] = quotas[resource].limit;
  }
  for (const [name, resource] of USED_NAMES) if (!filtered.includes(resource)) out[name] = quotas[resource].in_use;
  return out;
}

export function limitsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/limits', async (req) => {
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    rejectUnknownParams(q, ['tenant_id'], c.version);
    deps.policy.can(c.ctx, 'os_compute_api:limits', {});
    let projectId = c.ctx.projectId ?? '';
    if ('tenant_id' in q) {
      projectId = lastParam(q, 'tenant_id') ?? '';
      deps.policy.can(c.ctx, 'os_compute_api:limits:other_project');
    }
    const quotas = await deps.quotas.projectQuotas(projectId);
    return { limits: { rate: [], absolute: absoluteLimits(quotas, c.version) } };
  });
}
