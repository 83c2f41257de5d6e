/**
 * The firewall on real kernel state: two namespaces standing in for guests (A 10.90.0.1, B
 * 10.90.0.2), joined by veth pairs to a bridge in a third namespace where the firewall runs
 * on the ports' devices (tapa, tapb). ICMP and TCP to B are blocked until a rule allows them,
 * allowed as soon as the rule is applied, and blocked again once it goes (each within a
 * second, an established flow included); a remote group rule follows the group's members, a
 * remote address group rule the group's addresses, a source address that is not
 * the port's is dropped until it becomes an allowed address pair, and an unfiltered port
 * does not open a filtered one. With ipsets, a remote group is one rule matching its set, whose
 * members change without the chains being rewritten; a restarted firewall adopts the set, and
 * one with ipsets off takes over with one rule per member and destroys it. Everything the test
 * made goes with its namespaces (ipsets included). A port on a stateless group is not tracked
 * and its replies need rules.
 * Skipped (with the reason) without root or without ip, iptables, nft or busybox.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from './commands.js';
import { pino } from 'pino';
import { IptablesFirewall, type IptablesFirewallOptions } from './iptables-firewall.js';
import type { FirewallPort, FirewallRule } from './types.js';

const TOOLS = ['ip', 'iptables', 'iptables-restore', 'ip6tables-restore', 'nft', 'sysctl', 'conntrack', 'busybox'];

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(`${dir}/${cmd}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root to make network namespaces and firewall rules';
  const missing = TOOLS.filter((t) => !onPath(t));
  return missing.length ? `missing commands: ${missing.join(', ')}` : undefined;
}

const skip = skipReason();
const skipIpset = skip ?? (onPath('ipset') ? undefined : 'ipset is not installed (Debian ipset)');
const tag = randomBytes(3).toString('hex');
const NS = { br: `nfw-${tag}-br`, a: `nfw-${tag}-a`, b: `nfw-${tag}-b` };
const MAC = { a: 'fa:16:3e:90:00:01', b: 'fa:16:3e:90:00:02' };
const IP = { a: '10.90.0.1', b: '10.90.0.2' };
const made: string[] = [];
let fw: IptablesFirewall;
let server: ChildProcess | undefined;
let stateDir: string;

const ip = (...args: string[]) => run('ip', args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ping(from: string, to: string, source?: string): Promise<boolean> {
  const args = ['ping', '-c', '1', '-W', '1', ...(source ? ['-I', source] : []), to];
  return run('busybox', args, { netns: from }).then(() => true, () => false);
}

/** A TCP connection from A to B:8080 that gets the server's answer within 1 s. */
async function tcp(): Promise<boolean> {
  const script = `const s=require('net').connect(8080,'${IP.b}');s.setTimeout(1000,()=>process.exit(1));s.on('data',d=>process.exit(String(d)==='ok'?0:1));s.on('error',()=>process.exit(1));`;
  return run(process.execPath, ['-e', script], { netns: NS.a, timeoutMs: 3000 }).then(() => true, () => false);
}

/** Polls `probe` until it passes or `ms` run out; answers the time it took. */
/** Far above the 1 s target: a failure here is a hang, not a slow machine. */
const SLOW_APPLY_MS = 10_000;

async function within(ms: number, probe: () => Promise<boolean>): Promise<number | undefined> {
  const start = Date.now();
  do {
    if (await probe()) return Date.now() - start;
  } while (Date.now() - start < ms);
  return undefined;
}

function port(name: 'a' | 'b', groups: string[], extra: Partial<FirewallPort> = {}): FirewallPort {
  return {
    id: `port-${name}`, device: `tap${name}`, mac_address: MAC[name], fixed_ips: [IP[name]], port_security_enabled: true,
    security_groups: groups, network_id: 'net-1', bridge: 'br0', ...extra,
  };
}

const EGRESS_ALL: FirewallRule[] = [{ direction: 'egress', ethertype: 'IPv4' }, { direction: 'egress', ethertype: 'IPv6' }];
const ICMP_IN: FirewallRule = { direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp' };
const TCP_IN: FirewallRule = { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 };

describe('iptables firewall in network namespaces', { skip }, () => {
  before(async () => {
    for (const ns of Object.values(NS)) {
      await ip('netns', 'add', ns);
      made.push(ns);
    }
    await ip('-n', NS.br, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', NS.br, 'link', 'set', 'br0', 'up');
    for (const name of ['a', 'b'] as const) {
      const ns = NS[name];
      await ip('-n', NS.br, 'link', 'add', `tap${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await ip('-n', NS.br, 'link', 'set', `tap${name}`, 'master', 'br0', 'up');
      await ip('-n', ns, 'link', 'set', 'eth0', 'address', MAC[name]);
      await ip('-n', ns, 'addr', 'add', `${IP[name]}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    server = spawn('ip', ['netns', 'exec', NS.b, process.execPath, '-e', "require('net').createServer((s)=>s.end('ok')).listen(8080)"], { stdio: 'ignore' });
    // the wire works before any filter
    assert.ok(await within(3000, () => ping(NS.a, IP.b)), 'A reaches B without a firewall');
    fw = new IptablesFirewall({ netns: NS.br });
    stateDir = mkdtempSync(join(tmpdir(), 'nfw-'));
  });

  after(async () => {
    server?.kill();
    await fw?.destroy().catch(() => {});
    for (const ns of made.reverse()) await ip('netns', 'del', ns).catch(() => {});
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  test('a rule opens ICMP and TCP to a port within a second, and closes them within a second when it goes', async (t) => {
    await fw.updateSecurityGroupRules('sg-a', [...EGRESS_ALL, { direction: 'ingress', ethertype: 'IPv4' }]);
    await fw.updateSecurityGroupRules('sg-b', EGRESS_ALL);
    await fw.preparePortFilter(port('a', ['sg-a']));
    await fw.preparePortFilter(port('b', ['sg-b']));
    assert.equal(await ping(NS.a, IP.b), false, 'ICMP to B is blocked without a rule');
    assert.equal(await tcp(), false, 'TCP to B is blocked without a rule');
    assert.ok(await ping(NS.b, IP.a), 'B reaches A (its egress and A\'s ingress allow it, and the reply is established)');

    // The times are reported, not asserted to the 1 s target (a loaded machine stretches them;
    // bench/network-dataplane.mjs measures them): only a bound far above it is checked.
    let start = Date.now();
    await fw.updateSecurityGroupRules('sg-b', [...EGRESS_ALL, ICMP_IN]);
    let applied = Date.now() - start;
    assert.ok(await ping(NS.a, IP.b), 'ICMP allowed once the rule is applied');
    assert.ok(applied < SLOW_APPLY_MS, `ICMP rule applied in ${applied} ms`);
    t.diagnostic(`ICMP rule applied in ${applied} ms; allowed ${Date.now() - start} ms after the change (apply and one ping)`);
    assert.equal(await tcp(), false, 'TCP still blocked');

    start = Date.now();
    await fw.updateSecurityGroupRules('sg-b', [...EGRESS_ALL, ICMP_IN, TCP_IN]);
    applied = Date.now() - start;
    assert.ok(await tcp(), 'TCP allowed once the rule is applied');
    assert.ok(applied < SLOW_APPLY_MS, `TCP rule applied in ${applied} ms`);
    t.diagnostic(`TCP rule applied in ${applied} ms; allowed ${Date.now() - start} ms after the change (apply and one connection from a new process)`);

    // an established flow (one ping, same ICMP id, every 200 ms) is cut too: its conntrack entry goes
    const replies: number[] = [];
    const flow = spawn('ip', ['netns', 'exec', NS.a, 'busybox', 'ping', '-i', '0.2', IP.b], { stdio: ['ignore', 'pipe', 'ignore'] });
    flow.stdout.on('data', (d: Buffer) => { for (const line of String(d).split('\n')) if (/bytes from/.test(line)) replies.push(Date.now()); });
    try {
      assert.ok(await within(2000, async () => { await sleep(100); return replies.length >= 3; }), 'the ping flow runs');
      start = Date.now();
      await fw.updateSecurityGroupRules('sg-b', EGRESS_ALL);
      applied = Date.now() - start;
      assert.ok(applied < SLOW_APPLY_MS, `removal applied in ${applied} ms`);
      t.diagnostic(`rule removal applied (rules and conntrack entries) in ${applied} ms`);
      await sleep(1500);
      // a reply already in flight when the removal finished may still land (one ping interval)
      const late = replies.filter((at) => at > start + applied + 400);
      assert.deepEqual(late, [], 'no reply of the established flow once the removal is applied');
      t.diagnostic(`last reply of the established flow ${Math.max(...replies) - start} ms after the change started`);
    } finally {
      flow.kill();
    }
    assert.equal(await ping(NS.a, IP.b), false, 'ICMP blocked again');
    assert.equal(await tcp(), false, 'TCP blocked again');
  });

  test('a remote group rule follows the group\'s members', async () => {
    await fw.updateSecurityGroupRules('sg-b', [...EGRESS_ALL, { ...ICMP_IN, remote_group_id: 'sg-a' }]);
    await fw.updateSecurityGroupMembers('sg-a', { IPv4: [] });
    assert.equal(await ping(NS.a, IP.b), false, 'no members: nothing allowed');
    await fw.updateSecurityGroupMembers('sg-a', { IPv4: [IP.a] });
    assert.ok(await ping(NS.a, IP.b), 'A is a member: allowed');
    await fw.updateSecurityGroupMembers('sg-a', { IPv4: ['10.90.0.50'] });
    assert.equal(await ping(NS.a, IP.b), false, 'A left the group: blocked');
  });

  test('with ipsets: a remote group is one rule matching its set; its members change the set, not the chains', { skip: skipIpset }, async () => {
    const SET = 'NIPv4sg-a';
    const others = Array.from({ length: 50 }, (_, i) => `10.90.1.${i + 1}`);
    const sgA: FirewallRule[] = [...EGRESS_ALL, { direction: 'ingress', ethertype: 'IPv4' }];
    const sgB: FirewallRule[] = [...EGRESS_ALL, { ...ICMP_IN, remote_group_id: 'sg-a' }];
    const setRule = async () => {
      const { stdout } = await run('iptables-save', ['-c', '-t', 'filter'], { netns: NS.br });
      const lines = stdout.split('\n').filter((l) => l.includes('-A nubo-fw-itapb '));
      const rule = lines.find((l) => l.includes(`-m set --match-set ${SET} src`));
      return { lines, packets: rule ? Number(/^\[(\d+):/.exec(rule)![1]) : undefined };
    };
    const members = async () => (await run('ipset', ['list', SET], { netns: NS.br })).stdout.split('Members:\n')[1]!.split('\n').filter(Boolean).sort();
    const sets = async () => (await run('ipset', ['list', '-n'], { netns: NS.br })).stdout.split('\n').filter(Boolean);

    await fw.updateSecurityGroupRules('sg-b', sgB);
    await fw.updateSecurityGroupMembers('sg-a', { IPv4: others });
    assert.equal(await ping(NS.a, IP.b), false, 'A is not a member: blocked');
    let rule = await setRule();
    assert.equal(rule.lines.filter((l) => /-p icmp/.test(l)).length, 1, `one ICMP rule for 50 members: ${rule.lines.join('\n')}`);
    assert.deepEqual(await members(), [...others].sort());

    await fw.updateSecurityGroupMembers('sg-a', { IPv4: [...others, IP.a] });
    assert.ok(await ping(NS.a, IP.b), 'A joined the group: allowed');
    assert.ok(await ping(NS.a, IP.b));
    const counted = (await setRule()).packets!;
    assert.ok(counted >= 2, `the set's rule counted A's pings (${counted})`);
    assert.ok((await members()).includes(IP.a));

    await fw.updateSecurityGroupMembers('sg-a', { IPv4: others });
    assert.equal(await ping(NS.a, IP.b), false, 'A left the group: blocked');
    rule = await setRule();
    // a rewritten chain starts its counters at 0
    assert.ok(rule.packets !== undefined && rule.packets >= counted, `the chain was not rewritten (counter ${rule.packets} >= ${counted})`);
    assert.ok(!(await members()).includes(IP.a));

    const takeOver = async (opts: Partial<IptablesFirewallOptions>, sgAMembers: string[]) => {
      const next = new IptablesFirewall({ netns: NS.br, ...opts });
      await next.deferApply(async () => {
        await next.updateSecurityGroupRules('sg-a', sgA);
        await next.updateSecurityGroupRules('sg-b', sgB);
        await next.updateSecurityGroupMembers('sg-a', { IPv4: sgAMembers });
        await next.preparePortFilter(port('a', ['sg-a']));
        await next.preparePortFilter(port('b', ['sg-b']));
      });
      return next;
    };
    // a restarted agent adopts the set and refills it (A is a member again meanwhile)
    fw = await takeOver({}, [...others, IP.a]);
    assert.ok(await ping(NS.a, IP.b), 'allowed after the restart');
    assert.deepEqual((await sets()).filter((n) => n.startsWith('NIPv')), [SET]);
    assert.ok((await members()).includes(IP.a));

    // with ipsets off, one rule per member, and the set goes
    fw = await takeOver({ ipset: false }, [IP.a]);
    rule = await setRule();
    assert.ok(rule.lines.some((l) => l.includes(`-s ${IP.a}/32 -p icmp`)), 'a rule for the member');
    assert.equal(rule.packets, undefined, 'no set rule');
    assert.deepEqual((await sets()).filter((n) => n.startsWith('NIPv')), []);
    assert.ok(await ping(NS.a, IP.b), 'allowed by the member rule');

    // without the ipset program: said once in the log, and one rule per member
    const bin = mkdtempSync(join(tmpdir(), 'nfw-bin-'));
    const path = process.env.PATH;
    try {
      for (const tool of [...TOOLS, 'iptables-save', 'ip6tables-save', 'ip6tables']) {
        const dir = (path ?? '').split(':').find((d) => existsSync(join(d, tool)));
        if (dir) symlinkSync(join(dir, tool), join(bin, tool));
      }
      process.env.PATH = bin;
      const logged: string[] = [];
      fw = await takeOver({ log: pino({ level: 'warn' }, { write: (line: string) => { logged.push(line); } }) }, [IP.a]);
      await fw.updateSecurityGroupMembers('sg-a', { IPv4: [IP.a, '10.90.0.77'] });
      assert.equal(logged.filter((l) => l.includes('ipset program is not usable')).length, 1, logged.join(''));
      const perMember = (await setRule()).lines;
      for (const m of [IP.a, '10.90.0.77']) assert.ok(perMember.some((l) => l.includes(`-s ${m}/32 -p icmp`)), `a rule for member ${m}`);
      assert.ok(await ping(NS.a, IP.b), 'allowed by the member rule');
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }

    // back to ipsets for the tests that follow
    fw = await takeOver({}, [IP.a]);
    assert.deepEqual(await members(), [IP.a]);
  });

  test('a stateless group: the port\'s traffic is not tracked, and replies to it need a rule', async () => {
    const stateless = (rules: FirewallRule[]) => rules.map((r) => ({ ...r, stateful: false }));
    await fw.updateSecurityGroupRules('sg-a', [...EGRESS_ALL, { direction: 'ingress', ethertype: 'IPv4' }]);
    await fw.updateSecurityGroupRules('sg-b', EGRESS_ALL);
    assert.ok(await ping(NS.b, IP.a), 'stateful: the reply comes back in as established');
    await fw.updateSecurityGroupRules('sg-b', stateless(EGRESS_ALL));
    const raw = (await run('iptables-save', ['-t', 'raw'], { netns: NS.br })).stdout;
    assert.match(raw, /-A nubo-fw-PREROUTING -m physdev --physdev-in tapb .*-j CT --notrack/);
    assert.doesNotMatch((await run('iptables-save', ['-t', 'filter'], { netns: NS.br })).stdout, /-A nubo-fw-itapb -m state/, 'no established shortcut');
    assert.equal(await ping(NS.b, IP.a), false, 'stateless: the reply needs an ingress rule');
    await fw.updateSecurityGroupRules('sg-b', stateless([...EGRESS_ALL, ICMP_IN]));
    await run('conntrack', ['-D', '-s', IP.b], { netns: NS.br }).catch(() => {});
    assert.ok(await ping(NS.b, IP.a), 'the reply is allowed by the ingress rule');
    const tracked = await run('conntrack', ['-L', '-s', IP.b], { netns: NS.br });
    assert.equal(tracked.stdout.trim(), '', 'B\'s connection is not tracked');
    await fw.updateSecurityGroupRules('sg-b', EGRESS_ALL);
    assert.ok(await ping(NS.b, IP.a), 'stateful again');
    assert.doesNotMatch((await run('iptables-save', ['-t', 'raw'], { netns: NS.br })).stdout, /--notrack/);
  });

  test('a remote address group rule allows a guest only while its address is in the group', async () => {
    // as security_group_info_for_devices gives it: the group's addresses (CIDRs) as the members of its id
    await fw.updateSecurityGroupRules('sg-b', [...EGRESS_ALL, { ...ICMP_IN, remote_address_group_id: 'ag-1' }]);
    await fw.updateSecurityGroupMembers('ag-1', { IPv4: ['192.0.2.0/24'] });
    assert.equal(await ping(NS.a, IP.b), false, 'A is not in the group: blocked');
    await fw.updateSecurityGroupMembers('ag-1', { IPv4: ['192.0.2.0/24', '10.90.0.0/30'] });
    assert.ok(await ping(NS.a, IP.b), 'a prefix holding A is in the group: allowed');
    await fw.updateSecurityGroupMembers('ag-1', { IPv4: ['192.0.2.0/24', '10.90.0.8/29'] });
    assert.equal(await ping(NS.a, IP.b), false, 'A\'s prefix left the group: blocked');
    await fw.updateSecurityGroupMembers('ag-1', { IPv4: [`${IP.a}/32`] });
    assert.ok(await ping(NS.a, IP.b), 'A\'s host address is in the group: allowed');
    await fw.updateSecurityGroupRules('sg-b', [...EGRESS_ALL, { ...ICMP_IN, remote_ip_prefix: '192.0.2.0/24' }]);
    assert.equal(await ping(NS.a, IP.b), false, 'the rule went: blocked');
  });

  test('anti-spoofing: another source IP is dropped until it is an allowed address pair', async () => {
    await fw.updateSecurityGroupRules('sg-b', EGRESS_ALL);
    await ip('-n', NS.b, 'addr', 'add', '10.90.0.99/24', 'dev', 'eth0');
    assert.ok(await ping(NS.b, IP.a), 'B\'s own address passes');
    assert.equal(await ping(NS.b, IP.a, '10.90.0.99'), false, 'a source that is not B\'s is dropped');
    await fw.updatePortFilter(port('b', ['sg-b'], { allowed_address_pairs: [{ ip_address: '10.90.0.99', mac_address: MAC.b }] }));
    assert.ok(await within(1000, () => ping(NS.b, IP.a, '10.90.0.99')), 'allowed as an address pair');
  });

  test('MAC spoofing: a frame from another MAC than the port\'s is dropped on the bridge', async () => {
    await fw.updatePortFilter(port('b', ['sg-b']));
    await fw.updateSecurityGroupRules('sg-a', [...EGRESS_ALL, { direction: 'ingress', ethertype: 'IPv4' }]);
    assert.ok(await ping(NS.b, IP.a), 'B\'s own MAC passes');
    await ip('-n', NS.b, 'link', 'set', 'eth0', 'address', 'fa:16:3e:90:00:66');
    try {
      await run('ip', ['neigh', 'flush', 'all'], { netns: NS.a });
      assert.equal(await ping(NS.b, IP.a), false, 'another MAC is dropped');
    } finally {
      await ip('-n', NS.b, 'link', 'set', 'eth0', 'address', MAC.b);
      await run('ip', ['neigh', 'flush', 'all'], { netns: NS.a });
    }
    assert.ok(await within(2000, () => ping(NS.b, IP.a)), 'the port\'s MAC passes again');
  });

  test('IPv6: ICMPv6 to a port needs a rule; neighbour discovery always passes', async () => {
    for (const name of ['a', 'b'] as const) await ip('-n', NS[name], 'addr', 'add', `fd90::${name === 'a' ? 1 : 2}/64`, 'dev', 'eth0', 'nodad');
    await fw.updatePortFilter(port('a', ['sg-a'], { fixed_ips: [IP.a, 'fd90::1'] }));
    await fw.updatePortFilter(port('b', ['sg-b'], { fixed_ips: [IP.b, 'fd90::2'] }));
    await fw.updateSecurityGroupRules('sg-a', [...EGRESS_ALL, { direction: 'ingress', ethertype: 'IPv4' }, { direction: 'ingress', ethertype: 'IPv6' }]);
    const ping6 = (from: string, to: string) => run('busybox', ['ping6', '-c', '1', '-W', '1', to], { netns: from }).then(() => true, () => false);
    assert.ok(await within(3000, () => ping6(NS.b, 'fd90::1')), 'B reaches A over IPv6 (neighbour discovery through both filters)');
    assert.equal(await ping6(NS.a, 'fd90::2'), false, 'ICMPv6 echo to B is blocked without a rule');
    await fw.updateSecurityGroupRules('sg-b', [...EGRESS_ALL, { direction: 'ingress', ethertype: 'IPv6', protocol: 'ipv6-icmp' }]);
    assert.ok(await ping6(NS.a, 'fd90::2'), 'allowed by an ICMPv6 rule');
    await fw.updateSecurityGroupRules('sg-b', EGRESS_ALL);
  });

  test('a restarted firewall takes over: stale chains go, zones stay, an established flow goes on', async () => {
    await fw.updateSecurityGroupRules('sg-b', [...EGRESS_ALL, ICMP_IN]);
    const before = await run('iptables-save', ['-t', 'raw'], { netns: NS.br });
    // a port removed while the agent was down left its chain
    await run('iptables', ['-N', 'nubo-fw-itapgone'], { netns: NS.br });
    const replies: number[] = [];
    const flow = spawn('ip', ['netns', 'exec', NS.a, 'busybox', 'ping', '-i', '0.2', IP.b], { stdio: ['ignore', 'pipe', 'ignore'] });
    flow.stdout.on('data', (d: Buffer) => { for (const line of String(d).split('\n')) if (/bytes from/.test(line)) replies.push(Date.now()); });
    try {
      assert.ok(await within(2000, async () => { await sleep(100); return replies.length >= 2; }), 'the ping flow runs');
      // the new process learns the same state from the server; B no longer allows ICMP from new flows
      // (in one batch, applied once at its end)
      const restarted = new IptablesFirewall({ netns: NS.br });
      await restarted.deferApply(async () => {
        await restarted.updateSecurityGroupRules('sg-a', [...EGRESS_ALL, { direction: 'ingress', ethertype: 'IPv4' }]);
        await restarted.updateSecurityGroupRules('sg-b', EGRESS_ALL);
        await restarted.preparePortFilter(port('a', ['sg-a']));
        await restarted.preparePortFilter(port('b', ['sg-b']));
        const during = (await run('iptables-save', ['-t', 'filter'], { netns: NS.br })).stdout;
        assert.match(during, /nubo-fw-itapgone/, 'nothing applied before the batch ends');
      });
      fw = restarted;
      const takeover = Date.now();
      await sleep(1200);
      assert.ok(replies.some((at) => at > takeover + 500), 'the established flow went on through the takeover (same conntrack zone)');
      assert.equal(await ping(NS.a, IP.b), false, 'a new flow meets the rules');
    } finally {
      flow.kill();
    }
    const filter = (await run('iptables-save', ['-t', 'filter'], { netns: NS.br })).stdout;
    assert.doesNotMatch(filter, /nubo-fw-itapgone/);
    assert.equal(filter.split('\n').filter((l) => l === '-A FORWARD -j nubo-fw-FORWARD').length, 1, 'hooked once');
    const zone = (text: string) => /--physdev-in tapb .*--zone (\d+)/.exec(text)?.[1];
    assert.equal(zone((await run('iptables-save', ['-t', 'raw'], { netns: NS.br })).stdout), zone(before.stdout));
  });

  test('with a state file, a restarted firewall cuts the flows of a rule removed while it was down', async () => {
    const stateFile = join(stateDir, 'firewall.json');
    const sgA: FirewallRule[] = [...EGRESS_ALL, { direction: 'ingress', ethertype: 'IPv4' }];
    const takeOver = async (sgB: FirewallRule[]): Promise<IptablesFirewall> => {
      const next = new IptablesFirewall({ netns: NS.br, stateFile });
      await next.deferApply(async () => {
        await next.updateSecurityGroupRules('sg-a', sgA);
        await next.updateSecurityGroupRules('sg-b', sgB);
        await next.preparePortFilter(port('a', ['sg-a']));
        await next.preparePortFilter(port('b', ['sg-b']));
      });
      return next;
    };
    // the run before: B allows ICMP, and a ping flow runs
    fw = await takeOver([...EGRESS_ALL, ICMP_IN]);
    const replies: number[] = [];
    const flow = spawn('ip', ['netns', 'exec', NS.a, 'busybox', 'ping', '-i', '0.2', IP.b], { stdio: ['ignore', 'pipe', 'ignore'] });
    flow.stdout.on('data', (d: Buffer) => { for (const line of String(d).split('\n')) if (/bytes from/.test(line)) replies.push(Date.now()); });
    try {
      assert.ok(await within(3000, async () => { await sleep(100); return replies.length >= 2; }), 'the ping flow runs');
      // the agent is killed, the ICMP rule removed meanwhile; the restarted one learns B's rules without it
      fw = await takeOver(EGRESS_ALL);
      const takeover = Date.now();
      await sleep(1500);
      assert.ok(!replies.some((at) => at > takeover + 500), 'the flow the removed rule allowed is cut after the restart');
    } finally {
      flow.kill();
    }
  });

  test('an unfiltered port does not open a filtered one; port security off opens the port', async () => {
    await fw.updatePortFilter(port('a', ['sg-a'], { port_security_enabled: false }));
    assert.equal(await ping(NS.a, IP.b), false, 'B\'s ingress still applies to traffic from an unfiltered port');
    await fw.updatePortFilter(port('b', ['sg-b'], { port_security_enabled: false }));
    assert.ok(await ping(NS.a, IP.b), 'nothing filters B any more');
  });

  test('removing the filters and destroying the firewall leaves no rule of ours', async () => {
    await fw.removePortFilter('tapa');
    await fw.removePortFilter('tapb');
    assert.equal(fw.ports.size, 0);
    await fw.destroy();
    for (const cmd of ['iptables-save', 'ip6tables-save']) {
      const { stdout } = await run(cmd, [], { netns: NS.br });
      assert.doesNotMatch(stdout, /nubo-fw/, cmd);
    }
    const { stdout } = await run('nft', ['list', 'tables'], { netns: NS.br });
    assert.doesNotMatch(stdout, /nubo_fw_l2/);
    if (!skipIpset) assert.deepEqual((await run('ipset', ['list', '-n'], { netns: NS.br })).stdout.split('\n').filter((n) => n.startsWith('NIPv')), [], 'no ipset of ours');
    assert.ok(await ping(NS.a, IP.b), 'open wire again');
  });
});
