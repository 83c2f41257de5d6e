/**
 * nova/rpc.py's serializer: RequestContexts travel as their message dicts and come back as
 * RequestContexts (RequestContextSerializer), every Nova object in arguments, results and
 * notification payloads as its versioned primitive (NovaObjectSerializer).
 */
import type { RequestContext } from '../../../common/context.js';
import { RequestContextSerializer, type Serializer } from '../../../common/messaging/index.js';
import { NovaObjectSerializer } from '../objects/index.js';

export function novaSerializer(): Serializer<RequestContext> {
  return new RequestContextSerializer(new NovaObjectSerializer());
}
