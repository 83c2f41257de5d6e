/**
 * Periodic tasks and heartbeats, as oslo.service's periodic_task and FixedIntervalLoopingCall:
 * each task runs every `interval` seconds measured start to start, never overlaps itself (a run
 * that overruns its interval delays the next one and is logged), may run at once or after an
 * initial delay, and keeps running after a failure (which is logged). Each run gets a request
 * id of its own, so its log lines and the RPC calls it makes can be followed.
 *
 * Hand-written: setInterval would overlap slow runs, and the job-queue libraries on npm
 * (bree, node-cron, bull) schedule by wall clock or need a store, which is not this.
 */
import type { Logger } from '../log/logger.js';
import { newRequestId, runInScope } from '../log/request-scope.js';

export interface PeriodicTaskSpec {
  /** Shown in log lines. */
  name: string;
  /** Seconds from the start of one run to the start of the next; 0 or less disables the task. */
  interval: number;
  /** Run as soon as the tasks start instead of one interval later. */
  runImmediately?: boolean;
  /** Seconds to wait before the first run (overrides runImmediately), e.g. to spread hosts out. */
  initialDelay?: number;
  run(): Promise<void>;
}

interface Task {
  spec: PeriodicTaskSpec;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

export class PeriodicTasks {
  private readonly tasks = new Map<string, Task>();
  private started = false;

  constructor(private readonly log: Logger) {}

  /** Register a task (before or after start). A disabled task (interval <= 0) is ignored. */
  add(spec: PeriodicTaskSpec): void {
    if (spec.interval <= 0) return;
    if (this.tasks.has(spec.name)) throw new Error(`periodic task ${spec.name} is registered twice`);
    const task: Task = { spec, timer: undefined, running: undefined };
    this.tasks.set(spec.name, task);
    if (this.started) this.schedule(task, this.firstDelay(spec));
  }

  get names(): string[] {
    return [...this.tasks.keys()];
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const task of this.tasks.values()) this.schedule(task, this.firstDelay(task.spec));
  }

  /** Run a task now (unless it is running) and wait for it; its schedule is unchanged. */
  async runNow(name: string): Promise<void> {
    const task = this.tasks.get(name);
    if (!task) throw new Error(`no periodic task ${name}`);
    await (task.running ?? this.execute(task));
  }

  /** Stop scheduling and wait for the runs in progress. */
  async stop(): Promise<void> {
    this.started = false;
    for (const task of this.tasks.values()) clearTimeout(task.timer);
    await Promise.all([...this.tasks.values()].map((t) => t.running));
  }

  private firstDelay(spec: PeriodicTaskSpec): number {
    if (spec.initialDelay !== undefined) return spec.initialDelay * 1000;
    return spec.runImmediately ? 0 : spec.interval * 1000;
  }

  private schedule(task: Task, delayMs: number): void {
    task.timer = setTimeout(() => {
      task.timer = undefined;
      if (!this.started) return;
      const began = performance.now();
      void (task.running ?? this.execute(task)).then(() => {
        if (!this.started) return;
        const elapsed = performance.now() - began;
        const intervalMs = task.spec.interval * 1000;
        if (elapsed > intervalMs) {
          this.log.warn({ task: task.spec.name, ms: Math.round(elapsed) }, `periodic task ${task.spec.name} ran longer than its interval of ${task.spec.interval}s`);
        }
        this.schedule(task, Math.max(0, intervalMs - elapsed));
      });
    }, delayMs);
    task.timer.unref();
  }

  private execute(task: Task): Promise<void> {
    const run = runInScope({ requestId: newRequestId() }, async () => {
      try {
        await task.spec.run();
      } catch (err) {
        this.log.error({ err, task: task.spec.name }, `periodic task ${task.spec.name} failed`);
      }
    }).finally(() => {
      task.running = undefined;
    });
    task.running = run;
    return run;
  }
}
