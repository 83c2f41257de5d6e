/**
 * For tests of real guests on the real data plane: one cloud (BootCloud) with
 * `compute_driver = qemu` and the Linux data plane, whose compute host `<prefix><tag>` and its
 * Linux bridge, DHCP, L3 and metadata agents share the host namespace `<prefix><tag>-{host}`
 * (QEMU runs there too), the metadata proxy's secret set, and "the outside": a namespace on
 * 203.0.113.0/24 whose veth is the physical interface of the flat network `extnet`. `ssh` runs
 * a command in a guest from the outside; `close` stops the cloud and removes every namespace,
 * QEMU and file the test made (the networks and routers it notes in `made`), also after a
 * failure, and says which namespaces were left.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupDataPlane } from '../../src/services/neutron/agent/linux/cleanup.js';
import { dhcpNamespace, routerNamespace } from '../../src/services/neutron/agent/linux/names.js';
import { ensureNamespace, listNamespaces, namespacePids } from '../../src/services/neutron/agent/linux/netns.js';
import { Outside } from '../../src/services/neutron/testing/outside.js';
import { BootCloud } from '../../src/services/nova/testing/boot-cloud.js';

/** A program's exit (ok) and its stdout and stderr together, trimmed; killed after `timeoutMs`. */
export function sh(cmd: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}`.trim() }));
  });
}

export class GuestCloud {
  readonly tag = randomBytes(3).toString('hex');
  readonly host: string;
  /** [data_plane] host_namespace and [qemu] host_namespace. */
  readonly template: string;
  readonly hostNs: string;
  readonly outsideNs: string;
  readonly extDevice: string;
  /** The metadata proxy's shared secret. */
  readonly secret: string;
  /** The networks and routers the test made (their qdhcp and qrouter namespaces are removed). */
  readonly made = { networks: [] as string[], routers: [] as string[] };
  b: BootCloud | undefined;
  outside: Outside | undefined;

  /** `prefix`: two letters naming the test's namespaces and devices; `work`: its temp dir (DHCP files go there). */
  constructor(prefix: string, private readonly work: string) {
    this.host = `${prefix}${this.tag}`;
    this.template = `${prefix}${this.tag}-{host}`;
    this.hostNs = this.template.replace('{host}', this.host);
    this.outsideNs = `${prefix}o${this.tag}`;
    this.extDevice = `${prefix}x${this.tag}`;
    this.secret = `${prefix}-${this.tag}`;
  }

  /** The host namespace (the outside's veth goes there), the cloud (with `overrides`) and the outside. */
  async start(overrides: Record<string, string> = {}): Promise<BootCloud> {
    await ensureNamespace(this.hostNs);
    // VXLAN from an address of no underlay: one host, nothing to flood to
    this.b = await BootCloud.start({
      'DEFAULT.compute_driver': 'qemu', 'DEFAULT.host': this.host, 'DEFAULT.vif_plugging_timeout': '120', 'DEFAULT.vif_plugging_is_fatal': 'true',
      'data_plane.enabled': 'true', 'data_plane.host_namespace': this.template, 'qemu.host_namespace': this.template,
      'linux_bridge.physical_interface_mappings': `extnet:${this.extDevice}`, 'vxlan.local_ip': '198.51.100.1', 'vxlan.l2_population': 'true',
      'dhcp_agent.dhcp_confs': join(this.work, 'dhcp'), 'DEFAULT.metadata_proxy_shared_secret': this.secret,
      'neutron.service_metadata_proxy': 'true', 'neutron.metadata_proxy_shared_secret': this.secret,
      ...overrides,
    });
    this.made.networks.push(this.b.networkId);
    this.outside = new Outside({ namespace: this.outsideNs, hostNamespace: this.hostNs, hostDevice: this.extDevice, cidr: '203.0.113.1/24' });
    await this.outside.start();
    return this.b;
  }

  /** `command` run as root in the guest on `fip` by ssh from the outside with the private key in `keyFile`. */
  ssh(keyFile: string, fip: string, command: string, timeoutMs = 30_000): Promise<{ ok: boolean; out: string }> {
    return sh('ip', ['netns', 'exec', this.outsideNs, 'ssh', '-F', '/dev/null', '-i', keyFile,
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR',
      `root@${fip}`, command], timeoutMs);
  }

  /** The processes in the host namespace (QEMU) whose command line names one of the servers. */
  async qemuPids(serverIds: readonly string[]): Promise<number[]> {
    return (await namespacePids(this.hostNs)).filter((p) => {
      try { const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8'); return serverIds.some((id) => cmdline.includes(id)); } catch { return false; }
    });
  }

  /** Whether a namespace is one the test made. */
  private ours(n: string): boolean {
    return n.includes(this.tag) || this.made.networks.some((id) => n === dhcpNamespace(id)) || this.made.routers.some((id) => n === routerNamespace(id));
  }

  /** Everything goes (QEMU left in the host namespace too); the test's namespaces still there after. */
  async close(): Promise<string[]> {
    const leftQemu = (await listNamespaces().catch(() => [] as string[])).includes(this.hostNs) ? await namespacePids(this.hostNs) : [];
    await this.b?.close().catch(() => undefined);
    await this.outside?.stop().catch(() => undefined);
    await cleanupDataPlane({ hostNamespaceTemplate: this.template, match: (n) => n === this.hostNs || this.ours(n) }).catch(() => undefined);
    for (const pid of leftQemu) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    return (await listNamespaces()).filter((n) => this.ours(n));
  }
}
