/**
 * Mounts one service's routes on the root server as an encapsulated Fastify plugin with its
 * own fault format, 404 handler and token check, at a path prefix ('/identity' in all-in-one,
 * '' when the service runs alone), and puts the service's request lanes in front of it.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createAuthHook } from '../auth/middleware.js';
import type { TokenValidator } from '../auth/token-info.js';
import { RequestContext } from '../context.js';
import { NotFound } from '../errors.js';
import { toNuboError } from './errors-hook.js';
import type { FaultRenderer } from './faults.js';
import { addRequestLane, type RequestLane } from './request-lanes.js';
import { serverSpanStarter } from '../tracing/http-spans.js';
import type { TraceIdentity } from '../tracing/tracing.js';

export interface MountOptions {
  prefix: string;
  fault: FaultRenderer;
  validator: TokenValidator;
  authUri: string;
  /** The service (project name) and host its requests are traced as; no spans without it. */
  trace?: TraceIdentity;
  /** Request lanes in front of some of its routes, by path below the prefix (request-lanes.ts). */
  lanes?: Record<string, RequestLane>;
}

export async function mountService(root: FastifyInstance, routes: FastifyPluginAsync, opts: MountOptions): Promise<void> {
  await root.register(async (scope) => {
    scope.setErrorHandler((error, req, reply) => {
      const err = toNuboError(error);
      if (err.status >= 500) req.log.error({ err: error }, 'unhandled error');
      else req.log.debug({ err: err.message }, 'request failed');
      const rendered = opts.fault(err, req);
      reply.status(err.status).headers(err.headers).type(rendered.contentType);
      if (req.method === 'HEAD') return reply.send();
      return reply.send(rendered.body);
    });
    scope.setNotFoundHandler((req, reply) => {
      req.ctx ??= new RequestContext({ requestId: req.id });
      const rendered = opts.fault(new NotFound(), req);
      reply.status(404).type(rendered.contentType).send(rendered.body);
    });
    // One onRequest hook: the server span (when traced) starts before the token check, in it.
    const authenticate = createAuthHook({ validator: opts.validator, authUri: opts.authUri });
    if (opts.trace) {
      const startSpan = serverSpanStarter(opts.trace, opts.prefix);
      scope.addHook('onRequest', (req, reply, done) => {
        startSpan(req);
        authenticate(req, reply, done);
      });
    } else {
      scope.addHook('onRequest', authenticate);
    }
    await scope.register(routes);
  }, { prefix: opts.prefix });
  for (const [path, lane] of Object.entries(opts.lanes ?? {})) addRequestLane(root, opts.prefix + path, lane);
}
