/**
 * QoS bandwidth limits on the kernel (root, network namespaces and tc needed; skipped with the
 * reason otherwise): one agent host namespace `nubo-q<tag>-<host>` with a Linux bridge agent
 * and a flat network on a veth; a port bound there is plugged as a guest. The port's policy
 * (its own, else its network's) shows on its tap as `tc -j` reads it: an ingress rule as a tbf
 * root qdisc with the rule's rate and burst, an egress rule as an ingress qdisc with a policer
 * at the rule's rate and burst; rule updates, policy changes on the port and the network, and
 * rules going away reach the tap. The egress policer needs the kernel's police action
 * (act_police): where it is missing that step is skipped with the reason. A DSCP marking rule
 * is a mangle chain marking what the tap sends, in iptables and ip6tables, gone with the rule.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../common/log/logger.js';
import { PeriodicTasks } from '../../../common/service/periodic.js';
import { until } from '../../../common/testing/until.js';
import { plugGuest } from '../testing/guests.js';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';
import { missingTool } from '../testing/tools.js';
import { namespaceSupportProblem } from './linux/capabilities.js';
import { cleanupDataPlane } from './linux/cleanup.js';
import { DscpMarking } from './linux/dscp.js';
import { IpLink } from './linux/ip-link.js';
import { tapName } from './linux/names.js';
import { deleteNamespace, ensureNamespace } from './linux/netns.js';
import { TcCommand, type TcFilter, type TcQdisc } from './linux/tc.js';
import { LinuxBridgeAgent } from './linuxbridge/lb-agent.js';

type JsonRecord = Record<string, any>;

const skip = namespaceSupportProblem() ?? missingTool(['tc']);
const tag = randomBytes(3).toString('hex');
const template = `nubo-q${tag}-{host}`;
const host = `qos${tag}`;
const hostNs = template.replace('{host}', host);
const guestNs = `nubo-qg${tag}`;
const silent = createLogger({ level: process.env.QOS_DEBUG ? 'debug' : 'silent' });
const WAIT = 60_000;

let h: Harness;
let periodic: PeriodicTasks;
let agent: LinuxBridgeAgent | undefined;
/** Why the egress policer cannot be set here (undefined: it can). */
let policerProblem: string | undefined;

/** Whether tc can police here: an ingress qdisc and a police filter on a scratch veth in the host namespace. */
async function probePolicer(): Promise<string | undefined> {
  await new IpLink(hostNs).addVeth('qprobe0', 'qprobe1');
  try {
    await new TcCommand('qprobe0', hostNs).setFiltersBwLimit(1000, 100);
    return undefined;
  } catch (err) {
    return `tc cannot police here (the kernel's act_police): ${(err as Error).message.split('\n')[0]}`;
  } finally {
    await new IpLink(hostNs).delete('qprobe0').catch(() => undefined);
  }
}

const api = async (method: string, url: string, body?: unknown): Promise<JsonRecord> => {
  const r = await h.request(method, url, ADMIN, body);
  assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

/** Bytes (per second) of a tc JSON size or rate: a number of bytes, or text with a unit (bits when it ends in `bit`). */
function bytesOf(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^([\d.]+)([KMG]?)(bit|b)?$/i.exec(String(v));
  assert.ok(m, `tc value ${String(v)}`);
  const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  const n = Number(m[1]) * scale;
  return m[3]?.toLowerCase() === 'bit' ? n / 8 : n;
}

const tc = (portId: string) => new TcCommand(tapName(portId), hostNs);
const tbfOf = async (portId: string): Promise<TcQdisc | undefined> => (await tc(portId).qdiscs()).find((q) => q.kind === 'tbf' && q.root);
const hasIngressQdisc = async (portId: string): Promise<boolean> => (await tc(portId).qdiscs()).some((q) => q.kind === 'ingress');
const policerOf = async (portId: string): Promise<TcFilter['options'] | undefined> => {
  const filters = await tc(portId).ingressFilters().catch(() => []);
  return filters.find((f) => f.options?.actions?.some((a) => a.kind === 'police'))?.options;
};

/** Until the tap's tbf has the rate and burst of an ingress rule (kbit/s, kbit; the burst at least one kernel tick of the rate). */
async function tbfIs(portId: string, maxKbps: number, burstKb: number): Promise<void> {
  const rate = (maxKbps * 1000) / 8;
  const burst = Math.trunc((Math.max(maxKbps / 250, burstKb) * 1000) / 8);
  let seen: unknown;
  await until(async () => {
    const q = await tbfOf(portId);
    seen = q?.options;
    // the kernel keeps the burst as transmit time at the rate: reading it back may be off by a byte or so
    return q?.options?.rate === rate && Math.abs(Number(q.options.burst) - burst) <= Math.max(2, burst / 100);
  }, `tbf ${maxKbps} kbit/s burst ${burstKb} kbit on the tap`, WAIT).catch((err: Error) => assert.fail(`${err.message}; the tap's tbf: ${JSON.stringify(seen)}`));
}

describe('QoS bandwidth limits on a Linux bridge agent\'s taps', () => {
  const skipped = { skip: skip ? `needs root, network namespaces and tc: ${skip}` : false };

  before(async () => {
    if (skip) return;
    h = await startHarness();
    await ensureNamespace(hostNs);
    await new IpLink(hostNs).addVeth('phyq', 'phyq2');
    for (const l of ['phyq', 'phyq2']) await new IpLink(hostNs).setUp(l);
    policerProblem = await probePolicer();
    periodic = new PeriodicTasks(silent);
    agent = new LinuxBridgeAgent({
      transport: h.transport, host, log: silent, periodic, reportInterval: 30, pollingInterval: 0.1, availabilityZone: 'nova',
      hostNamespace: hostNs, interfaceMappings: new Map([['qosnet', 'phyq']]), vxlan: undefined,
    });
    await agent.start();
    periodic.start();
  });

  after(async () => {
    if (skip) return;
    await periodic?.stop();
    await agent?.stop().catch(() => undefined);
    await deleteNamespace(guestNs);
    await cleanupDataPlane({ hostNamespaceTemplate: template, match: (n) => n.startsWith(`nubo-q${tag}-`) });
    await h?.close();
  });

  test('ingress and egress limits follow the port\'s policy, then its network\'s, and go with their rules', skipped, async () => {
    const portPolicy = (await api('POST', '/v2.0/qos/policies', { policy: { name: `qp-${tag}` } })).policy;
    const netPolicy = (await api('POST', '/v2.0/qos/policies', { policy: { name: `qn-${tag}` } })).policy;
    const ingress = (await api('POST', `/v2.0/qos/policies/${portPolicy.id}/bandwidth_limit_rules`, {
      bandwidth_limit_rule: { max_kbps: 2000, max_burst_kbps: 0, direction: 'ingress' },
    })).bandwidth_limit_rule;
    await api('POST', `/v2.0/qos/policies/${netPolicy.id}/bandwidth_limit_rules`, { bandwidth_limit_rule: { max_kbps: 3000, max_burst_kbps: 64, direction: 'ingress' } });
    const net = (await api('POST', '/v2.0/networks', { network: { name: `q-${tag}`, 'provider:network_type': 'flat', 'provider:physical_network': 'qosnet' } })).network;
    const port = (await api('POST', '/v2.0/ports', {
      port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host, qos_policy_id: portPolicy.id },
    })).port;
    assert.equal(port['binding:vif_type'], 'bridge');
    await plugGuest(guestNs, hostNs, port);
    await until(async () => (await api('GET', `/v2.0/ports/${port.id}`)).port.status === 'ACTIVE', 'port ACTIVE', WAIT);

    // the port's own policy; a rule update reaches the tap
    await tbfIs(port.id, 2000, 0);
    await api('PUT', `/v2.0/qos/policies/${portPolicy.id}/bandwidth_limit_rules/${ingress.id}`, { bandwidth_limit_rule: { max_kbps: 4000, max_burst_kbps: 100 } });
    await tbfIs(port.id, 4000, 100);
    // the network's policy applies once the port has none of its own, and goes with it
    await api('PUT', `/v2.0/networks/${net.id}`, { network: { qos_policy_id: netPolicy.id } });
    await api('PUT', `/v2.0/ports/${port.id}`, { port: { qos_policy_id: null } });
    await tbfIs(port.id, 3000, 64);
    await api('PUT', `/v2.0/networks/${net.id}`, { network: { qos_policy_id: null } });
    await until(async () => (await tbfOf(port.id)) === undefined, 'no tbf once the network has no policy', WAIT);
    // back on the port's policy; deleting its rule removes the tbf
    await api('PUT', `/v2.0/ports/${port.id}`, { port: { qos_policy_id: portPolicy.id } });
    await tbfIs(port.id, 4000, 100);
    await api('DELETE', `/v2.0/qos/policies/${portPolicy.id}/bandwidth_limit_rules/${ingress.id}`);
    await until(async () => (await tbfOf(port.id)) === undefined, 'no tbf once the rule is deleted', WAIT);

    await deleteNamespace(guestNs);
    await until(async () => (await api('GET', `/v2.0/ports/${port.id}`)).port.status === 'DOWN', 'port DOWN once unplugged', WAIT);
    await api('DELETE', `/v2.0/ports/${port.id}`);
    await api('DELETE', `/v2.0/networks/${net.id}`);
    for (const p of [portPolicy, netPolicy]) await api('DELETE', `/v2.0/qos/policies/${p.id}`);
  });

  test('an egress limit is a policer on the tap\'s ingress, at the rule\'s rate and burst', skipped, async (t) => {
    if (policerProblem) {
      t.skip(policerProblem);
      return;
    }
    const policy = (await api('POST', '/v2.0/qos/policies', { policy: { name: `qe-${tag}` } })).policy;
    const rule = (await api('POST', `/v2.0/qos/policies/${policy.id}/bandwidth_limit_rules`, { bandwidth_limit_rule: { max_kbps: 1000, max_burst_kbps: 0 } })).bandwidth_limit_rule;
    const net = (await api('POST', '/v2.0/networks', { network: { name: `qe-${tag}`, 'provider:network_type': 'flat', 'provider:physical_network': 'qosnet', qos_policy_id: policy.id } })).network;
    const port = (await api('POST', '/v2.0/ports', { port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host } })).port;
    await plugGuest(guestNs, hostNs, port);
    // no burst: 80% of the rate
    await until(async () => {
      const police = (await policerOf(port.id))?.actions?.find((a) => a.kind === 'police');
      return police !== undefined && bytesOf(police.rate) === 125_000 && Math.abs(bytesOf(police.burst) - 100_000) <= 1000;
    }, 'policer 1000 kbit/s burst 800 kbit', WAIT);
    await api('DELETE', `/v2.0/qos/policies/${policy.id}/bandwidth_limit_rules/${rule.id}`);
    await until(async () => !(await hasIngressQdisc(port.id)), 'no ingress qdisc once the rule is deleted', WAIT);
    await deleteNamespace(guestNs);
    await until(async () => (await api('GET', `/v2.0/ports/${port.id}`)).port.status === 'DOWN', 'port DOWN once unplugged', WAIT);
    await api('DELETE', `/v2.0/ports/${port.id}`);
    await api('DELETE', `/v2.0/networks/${net.id}`);
    await api('DELETE', `/v2.0/qos/policies/${policy.id}`);
  });

  test('a DSCP marking rule is a mangle chain for what the tap sends, in iptables and ip6tables', { skip: skipped.skip || missingTool(['iptables', 'ip6tables']) || false }, async () => {
    const policy = (await api('POST', '/v2.0/qos/policies', { policy: { name: `qd-${tag}` } })).policy;
    const rule = (await api('POST', `/v2.0/qos/policies/${policy.id}/dscp_marking_rules`, { dscp_marking_rule: { dscp_mark: 16 } })).dscp_marking_rule;
    const net = (await api('POST', '/v2.0/networks', { network: { name: `qd-${tag}`, 'provider:network_type': 'flat', 'provider:physical_network': 'qosnet' } })).network;
    const port = (await api('POST', '/v2.0/ports', {
      port: { network_id: net.id, device_id: randomUUID(), device_owner: 'compute:nova', 'binding:host_id': host, qos_policy_id: policy.id },
    })).port;
    await plugGuest(guestNs, hostNs, port);
    const dscp = new DscpMarking(hostNs);
    const tap = tapName(port.id);
    await until(async () => (await dscp.mark(tap)) === 16 && (await dscp.mark(tap, 'ip6tables')) === 16, 'DSCP 16 in the tap\'s mangle chains', WAIT);
    assert.ok(await dscp.jumps(tap));
    assert.ok(await dscp.jumps(tap, 'ip6tables'));
    await api('PUT', `/v2.0/qos/policies/${policy.id}/dscp_marking_rules/${rule.id}`, { dscp_marking_rule: { dscp_mark: 46 } });
    await until(async () => (await dscp.mark(tap)) === 46 && (await dscp.mark(tap, 'ip6tables')) === 46, 'DSCP 46 once the rule is updated', WAIT);
    await api('DELETE', `/v2.0/qos/policies/${policy.id}/dscp_marking_rules/${rule.id}`);
    // iptables is rewritten before ip6tables: both are awaited
    await until(async () => (await dscp.mark(tap)) === undefined && !(await dscp.jumps(tap)) && (await dscp.mark(tap, 'ip6tables')) === undefined,
      'no DSCP chain once the rule is deleted', WAIT);
    await deleteNamespace(guestNs);
    await until(async () => (await api('GET', `/v2.0/ports/${port.id}`)).port.status === 'DOWN', 'port DOWN once unplugged', WAIT);
    await api('DELETE', `/v2.0/ports/${port.id}`);
    await api('DELETE', `/v2.0/networks/${net.id}`);
    await api('DELETE', `/v2.0/qos/policies/${policy.id}`);
  });
});
