/**
 * Version documents (/ and /versions, before authentication as Glance's version negotiation
 * does), the schemas under /v2/schemas, and /v2/info/import, /v2/info/stores,
 * /v2/info/stores/detail and /v2/info/usage.
 */
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../../common/errors.js';
import type { GlanceApi } from './context.js';

/** glance/api/versions.py with multiple stores enabled and no image cache. */
export function versionsDocument(baseUrl: string): { versions: Array<Record<string, unknown>> } {
  const href = `${baseUrl.replace(/\/+$/, '')}/v2/`;
  const v = (id: string, status: string): Record<string, unknown> => ({ id: `v${id}`, status, links: [{ rel: 'self', href }] });
  const supported = (ids: string[]): Array<Record<string, unknown>> => ids.map((id) => v(id, 'SUPPORTED'));
  return {
    versions: [
      ...supported(['2.15']),
      ...supported(['2.13', '2.12', '2.11', '2.10', '2.9', '2.8']),
      v('2.17', 'CURRENT'),
      ...supported(['2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0']),
    ],
  };
}

export function discoveryRoutes(app: FastifyInstance, api: GlanceApi): void {
  const versions = (): ReturnType<typeof versionsDocument> => versionsDocument(api.baseUrl);
  app.get('/', { config: { public: true } }, async (_req, reply) => reply.code(300).send(versions()));
  app.get('/versions', { config: { public: true } }, async () => versions());

  for (const name of ['image', 'images', 'member', 'members', 'task', 'tasks']) {
    app.get(`/v2/schemas/${name}`, async () => api.schemas[name]);
  }

  app.get('/v2/info/import', async () => ({
    'import-methods': { description: 'Import methods available.', type: 'array', value: [...api.settings.importMethods] },
  }));

  const storeList = (): Array<Record<string, string>> => api.stores.list().map((s) => ({
    id: s.id,
    ...(s.description ? { description: s.description } : {}),
    ...(s.id === api.stores.defaultId ? { default: 'true' } : {}),
    ...(!s.capabilities.writable ? { 'read-only': 'true' } : {}),
  }));

  app.get('/v2/info/stores', async () => {
    if (api.stores.list().length === 0) throw new NotFound('Multi backend is not supported at this site.');
    return { stores: storeList() };
  });

  app.get('/v2/info/stores/detail', async (req) => {
    api.policy.enforce(req.ctx, 'stores_info_detail', {});
    return {
      stores: storeList().map((s) => {
        const store = api.stores.get(s['id']!)!;
        return { ...s, type: store.type, properties: store.detail(), weight: 0 };
      }),
    };
  });

  app.get('/v2/info/usage', async (req) => ({ usage: await api.quota.usage(req.ctx.projectId) }));
}
