/**
 * RpcServer (oslo_messaging/rpc/server.py): consumes `<topic>`, `<topic>.<server>` and the
 * topic's fanout exchange and runs each request on its endpoints (rpc-dispatcher.ts).
 * Like oslo, a request is acknowledged when it starts running (at most once), at most
 * `executorSize` run at a time, and as many more wait unacknowledged (the prefetch window), so
 * other servers of the topic can take the rest. A call's result or error goes back to the caller
 * (errors as RemoteError); a cast's error is logged. Endpoints run in the request scope of the
 * context's request ids, so their log lines carry them.
 */
import { runInScope } from '../log/request-scope.js';
import { ConsumerLifecycle } from './consumer-lifecycle.js';
import type { IncomingRpc } from './driver.js';
import type { MessageContext } from './envelope.js';
import type { BusLogger } from './logger.js';
import { RpcDispatcher } from './rpc-dispatcher.js';
import type { ServerTarget } from './target.js';
import type { Transport } from './transport.js';

/** oslo's executor_thread_pool_size default. */
const DEFAULT_EXECUTOR_SIZE = 64;

export interface RpcServerOptions {
  log?: BusLogger;
  /** Requests run at the same time (default 64). */
  executorSize?: number;
}

function inRequestScope<T>(ctxt: MessageContext, fn: () => Promise<T>): Promise<T> {
  const requestId = ctxt['request_id'];
  if (typeof requestId !== 'string') return fn();
  const global = ctxt['global_request_id'];
  return runInScope({ requestId, globalRequestId: typeof global === 'string' ? global : undefined }, fn);
}

/** 4xx-like errors are the API's normal answers: not worth an error line on the server. */
function isExpected(err: unknown): boolean {
  const status = (err as { status?: unknown; code?: unknown }).status ?? (err as { code?: unknown }).code;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export class RpcServer {
  private readonly dispatcher: RpcDispatcher;
  private readonly log: BusLogger;
  private readonly executorSize: number;
  private readonly consumer: ConsumerLifecycle;
  private waiting: IncomingRpc[] = [];

  constructor(
    readonly transport: Transport,
    readonly target: ServerTarget,
    endpoints: object[],
    opts: RpcServerOptions = {},
  ) {
    this.dispatcher = new RpcDispatcher(endpoints);
    this.log = opts.log ?? transport.log;
    this.executorSize = Math.max(1, opts.executorSize ?? DEFAULT_EXECUTOR_SIZE);
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

  private async process(incoming: IncomingRpc): Promise<void> {
    const method = String(incoming.message['method']);
    let result: unknown;
    try {
      result = await inRequestScope(incoming.ctxt, () => this.dispatcher.dispatch(incoming.ctxt, incoming.message));
    } catch (err) {
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
