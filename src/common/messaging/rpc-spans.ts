/**
 * Spans of RPC (tracing/): a PRODUCER span per cast and a CLIENT span per call, whose W3C
 * traceparent travels in the message's context (`_context_traceparent` on the wire, beside
 * `_context_request_id`), and on the server a CONSUMER (cast) or SERVER (call) span that
 * continues the caller's trace. A message without a traceparent (sent outside any traced work)
 * makes no span.
 */
import { rpcSpanName } from '../tracing/names.js';
import { contextFromTraceparent, SpanKind, startChildSpan, startSpan, traceparentOf, tracerFor, type ActiveSpan, type TraceIdentity } from '../tracing/tracing.js';
import type { IncomingRpc } from './driver.js';
import type { MessageContext } from './envelope.js';
import type { Target } from './target.js';

export const TRACEPARENT_KEY = 'traceparent';

function rpcAttributes(target: Target, method: string): Record<string, string> {
  return {
    'rpc.system': 'oslo.messaging',
    'rpc.method': method,
    'messaging.destination.name': target.server ? `${target.topic}.${target.server}` : target.topic,
  };
}

/** The span of a cast or call being sent, when the work in progress is traced. */
export function startRpcSpan(target: Target, verb: 'call' | 'cast', method: string): ActiveSpan | undefined {
  return startChildSpan(rpcSpanName(verb, target.topic, method), verb === 'call' ? SpanKind.CLIENT : SpanKind.PRODUCER, rpcAttributes(target, method));
}

/** The message context with the span's traceparent (a copy: the serializer's dict is left alone). */
export function withTraceparent(ctxt: MessageContext, traced: ActiveSpan | undefined): MessageContext {
  return traced ? { ...ctxt, [TRACEPARENT_KEY]: traceparentOf(traced.span) } : ctxt;
}

/** The span of a request being handled by `identity`, when its message carries a traceparent. */
export function startHandlerSpan(identity: TraceIdentity | undefined, target: Target, incoming: IncomingRpc): ActiveSpan | undefined {
  const tracer = tracerFor(identity);
  if (!tracer) return undefined;
  const parent = contextFromTraceparent(incoming.ctxt[TRACEPARENT_KEY]);
  if (!parent) return undefined;
  const method = String(incoming.message['method']);
  const attributes: Record<string, string> = rpcAttributes(target, method);
  const requestId = incoming.ctxt['request_id'];
  if (typeof requestId === 'string') attributes['nubo.request_id'] = requestId;
  const globalId = incoming.ctxt['global_request_id'];
  if (typeof globalId === 'string') attributes['nubo.global_request_id'] = globalId;
  const kind = incoming.expectsReply ? SpanKind.SERVER : SpanKind.CONSUMER;
  return { span: startSpan(tracer, rpcSpanName('handle', target.topic, method), kind, attributes, parent), tracer };
}
