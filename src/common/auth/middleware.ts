/**
 * The keystonemiddleware role as a Fastify hook: every non-public route needs a valid
 * X-Auth-Token; the result becomes the request's RequestContext (request.ctx). An optional
 * X-Service-Token (a service calling on a user's behalf) is validated too.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '../context.js';
import { Unauthorized } from '../errors.js';
import type { TokenValidator } from './token-info.js';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
}

export interface AuthHookOptions {
  validator: TokenValidator;
  /** Public identity URL, sent in WWW-Authenticate as keystonemiddleware does. */
  authUri: string;
}

export function createAuthHook(opts: AuthHookOptions) {
  const challenge = `Keystone uri="${opts.authUri}"`;
  const unauthorized = (message?: string): Unauthorized => {
    const err = new Unauthorized(message);
    err.headers['www-authenticate'] = challenge;
    return err;
  };

  // Built without object spreads: this runs for every API call.
  return async function authenticate(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const globalRequestId = req.scope.globalRequestId;
    if (req.routeOptions.config?.public) {
      req.ctx = new RequestContext({ requestId: req.id, globalRequestId });
      req.scope.context = req.ctx;
      return;
    }
    const token = header(req, 'x-auth-token');
    if (!token) throw unauthorized();
    let auth;
    try {
      auth = await opts.validator.validate(token);
    } catch (err) {
      if ((err as { status?: number }).status === 401 || (err as { status?: number }).status === 404) {
        throw unauthorized('The request you have made requires authentication.');
      }
      throw err;
    }
    const serviceToken = header(req, 'x-service-token');
    let serviceAuth;
    if (serviceToken) {
      try {
        serviceAuth = await opts.validator.validate(serviceToken);
      } catch {
        throw unauthorized('The service token is not valid.');
      }
    }
    req.ctx = new RequestContext({ requestId: req.id, globalRequestId, token, auth, serviceAuth });
    req.scope.context = req.ctx;
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s.trim() : undefined;
}
