/**
 * os-quota-class-sets (nova/api/openstack/compute/quota_classes.py): a quota class's limits
 * (the `default` class is what every project without its own limits gets) and their update.
 * Before 2.50 the bodies leave out server_groups and server_group_members; 2.50 drops the
 * nova-network resources, 2.57 the injected files.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { APIVersion } from '../../../common/http/microversion.js';
import type { QuotaResource } from '../compute/quota.js';
import type { ApiDeps } from './deps.js';
import { formatQuotaSet } from './quota-sets.js';
import { caller } from './request.js';
import { filteredQuotas, quotaUpdateSchema } from './schemas/quotas.js';
import { validateBody } from './validation.js';

const rule = (name: string): string => `os_compute_api:os-quota-class-sets:${name}`;

function filtered(v: APIVersion): QuotaResource[] {
  return v.atLeast('2.50') ? filteredQuotas(v, '2.50') : ['server_groups', 'server_group_members'];
}

export function quotaClassesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/os-quota-class-sets/:id', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('show'), {});
    return { quota_class_set: formatQuotaSet(req.params.id, await deps.quotas.classQuotas(req.params.id), filtered(c.version)) };
  });

  app.put<{ Params: { id: string } }>('/os-quota-class-sets/:id', async (req) => {
    const c = caller(req, deps);
    const body = validateBody<{ quota_class_set: Record<string, number | string> }>(quotaUpdateSchema(c.version, 'quota_class_set'), req.body);
    deps.policy.can(c.ctx, rule('update'), {});
    const name = req.params.id;
    if (name.length < 1) throw new BadRequest('Invalid input received: quota_class_name has a minimum character requirement of 1.');
    if (name.length > 255) throw new BadRequest('Invalid input received: quota_class_name has more than 255 characters.');
    const values: Partial<Record<QuotaResource, number>> = {};
    for (const [key, value] of Object.entries(body.quota_class_set)) {
      // networks (before 2.50) is accepted and stored by nova; it limits nothing
      if (key !== 'networks') values[key as QuotaResource] = Number(value);
    }
    await deps.quotas.updateClass(name, values);
    return { quota_class_set: formatQuotaSet(null, await deps.quotas.classQuotas(name), filtered(c.version)) };
  });
}
