/**
 * The keystonemiddleware role as a Fastify hook: every non-public route needs a valid
 * X-Auth-Token; the result becomes the request's RequestContext (request.ctx). An optional
 * X-Service-Token (a service calling on a user's behalf) is validated too. Routes marked
 * `authOptional` (delay_auth_decision) take requests without a token as anonymous; a token
 * sent to them must still be valid.
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

  const fail = (err: unknown): Error => {
    const status = (err as { status?: number }).status;
    return status === 401 || status === 404 ? unauthorized('The request you have made requires authentication.') : (err as Error);
  };

  async function validateSlow(req: FastifyRequest, token: string): Promise<void> {
    let auth;
    try {
      auth = await opts.validator.validate(token);
    } catch (err) {
      throw fail(err);
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
    setContext(req, new RequestContext({ requestId: req.id, globalRequestId: req.scope.globalRequestId, token, auth, serviceAuth }));
  }

  // A callback hook built without object spreads: this runs for every API call, and a cached
  // token (the common case) is answered without a promise.
  return function authenticate(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
    const open = req.routeOptions.config?.public;
    if (open === true || (typeof open === 'function' && open(req))) {
      setContext(req, new RequestContext({ requestId: req.id, globalRequestId: req.scope.globalRequestId }));
      return done();
    }
    const token = header(req, 'x-auth-token');
    if (!token) {
      if (!req.routeOptions.config?.authOptional) return done(unauthorized());
      setContext(req, new RequestContext({ requestId: req.id, globalRequestId: req.scope.globalRequestId }));
      return done();
    }
    const auth = req.headers['x-service-token'] === undefined ? opts.validator.cachedInfo?.(token) : undefined;
    if (auth) {
      setContext(req, new RequestContext({ requestId: req.id, globalRequestId: req.scope.globalRequestId, token, auth }));
      return done();
    }
    validateSlow(req, token).then(() => done(), done);
  };
}

function setContext(req: FastifyRequest, ctx: RequestContext): void {
  req.ctx = ctx;
  req.scope.context = ctx;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s.trim() : undefined;
}
