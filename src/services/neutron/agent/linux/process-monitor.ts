/**
 * External processes of the agents (neutron/agent/linux/external_process.py): a ProcessManager
 * starts one daemon (dnsmasq, later haproxy for metadata) in a namespace, finds it again by its
 * pid file and its command line (which holds the resource's uuid, so a restarted agent adopts
 * the daemons it left running instead of restarting them), reloads it with SIGHUP and stops it;
 * the ProcessMonitor respawns the registered ones that died, on a periodic check.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { Logger } from '../../../../common/log/logger.js';
import type { PeriodicTasks } from '../../../../common/service/periodic.js';
import { execute } from './exec.js';

export interface ProcessSpec {
  /** The resource the process serves (a network id): it must appear in the process's command line. */
  uuid: string;
  namespace?: string;
  pidFile: string;
  /** The command line; the program daemonizes and writes pidFile itself. */
  command(): string[];
}

export class ProcessManager {
  constructor(readonly spec: ProcessSpec) {}

  /** The pid in the pid file, if any. */
  pid(): number | undefined {
    try {
      const n = Number.parseInt(readFileSync(this.spec.pidFile, 'utf8').trim(), 10);
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** Is the process of the pid file alive and ours (its command line names the uuid). */
  active(): boolean {
    const pid = this.pid();
    if (!pid) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.spec.uuid);
    } catch {
      return false;
    }
  }

  /** Starts the process unless it runs (`reloadIfActive`: then SIGHUP it). */
  async enable(reloadIfActive = false): Promise<void> {
    if (this.active()) {
      if (reloadIfActive) this.reload();
      return;
    }
    const [cmd, ...args] = this.spec.command();
    await execute(cmd!, args, this.spec.namespace ? { namespace: this.spec.namespace } : {});
  }

  reload(): void {
    const pid = this.pid();
    if (pid && this.active()) process.kill(pid, 'SIGHUP');
  }

  /** Stops the process and waits for it to be gone (at most ~2 s), then removes the pid file. */
  async disable(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const pid = this.pid();
    if (pid && this.active()) {
      try { process.kill(pid, signal); } catch { /* gone already */ }
      for (let i = 0; i < 100 && this.active(); i++) await new Promise((r) => setTimeout(r, 20));
      if (this.active()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(this.spec.pidFile, { force: true });
  }
}

/** Respawns registered processes that died (ProcessMonitor with check_child_processes_action=respawn). */
export class ProcessMonitor {
  private readonly watched = new Map<string, ProcessManager>();

  constructor(private readonly log: Logger, periodic: PeriodicTasks, intervalSeconds: number, name: string) {
    periodic.add({ name, interval: intervalSeconds, run: () => this.check() });
  }

  register(key: string, pm: ProcessManager): void {
    this.watched.set(key, pm);
  }

  unregister(key: string): void {
    this.watched.delete(key);
  }

  async check(): Promise<void> {
    for (const [key, pm] of this.watched) {
      if (pm.active()) continue;
      this.log.error({ process: key }, 'external process died unexpectedly, respawning');
      await pm.enable().catch((err: unknown) => this.log.error({ err, process: key }, 'respawning the external process failed'));
    }
  }
}
