/**
 * The dnsmasq driver of one DHCP agent (dhcp.py Dnsmasq + DhcpLocalProcess): per network a
 * directory `<dhcp_confs>/<network id>` with the hosts, addn_hosts, opts, leases and pid files,
 * and one dnsmasq in `qdhcp-<network id>` watched by the process monitor. A change of ports is
 * a rewrite of the files and a SIGHUP (reload_allocations); a change of the command line (the
 * subnets, the MTU) restarts the process; a restarted agent adopts the dnsmasq it left running.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NetworkInfo } from '../../rpc/payloads.js';
import type { Port } from '../../types/port.js';
import { dhcpNamespace } from '../linux/names.js';
import { ProcessManager, type ProcessMonitor } from '../linux/process-monitor.js';
import { addnHostsFile, type DnsmasqFiles, type DnsmasqSettings, dnsmasqCommand, hostsFile, optsFile } from './dnsmasq-config.js';

/** One lease of the leases file: `expiry mac ip hostname client-id`. */
export interface Lease {
  expiry: number;
  mac: string;
  ip: string;
  hostname: string;
}

/** Can every user reach `dir` (each existing ancestor searchable by others)? */
export function traversableByAll(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!(statSync(d).mode & 0o001)) return false;
    } catch { /* not made yet: its parent decides */ }
    if (dirname(d) === d) return true;
  }
}

export class DnsmasqDriver {
  private readonly managers = new Map<string, ProcessManager>();

  constructor(private readonly confDir: string, private readonly settings: DnsmasqSettings, private readonly monitor: ProcessMonitor) {}

  files(networkId: string): DnsmasqFiles {
    const dir = join(this.confDir, networkId);
    return { pid: join(dir, 'pid'), host: join(dir, 'host'), addnHosts: join(dir, 'addn_hosts'), opts: join(dir, 'opts'), leases: join(dir, 'leases') };
  }

  private write(file: string, text: string): void {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, file);
  }

  private writeConfig(net: NetworkInfo, dhcpPort: Port): DnsmasqFiles {
    const f = this.files(net.id);
    mkdirSync(join(this.confDir, net.id), { recursive: true, mode: 0o755 });
    this.write(f.host, hostsFile(net, this.settings));
    this.write(f.addnHosts, addnHostsFile(net, this.settings));
    this.write(f.opts, optsFile(net, dhcpPort, this.settings.isolatedMetadata === true));
    return f;
  }

  /**
   * dnsmasq drops to "nobody" and rereads its files on SIGHUP: where other users cannot reach
   * them (a private data_dir, 0700) it stays root.
   */
  private settingsFor(): DnsmasqSettings {
    return this.settings.user || traversableByAll(this.confDir) ? this.settings : { ...this.settings, user: 'root' };
  }

  private manager(net: NetworkInfo, files: DnsmasqFiles): ProcessManager {
    const settings = this.settingsFor();
    const pm = new ProcessManager({ uuid: net.id, namespace: dhcpNamespace(net.id), pidFile: files.pid, command: () => dnsmasqCommand(net, files, settings) });
    this.managers.set(net.id, pm);
    return pm;
  }

  /** The command line of the running process, if any. */
  private runningCommand(pm: ProcessManager): string[] | undefined {
    const pid = pm.pid();
    if (!pid || !pm.active()) return undefined;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      return undefined;
    }
  }

  /** Writes the files and makes dnsmasq run with them: started, reloaded, or restarted when its command line changed. */
  async enable(net: NetworkInfo, dhcpPort: Port): Promise<void> {
    const files = this.writeConfig(net, dhcpPort);
    const pm = this.manager(net, files);
    const running = this.runningCommand(pm);
    const wanted = pm.spec.command();
    if (running && JSON.stringify(running.slice(1)) !== JSON.stringify(wanted.slice(1))) await pm.disable();
    await pm.enable(true);
    this.monitor.register(`dnsmasq ${net.id}`, pm);
  }

  /** New ports: the files are rewritten and dnsmasq rereads them (SIGHUP). */
  reloadAllocations(net: NetworkInfo, dhcpPort: Port): void {
    const files = this.writeConfig(net, dhcpPort);
    (this.managers.get(net.id) ?? this.manager(net, files)).reload();
  }

  active(networkId: string): boolean {
    return this.managers.get(networkId)?.active() ?? false;
  }

  /** Stops dnsmasq and removes the network's files. */
  async disable(networkId: string): Promise<void> {
    this.monitor.unregister(`dnsmasq ${networkId}`);
    const files = this.files(networkId);
    const pm = this.managers.get(networkId) ?? new ProcessManager({ uuid: networkId, pidFile: files.pid, command: () => [] });
    await pm.disable();
    this.managers.delete(networkId);
    rmSync(join(this.confDir, networkId), { recursive: true, force: true });
  }

  /** The leases dnsmasq granted on the network. */
  leases(networkId: string): Lease[] {
    let text = '';
    try { text = readFileSync(this.files(networkId).leases, 'utf8'); } catch { return []; }
    return text.split('\n').filter(Boolean).map((line) => {
      const [expiry, mac, ip, hostname] = line.split(' ');
      return { expiry: Number(expiry), mac: mac ?? '', ip: ip ?? '', hostname: hostname ?? '' };
    });
  }
}
