/**
 * The explainer's kernel hops on the real data plane (root, network namespaces, dnsmasq and
 * busybox needed; skipped with the reason otherwise): one agent host namespace with the Linux
 * bridge and DHCP agents, a guest namespace plugged as a server's port that takes its lease from
 * dnsmasq with `busybox udhcpc`. The explainer sees the tap in its bridge and the lease; a tap
 * taken out of its bridge and a killed dnsmasq are each named as the first broken hop, and the
 * fix it prints for the tap repairs it.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../../common/log/logger.js';
import { PeriodicTasks } from '../../../../common/service/periodic.js';
import { DhcpAgent } from '../../agent/dhcp/dhcp-agent.js';
import { namespaceSupportProblem } from '../../agent/linux/capabilities.js';
import { cleanupDataPlane } from '../../agent/linux/cleanup.js';
import { execute } from '../../agent/linux/exec.js';
import { bridgeName, dhcpNamespace, tapName } from '../../agent/linux/names.js';
import { deleteNamespace, ensureNamespace } from '../../agent/linux/netns.js';
import { LinuxBridgeAgent } from '../../agent/linuxbridge/lb-agent.js';
import { plugGuest } from '../../testing/guests.js';
import { ADMIN, type Harness, startHarness } from '../../testing/harness.js';
import { until } from '../../../../common/testing/until.js';
import { missingTool } from '../../testing/tools.js';

type JsonRecord = Record<string, any>;

const skip = namespaceSupportProblem() ?? missingTool(['dnsmasq', 'busybox']);
const skipped = { skip: skip ? `needs root, network namespaces, dnsmasq and busybox: ${skip}` : false };
const tag = randomBytes(3).toString('hex');
const template = `nubo-x${tag}-{host}`;
const host = `exa${tag}`;
const hostNs = template.replace('{host}', host);
const guestNs = `nubo-xg${tag}`;
const silent = createLogger({ level: 'silent' });

let h: Harness;
let dir: string;
let lb: LinuxBridgeAgent | undefined;
let dhcp: DhcpAgent | undefined;
const periodics: PeriodicTasks[] = [];
const networks: string[] = [];

async function explain(from: string, to: string): Promise<JsonRecord> {
  const r = await h.request('GET', `/v2.0/nubo-explain?from=${from}&to=${to}`, ADMIN);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.explanation;
}
const hopOf = (e: JsonRecord, name: string): JsonRecord => e.hops.find((x: JsonRecord) => x.hop === name);

describe('path explainer on the kernel: tap in bridge, dnsmasq and lease', () => {
  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'nubo-explain-'));
    chmodSync(dir, 0o755);
    h = await startHarness({ overrides: { 'data_plane.enabled': 'true', 'data_plane.host_namespace': template, 'dhcp_agent.dhcp_confs': join(dir, 'dhcp') } });
    await ensureNamespace(hostNs);
    const p1 = new PeriodicTasks(silent);
    lb = new LinuxBridgeAgent({
      transport: h.transport, host, log: silent, periodic: p1, reportInterval: 30, pollingInterval: 0.1, availabilityZone: 'nova',
      hostNamespace: hostNs, interfaceMappings: new Map(), vxlan: { localIp: '198.51.100.1', group: '224.0.0.1', dstport: 4789, ttl: 0 },
    });
    await lb.start();
    const p2 = new PeriodicTasks(silent);
    // dnsmasq is not respawned during the test (check_child_processes_interval of an hour): a killed one stays dead
    dhcp = new DhcpAgent({
      transport: h.transport, host, log: silent, periodic: p2, reportInterval: 30, availabilityZone: 'nova', hostNamespace: hostNs,
      confDir: join(dir, 'dhcp', host), resyncInterval: 1, checkChildProcessesInterval: 3600,
      settings: { binary: 'dnsmasq', dnsServers: [], leaseDuration: 86400, leaseMax: 1000, dnsDomain: 'openstacklocal' },
    });
    await dhcp.start();
    periodics.push(p1, p2);
    for (const p of periodics) p.start();
  });

  after(async () => {
    if (skip) return;
    for (const p of periodics) await p.stop();
    for (const a of [lb, dhcp]) await a?.stop().catch(() => undefined);
    await cleanupDataPlane({ hostNamespaceTemplate: template, match: (n) => n.startsWith(`nubo-x${tag}-`) || networks.some((id) => n === dhcpNamespace(id)) });
    await deleteNamespace(guestNs);
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the lease and the tap are seen; an unplugged tap and a killed dnsmasq are the first broken hop', skipped, async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: `x-${tag}` } })).body.network;
    networks.push(net.id);
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.78.0.0/24', ip_version: 4 } });
    await until(() => dhcp!.driver.active(net.id), 'dnsmasq running');
    const server = randomUUID();
    const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, device_id: server, device_owner: 'compute:nova', 'binding:host_id': host } })).body.port;
    await plugGuest(guestNs, hostNs, port);
    await until(async () => (await h.request('GET', `/v2.0/ports/${port.id}`, ADMIN)).body.port.status === 'ACTIVE', 'port ACTIVE');
    await execute('busybox', ['udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', '10', '-T', '1', '-s', '/bin/true'], { namespace: guestNs, timeoutMs: 30_000 });

    let e = await explain(server, 'outside');
    assert.equal(hopOf(e, 'source tap in bridge').verdict, 'ok', JSON.stringify(e.hops, null, 1));
    assert.match(hopOf(e, 'source tap in bridge').evidence, new RegExp(`${tapName(port.id)} is up in ${bridgeName(net.id)}`));
    assert.equal(hopOf(e, 'source dnsmasq and lease').verdict, 'ok');
    assert.match(hopOf(e, 'source dnsmasq and lease').evidence, new RegExp(`leased ${port.fixed_ips[0].ip_address.replace(/\./g, '\\.')} to ${port.mac_address}`));
    // no router: the path to the outside breaks at the router interface, after the healthy L2 and DHCP hops
    assert.equal(e.first_broken_hop, 'source router interface');

    // the tap out of its bridge (its agent stopped, so nobody puts it back): named, and the printed fix repairs it
    await periodics[0]!.stop();
    await lb!.stop();
    lb = undefined;
    await execute('ip', ['-n', hostNs, 'link', 'set', tapName(port.id), 'nomaster']);
    e = await explain(port.id, 'outside');
    assert.equal(e.first_broken_hop, 'source tap in bridge');
    assert.match(e.summary, /in no bridge/);
    const fix = hopOf(e, 'source tap in bridge').fix.split('#')[0].trim();
    assert.equal(fix, `ip -n ${hostNs} link set ${tapName(port.id)} master ${bridgeName(net.id)}`);
    const argv = fix.split(/\s+/);
    await execute(argv[0]!, argv.slice(1));
    assert.equal(hopOf(await explain(port.id, 'outside'), 'source tap in bridge').verdict, 'ok');

    // dnsmasq killed: the DHCP hop of the kernel is the first broken one
    const pid = Number(readFileSync(join(dir, 'dhcp', host, net.id, 'pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    await until(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, 'dnsmasq gone');
    e = await explain(port.fixed_ips[0].ip_address, 'outside');
    assert.equal(e.first_broken_hop, 'source dnsmasq and lease');
    assert.match(e.summary, /dnsmasq for network .* is not running/);
    assert.match(e.summary, /gets no IP address/);
    assert.match(hopOf(e, 'source dnsmasq and lease').fix, new RegExp(`^nubo serve network-dhcp-agent --host ${host}`));
  });
});
