/**
 * The root HTTP server: one Fastify instance with the settings OpenStack needs (design
 * research A.1), request ids, request logging, JSON bodies and `/healthcheck`. Services mount
 * on it as encapsulated plugins (service-mount.ts), at a path prefix in all-in-one or at '' when
 * a service runs alone.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log/logger.js';
import { requestLineWriter } from '../log/request-line.js';
import { isValidRequestId, newRequestId, runInScope, type RequestScope } from '../log/request-scope.js';
import type { RequestContext } from '../context.js';
import { maskUrlCredentials } from '../log/url-credentials.js';
import { endServerSpan } from '../tracing/http-spans.js';
import { DEFAULT_MAX_JSON_DEPTH, useJsonBodies } from './json-body.js';
import { PathRewrites } from './path-rewrite.js';
import { addRequestLane, installRequestLanes, type LaneAnswer } from './request-lanes.js';
import { recordRoutes } from './route-table.js';
import { lazyValidatorCompiler } from './validation.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Request ids of this request (also available through the request scope). */
    scope: RequestScope;
  }
  interface FastifyContextConfig {
    /**
     * Route needs no token (version documents, healthcheck, token issue); a predicate decides
     * per request (Nova's version document is public unless its path names a project).
     */
    public?: boolean | ((req: FastifyRequest) => boolean);
    /**
     * A token is validated when one is sent, but a request without one reaches the handler
     * as anonymous (Swift's public containers: the handler decides).
     */
    authOptional?: boolean;
  }
}

export interface HttpAppOptions {
  log: Logger;
  /** Max JSON body in bytes (streaming routes set their own). */
  bodyLimit: number;
  keepAliveTimeout: number;
  /** Deepest nesting of objects and arrays in a JSON body (default DEFAULT_MAX_JSON_DEPTH). */
  maxJsonDepth?: number;
}

/**
 * oslo.middleware's healthcheck with the `disable_by_file` backend Nova's api-paste.ini names (and
 * no such file): GET answers 200 `OK` as text/plain, HEAD 204 without a body.
 */
const HEALTHY: LaneAnswer = { status: 200, headers: ['content-type', 'text/plain'], body: 'OK' };
const HEALTHY_HEAD: LaneAnswer = { status: 204, headers: [], body: '' };

export function createHttpApp(opts: HttpAppOptions): FastifyInstance {
  const requestLine = requestLineWriter(opts.log);
  let closing = false;
  // The projects' path rewrites (path-rewrite.ts), applied before routing.
  const rewrites = new PathRewrites();
  const app = Fastify({
    loggerInstance: opts.log as unknown as FastifyBaseLogger,
    // We write one line per request ourselves (onResponse below), with user and project.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'req_id' }),
    bodyLimit: opts.bodyLimit,
    keepAliveTimeout: opts.keepAliveTimeout,
    requestTimeout: 0,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 1024, ignoreTrailingSlash: true, ignoreDuplicateSlashes: false },
    genReqId: () => newRequestId(),
    rewriteUrl: rewrites.rewriteUrl,
    // Request ids reach every log line through the logger's mixin (log/logger.ts); Fastify's
    // own per-request binding would write the same key twice. With nothing else to bind (no
    // route log level or serializers), requests share the logger instead of a child each.
    childLoggerFactory: (logger, bindings, opts) => {
      if (onlyKey(bindings, 'req_id') && onlyKey(opts, undefined)) return logger;
      const { req_id: _dropped, ...rest } = bindings as Record<string, unknown>;
      return logger.child(rest, opts);
    },
  }) as unknown as FastifyInstance;
  installRequestLanes(app, requestLine, () => closing);
  // oslo.middleware's healthcheck answers first in a paste pipeline: so does this lane, before
  // routing, hooks and the request scope, with what the route below answers.
  addRequestLane(app, '/healthcheck', ({ raw }) => (raw.method === 'HEAD' ? HEALTHY_HEAD : HEALTHY));
  app.setValidatorCompiler(lazyValidatorCompiler);
  recordRoutes(app);
  app.decorate('pathRewrites', rewrites);
  app.decorateRequest('scope', undefined as unknown as RequestScope);
  // Declared here so that every request object has the same shape (set by the auth hook).
  app.decorateRequest('ctx', undefined as unknown as RequestContext);

  useJsonBodies(app, opts.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH);

  // Request ids: ours is new; the caller's (if well-formed) becomes the global id of the flow.
  // The response header is set here, before anything can fail: error replies keep the headers
  // set so far, and no onSend hook (which Fastify would run for every reply) is needed.
  app.addHook('onRequest', (req, reply, done) => {
    const incoming = req.headers['x-openstack-request-id'];
    // All keys present from the start: one object shape for every request's scope.
    const scope: RequestScope = { requestId: req.id, globalRequestId: isValidRequestId(incoming) ? incoming : undefined, context: undefined, client: req, trace: undefined };
    req.scope = scope;
    reply.header('x-openstack-request-id', req.id);
    runInScope(scope, done);
  });
  // The request line has fixed, non-secret fields: it is written without pino's general path
  // (log/request-line.ts), with the ids of the request's own scope.
  app.addHook('onResponse', (req, reply, done) => {
    const ctx = (req as { ctx?: { userId?: string; projectId?: string } }).ctx;
    requestLine(req.scope, {
      method: req.method,
      // The path as the client sent it (before a path rewrite).
      path: maskUrlCredentials(req.originalUrl),
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      user: ctx?.userId,
      project: ctx?.projectId,
    });
    // A traced request's SERVER span (started by its service's hook, tracing/http-spans.ts).
    endServerSpan(req.scope, reply.statusCode);
    done();
  });

  // Requests the lane does not see (app.inject, a closing server: Fastify answers 503).
  app.get('/healthcheck', { config: { public: true }, exposeHeadRoute: false }, (_req, reply) => {
    reply.type('text/plain').send('OK');
  });
  app.head('/healthcheck', { config: { public: true } }, (_req, reply) => {
    reply.code(204).send();
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  return app;
}

/** Whether `o` has no own key but `key` (checked without building a list: runs per request). */
function onlyKey(o: object, key: string | undefined): boolean {
  for (const k in o) if (k !== key && Object.hasOwn(o, k)) return false;
  return true;
}
