/**
 * RequestContextSerializer (nova/rpc.py's): contexts travel as RequestContext.toMessageContext()
 * and come back as RequestContext.fromMessage(), so endpoints and notification handlers receive
 * a RequestContext usable for policy. Entities go through the wrapped serializer (a
 * versioned-objects serializer later), or as they are without one.
 */
import { RequestContext } from '../context.js';
import type { MessageContext } from './envelope.js';
import type { EntitySerializer, Serializer } from './serializer.js';

export class RequestContextSerializer implements Serializer<RequestContext> {
  constructor(private readonly base?: EntitySerializer<RequestContext>) {}

  serializeEntity(ctxt: RequestContext, entity: unknown): unknown {
    return this.base ? this.base.serializeEntity(ctxt, entity) : entity;
  }

  deserializeEntity(ctxt: RequestContext, entity: unknown): unknown {
    return this.base ? this.base.deserializeEntity(ctxt, entity) : entity;
  }

  serializeContext(ctxt: RequestContext): MessageContext {
    return ctxt.toMessageContext();
  }

  deserializeContext(ctxt: MessageContext): RequestContext {
    return RequestContext.fromMessage(ctxt);
  }
}
