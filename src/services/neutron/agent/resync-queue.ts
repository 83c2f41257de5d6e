/**
 * The work loop of an agent that follows casts and resyncs fully after failures (the DHCP and
 * L3 agents' queue with needs_resync_reasons / fullsync): work items run one at a time in
 * arrival order; a failed item (or a failed full sync) schedules a full sync, which a periodic
 * task runs on the resync interval. `start` runs the first full sync.
 */
import type { Logger } from '../../../common/log/logger.js';
import type { PeriodicTasks } from '../../../common/service/periodic.js';

export class ResyncQueue {
  private queue: Promise<void> = Promise.resolve();
  private reasons: string[] = [];

  /** `fullSync` gets the reasons it runs for. */
  constructor(private readonly log: Logger, private readonly agentName: string, private readonly fullSync: (reasons: string[]) => Promise<void>) {}

  start(periodic: PeriodicTasks, taskName: string, intervalSeconds: number): void {
    this.schedule('agent started');
    periodic.add({ name: taskName, interval: intervalSeconds, run: () => this.periodicResync() });
    this.enqueue(() => this.runFullSync());
  }

  schedule(reason: string): void {
    this.reasons.push(reason);
  }

  enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => {
      this.log.error({ err }, `${this.agentName}: an operation failed; a full resync is scheduled`);
      this.schedule(String((err as Error)?.message ?? err));
    });
  }

  /** Resolves once every item enqueued so far is done. */
  async idle(): Promise<void> {
    let q: Promise<void>;
    do { q = this.queue; await q; } while (q !== this.queue);
  }

  private async runFullSync(): Promise<void> {
    const reasons = this.reasons;
    this.reasons = [];
    try {
      await this.fullSync(reasons);
    } catch (err) {
      this.reasons.push(...reasons, 'full sync failed');
      throw err;
    }
  }

  private async periodicResync(): Promise<void> {
    if (!this.reasons.length) return;
    this.enqueue(() => this.runFullSync());
    await this.idle();
  }
}
