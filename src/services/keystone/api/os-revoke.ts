/** GET /v3/OS-REVOKE/events (keystone/api/os_revoke.py): the stored revocation events. */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';
import { eventToApi } from '../revoke/model.js';
import { parseIsoTime } from '../token/time.js';
import type { AuthApiDeps } from './auth-deps.js';

export function registerRevokeRoutes(app: FastifyInstance, deps: AuthApiDeps): void {
  app.get('/v3/OS-REVOKE/events', async (req, reply) => {
    deps.authorize(req, 'identity:list_revoke_events');
    const since = (req.query as Record<string, unknown>)['since'];
    let sinceMs: number | undefined;
    if (typeof since === 'string' && since !== '') {
      sinceMs = parseIsoTime(since);
      if (sinceMs === undefined) throw new ValidationError(`invalidate date format ${since}`);
    }
    const events = await deps.revoke.listEvents(sinceMs);
    const body = { events: events.map(eventToApi), links: { next: null, self: `${deps.baseUrl}/v3/OS-REVOKE/events`, previous: null } };
    return reply.type('application/json').send(JSON.stringify(body));
  });
}
