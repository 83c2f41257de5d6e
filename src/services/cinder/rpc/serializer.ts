/**
 * cinder/rpc.py's serializer: RequestContexts travel as their message dicts and come back as
 * RequestContexts; the arguments are plain JSON (ids and dicts, not versioned objects: each
 * side reads the rows it needs from the one cinder database).
 */
import type { RequestContext } from '../../../common/context.js';
import { RequestContextSerializer, type Serializer } from '../../../common/messaging/index.js';

export function cinderSerializer(): Serializer<RequestContext> {
  return new RequestContextSerializer();
}
