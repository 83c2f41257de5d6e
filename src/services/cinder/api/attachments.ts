/**
 * The attachments API (cinder/api/v3/attachments.py, 3.27+): create (a reservation, or with
 * a connector an attachment with its connection info; mode from 3.54), list (summary and
 * detail; filters volume_id, instance_id, status), show, update with a connector, the
 * os-complete action (3.44, 204), delete (the volume's remaining attachments).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';
import { listOptions, nextLinks, page, type RawQuery } from './list-params.js';
import { bodyOf, caller, uuidOf, type Caller } from './request.js';
import { attachmentDetail, attachmentSummary, Links } from './views.js';

type IdParams = { Params: { project_id?: string; id: string } };

function requireVersion(c: Caller, min: string): void {
  if (!c.version.atLeast(min)) throw new NotFound('The resource could not be found.');
}

function connectorOf(v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`Invalid input for field/attribute connector. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'object'`);
  return v as Record<string, unknown>;
}

export function attachmentsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const links = new Links(deps.baseUrl);

  async function list(req: FastifyRequest, detailed: boolean): Promise<Record<string, unknown>> {
    const c = caller(req, deps);
    requireVersion(c, '3.27');
    const o = listOptions(req, c.version, ['volume_id', 'instance_id', 'status', 'attach_status'], deps.settings.maxLimit);
    const all = c.isAdmin && o.allTenants;
    const f = o.filters;
    const matching = (await deps.repos.volumes.listAttachments(all ? null : (c.ctx.projectId ?? '')))
      .filter((a) => (f['volume_id'] === undefined || a.volume_id === f['volume_id'])
        && (f['instance_id'] === undefined || a.instance_uuid === f['instance_id'])
        && ((f['status'] ?? f['attach_status']) === undefined || a.attach_status === (f['status'] ?? f['attach_status'])));
    const items = page(matching, o, (a, key) => (a as unknown as Record<string, unknown>)[key]);
    const body: Record<string, unknown> = { attachments: items.map((a) => (detailed ? attachmentDetail(a) : attachmentSummary(a))) };
    const next = nextLinks(links.collection(c.urlProject, detailed ? 'attachments/detail' : 'attachments'), req.query as RawQuery, items, o.limit, deps.settings.maxLimit);
    if (next.length > 0) body['attachments_links'] = next;
    return body;
  }

  app.get('/attachments', async (req) => list(req, false));
  app.get('/attachments/detail', async (req) => list(req, true));

  app.get<IdParams>('/attachments/:id', async (req) => {
    const c = caller(req, deps);
    requireVersion(c, '3.27');
    const { attachment } = await deps.attachments.get(c.ctx, req.params.id, c.isAdmin);
    return { attachment: attachmentDetail(attachment) };
  });

  app.post('/attachments', async (req) => {
    const c = caller(req, deps);
    requireVersion(c, '3.27');
    const body = bodyOf(req.body, 'attachment');
    const allowed = ['volume_uuid', 'instance_uuid', 'connector', ...(c.version.atLeast('3.54') ? ['mode'] : [])];
    const extra = Object.keys(body).filter((k) => !allowed.includes(k));
    if (extra.length > 0) throw new BadRequest(`Invalid input for field/attribute attachment. Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    if (body['volume_uuid'] === undefined) throw new BadRequest("Invalid input for field/attribute attachment. 'volume_uuid' is a required property");
    const volumeId = uuidOf('volume_uuid', body['volume_uuid'], false)!;
    const instance = body['instance_uuid'] === undefined ? null : uuidOf('instance_uuid', body['instance_uuid']);
    const connector = body['connector'] === undefined || body['connector'] === null ? null : connectorOf(body['connector']);
    const mode = body['mode'];
    if (mode !== undefined && mode !== 'rw' && mode !== 'ro') throw new BadRequest(`Invalid input for field/attribute mode. Value: ${JSON.stringify(mode)}. ${JSON.stringify(mode)} is not one of ['rw', 'ro']`);
    const v = await deps.volumes.get(c.ctx, volumeId, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:attachment_create', { project_id: v.project_id });
    if (v.multiattach && v.bootable) deps.policy.authorize(c.ctx, 'volume:multiattach_bootable_volume', { project_id: v.project_id });
    const a = await deps.attachments.create(c.ctx, v, instance, connector, (mode ?? null) as 'rw' | 'ro' | null);
    return { attachment: attachmentDetail(a) };
  });

  app.put<IdParams>('/attachments/:id', async (req) => {
    const c = caller(req, deps);
    requireVersion(c, '3.27');
    const body = bodyOf(req.body, 'attachment');
    if (body['connector'] === undefined) throw new BadRequest("Invalid input for field/attribute attachment. 'connector' is a required property");
    const connector = connectorOf(body['connector']);
    const { attachment, volume } = await deps.attachments.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:attachment_update', { project_id: volume.project_id });
    return { attachment: attachmentDetail(await deps.attachments.update(c.ctx, attachment, volume, connector)) };
  });

  app.post<IdParams>('/attachments/:id/action', async (req, reply) => {
    const c = caller(req, deps);
    requireVersion(c, '3.44');
    const body = req.body as Record<string, unknown> | null;
    const action = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
    if (action !== 'os-complete') throw new BadRequest(`There is no such action: ${action ?? ''}`);
    const { attachment, volume } = await deps.attachments.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:attachment_complete', { project_id: volume.project_id });
    await deps.attachments.complete(attachment, volume);
    return reply.code(204).send();
  });

  app.delete<IdParams>('/attachments/:id', async (req) => {
    const c = caller(req, deps);
    requireVersion(c, '3.27');
    const { attachment, volume } = await deps.attachments.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:attachment_delete', { project_id: volume.project_id });
    await deps.attachments.delete(c.ctx, attachment, volume);
    const rest = (await deps.repos.volumes.attachmentsOf([volume.id])).get(volume.id) ?? [];
    return { attachments: rest.map(attachmentSummary) };
  });
}
