/**
 * os-volume-manage (cinder/api/contrib/volume_manage.py, admin: 202 with the volume being
 * managed), manageable_volumes and its detail (cinder/api/v3/volume_manage.py, 3.8: a host's
 * objects with safe_to_manage), and the os-unmanage volume action (volume_unmanage.py, 202).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';
import { since } from './group-types.js';
import { listOptions, page, param, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller, metadataOf, optString } from './request.js';
import { Links, volumeDetail } from './views.js';
import { onlyProperties, required, type VolumeActionTable } from './volume-action-registry.js';

export const unmanageActions: VolumeActionTable = {
  async 'os-unmanage'({ deps, c, v, reply }) {
    deps.policy.authorize(c.ctx, 'volume_extension:volume_unmanage', { project_id: v.project_id });
    await deps.manage.unmanage(c.ctx, v);
    return reply.code(202).send();
  },
};

export function volumeManageRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const links = new Links(deps.baseUrl);

  app.post('/os-volume-manage', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:volume_manage');
    const body = bodyOf(req.body, 'volume');
    onlyProperties('volume', body, ['host', 'cluster', 'ref', 'name', 'description', 'volume_type', 'availability_zone', 'metadata', 'bootable']);
    const host = optString(body, 'host', 255, false);
    if (!host) throw new BadRequest("Invalid input for field/attribute volume. 'host' is a required property");
    const ref = required('volume', body, 'ref');
    if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) throw new BadRequest(`Invalid input for field/attribute ref. Value: ${JSON.stringify(ref)}. ${JSON.stringify(ref)} is not of type 'object'`);
    const v = await deps.manage.manage(c.ctx, c.isAdmin, {
      host, ref: ref as Record<string, unknown>, name: optString(body, 'name') ?? null, description: optString(body, 'description') ?? null,
      volumeType: optString(body, 'volume_type') ?? null, zone: optString(body, 'availability_zone') ?? null,
      metadata: body['metadata'] === undefined || body['metadata'] === null ? {} : metadataOf(body['metadata']),
      bootable: body['bootable'] === undefined ? false : boolParam('bootable', body['bootable']),
    });
    return reply.code(202).send({ volume: volumeDetail(v, c, links, { tenantAttribute: false, hostAttribute: false, migStatusAttribute: false, imageMetadata: false }) });
  });

  const list = async (req: FastifyRequest, detailed: boolean): Promise<Record<string, unknown>> => {
    const c = caller(req, deps);
    since(c, '3.8');
    deps.policy.authorize(c.ctx, 'volume_extension:list_manageable');
    const q = req.query as RawQuery;
    const host = param(q, 'host');
    if (!host) throw new BadRequest("Invalid input received: 'host' must be given.");
    const o = listOptions(req, c.version, ['host', 'cluster'], deps.settings.maxLimit);
    const all = (await deps.manage.listManageable(c.ctx, host)).map((m) => ({ ...m, id: m.reference['source-name'] }));
    const items = page(all, o, (m, key) => (key === 'size' ? m.size : key === 'reference' ? m.id : undefined), [{ key: 'reference', dir: 'desc' }]);
    return {
      'manageable-volumes': items.map(({ id: _id, ...m }) => (detailed ? m : { reference: m.reference, size: m.size, safe_to_manage: m.safe_to_manage })),
    };
  };
  app.get('/manageable_volumes', async (req) => list(req, false));
  app.get('/manageable_volumes/detail', async (req) => list(req, true));
}
