/**
 * The `conntrack -D` commands that cut connections after a rule, a group or a member goes
 * (as ip_conntrack.py builds them): per port IP of the rule's ethertype, in the port's zone,
 * the port as destination for ingress and as source for egress, the remote IP on the other side;
 * run as one listing of the table and a delete by full tuple of each entry they match, and on
 * the kernel (root) so deleting the targets' entries in their zone only.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CommandError, run, type RunOptions } from './commands.js';
import { ConntrackCleaner, type ConntrackTarget } from './conntrack.js';
import type { FirewallPort } from './types.js';

function kernelSkip(): string | false {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root to make a network namespace';
  try {
    execFileSync('conntrack', ['--version'], { stdio: 'ignore' });
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'missing commands: conntrack or ip';
  }
  return false;
}

const port: FirewallPort = {
  id: 'p', device: 'tapx', mac_address: 'fa:16:3e:00:00:01', fixed_ips: ['10.0.0.5', 'fd00::5'], port_security_enabled: true,
  security_groups: ['sg'], network_id: 'n',
};
const cleaner = new ConntrackCleaner(undefined, undefined);

test('commands for a removed rule and for departed remote IPs', () => {
  assert.deepEqual(cleaner.commands([{ port, zone: 3 }], { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp' }), [
    ['-D', '-p', 'tcp', '-f', 'ipv4', '-d', '10.0.0.5', '-w', '3'],
  ]);
  assert.deepEqual(cleaner.commands([{ port, zone: undefined }], { direction: 'egress', ethertype: 'IPv6', protocol: 'icmp' }), [
    ['-D', '-p', 'icmpv6', '-f', 'ipv6', '-s', 'fd00::5'],
  ]);
  assert.deepEqual(cleaner.commands([{ port, zone: 3 }], { direction: 'ingress', ethertype: 'IPv4', protocol: '17' }, '10.0.0.9'), [
    ['-D', '-p', 'udp', '-f', 'ipv4', '-d', '10.0.0.5', '-w', '3', '-s', '10.0.0.9'],
  ]);
  // a remote IP of the other version is no constraint of this ethertype's command
  assert.deepEqual(cleaner.commands([{ port, zone: 3 }], { direction: 'egress', ethertype: 'IPv4' }, 'fd00::9'), [
    ['-D', '-f', 'ipv4', '-s', '10.0.0.5', '-w', '3'],
  ]);
  // a port without an address of the ethertype has nothing to cut
  assert.deepEqual(cleaner.commands([{ port: { ...port, fixed_ips: ['10.0.0.5'] }, zone: 3 }], { direction: 'ingress', ethertype: 'IPv6' }), []);
});

/** A runner that records the commands and their input, failing the ones `fail` says. */
function recorder(fail: (args: readonly string[]) => Error | undefined = () => undefined) {
  const calls: Array<{ cmd: string; args: readonly string[]; input: string | undefined }> = [];
  const runner = async (cmd: string, args: readonly string[], opts: RunOptions = {}) => {
    calls.push({ cmd, args, input: opts.input });
    const err = fail(args);
    if (err) throw err;
    return { stdout: '', stderr: '' };
  };
  return { calls, runner };
}

const portN = (n: number): ConntrackTarget => ({ port: { ...port, id: `p${n}`, device: `tap${n}`, fixed_ips: [`10.0.${n >> 8}.${n & 255}`] }, zone: 1 });

/** `conntrack -L -o extended` of ICMP flows to 10.0.0.1..n in zone 1, a TCP one to 10.0.0.1 in zone 2 and a GRE one in zone 1. */
function listing(n: number): string {
  const icmp = Array.from({ length: n }, (_, k) => `ipv4     2 icmp     1 29 src=10.0.9.9 dst=10.0.0.${k + 1} type=8 code=0 id=${k + 100} src=10.0.0.${k + 1} dst=10.0.9.9 type=0 code=0 id=${k + 100} mark=0 zone=1 use=1`);
  return [...icmp,
    'ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.9.9 dst=10.0.0.1 sport=4000 dport=22 src=10.0.0.1 dst=10.0.9.9 sport=22 dport=4000 [ASSURED] mark=0 zone=2 use=1',
    'ipv4     2 gre      47 179 src=10.0.9.9 dst=10.0.0.2 srckey=0x0 dstkey=0x0 src=10.0.0.2 dst=10.0.9.9 srckey=0x0 dstkey=0x0 mark=0 zone=1 use=1',
    'ipv6     10 icmpv6   58 29 src=fd00::9 dst=fd00::5 type=128 code=0 id=7 src=fd00::5 dst=fd00::9 type=129 code=0 id=7 mark=0 zone=1 use=1', ''].join('\n');
}

test('the table is listed once and only the matching entries are deleted, by their full tuple', async () => {
  const { calls, runner } = recorder();
  const list = async (cmd: string, args: readonly string[], opts?: RunOptions) => {
    const r = await runner(cmd, args, opts);
    return args[0] === '-L' ? { ...r, stdout: listing(100) } : r;
  };
  const c = new ConntrackCleaner('ns1', undefined, list);
  // a rule of a group of 3 ports (10.0.0.1-3) goes: their ingress ICMP connections in zone 1
  await c.deleteByRule([1, 2, 3].map(portN), { direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp' });
  assert.deepEqual(calls.map((x) => x.args), [
    ['-L', '-o', 'extended'],
    ...[1, 2, 3].map((k) => ['-D', '-f', 'ipv4', '-p', 'icmp', '-s', '10.0.9.9', '-d', `10.0.0.${k}`, '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', String(k + 99), '-w', '1']),
  ]);
  // any protocol: the TCP flow of zone 2 is another network's; GRE has no tuple to name, its filter command runs
  calls.length = 0;
  await c.deleteByRule([portN(2)], { direction: 'ingress', ethertype: 'IPv4' });
  assert.deepEqual(calls.map((x) => x.args), [
    ['-L', '-o', 'extended'],
    ['-D', '-f', 'ipv4', '-p', 'icmp', '-s', '10.0.9.9', '-d', '10.0.0.2', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '101', '-w', '1'],
    ['-D', '-f', 'ipv4', '-d', '10.0.0.2', '-w', '1'],
  ]);
  // IPv6, egress, by remote IP
  calls.length = 0;
  await c.deleteByRemoteIps([{ port, zone: 1 }], 'IPv6', ['fd00::9']);
  assert.deepEqual(calls.map((x) => x.args).slice(1), [
    ['-D', '-f', 'ipv6', '-p', 'icmpv6', '-s', 'fd00::9', '-d', 'fd00::5', '--icmpv6-type', '128', '--icmpv6-code', '0', '--icmpv6-id', '7', '-w', '1'],
  ]);
  // nothing to delete: no process at all
  calls.length = 0;
  await c.deleteByRule([{ port: { ...port, fixed_ips: ['10.0.0.5'] }, zone: 1 }], { direction: 'ingress', ethertype: 'IPv6' });
  assert.equal(calls.length, 0);
});

test('the deletes asked for inside collect() share one listing', async () => {
  const { calls, runner } = recorder();
  const list = async (cmd: string, args: readonly string[], opts?: RunOptions) => {
    const r = await runner(cmd, args, opts);
    return args[0] === '-L' ? { ...r, stdout: listing(100) } : r;
  };
  const c = new ConntrackCleaner(undefined, undefined, list);
  // 100 ports removed in one apply: each one's connections both ways
  await c.collect(async () => {
    for (let k = 1; k <= 100; k++) await c.deleteByRemoteIps([portN(k)], 'IPv4', []);
    await c.deleteByRemoteIps([{ port, zone: 1 }], 'IPv6', []);
  });
  assert.equal(calls.filter((x) => x.args[0] === '-L').length, 1);
  // the 100 ICMP flows, the GRE flow's filter command (10.0.0.2 in zone 1) and the IPv6 flow; not the TCP flow of zone 2
  assert.equal(calls.filter((x) => x.args[0] === '-D').length, 102);
  assert.ok(!calls.some((x) => x.args.includes('tcp')));
});

test('when the listing fails, the filter commands run; a missing conntrack is said once and stops them', async () => {
  const { calls, runner } = recorder((args) => (args[0] === '-L' ? new CommandError(['conntrack', ...args], 2, 'Operation not permitted')
    : args.includes('10.0.0.1') ? new CommandError(['conntrack', ...args], 1, '0 flow entries have been deleted.') : undefined));
  const c = new ConntrackCleaner(undefined, undefined, runner);
  await c.deleteByRule([portN(1), portN(2)], { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp' });
  assert.deepEqual(calls.map((x) => x.args), [['-L', '-o', 'extended'], ...[1, 2].map((k) => ['-D', '-p', 'tcp', '-f', 'ipv4', '-d', `10.0.0.${k}`, '-w', '1'])]);
  const gone = recorder((args) => new CommandError(['ip', 'netns', 'exec', 'x', 'conntrack', ...args], 255, 'exec of "conntrack" failed: No such file or directory'));
  await new ConntrackCleaner('x', undefined, gone.runner).deleteByRule([portN(1), portN(2)], { direction: 'ingress', ethertype: 'IPv4' });
  assert.equal(gone.calls.length, 1);
});

test('on the kernel: one batch deletes the entries of the targets in their zone and leaves the others', { skip: kernelSkip() }, async () => {
  const ns = `nct-${randomBytes(3).toString('hex')}`;
  await run('ip', ['netns', 'add', ns]);
  try {
    const insert = (dst: string, zone: number) => run('conntrack', ['-I', '-p', 'tcp', '-s', '10.0.9.9', '-d', dst, '--sport', '4000', '--dport', '22',
      '--state', 'ESTABLISHED', '-u', 'ASSURED', '-t', '120', '-w', String(zone)], { netns: ns });
    for (let n = 1; n <= 30; n++) await insert(`10.0.0.${n}`, 1);
    await insert('10.0.0.1', 2); // the same address in another network's zone
    const cleaner = new ConntrackCleaner(ns, undefined);
    await cleaner.deleteByRule(Array.from({ length: 20 }, (_, k) => portN(k + 1)), { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp' });
    const { stdout } = await run('conntrack', ['-L', '-p', 'tcp'], { netns: ns });
    const left = [...stdout.matchAll(/dst=(10\.0\.0\.\d+) .*? zone=(\d+)/g)].map((m) => `${m[1]}@${m[2]}`).sort();
    assert.deepEqual(left, ['10.0.0.1@2', ...Array.from({ length: 10 }, (_, k) => `10.0.0.${k + 21}@1`)].sort());
  } finally {
    await run('ip', ['netns', 'delete', ns]).catch(() => undefined);
  }
});
