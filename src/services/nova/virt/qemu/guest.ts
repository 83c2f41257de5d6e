/**
 * One guest's QEMU as the driver controls it: started (or found running after a restart of
 * the compute service) and reached over QMP, its power state kept from QMP's events and the
 * process's end (a guest that powers itself off ends its QEMU: SHUTDOWN, or SUSPENDED when its
 * state was saved), and stopped.
 */
import { existsSync, rmSync } from 'node:fs';
import { PowerState } from '../../compute/power-state.js';
import { InstanceNotRunning } from '../../errors.js';
import { qemuCommandLine, type GuestSpec } from './command-line.js';
import type { GuestPaths } from './paths.js';
import { eventToPowerState, runStateToPowerState } from './power-state.js';
import { livePid, startDaemon, terminate, waitForExit } from './process.js';
import { QmpClient, type QmpEvent } from './qmp.js';

/** The network namespace QEMU runs in: the taps' (`netns`) when the guest has NICs; undefined: the process's own. */
export function qemuNamespace(nicCount: number, netns?: string): string | undefined {
  return nicCount > 0 ? netns : undefined;
}

export class Guest {
  state: number;
  /** When its QEMU started (ms), null while none runs. */
  startedAt: number | null = null;
  private pid: number | null = null;
  private qmp: QmpClient | null = null;
  private readonly waiters = new Set<(event: QmpEvent) => void>();

  /**
   * `onChange`: the power state changed by itself (QMP events, QEMU's end), not by a driver call's own assignment.
   * `netns`: the network namespace of the host's taps (vif.ts), where QEMU runs when the guest has NICs.
   */
  constructor(readonly uuid: string, readonly paths: GuestPaths, private readonly onChange: (state: number) => void = () => undefined, private readonly netns?: string) {
    this.state = this.offState();
  }

  private changed(to: number): void {
    if (this.state === to) return;
    this.state = to;
    this.onChange(to);
  }

  get running(): boolean {
    return this.qmp !== null;
  }

  /** Without QEMU: suspended when its state is saved, otherwise shut down. */
  private offState(): number {
    return existsSync(this.paths.savedState) ? PowerState.SUSPENDED : PowerState.SHUTDOWN;
  }

  /** Start QEMU for `spec` and connect to it. @throws QemuError */
  async start(binary: string, spec: GuestSpec): Promise<void> {
    for (const stale of [this.paths.qmpSocket, this.paths.vncSocket, this.paths.serialSocket, this.paths.pidFile]) rmSync(stale, { force: true });
    await startDaemon(binary, qemuCommandLine(spec), qemuNamespace(spec.nics.length, this.netns));
    if (!(await this.attach())) throw new InstanceNotRunning(this.uuid);
  }

  /** Connect to the guest's running QEMU, if one runs (a restart of the compute service adopts it); whether one does. */
  async attach(): Promise<boolean> {
    const pid = livePid(this.paths.pidFile, this.uuid);
    if (pid === null) {
      this.state = this.offState();
      return false;
    }
    const qmp = await QmpClient.connect(this.paths.qmpSocket);
    qmp.on('event', (e: QmpEvent) => this.onEvent(e));
    qmp.on('close', () => this.onClose(qmp));
    this.qmp = qmp;
    this.pid = pid;
    this.startedAt ??= Date.now();
    this.state = runStateToPowerState((await qmp.execute<{ status: string }>('query-status')).status);
    return true;
  }

  private onEvent(e: QmpEvent): void {
    const to = eventToPowerState(e.event);
    // STOP also comes while QEMU shuts down; SHUTDOWN is the state that counts then.
    if (to !== undefined && !(to === PowerState.PAUSED && this.state === PowerState.SHUTDOWN)) this.changed(to);
    for (const w of this.waiters) w(e);
  }

  private onClose(qmp: QmpClient): void {
    if (this.qmp !== qmp) return;
    this.qmp = null;
    this.pid = null;
    this.startedAt = null;
    this.changed(this.offState());
  }

  /** A QMP command to the running guest. @throws InstanceNotRunning when no QEMU runs, QmpError */
  command<T = unknown>(name: string, args?: Record<string, unknown>): Promise<T> {
    if (!this.qmp) return Promise.reject(new InstanceNotRunning(this.uuid));
    return this.qmp.execute<T>(name, args);
  }

  /** Resolves with the first event `match` accepts within `ms` (null on timeout). */
  waitForEvent(match: (e: QmpEvent) => boolean, ms: number): Promise<QmpEvent | null> {
    return new Promise((resolve) => {
      const done = (e: QmpEvent | null): void => { clearTimeout(timer); this.waiters.delete(waiter); resolve(e); };
      const waiter = (e: QmpEvent): void => { if (match(e)) done(e); };
      const timer = setTimeout(() => done(null), ms);
      this.waiters.add(waiter);
    });
  }

  /** Wait up to `ms` for QEMU to end by itself (the guest powered off); whether it did. */
  async waitForExit(ms: number): Promise<boolean> {
    if (this.pid === null) return true;
    const pid = this.pid;
    const exited = await waitForExit(pid, ms);
    if (exited) await this.closed();
    return exited;
  }

  /** End QEMU now (the guest's power cord). */
  async kill(): Promise<void> {
    if (this.pid !== null) await terminate(this.pid);
    await this.closed();
  }

  /** After QEMU ended: wait for the monitor's close to be seen, so the state is the off one. */
  private async closed(): Promise<void> {
    const qmp = this.qmp;
    if (qmp && !qmp.isClosed) await new Promise<void>((resolve) => { qmp.once('close', () => resolve()); qmp.close(); });
    this.qmp = null;
    this.pid = null;
    this.startedAt = null;
    this.state = this.offState();
  }

  /** Let go of the monitor without stopping QEMU (the compute service stops; the guest runs on). */
  release(): void {
    const qmp = this.qmp;
    this.qmp = null;
    qmp?.removeAllListeners('close');
    qmp?.close();
  }
}
