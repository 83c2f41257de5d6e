/**
 * A flavor's extra specs (nova/api/openstack/compute/flavors_extraspecs.py):
 * /flavors/{flavor_id}/os-extra_specs[/{key}]. Listing and showing follow the flavor's
 * visibility; creating, updating and deleting are for admins. From 2.86 each spec is checked
 * against the specs nova knows (extra-specs/validators.ts). Create and update answer 200 with
 * the request body, delete 200 with none, as upstream.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { FlavorExtraSpecsNotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { validateExtraSpec } from './extra-specs/validators.js';
import { caller, getFlavor, type Caller } from './request.js';
import { createExtraSpecsSchema, updateExtraSpecSchema } from './schemas/flavors.js';
import { validateBody } from './validation.js';

const rule = (name: string): string => `os_compute_api:os-flavor-extra-specs:${name}`;

type Specs = Record<string, string | number>;

/** _check_extra_specs_value: numbers within 255 characters, and the 2.86 validation. Returns the specs as stored (strings). */
function checkedSpecs(c: Caller, specs: Specs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(specs)) {
    const value = String(raw);
    if (typeof raw === 'number' && value.length > 255) {
      throw new BadRequest('Invalid input received: extra_specs value has more than 255 characters.');
    }
    if (c.version.atLeast('2.86')) validateExtraSpec(name, value);
    out[name] = value;
  }
  return out;
}

export function flavorExtraSpecsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { flavor_id: string } }>('/flavors/:flavor_id/os-extra_specs', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('index'), { project_id: c.ctx.projectId ?? null });
    const flavor = await getFlavor(deps, c, req.params.flavor_id);
    return { extra_specs: flavor.data.extra_specs };
  });

  app.post<{ Params: { flavor_id: string } }>('/flavors/:flavor_id/os-extra_specs', async (req) => {
    const c = caller(req, deps);
    const body = validateBody<{ extra_specs: Specs }>(createExtraSpecsSchema, req.body);
    deps.policy.can(c.ctx, rule('create'), {});
    const specs = checkedSpecs(c, body.extra_specs);
    const flavor = await getFlavor(deps, c, req.params.flavor_id);
    await deps.flavors.setExtraSpecs(c.ctx, flavor, specs);
    return body;
  });

  app.put<{ Params: { flavor_id: string; key: string } }>('/flavors/:flavor_id/os-extra_specs/:key', async (req) => {
    const c = caller(req, deps);
    const body = validateBody<Specs>(updateExtraSpecSchema, req.body);
    deps.policy.can(c.ctx, rule('update'), {});
    const specs = checkedSpecs(c, body);
    if (!(req.params.key in body)) throw new BadRequest('Request body and URI mismatch');
    const flavor = await getFlavor(deps, c, req.params.flavor_id);
    await deps.flavors.setExtraSpecs(c.ctx, flavor, specs);
    return body;
  });

  app.get<{ Params: { flavor_id: string; key: string } }>('/flavors/:flavor_id/os-extra_specs/:key', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('show'), { project_id: c.ctx.projectId ?? null });
    const flavor = await getFlavor(deps, c, req.params.flavor_id);
    const { key, flavor_id: flavorId } = req.params;
    if (!Object.hasOwn(flavor.data.extra_specs, key)) throw new FlavorExtraSpecsNotFound(flavorId, key);
    return { [key]: flavor.data.extra_specs[key] };
  });

  app.delete<{ Params: { flavor_id: string; key: string } }>('/flavors/:flavor_id/os-extra_specs/:key', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('delete'), {});
    const flavor = await getFlavor(deps, c, req.params.flavor_id);
    await deps.flavors.deleteExtraSpec(c.ctx, flavor, req.params.key);
    return reply.code(200).send();
  });
}
