/**
 * The bus and the request scope (log/request-scope.ts): an RPC server runs each request in the
 * scope of the caller's ids with the rebuilt RequestContext attached, and a notification sent
 * without a context takes the context of the scope it is sent from, so the request id of the API
 * call that caused it travels with it.
 */
import { RequestContext } from '../context.js';
import { currentScope, type RequestScope } from '../log/request-scope.js';
import type { MessageContext } from './envelope.js';

/**
 * The scope an endpoint runs in: the ids of the message's context, and the context itself
 * (the deserialized one when the serializer made a RequestContext, else one rebuilt from the
 * message; a message without a request id gets a new one).
 */
export function scopeForMessage(wire: MessageContext, deserialized: unknown): RequestScope {
  const context = deserialized instanceof RequestContext ? deserialized : RequestContext.fromMessage(wire);
  return {
    requestId: context.requestId,
    ...(context.globalRequestId ? { globalRequestId: context.globalRequestId } : {}),
    context,
    trace: undefined,
  };
}

/** The context of the work in progress as a message dict; `{}` outside any request scope. */
export function messageContextFromScope(): MessageContext {
  const scope = currentScope();
  if (!scope) return {};
  if (scope.context instanceof RequestContext) return scope.context.toMessageContext();
  return { request_id: scope.requestId, global_request_id: scope.globalRequestId ?? null };
}
