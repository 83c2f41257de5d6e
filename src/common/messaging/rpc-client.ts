/**
 * RpcClient (oslo_messaging/rpc/client.py): invokes methods on remote servers.
 * `call` waits for the result (MessagingTimeout when none comes, RemoteError when the server
 * raised), `cast` returns once the message is handed to the bus. `prepare` overrides target
 * attributes, the timeout or the version cap for some invocations; `fanout: true` casts to every
 * server of the topic. The serializer (default NoOpSerializer: the context is a MessageContext
 * dict) turns the context into its message form and every argument and the result to and from
 * primitives, as oslo's _BaseCallContext does.
 */
import type { MessageContext, RawMessage } from './envelope.js';
import { InvalidTarget, MessagingTimeout, RpcVersionCapError } from './errors.js';
import { noOpSerializer, type Serializer } from './serializer.js';
import { describeTarget, type Target } from './target.js';
import type { Transport } from './transport.js';
import { endSpan } from '../tracing/tracing.js';
import { startRpcSpan, withTraceparent } from './rpc-spans.js';
import { checkVersionFormat, versionIsCompatible } from './version.js';

/** oslo's rpc_response_timeout default, in seconds. */
const DEFAULT_TIMEOUT_SECONDS = 60;

export interface RpcClientOptions<Ctx = MessageContext> {
  /** Seconds a call waits for its reply (default 60). */
  timeout?: number;
  /** Refuse to send versions above this one (rolling upgrades). */
  versionCap?: string;
  /** Contexts and entities to their message form (default: NoOpSerializer). */
  serializer?: Serializer<Ctx>;
}

export type PrepareOptions = Partial<Target> & Omit<RpcClientOptions, 'serializer'>;

export class RpcClient<Ctx = MessageContext> {
  readonly target: Target;
  readonly timeout: number;
  readonly versionCap: string | undefined;
  readonly serializer: Serializer<Ctx>;

  constructor(
    readonly transport: Transport,
    target: Target,
    opts: RpcClientOptions<Ctx> = {},
  ) {
    if (!target.topic) throw new InvalidTarget('an RPC target needs a topic');
    if (target.version !== undefined) checkVersionFormat(target.version);
    this.target = { ...target };
    this.timeout = opts.timeout ?? DEFAULT_TIMEOUT_SECONDS;
    this.versionCap = opts.versionCap;
    this.serializer = opts.serializer ?? (noOpSerializer as unknown as Serializer<Ctx>);
  }

  /** A client for the same transport and serializer with some target attributes, the timeout or the cap overridden. */
  prepare(overrides: PrepareOptions): RpcClient<Ctx> {
    const { timeout, versionCap, ...target } = overrides;
    return new RpcClient<Ctx>(
      this.transport,
      { ...this.target, ...target },
      {
        timeout: 'timeout' in overrides ? timeout : this.timeout,
        versionCap: 'versionCap' in overrides ? versionCap : this.versionCap,
        serializer: this.serializer,
      },
    );
  }

  /** Whether `version` (default: the target's; none means 1.0) is allowed by the version cap. */
  canSendVersion(version: string | undefined = this.target.version): boolean {
    return !this.versionCap || versionIsCompatible(this.versionCap, version ?? '1.0');
  }

  /** Invoke a method without waiting for it to run. */
  async cast(ctx: Ctx, method: string, args: Record<string, unknown> = {}): Promise<void> {
    const msg = this.makeMessage(ctx, method, args);
    const traced = startRpcSpan(this.target, 'cast', method);
    try {
      await this.transport.driver.cast(this.target, withTraceparent(this.serializer.serializeContext(ctx), traced), msg);
    } catch (err) {
      if (traced) endSpan(traced.span, err);
      throw err;
    }
    if (traced) endSpan(traced.span);
  }

  /** Invoke a method and wait for its result. */
  async call<T = unknown>(ctx: Ctx, method: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.target.fanout) throw new InvalidTarget(`a call cannot be used with fanout (${describeTarget(this.target)})`);
    const msg = this.makeMessage(ctx, method, args);
    const { topic, server } = this.target;
    const timeoutMs = Math.max(0, this.timeout * 1000);
    const traced = startRpcSpan(this.target, 'call', method);
    let result: unknown;
    try {
      result = await this.transport.driver.call(this.target, withTraceparent(this.serializer.serializeContext(ctx), traced), msg, timeoutMs, () =>
        new MessagingTimeout(
          `Timed out after ${this.timeout}s waiting for a reply to method "${method}" on ${describeTarget(this.target)}`,
          topic,
          server,
          method,
          this.timeout,
        ),
      );
    } catch (err) {
      if (traced) endSpan(traced.span, err);
      throw err;
    }
    if (traced) endSpan(traced.span);
    return this.serializer.deserializeEntity(ctx, result) as T;
  }

  private makeMessage(ctx: Ctx, method: string, args: Record<string, unknown>): RawMessage {
    const serialized: Record<string, unknown> = {};
    for (const [name, arg] of Object.entries(args)) serialized[name] = this.serializer.serializeEntity(ctx, arg);
    const msg: RawMessage = { method, args: serialized };
    if (this.target.namespace !== undefined) msg['namespace'] = this.target.namespace;
    if (this.target.version !== undefined) msg['version'] = this.target.version;
    if (!this.canSendVersion()) {
      throw new RpcVersionCapError(this.target.version ?? '1.0', this.versionCap ?? '');
    }
    return msg;
  }
}
