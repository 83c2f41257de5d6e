/**
 * Guests for data-plane tests: what os-vif and the hypervisor do for a server's port (a
 * namespace whose eth0 has the port's MAC, the veth's other end being the port's tap in the
 * agent host's namespace), the guest's DHCP client (`busybox udhcpc` with a lease script that
 * configures eth0 as a guest's init would and prints the lease), and ping and wget from inside it.
 * Test support only.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execute } from '../agent/linux/exec.js';
import { IpLink } from '../agent/linux/ip-link.js';
import { tapName } from '../agent/linux/names.js';
import { deleteNamespace, ensureNamespace } from '../agent/linux/netns.js';

/** A fresh guest (whatever a failed run left is removed first): its namespace, the port's tap in `hostNamespace` (undefined: the process's own), eth0 with the port's MAC, both ends up. */
export async function plugGuest(guestNamespace: string, hostNamespace: string | undefined, port: { id: string; mac_address: string } | Record<string, any>): Promise<void> {
  await deleteNamespace(guestNamespace);
  await ensureNamespace(guestNamespace);
  await new IpLink(hostNamespace).addVeth(tapName(port.id), 'eth0', guestNamespace);
  const guest = new IpLink(guestNamespace);
  await guest.setAddress('eth0', port.mac_address);
  await guest.setUp('eth0');
  await new IpLink(hostNamespace).setUp(tapName(port.id));
}

/** udhcpc's lease script: address, MTU, default route, classless static routes; then one `LEASE k=v ...` line. */
const UDHCPC_SCRIPT = [
  '#!/bin/sh',
  'case "$1" in bound|renew)',
  '  ip addr flush dev "$interface"',
  '  ip addr add "$ip/$mask" dev "$interface"',
  '  [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"',
  '  [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"',
  '  set -- $staticroutes; while [ -n "$2" ]; do ip route replace "$1" via "$2" dev "$interface"; shift 2; done',
  '  echo "LEASE ip=$ip mask=$mask router=$router mtu=$mtu dns=$(echo $dns | tr " " ",") routes=$(echo $staticroutes | tr " " ",")";;',
  'esac',
  '',
].join('\n');

/** Writes the lease script into `dir` (which must be readable by all when dnsmasq's files share it) and returns its path. */
export function writeUdhcpcScript(dir: string): string {
  const path = join(dir, 'udhcpc.sh');
  writeFileSync(path, UDHCPC_SCRIPT, { mode: 0o755 });
  return path;
}

/** What the lease script printed: ip, mask, router, mtu, dns (comma-separated), routes (destination,nexthop,...). */
export type Lease = Record<string, string>;

/** `busybox udhcpc` on the guest's eth0 (up to 30 discovers a second apart, for a loaded machine): the lease it got and applied. */
export async function dhcpLease(guestNamespace: string, script: string): Promise<Lease> {
  const out = await execute('busybox', ['udhcpc', '-i', 'eth0', '-O', 'staticroutes', '-f', '-q', '-n', '-t', '30', '-T', '1', '-s', script], { namespace: guestNamespace, timeoutMs: 60_000 });
  const line = out.split('\n').find((l) => l.startsWith('LEASE '));
  assert.ok(line, `udhcpc printed no lease:\n${out}`);
  return Object.fromEntries(line.slice(6).split(' ').map((kv) => kv.split('=') as [string, string]));
}

/** `busybox ping` from a namespace: resolves with its output, rejects when no reply came (each probe waits a second). */
export const ping = (namespace: string, to: string, count = 1): Promise<string> =>
  execute('busybox', ['ping', '-c', String(count), '-W', '1', to], { namespace });

/** Whether one ping from the namespace gets a reply. */
export const pings = (namespace: string, to: string): Promise<boolean> => ping(namespace, to).then(() => true, () => false);

/** `busybox wget` of a URL from a namespace: the body (its -T option crashes Debian's busybox 1.35, so the time limit is ours). */
export const wget = (namespace: string, url: string, timeoutMs = 5000): Promise<string> =>
  execute('busybox', ['wget', '-q', '-O', '-', url], { namespace, timeoutMs });
