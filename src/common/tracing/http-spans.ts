/**
 * A SERVER span for every traced request a service serves (Fastify hooks added by
 * service-mount.ts): every request that brings a valid `traceparent` (continuing the caller's
 * trace), and the share of the others [tracing] samples (tracing.ts startsTrace). It is named
 * `METHOD /route` (the route below the service's prefix, parameters as `{name}`), with the
 * method, route, status and request ids as attributes, and becomes the request scope's active
 * span. The token check runs inside it (no span of its own: it is on every request's path, and
 * mostly a cache hit).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { RequestScope } from '../log/request-scope.js';
import { ROOT_CONTEXT, SpanStatusCode, type Span } from '@opentelemetry/api';
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

/**
 * What a service's onRequest hook does first (service-mount.ts runs it before the token check,
 * in the same hook): start the SERVER span of a traced request. The span is ended by the root
 * server's onResponse hook (endServerSpan), so that a request pays for no hook of its own here.
 */
export function serverSpanStarter(identity: TraceIdentity, prefix: string): (req: FastifyRequest) => void {
  return (req) => {
    // Whether this request is traced is decided first: most are not, and cost no tracer lookup.
    if (!tracingEnabled()) return;
    const traceparent = req.headers['traceparent'];
    const parent = traceparent ? contextFromTraceparent(traceparent) : undefined;
    const tracer = parent || ((req.raw as Sampled)[SAMPLED] ?? startsTrace(req.method)) ? tracerFor(identity) : undefined;
    if (!tracer) return;
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
    // A client that gives up leaves no response to end the span with: only a traced request
    // listens for that (an onRequestAbort hook would add a listener to every request).
    req.raw.once('close', () => {
      if (req.raw.aborted) abortServerSpan(span);
    });
  };
}

const SAMPLED = Symbol('nubo.sampled');
type Sampled = IncomingMessage & { [SAMPLED]?: boolean };

/**
 * Whether a request that has not reached Fastify yet will be traced by its service's SERVER
 * span: it brings a valid traceparent, or [tracing] samples it. A request lane
 * (http/request-lanes.ts) makes no spans and leaves such requests to Fastify. The sampling
 * decision is kept on the request, and serverSpanStarter takes it rather than drawing again
 * (a request the lane declines for another reason would otherwise be sampled twice as often).
 */
export function requestTraced(raw: IncomingMessage): boolean {
  if (!tracingEnabled()) return false;
  const traceparent = raw.headers['traceparent'];
  if (traceparent && contextFromTraceparent(traceparent)) return true;
  return ((raw as Sampled)[SAMPLED] = startsTrace(raw.method!));
}

/** Ends the request's SERVER span, if it has one, with the response status (root onResponse hook). */
export function endServerSpan(scope: RequestScope | undefined, statusCode: number): void {
  const span = scope?.trace?.span;
  if (!span) return;
  span.setAttribute('http.response.status_code', statusCode);
  if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
  span.end();
}

/** Ends the span of a request the client gave up on. */
function abortServerSpan(span: Span): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted by the client' });
  span.end();
}
