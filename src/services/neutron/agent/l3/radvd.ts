/**
 * The radvd of each router (neutron/agent/linux/ra.py DaemonMonitor): one radvd in the
 * router's `qrouter-` namespace, its configuration (radvd-config.ts) and pid file in the
 * router's directory of the agent's state directory, so its command line names the router and
 * a restarted agent adopts the radvd it left running. A changed configuration is reread
 * (SIGHUP); the process monitor respawns a radvd that died; a router left without an internal
 * port on an IPv6 subnet with an ipv6_ra_mode has its radvd stopped.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouterPortInfo } from '../../rpc/payloads.js';
import { namespaceDeviceName, routerNamespace } from '../linux/names.js';
import { ProcessManager, type ProcessMonitor } from '../linux/process-monitor.js';
import { type RaSettings, radvdCommand, radvdConfig } from './radvd-config.js';
import { INTERNAL_DEV_PREFIX } from './router-info.js';

export interface RadvdSettings extends RaSettings {
  binary: string;
  /** radvd's -u; empty: none. */
  user: string;
}

const monitorKey = (routerId: string): string => `radvd-${routerId}`;

export class RadvdDriver {
  constructor(private readonly stateDir: string, private readonly settings: RadvdSettings, private readonly monitor: ProcessMonitor) {}

  files(routerId: string): { conf: string; pid: string } {
    const dir = join(this.stateDir, routerId);
    return { conf: join(dir, 'radvd.conf'), pid: join(dir, 'radvd.pid') };
  }

  private manager(routerId: string): ProcessManager {
    const f = this.files(routerId);
    return new ProcessManager({
      uuid: routerId, namespace: routerNamespace(routerId), pidFile: f.pid,
      command: () => radvdCommand(this.settings.binary, f.conf, f.pid, this.settings.user),
    });
  }

  /** Runs radvd for the router's internal ports (started, or told to reread a changed file), or stops it when none needs advertisements. */
  async enable(routerId: string, ports: readonly RouterPortInfo[]): Promise<void> {
    const text = radvdConfig(ports, (id) => namespaceDeviceName(INTERNAL_DEV_PREFIX, id), this.settings);
    if (!text) return this.disable(routerId);
    const f = this.files(routerId);
    mkdirSync(join(this.stateDir, routerId), { recursive: true });
    let before: string | undefined;
    try { before = readFileSync(f.conf, 'utf8'); } catch { /* first time */ }
    if (before !== text) {
      rmSync(`${f.conf}.tmp`, { force: true });
      writeFileSync(`${f.conf}.tmp`, text, { mode: 0o444 });
      renameSync(`${f.conf}.tmp`, f.conf);
    }
    const pm = this.manager(routerId);
    // registered first: a radvd that fails to start is tried again on each check
    this.monitor.register(monitorKey(routerId), pm);
    await pm.enable(before !== text);
  }

  /** Stops the router's radvd and removes its file. */
  async disable(routerId: string): Promise<void> {
    this.monitor.unregister(monitorKey(routerId));
    await this.manager(routerId).disable();
    rmSync(this.files(routerId).conf, { force: true });
  }

  active(routerId: string): boolean {
    return this.manager(routerId).active();
  }
}
