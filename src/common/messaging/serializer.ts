/**
 * The serializer hook of oslo.messaging (oslo_messaging/serializer.py): how the request context
 * and the entities (RPC arguments and results, notification payloads) are turned into the
 * primitives that travel and back. RpcClient, RpcServer, Notifier and NotificationListener take
 * one; NoOpSerializer (the default) sends contexts as plain MessageContext dicts and entities as
 * they are. RequestContextSerializer (request-context-serializer.ts) rebuilds RequestContexts
 * and wraps an entity serializer (a later versioned-objects one).
 */
import type { MessageContext } from './envelope.js';

/** Entities to and from their primitive (JSON) form; `ctxt` is the deserialized context. */
export interface EntitySerializer<Ctx> {
  serializeEntity(ctxt: Ctx, entity: unknown): unknown;
  deserializeEntity(ctxt: Ctx, entity: unknown): unknown;
}

/** oslo's Serializer: entities, plus the context to its message dict and back. */
export interface Serializer<Ctx = MessageContext> extends EntitySerializer<Ctx> {
  serializeContext(ctxt: Ctx): MessageContext;
  deserializeContext(ctxt: MessageContext): Ctx;
}

/** oslo's NoOpSerializer: contexts are MessageContext dicts, entities go as they are. */
export class NoOpSerializer implements Serializer<MessageContext> {
  serializeEntity(_ctxt: MessageContext, entity: unknown): unknown {
    return entity;
  }
  deserializeEntity(_ctxt: MessageContext, entity: unknown): unknown {
    return entity;
  }
  serializeContext(ctxt: MessageContext): MessageContext {
    return ctxt;
  }
  deserializeContext(ctxt: MessageContext): MessageContext {
    return ctxt;
  }
}

/** The one NoOpSerializer the bus classes default to (it has no state). */
export const noOpSerializer = new NoOpSerializer();
