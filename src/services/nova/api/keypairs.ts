/**
 * The os-keypairs resource (nova/api/openstack/compute/keypairs.py): a user's key pairs.
 * Create imports a public key or (until 2.91) generates a pair and returns its private key;
 * 200 at 2.1, 201 from 2.2. From 2.10 an admin may name another user (user_id in the body or
 * the query); from 2.35 the list pages by name (limit, marker); from 2.75 unknown query
 * parameters are a 400. Delete answers 202 at 2.1, 204 from 2.2. Over the key_pairs quota is
 * a 403.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, Forbidden } from '../../../common/errors.js';
import type { KeypairType } from '../compute/keypairs.js';
import { KeypairLimitExceeded, MarkerNotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { firstParam, limitAndMarker, rejectUnknownParams, type RawQuery } from './list-params.js';
import { isLegacyV2 } from './legacy-v2.js';
import { caller, type Caller } from './request.js';
import { createKeypairSchema, keypairNameCharacters } from './schemas/keypairs.js';
import { CREATE_KEYPAIR_V20 } from './schemas/legacy-v20.js';
import { validateBody } from './validation.js';
import { keypairCreateView, keypairIndexView, keypairShowView } from './views/keypairs.js';

const rule = (name: string): string => `os_compute_api:os-keypairs:${name}`;

interface CreateBody {
  keypair: { name: string; public_key?: string; type?: KeypairType; user_id?: string };
}

/** The user whose key pairs are meant: user_id of the query from 2.10, else the caller. */
function queryUser(req: FastifyRequest, c: Caller, allowed: readonly string[]): string {
  const q = req.query as RawQuery;
  if (c.version.atLeast('2.75')) rejectUnknownParams(q, allowed);
  return (c.version.atLeast('2.10') ? firstParam(q, 'user_id') : undefined) || c.ctx.userId || '';
}

export function keypairsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-keypairs', async (req) => {
    const c = caller(req, deps);
    const userId = queryUser(req, c, c.version.atLeast('2.35') ? ['user_id', 'limit', 'marker'] : ['user_id']);
    deps.policy.can(c.ctx, rule('index'), { user_id: userId });
    const paged = c.version.atLeast('2.35');
    const page: { limit?: number; marker?: string } = paged ? limitAndMarker(req.query as RawQuery, deps.settings.maxLimit) : {};
    let keypairs;
    try {
      keypairs = await deps.keypairs.getKeyPairs(userId, page);
    } catch (err) {
      if (err instanceof MarkerNotFound) throw new BadRequest(err.message);
      throw err;
    }
    const body: Record<string, unknown> = { keypairs: keypairs.map((k) => keypairIndexView(k, c.version.atLeast('2.2'))) };
    if (paged && page.limit && keypairs.length === page.limit) {
      body['keypairs_links'] = [deps.links.next('os-keypairs', req.query as Record<string, unknown>, keypairs.at(-1)!.name)];
    }
    return body;
  });

  app.post('/os-keypairs', async (req, reply) => {
    const c = caller(req, deps);
    const body = validateBody<CreateBody>(createKeypairSchema(c.version), req.body, CREATE_KEYPAIR_V20);
    const params = body.keypair;
    if (!isLegacyV2(req)) keypairNameCharacters(c.version, params.name);
    const name = params.name.trim();
    const type: KeypairType = params.type ?? 'ssh';
    const userId = (c.version.atLeast('2.10') ? params.user_id : undefined) || c.ctx.userId || '';
    deps.policy.can(c.ctx, rule('create'), { user_id: userId });
    let view;
    try {
      if (params.public_key !== undefined) {
        const keypair = await deps.keypairs.importKeyPair(c.ctx, userId, name, params.public_key, type);
        view = keypairCreateView(keypair, c.version.atLeast('2.2'));
      } else {
        const { keypair, privateKey } = await deps.keypairs.createKeyPair(c.ctx, userId, name, type);
        view = keypairCreateView(keypair, c.version.atLeast('2.2'), privateKey);
      }
    } catch (err) {
      if (err instanceof KeypairLimitExceeded) throw new Forbidden(err.message);
      throw err;
    }
    return reply.code(c.version.atLeast('2.2') ? 201 : 200).send({ keypair: view });
  });

  app.get<{ Params: { name: string } }>('/os-keypairs/:name', async (req) => {
    const c = caller(req, deps);
    const userId = queryUser(req, c, ['user_id']);
    deps.policy.can(c.ctx, rule('show'), { user_id: userId });
    const keypair = await deps.keypairs.getKeyPair(userId, req.params.name);
    return { keypair: keypairShowView(keypair, c.version.atLeast('2.2')) };
  });

  app.delete<{ Params: { name: string } }>('/os-keypairs/:name', async (req, reply) => {
    const c = caller(req, deps);
    const userId = queryUser(req, c, ['user_id']);
    deps.policy.can(c.ctx, rule('delete'), { user_id: userId });
    await deps.keypairs.deleteKeyPair(c.ctx, userId, req.params.name);
    return reply.code(c.version.atLeast('2.2') ? 204 : 202).send();
  });
}
