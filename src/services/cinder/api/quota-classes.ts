/**
 * os-quota-class-sets (cinder/api/contrib/quota_classes.py, admin): a class's limits (its rows
 * over the defaults; the `default` class is what new projects get) and their update.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';
import { bodyOf, caller } from './request.js';

type Params = { Params: { project_id?: string; name: string } };

function limitOf(key: string, v: unknown): number {
  const n = typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new BadRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'integer', 'string'`);
  if (n < -1) throw new BadRequest(`Invalid input for field/attribute ${key}. Value: ${n}. ${n} is less than the minimum of -1`);
  if (n > 0x7fffffff) throw new BadRequest(`Invalid input for field/attribute ${key}. Value: ${n}. ${n} is greater than the maximum of 2147483647`);
  return n;
}

export function quotaClassRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<Params>('/os-quota-class-sets/:name', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:quota_classes:get');
    return { quota_class_set: { ...(await deps.quotas.classLimits(req.params.name)), id: req.params.name } };
  });

  app.put<Params>('/os-quota-class-sets/:name', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:quota_classes:update');
    const name = req.params.name;
    if (name.length < 1 || name.length > 255) throw new BadRequest('Invalid input received: quota_class_name has a length of 1 to 255 characters.');
    const body = bodyOf(req.body, 'quota_class_set');
    const limits: Record<string, number> = {};
    for (const [k, v] of Object.entries(body)) limits[k] = limitOf(k, v);
    await deps.quotas.updateClass(name, limits);
    return { quota_class_set: await deps.quotas.classLimits(name) };
  });
}
