/**
 * Span names that do not depend on ids, so that spans of the same operation share a name (and
 * a boot step, boot-steps.ts): ids in REST paths become `{id}`.
 */

const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|\d+|req-[0-9a-f-]{36})$/i;

/** `/v2/images/6f1c...?x=1` -> `/v2/images/{id}`. */
export function pathTemplate(path: string): string {
  const q = path.indexOf('?');
  const bare = q >= 0 ? path.slice(0, q) : path;
  return bare.split('/').map((seg) => (ID_SEGMENT.test(seg) ? '{id}' : seg)).join('/');
}

/** The CLIENT span of a REST call: `GET image /v2/images/{id}`. */
export function clientSpanName(method: string, serviceType: string, path: string): string {
  return `${method} ${serviceType} ${pathTemplate(path)}`;
}

/** The span of an RPC sent (`call scheduler.select_destinations`) or handled (`handle ...`). */
export function rpcSpanName(verb: 'call' | 'cast' | 'handle', topic: string, method: string): string {
  return `${verb} ${topic}.${method}`;
}
