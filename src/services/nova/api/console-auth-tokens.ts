/**
 * GET /os-console-auth-tokens/{token} (nova's console_auth_tokens.py, admin): what a console
 * proxy learns from a token a remote console URL carried: the instance, and the host, port and
 * path where its console is served. Before 2.31 only RDP consoles' tokens may be read (401).
 */
import type { FastifyInstance } from 'fastify';
import { Unauthorized } from '../../../common/errors.js';
import { ConsoleAuthTokenRepo } from '../db/console-auth-tokens.js';
import { NotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { caller } from './request.js';

export function consoleAuthTokensRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const tokens = new ConsoleAuthTokenRepo(deps.db);
  app.get<{ Params: { token: string } }>('/os-console-auth-tokens/:token', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, 'os_compute_api:os-console-auth-tokens');
    const found = await tokens.validate(req.params.token);
    if (!found) throw new NotFound('Token not found');
    if (!c.version.atLeast('2.31') && found.console_type !== 'rdp-html5') throw new Unauthorized('The requested console type details are not accessible');
    return { console: { instance_uuid: found.instance_uuid, host: found.host, port: found.port, internal_access_path: found.internal_access_path } };
  });
}
