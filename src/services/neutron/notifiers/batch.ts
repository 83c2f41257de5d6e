/**
 * BatchNotifier (neutron/notifiers/batch_notifier.py): the first event is sent at once, then
 * events arriving during the next `intervalMs` are sent together, and so on until the queue
 * stays empty for one interval.
 */
export class BatchNotifier<E> {
  private pending: E[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly intervalMs: number, private readonly send: (events: E[]) => Promise<void>) {}

  queue(event: E | undefined): void {
    if (!event || this.closed) return;
    this.pending.push(event);
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    while (this.pending.length && !this.closed) {
      const batch = this.pending;
      this.pending = [];
      await this.send(batch);
      if (this.closed) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.intervalMs);
      });
    }
  }

  /** Sends what is queued now and waits for the sending to finish. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    const rest = this.pending;
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running;
    if (rest.length) await this.send(rest);
  }
}
