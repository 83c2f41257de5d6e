/**
 * The RPC dispatcher (oslo_messaging/rpc/dispatcher.py): finds the endpoint serving a request
 * by namespace and version and calls `method(ctx, args)` on it.
 * An endpoint is any object; its optional `target` says which API version (default 1.0) and
 * namespace (default none) it implements. Every method not starting with `_` is remotely
 * callable, except `constructor`, `target` and what every object inherits from Object.
 * A request for a method no compatible endpoint has fails with NoSuchMethod; a request no
 * endpoint is compatible with (newer minor, other major, other namespace) with UnsupportedVersion.
 */
import { isObject, type MessageContext, type RawMessage } from './envelope.js';
import { NoSuchMethod, UnsupportedVersion } from './errors.js';
import { versionIsCompatible } from './version.js';

export interface EndpointTarget {
  version?: string;
  namespace?: string;
}

/** An RPC endpoint: methods called as `method(ctx, args)`, and an optional target. */
export type RpcEndpoint = object & { target?: EndpointTarget };

type EndpointMethod = (ctx: MessageContext, args: Record<string, unknown>) => unknown;

function findMethod(endpoint: object, name: string): EndpointMethod | undefined {
  if (name === '' || name.startsWith('_') || name === 'constructor' || name === 'target' || name in Object.prototype) {
    return undefined;
  }
  const fn: unknown = (endpoint as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as EndpointMethod) : undefined;
}

export class RpcDispatcher {
  constructor(private readonly endpoints: readonly object[]) {}

  /** Run the request on the first compatible endpoint that has the method. */
  async dispatch(ctxt: MessageContext, message: RawMessage): Promise<unknown> {
    const method = typeof message['method'] === 'string' ? message['method'] : String(message['method']);
    const args = isObject(message['args']) ? message['args'] : {};
    const namespace = typeof message['namespace'] === 'string' ? message['namespace'] : undefined;
    const version = typeof message['version'] === 'string' ? message['version'] : '1.0';
    let foundCompatible = false;
    for (const endpoint of this.endpoints) {
      const target = (endpoint as RpcEndpoint).target ?? {};
      if ((target.namespace ?? undefined) !== namespace) continue;
      if (!versionIsCompatible(target.version ?? '1.0', version)) continue;
      const fn = findMethod(endpoint, method);
      if (fn) return await fn.call(endpoint, ctxt, args);
      foundCompatible = true;
    }
    throw foundCompatible ? new NoSuchMethod(method) : new UnsupportedVersion(version, method);
  }
}
