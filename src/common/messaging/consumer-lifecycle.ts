/**
 * Start and stop of a message consumer (RpcServer, NotificationListener): start() subscribes
 * once; stop() unsubscribes (deliveries not acknowledged yet go back to their queues) and waits
 * for the handlers still running. Handlers run through run(), which counts them.
 */
import type { ListenerHandle } from './driver.js';

export class ConsumerLifecycle {
  private handle: ListenerHandle | undefined;
  private starting: Promise<void> | undefined;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  /** `subscribe` starts consuming; `onStop` runs when stopping, before unsubscribing. */
  constructor(
    private readonly subscribe: () => Promise<ListenerHandle>,
    private readonly onStop?: () => void,
  ) {}

  /** Started (or starting) and not stopped: deliveries are to be handled. */
  get active(): boolean {
    return this.starting !== undefined;
  }

  /** Handlers running now. */
  get count(): number {
    return this.running;
  }

  /** Start consuming (idempotent). */
  start(): Promise<void> {
    this.starting ??= this.subscribe()
      .then((handle) => {
        this.handle = handle;
      })
      .catch((err: unknown) => {
        this.starting = undefined;
        throw err;
      });
    return this.starting;
  }

  /** Stop consuming and wait for the running handlers. */
  async stop(): Promise<void> {
    const starting = this.starting;
    if (!starting) return;
    await starting.catch(() => {});
    this.starting = undefined;
    const handle = this.handle;
    this.handle = undefined;
    this.onStop?.();
    await handle?.stop();
    if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Run a handler (which must not reject), counted until it settles; `then` runs right after. */
  run(fn: () => Promise<void>, then?: () => void): void {
    this.running++;
    void fn().finally(() => {
      this.running--;
      then?.();
      if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
  }
}
