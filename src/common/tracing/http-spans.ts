/**
 * A SERVER span for every request a service serves (Fastify hooks added by service-mount.ts):
 * named `METHOD /route` (the route below the service's prefix, parameters as `{name}`),
 * continuing the caller's trace when the request has a valid `traceparent`, with the method,
 * route, status and request ids as attributes; the span becomes the request scope's active one.
 * The token check runs inside it as a `token.validate` span.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import type { TokenInfo, TokenValidator } from '../auth/token-info.js';
import { activeSpan, contextFromTraceparent, inSpan, SpanKind, startSpan, tracerFor, type TraceIdentity } from './tracing.js';

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
    const tracer = tracerFor(identity);
    if (tracer) {
      const route = req.routeOptions.url;
      const name = route ? `${req.method} ${routeName(route, prefix)}` : req.method;
      const parent = contextFromTraceparent(req.headers['traceparent']) ?? ROOT_CONTEXT;
      const span = startSpan(tracer, name, SpanKind.SERVER, {
        'http.request.method': req.method,
        ...(route ? { 'http.route': routeName(route, prefix) } : {}),
        'nubo.request_id': req.id,
        ...(req.scope.globalRequestId ? { 'nubo.global_request_id': req.scope.globalRequestId } : {}),
      }, parent);
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

/** The validator with each validation in a `token.validate` span when the request is traced. */
export function tracedValidator(validator: TokenValidator): TokenValidator {
  return {
    validate(token: string, opts?: { allowExpired?: boolean }): Promise<TokenInfo> {
      return activeSpan() ? inSpan('token.validate', {}, () => validator.validate(token, opts)) : validator.validate(token, opts);
    },
  };
}
