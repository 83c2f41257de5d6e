/**
 * `nubo netns cleanup` (neutron-netns-cleanup, plus the devices of neutron-linuxbridge-cleanup):
 * every namespace Nubo's agents made (`qdhcp-`, `qrouter-`, and the agent host namespaces of
 * `[data_plane] host_namespace`) goes with the processes in it (dnsmasq, radvd, metadata proxies) and the devices in it
 * (a veth's other end goes too); when agents run in the process's own namespace, its `brq`,
 * `tap` and `vxlan-` devices go as well, and so does the security-group firewall there (its
 * iptables chains, ipsets and nftables table: IptablesFirewall.destroy), unless `match` is given.
 * In a host namespace these go with the namespace (iptables rules and ipsets are per network
 * namespace: the kernel frees them when it goes, sets in use included). `match` narrows it to some
 * names (tests clean up only what they made; `firewall` then asks for the firewall too).
 */
import { IptablesFirewall } from '../firewall/iptables-firewall.js';
import { IpLink } from './ip-link.js';
import { BRIDGE_PREFIX, DHCP_NS_PREFIX, ROUTER_NS_PREFIX, TAP_PREFIX, VXLAN_PREFIX } from './names.js';
import { deleteNamespace, listNamespaces, namespacePids } from './netns.js';

export interface CleanupOptions {
  /** `[data_plane] host_namespace` ("nubo-host-{host}"; empty: agents use the process's own namespace). */
  hostNamespaceTemplate: string;
  /** Only names for which this holds (default: all of Nubo's). */
  match?: (name: string) => boolean;
  /** Remove the own namespace's firewall (default: when no `match` is given). */
  firewall?: boolean;
}

export interface CleanupReport {
  namespaces: string[];
  devices: string[];
  killed: number[];
  /** The firewall of the process's own namespace was removed (or why not). */
  firewall?: string;
}

/** The namespace names the template can give: its text before `{host}` as a prefix, or the name itself. */
function isHostNamespace(template: string, name: string): boolean {
  const i = template.indexOf('{host}');
  return i < 0 ? name === template : name.startsWith(template.slice(0, i)) && name.endsWith(template.slice(i + '{host}'.length));
}

async function killAll(pids: number[]): Promise<void> {
  const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
  for (const pid of pids) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
  for (const pid of pids.filter(alive)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

export async function cleanupDataPlane(o: CleanupOptions): Promise<CleanupReport> {
  const template = o.hostNamespaceTemplate.trim();
  const match = o.match ?? (() => true);
  const report: CleanupReport = { namespaces: [], devices: [], killed: [] };
  const ours = (n: string): boolean => n.startsWith(DHCP_NS_PREFIX) || n.startsWith(ROUTER_NS_PREFIX) || (template !== '' && isHostNamespace(template, n));
  for (const ns of (await listNamespaces()).filter((n) => ours(n) && match(n))) {
    const pids = await namespacePids(ns);
    await killAll(pids);
    report.killed.push(...pids);
    await deleteNamespace(ns);
    report.namespaces.push(ns);
  }
  if (template === '') {
    const link = new IpLink();
    const devices = (await link.list()).map((l) => l.ifname).filter((n) => [BRIDGE_PREFIX, TAP_PREFIX, VXLAN_PREFIX].some((p) => n.startsWith(p)) && match(n));
    for (const d of devices) {
      await link.delete(d);
      report.devices.push(d);
    }
    if (o.firewall ?? !o.match) {
      report.firewall = await new IptablesFirewall().destroy().then(() => 'removed the security-group firewall (iptables chains, ipsets, nftables table)', (err: unknown) => `could not remove the security-group firewall: ${(err as Error).message}`);
    }
  }
  return report;
}

/** The report as `nubo netns cleanup` prints it. */
export function renderCleanup(r: CleanupReport): string {
  const lines = [
    ...r.namespaces.map((n) => `removed namespace ${n}`),
    ...r.devices.map((d) => `removed device ${d}`),
    ...(r.killed.length ? [`stopped processes ${r.killed.join(' ')}`] : []),
    ...(r.firewall ? [r.firewall] : []),
  ];
  return `${lines.length ? lines.join('\n') : 'nothing of Nubo\'s data plane was found'}\n`;
}
