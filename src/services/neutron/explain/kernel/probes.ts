/**
 * Read-only probes of the kernel state the agents made: links and their bridge (`ip -json
 * link`), addresses and neighbours in a namespace, the nat rules of a chain with their packet
 * counters (`iptables -t nat -L CHAIN -v -n -x`), and a network's dnsmasq (its pid file, the
 * process, its hosts and leases files under `<dhcp_confs>/<host>/<network id>`). Nothing here
 * changes anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, execute } from '../../agent/linux/exec.js';
import { type AddrInfo, IpAddr, IpNeigh, type NeighInfo } from '../../agent/linux/ip-addr.js';
import { IpLink, type LinkInfo } from '../../agent/linux/ip-link.js';
import { listNamespaces } from '../../agent/linux/netns.js';

/** One rule of `iptables -L -v -n -x`. */
export interface NatRule {
  packets: number;
  bytes: number;
  target: string;
  protocol: string;
  in: string;
  out: string;
  source: string;
  destination: string;
  /** The rest of the line (`to:172.24.4.10`). */
  extra: string;
}

export interface DnsmasqState {
  dir: string;
  pid: number | undefined;
  /** The pid is alive and its command line is dnsmasq's. */
  running: boolean;
  hostsFile: string | undefined;
  leasesFile: string | undefined;
}

export interface KernelProbeOptions {
  /** Why the kernel cannot be read here (not root, simulated data plane), or undefined. */
  problem: string | undefined;
  /** The namespace playing an agent host's root namespace, or undefined for this process's own. */
  hostNamespace(host: string): string | undefined;
  /** The root of the DHCP agents' files (`[dhcp_agent] dhcp_confs`; a directory per host inside). */
  dhcpConfDir: string;
}

/** iptables -L -v -n -x's rule lines (after the chain and header lines). */
export function parseNatRules(out: string): NatRule[] {
  const rules: NatRule[] = [];
  for (const line of out.split('\n').slice(2)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 9 || !/^\d+$/.test(f[0]!)) continue;
    rules.push({
      packets: Number(f[0]), bytes: Number(f[1]), target: f[2]!, protocol: f[3]!, in: f[5]!, out: f[6]!, source: f[7]!, destination: f[8]!,
      extra: f.slice(9).join(' '),
    });
  }
  return rules;
}

const readText = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

export class KernelProbes {
  constructor(readonly o: KernelProbeOptions) {}

  get problem(): string | undefined {
    return this.o.problem;
  }

  hostNamespace(host: string): string | undefined {
    return this.o.hostNamespace(host);
  }

  async namespaceExists(name: string): Promise<boolean> {
    return (await listNamespaces()).includes(name);
  }

  link(namespace: string | undefined, name: string): Promise<LinkInfo | undefined> {
    return new IpLink(namespace).get(name);
  }

  async addresses(namespace: string, dev: string): Promise<AddrInfo[] | undefined> {
    if (!(await new IpLink(namespace).get(dev))) return undefined;
    return new IpAddr(namespace).list(dev);
  }

  neighbours(namespace: string, dev: string): Promise<NeighInfo[]> {
    return new IpNeigh(namespace).list(dev);
  }

  /** The chain's rules, or undefined when the chain does not exist. */
  async natRules(namespace: string, chain: string): Promise<NatRule[] | undefined> {
    try {
      return parseNatRules(await execute('iptables', ['-w', '-t', 'nat', '-L', chain, '-v', '-n', '-x'], { namespace }));
    } catch (err) {
      if (err instanceof CommandError && /No chain|does not exist/i.test(err.stderr)) return undefined;
      throw err;
    }
  }

  /** The dnsmasq of `networkId` as the DHCP agent of `host` runs it. */
  dnsmasq(host: string, networkId: string): DnsmasqState {
    const dir = join(this.o.dhcpConfDir, host, networkId);
    const pidText = readText(join(dir, 'pid'))?.trim();
    const pid = pidText && /^\d+$/.test(pidText) ? Number(pidText) : undefined;
    const cmdline = pid ? readText(`/proc/${pid}/cmdline`) : undefined;
    return {
      dir, pid, running: Boolean(cmdline?.includes('dnsmasq') && cmdline.includes(networkId)),
      hostsFile: readText(join(dir, 'host')), leasesFile: readText(join(dir, 'leases')),
    };
  }
}
