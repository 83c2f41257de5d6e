/**
 * os-quota-sets (cinder/api/contrib/quotas.py) and limits (cinder/api/v3/limits.py): a
 * project's limits (with usage when `usage=true`), the defaults, updates and deletes by an
 * admin; the absolute limits and usage of the caller's project.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';
import { param, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller } from './request.js';

type Params = { Params: { project_id?: string; target: string } };

export function quotaRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<Params>('/os-quota-sets/:target', async (req) => {
    const c = caller(req, deps);
    const target = req.params.target;
    deps.policy.authorize(c.ctx, 'volume_extension:quotas:show', { project_id: target });
    const usageRaw = param(req.query as RawQuery, 'usage');
    const withUsage = usageRaw !== undefined && boolParam('usage', usageRaw);
    const limits = await deps.quotas.limits(target);
    const set: Record<string, unknown> = { id: target };
    if (withUsage) {
      const usage = await deps.quotas.usage(target);
      for (const [k, limit] of Object.entries(limits)) set[k] = { limit, in_use: usage[k] ?? 0, reserved: 0, allocated: 0 };
    } else {
      Object.assign(set, limits);
    }
    return { quota_set: set };
  });

  app.get<Params>('/os-quota-sets/:target/defaults', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:quotas:show', { project_id: req.params.target });
    return { quota_set: { id: req.params.target, ...(await deps.quotas.defaultLimits()) } };
  });

  app.put<Params>('/os-quota-sets/:target', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:quotas:update', { project_id: req.params.target });
    const body = bodyOf(req.body, 'quota_set');
    const limits: Record<string, number> = {};
    for (const [k, v] of Object.entries(body)) {
      if (k === 'id' || k === 'tenant_id') continue;
      const n = typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new BadRequest(`Invalid input received: Quota limit for ${k} must be an integer.`);
      if (n < -1) throw new BadRequest(`Invalid input received: Quota limit ${n} for ${k} must be more than or equal to -1.`);
      if (n > 0x7fffffff) throw new BadRequest(`Invalid input received: Quota limit ${n} for ${k} must be less than or equal to 2147483647.`);
      limits[k] = n;
    }
    if (Object.keys(limits).length === 0) throw new BadRequest('Invalid input received: No quota set given.');
    await deps.quotas.update(req.params.target, limits);
    return { quota_set: await deps.quotas.limits(req.params.target) };
  });

  app.delete<Params>('/os-quota-sets/:target', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:quotas:delete', { project_id: req.params.target });
    await deps.quotas.reset(req.params.target);
    return reply.code(200).send();
  });

  app.get('/limits', async (req) => {
    const c = caller(req, deps);
    const project = c.ctx.projectId ?? '';
    const limits = await deps.quotas.limits(project);
    const absolute: Record<string, number> = {
      maxTotalVolumes: limits['volumes']!, maxTotalSnapshots: limits['snapshots']!, maxTotalVolumeGigabytes: limits['gigabytes']!,
      maxTotalBackups: limits['backups']!, maxTotalBackupGigabytes: limits['backup_gigabytes']!,
    };
    if (deps.policy.check(c.ctx, 'limits_extension:used_limits', { project_id: project })) {
      const usage = await deps.quotas.usage(project);
      Object.assign(absolute, {
        totalVolumesUsed: usage.volumes, totalGigabytesUsed: usage.gigabytes, totalSnapshotsUsed: usage.snapshots, totalBackupsUsed: usage['backups'] ?? 0, totalBackupGigabytesUsed: usage['backup_gigabytes'] ?? 0,
      });
    }
    return { limits: { rate: [], absolute } };
  });
}
