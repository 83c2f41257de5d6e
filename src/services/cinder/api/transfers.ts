/**
 * Volume transfers: os-volume-transfer (cinder/api/contrib/volume_transfer.py) and
 * volume-transfers (cinder/api/v3/volume_transfer.py: no_snapshots from 3.55, paging and
 * sorting of the list from 3.59): create (202, with the auth key, once), list and detail,
 * show, accept (202) and delete (202). Views by microversion (cinder/api/views/transfers.py):
 * no_snapshots from 3.55, source/destination project and accepted from 3.57.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { TransferRecord } from '../db/transfers.js';
import type { ApiDeps } from './deps.js';
import { listOptions, nextLinks, page, param, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller, uuidOf, type Caller } from './request.js';
import { cinderTime, Links } from './views.js';

type IdParams = { Params: { project_id?: string; id: string } };

const TRANSFER_FILTERS = ['name', 'volume_id', 'id', 'source_project_id', 'destination_project_id', 'accepted'];
const SORT_KEYS: Record<string, (t: TransferRecord) => unknown> = {
  id: (t) => t.id, created_at: (t) => t.created_at, name: (t) => t.display_name, display_name: (t) => t.display_name, volume_id: (t) => t.volume_id,
};

function unexpected(where: string, o: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new BadRequest(`Invalid input for field/attribute ${where}. Value: ${JSON.stringify(o)}. Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
}

export function transfersRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const links = new Links(deps.baseUrl);
  const summary = (c: Caller, t: { id: string; volume_id: string; display_name: string | null }) => ({
    id: t.id, volume_id: t.volume_id, name: t.display_name, links: links.of(c.urlProject, 'os-volume-transfer', t.id),
  });
  const detail = (c: Caller, t: TransferRecord, authKey?: string) => {
    const view: Record<string, unknown> = { id: t.id, created_at: cinderTime(t.created_at), name: t.display_name, volume_id: t.volume_id };
    if (authKey !== undefined) view['auth_key'] = authKey;
    view['links'] = links.of(c.urlProject, 'os-volume-transfer', t.id);
    if (c.version.atLeast('3.55')) view['no_snapshots'] = t.no_snapshots;
    if (c.version.atLeast('3.57')) {
      view['destination_project_id'] = t.destination_project_id;
      view['source_project_id'] = t.source_project_id;
      view['accepted'] = t.accepted;
    }
    return view;
  };

  for (const collection of ['os-volume-transfer', 'volume-transfers']) {
    const v3 = collection === 'volume-transfers';

    const list = async (req: FastifyRequest, detailed: boolean): Promise<Record<string, unknown>> => {
      const c = caller(req, deps);
      deps.policy.authorize(c.ctx, 'volume:get_all_transfers');
      const q = req.query as RawQuery;
      const paged = v3 && c.version.atLeast('3.59');
      const o = listOptions(req, c.version, [...TRANSFER_FILTERS, 'offset', 'limit', 'marker', 'sort'], deps.settings.maxLimit);
      const allRaw = param(q, 'all_tenants');
      const all = c.isAdmin && allRaw !== undefined && boolParam('all_tenants', allRaw);
      let items = await deps.transfers.list(c.ctx, all);
      const name = param(q, 'name');
      if (name !== undefined) items = items.filter((t) => t.display_name === name);
      const volumeId = param(q, 'volume_id');
      if (volumeId !== undefined) items = items.filter((t) => t.volume_id === volumeId);
      const sorted = paged
        ? page(items, o, (t, key) => SORT_KEYS[key]?.(t))
        : page(items, { ...o, sort: [{ key: 'created_at', dir: 'asc' }] }, (t, key) => SORT_KEYS[key]?.(t));
      const body: Record<string, unknown> = { transfers: sorted.map((t) => (detailed ? detail(c, t) : summary(c, t))) };
      const next = nextLinks(links.collection(c.urlProject, detailed ? `${collection}/detail` : collection), q, sorted, o.limit, deps.settings.maxLimit);
      if (next.length > 0 && o.limit !== undefined) body['transfers_links'] = next;
      return body;
    };

    app.get(`/${collection}`, async (req) => list(req, false));
    app.get(`/${collection}/detail`, async (req) => list(req, true));

    app.get<IdParams>(`/${collection}/:id`, async (req) => {
      const c = caller(req, deps);
      deps.policy.authorize(c.ctx, 'volume:get_transfer');
      return { transfer: detail(c, await deps.transfers.get(c.ctx, req.params.id, c.isAdmin)) };
    });

    app.post(`/${collection}`, async (req, reply) => {
      const c = caller(req, deps);
      const body = bodyOf(req.body, 'transfer');
      const withSnapshots = v3 && c.version.atLeast('3.55');
      unexpected('transfer', body, withSnapshots ? ['volume_id', 'name', 'no_snapshots'] : ['volume_id', 'name']);
      if (body['volume_id'] === undefined) throw new BadRequest("Invalid input for field/attribute transfer. Value: {}. 'volume_id' is a required property");
      const volumeId = uuidOf('volume_id', body['volume_id'], false)!;
      const rawName = body['name'];
      if (rawName !== undefined && rawName !== null && typeof rawName !== 'string') throw new BadRequest(`Invalid input for field/attribute name. Value: ${JSON.stringify(rawName)}. ${JSON.stringify(rawName)} is not valid under any of the given schemas`);
      if (typeof rawName === 'string' && (rawName.length > 255 || (rawName !== rawName.trim() && rawName.trim().length === 0))) {
        throw new BadRequest(`Invalid input for field/attribute name. Value: ${rawName}. ${JSON.stringify(rawName)} is not valid under any of the given schemas`);
      }
      const noSnapshots = body['no_snapshots'] === undefined ? false : boolParam('no_snapshots', body['no_snapshots']);
      const v = await deps.volumes.get(c.ctx, volumeId, c.isAdmin);
      deps.policy.authorize(c.ctx, 'volume:create_transfer', { project_id: v.project_id });
      const t = await deps.transfers.create(volumeId, typeof rawName === 'string' ? rawName.trim() : null, noSnapshots, c.version.atLeast('3.70'));
      return reply.code(202).send({ transfer: detail(c, t, t.auth_key) });
    });

    app.post<IdParams>(`/${collection}/:id/accept`, async (req, reply) => {
      const c = caller(req, deps);
      deps.policy.authorize(c.ctx, 'volume:accept_transfer');
      const body = bodyOf(req.body, 'accept');
      unexpected('accept', body, ['auth_key']);
      const key = body['auth_key'];
      if (key === undefined) throw new BadRequest("Invalid input for field/attribute accept. Value: {}. 'auth_key' is a required property");
      if (typeof key !== 'string' && !(typeof key === 'number' && Number.isInteger(key))) {
        throw new BadRequest(`Invalid input for field/attribute auth_key. Value: ${JSON.stringify(key)}. ${JSON.stringify(key)} is not of type 'string', 'integer'`);
      }
      const accepted = await deps.transfers.accept(c.ctx, req.params.id, String(key));
      return reply.code(202).send({ transfer: summary(c, accepted) });
    });

    app.delete<IdParams>(`/${collection}/:id`, async (req, reply) => {
      const c = caller(req, deps);
      const t = await deps.transfers.get(c.ctx, req.params.id, c.isAdmin);
      const v = await deps.volumes.get(c.ctx, t.volume_id, true);
      deps.policy.authorize(c.ctx, 'volume:delete_transfer', { project_id: v.project_id });
      await deps.transfers.delete(t);
      return reply.code(202).send();
    });
  }
}
