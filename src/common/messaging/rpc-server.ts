/**
 * RpcServer (oslo_messaging/rpc/server.py): consumes `<topic>`, `<topic>.<server>` and the
 * topic's fanout exchange and runs each request on its endpoints (rpc-dispatcher.ts).
 * Like oslo, a request is acknowledged when it starts running (at most once), at most
 * `executorSize` run at a time, and as many more wait unacknowledged (the prefetch window), so
 * other servers of the topic can take the rest. A call's result or error goes back to the caller
 * (errors as RemoteError); a cast's error is logged.
 * The serializer (default NoOpSerializer: endpoints get the MessageContext dict) turns the
 * message's context into what endpoints receive, e.g. a RequestContext with the
 * RequestContextSerializer. Endpoints run in the request scope of the caller's request ids with
 * the rebuilt RequestContext as `scope.context`, so their log lines carry the ids and the
 * notifications and REST calls they make carry the caller's context.
 */
import { runInScope } from '../log/request-scope.js';
import { ConsumerLifecycle } from './consumer-lifecycle.js';
import type { IncomingRpc } from './driver.js';
import type { MessageContext } from './envelope.js';
import type { BusLogger } from './logger.js';
import { RpcDispatcher } from './rpc-dispatcher.js';
import { scopeForMessage } from './scope-context.js';
import { startHandlerSpan } from './rpc-spans.js';
import { noOpSerializer, type Serializer } from './serializer.js';
import { endSpan, type ActiveSpan, type TraceIdentity } from '../tracing/tracing.js';
import type { ServerTarget } from './target.js';
import type { Transport } from './transport.js';

/** oslo's executor_thread_pool_size default. */
const DEFAULT_EXECUTOR_SIZE = 64;

export interface RpcServerOptions<Ctx = MessageContext> {
  log?: BusLogger;
  /** Requests run at the same time (default 64). */
  executorSize?: number;
  /** Contexts and entities from their message form (default: NoOpSerializer). */
  serializer?: Serializer<Ctx>;
  /** The service (project name) and host requests are traced as; no spans without it. */
  trace?: TraceIdentity;
}

/** 4xx-like errors are the API's normal answers: not worth an error line on the server. */
function isExpected(err: unknown): boolean {
  const status = (err as { status?: unknown; code?: unknown }).status ?? (err as { code?: unknown }).code;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export class RpcServer<Ctx = MessageContext> {
  private readonly dispatcher: RpcDispatcher<Ctx>;
  private readonly serializer: Serializer<Ctx>;
  private readonly log: BusLogger;
  private readonly executorSize: number;
  private readonly trace: TraceIdentity | undefined;
  private readonly consumer: ConsumerLifecycle;
  private waiting: IncomingRpc[] = [];

  constructor(
    readonly transport: Transport,
    readonly target: ServerTarget,
    endpoints: object[],
    opts: RpcServerOptions<Ctx> = {},
  ) {
    this.serializer = opts.serializer ?? (noOpSerializer as unknown as Serializer<Ctx>);
    this.dispatcher = new RpcDispatcher(endpoints, this.serializer);
    this.log = opts.log ?? transport.log;
    this.executorSize = Math.max(1, opts.executorSize ?? DEFAULT_EXECUTOR_SIZE);
    this.trace = opts.trace;
    this.consumer = new ConsumerLifecycle(
      () => transport.driver.listen(target, (incoming) => this.onIncoming(incoming), this.executorSize),
      // Waiting requests were never acknowledged: unsubscribing gives them back to the queues.
      () => {
        this.waiting = [];
      },
    );
  }

  /** Start consuming (idempotent). */
  start(): Promise<void> {
    return this.consumer.start();
  }

  /** Stop consuming and wait for the requests already running to finish. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private onIncoming(incoming: IncomingRpc): void {
    if (!this.consumer.active) return;
    if (this.consumer.count < this.executorSize) this.run(incoming);
    else this.waiting.push(incoming);
  }

  private run(incoming: IncomingRpc): void {
    incoming.acknowledge();
    this.consumer.run(
      () => this.process(incoming),
      () => {
        const next = this.waiting.shift();
        if (next) this.run(next);
      },
    );
  }

  /** Deserialize the context and run the request in its scope (the error line included). */
  private process(incoming: IncomingRpc): Promise<void> {
    let ctxt: Ctx | undefined;
    let unreadable: { err: unknown } | undefined;
    try {
      ctxt = this.serializer.deserializeContext(incoming.ctxt);
    } catch (err) {
      unreadable = { err };
    }
    const scope = scopeForMessage(incoming.ctxt, ctxt);
    const traced = startHandlerSpan(this.trace, this.target, incoming);
    if (traced) scope.trace = traced;
    return runInScope(scope, () =>
      this.handle(incoming, () => {
        if (unreadable) throw unreadable.err;
        return this.dispatcher.dispatch(ctxt as Ctx, incoming.message);
      }, traced),
    );
  }

  private async handle(incoming: IncomingRpc, dispatch: () => Promise<unknown>, traced: ActiveSpan | undefined): Promise<void> {
    const method = String(incoming.message['method']);
    let result: unknown;
    try {
      result = await dispatch();
      if (traced) endSpan(traced.span);
    } catch (err) {
      if (traced) endSpan(traced.span, err);
      const fields = { err, method, topic: this.target.topic, server: this.target.server };
      if (!incoming.expectsReply) this.log.error(fields, `exception in cast of ${method}`);
      else if (isExpected(err)) this.log.debug(fields, `expected exception during message handling of ${method}`);
      else this.log.error(fields, `exception during message handling of ${method}`);
      await incoming.reply(undefined, err);
      return;
    }
    await incoming.reply(result);
  }
}
