/**
 * User messages (cinder/api/v3/messages.py, 3.3+): list (filters, sorting, paging), show and
 * delete (204), of the caller's project (all with all_tenants for an admin).
 */
import type { FastifyInstance } from 'fastify';
import type { MessageRecord } from '../db/messages.js';
import { NotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { listOptions, nextLinks, page, type RawQuery } from './list-params.js';
import { caller, type Caller } from './request.js';
import { userMessage } from '../managers/messages.js';
import { cinderTime, Links } from './views.js';

type IdParams = { Params: { project_id?: string; id: string } };

const FILTERS = ['resource_uuid', 'resource_type', 'event_id', 'request_id', 'message_level'];
const SORT_KEYS: Record<string, (m: MessageRecord) => unknown> = {
  id: (m) => m.id, created_at: (m) => m.created_at, event_id: (m) => m.event_id, resource_type: (m) => m.resource_type,
  resource_uuid: (m) => m.resource_uuid, message_level: (m) => m.message_level, request_id: (m) => m.request_id,
};

export function messagesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const links = new Links(deps.baseUrl);
  const view = (c: Caller, m: MessageRecord): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      id: m.id, event_id: m.event_id, user_message: userMessage(m), message_level: m.message_level, created_at: cinderTime(m.created_at),
      guaranteed_until: cinderTime(m.expires_at), request_id: m.request_id ?? '', links: links.of(c.urlProject, 'messages', m.id),
    };
    if (m.resource_type) out['resource_type'] = m.resource_type;
    if (m.resource_uuid) out['resource_uuid'] = m.resource_uuid;
    return out;
  };
  const since = (c: Caller): void => {
    if (!c.version.atLeast('3.3')) throw new NotFound('The resource could not be found.');
  };

  app.get('/messages', async (req) => {
    const c = caller(req, deps);
    since(c);
    deps.policy.authorize(c.ctx, 'message:get_all');
    const o = listOptions(req, c.version, FILTERS, deps.settings.maxLimit);
    const all = (await deps.messages.list(c.ctx, c.isAdmin && o.allTenants))
      .filter((m) => Object.entries(o.filters).every(([k, v]) => !FILTERS.includes(k) || String((m as unknown as Record<string, unknown>)[k]) === v));
    const items = page(all, o, (m, key) => SORT_KEYS[key]?.(m));
    const body: Record<string, unknown> = { messages: items.map((m) => view(c, m)) };
    const next = nextLinks(links.collection(c.urlProject, 'messages'), req.query as RawQuery, items, o.limit, deps.settings.maxLimit);
    if (next.length > 0 && o.limit !== undefined) body['messages_links'] = next;
    return body;
  });

  app.get<IdParams>('/messages/:id', async (req) => {
    const c = caller(req, deps);
    since(c);
    const m = await deps.messages.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'message:get', { project_id: m.project_id });
    return { message: view(c, m) };
  });

  app.delete<IdParams>('/messages/:id', async (req, reply) => {
    const c = caller(req, deps);
    since(c);
    const m = await deps.messages.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'message:delete', { project_id: m.project_id });
    await deps.messages.delete(m);
    return reply.code(204).send();
  });
}
