/**
 * A SERVER span for every traced request a service serves (Fastify hooks added by
 * service-mount.ts): every request that brings a valid `traceparent` (continuing the caller's
 * trace), and the share of the others [tracing] samples (tracing.ts startsTrace). It is named
 * `METHOD /route` (the route below the service's prefix, parameters as `{name}`), with the
 * method, route, status and request ids as attributes, and becomes the request scope's active
 * span. The token check runs inside it (no span of its own: it is on every request's path, and
 * mostly a cache hit).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import { contextFromTraceparent, SpanKind, startSpan, startsTrace, tracerFor, tracingEnabled, type TraceIdentity } from './tracing.js';

const routeNames = new Map<string, string>();

/** `/compute/v2.1/servers/:server_id` below prefix `/compute` -> `/v2.1/servers/{server_id}`. */
function routeName(url: string, prefix: string): string {
  let name = routeNames.get(url);
  if (name === undefined) {
    const below = prefix && url.startsWith(prefix) ? url.slice(prefix.length) || '/' : url;
    name = below.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    routeNames.set(url, name);
  }
  return name;
}

/** Add the hooks to a service's encapsulated scope (before its token check). */
export function useServerSpans(scope: FastifyInstance, identity: TraceIdentity, prefix: string): void {
  scope.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    // Whether this request is traced is decided first: most are not, and cost no tracer lookup.
    if (!tracingEnabled()) return done();
    const traceparent = req.headers['traceparent'];
    const parent = traceparent ? contextFromTraceparent(traceparent) : undefined;
    const tracer = parent || startsTrace(req.method) ? tracerFor(identity) : undefined;
    if (tracer) {
      const route = req.routeOptions.url;
      const attributes: Record<string, string> = { 'http.request.method': req.method, 'nubo.request_id': req.id };
      let name = req.method;
      if (route) {
        const r = routeName(route, prefix);
        attributes['http.route'] = r;
        name = `${req.method} ${r}`;
      }
      if (req.scope.globalRequestId) attributes['nubo.global_request_id'] = req.scope.globalRequestId;
      const span = startSpan(tracer, name, SpanKind.SERVER, attributes, parent ?? ROOT_CONTEXT);
      req.scope.trace = { span, tracer };
    }
    done();
  });
  scope.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const span = req.scope?.trace?.span;
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${reply.statusCode}` });
      span.end();
    }
    done();
  });
  scope.addHook('onRequestAbort', (req: FastifyRequest, done: () => void) => {
    const span = req.scope?.trace?.span;
    span?.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted by the client' });
    span?.end();
    done();
  });
}
