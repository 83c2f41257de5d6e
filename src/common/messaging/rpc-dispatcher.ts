/**
 * The RPC dispatcher (oslo_messaging/rpc/dispatcher.py): finds the endpoint serving a request
 * by namespace and version and calls `method(ctx, args)` on it, with every argument passed
 * through the serializer's deserializeEntity and the result through serializeEntity.
 * An endpoint is any object; its optional `target` says which API version (default 1.0) and
 * namespace (default none) it implements. Every method not starting with `_` is remotely
 * callable, except `constructor`, `target` and what every object inherits from Object.
 * A request for a method no compatible endpoint has fails with NoSuchMethod; a request no
 * endpoint is compatible with (newer minor, other major, other namespace) with UnsupportedVersion.
 */
import { isObject, type MessageContext, type RawMessage } from './envelope.js';
import { NoSuchMethod, UnsupportedVersion } from './errors.js';
import { noOpSerializer, type EntitySerializer } from './serializer.js';
import { versionIsCompatible } from './version.js';

export interface EndpointTarget {
  version?: string;
  namespace?: string;
}

/** An RPC endpoint: methods called as `method(ctx, args)`, and an optional target. */
export type RpcEndpoint = object & { target?: EndpointTarget };

type EndpointMethod<Ctx> = (ctx: Ctx, args: Record<string, unknown>) => unknown;

function findMethod<Ctx>(endpoint: object, name: string): EndpointMethod<Ctx> | undefined {
  if (name === '' || name.startsWith('_') || name === 'constructor' || name === 'target' || name in Object.prototype) {
    return undefined;
  }
  const fn: unknown = (endpoint as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as EndpointMethod<Ctx>) : undefined;
}

export class RpcDispatcher<Ctx = MessageContext> {
  constructor(
    private readonly endpoints: readonly object[],
    private readonly serializer: EntitySerializer<Ctx> = noOpSerializer as unknown as EntitySerializer<Ctx>,
  ) {}

  /** Run the request on the first compatible endpoint that has the method; `ctxt` is deserialized. */
  async dispatch(ctxt: Ctx, message: RawMessage): Promise<unknown> {
    const method = typeof message['method'] === 'string' ? message['method'] : String(message['method']);
    const args = isObject(message['args']) ? message['args'] : {};
    const namespace = typeof message['namespace'] === 'string' ? message['namespace'] : undefined;
    const version = typeof message['version'] === 'string' ? message['version'] : '1.0';
    let foundCompatible = false;
    for (const endpoint of this.endpoints) {
      const target = (endpoint as RpcEndpoint).target ?? {};
      if ((target.namespace ?? undefined) !== namespace) continue;
      if (!versionIsCompatible(target.version ?? '1.0', version)) continue;
      const fn = findMethod<Ctx>(endpoint, method);
      if (fn) {
        const newArgs: Record<string, unknown> = {};
        for (const [name, arg] of Object.entries(args)) newArgs[name] = this.serializer.deserializeEntity(ctxt, arg);
        return this.serializer.serializeEntity(ctxt, await fn.call(endpoint, ctxt, newArgs));
      }
      foundCompatible = true;
    }
    throw foundCompatible ? new NoSuchMethod(method) : new UnsupportedVersion(version, method);
  }
}
