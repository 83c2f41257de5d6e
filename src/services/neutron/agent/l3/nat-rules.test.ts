/**
 * The router namespace's iptables-restore input: Neutron's chains and jumps, SNAT only with
 * enable_snat and a gateway, 1:1 NAT per floating IP, port forwardings, and the metadata
 * redirect with its mark; an iptables-restore --test parses it where iptables is installed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { routerRestoreInput } from './nat-rules.js';

const full = routerRestoreInput({
  internalPrefix: 'qr-', gateway: { device: 'qg-1234', ip: '203.0.113.5' }, enableSnat: true,
  floatingIps: [{ floating: '203.0.113.20', fixed: '10.0.0.7' }],
  portForwardings: [{ floating: '203.0.113.21', protocol: 'tcp', externalPort: 2222, internalIp: '10.0.0.8', internalPort: 22 }],
  metadata: true,
});

function iptablesProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'iptables-restore --test needs root';
  try { execFileSync('iptables-restore', ['--version'], { stdio: 'ignore' }); } catch { return 'iptables-restore is not installed'; }
  return undefined;
}

describe('router NAT rules', () => {
  test('SNAT through the gateway, after the floating IPs\' own SNAT; east-west traffic is not NATed', () => {
    const lines = full.split('\n');
    const at = (l: string): number => { const i = lines.indexOf(l); assert.ok(i >= 0, `missing: ${l}\n${full}`); return i; };
    at('-A POSTROUTING -j neutron-l3-agent-POSTROUTING');
    at('-A POSTROUTING -j neutron-postrouting-bottom');
    assert.ok(at('-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat') < at('-A neutron-l3-agent-snat -o qg-1234 -j SNAT --to-source 203.0.113.5'));
    at('-A neutron-l3-agent-POSTROUTING ! -i qg-1234 ! -o qg-1234 -m conntrack ! --ctstate DNAT -j ACCEPT');
  });

  test('a floating IP: DNAT in (and from the router itself), SNAT out', () => {
    assert.match(full, /^-A neutron-l3-agent-PREROUTING -d 203\.0\.113\.20\/32 -j DNAT --to-destination 10\.0\.0\.7$/m);
    assert.match(full, /^-A neutron-l3-agent-OUTPUT -d 203\.0\.113\.20\/32 -j DNAT --to-destination 10\.0\.0\.7$/m);
    assert.match(full, /^-A neutron-l3-agent-float-snat -s 10\.0\.0\.7\/32 -j SNAT --to-source 203\.0\.113\.20$/m);
  });

  test('hairpin NAT: DNATed traffic that did not enter by the gateway leaves as the gateway IP, with or without enable_snat', () => {
    const lines = full.split('\n');
    const hairpin = '-A neutron-l3-agent-snat -m mark ! --mark 0x2/0xffff -m conntrack --ctstate DNAT -j SNAT --to-source 203.0.113.5';
    assert.ok(lines.indexOf('-A neutron-l3-agent-snat -o qg-1234 -j SNAT --to-source 203.0.113.5') < lines.indexOf(hairpin), full);
    assert.ok(lines.includes('-A neutron-l3-agent-mark -i qg-1234 -j MARK --set-xmark 0x2/0xffff'), 'what enters by the gateway is marked');
    const noSnat = routerRestoreInput({ internalPrefix: 'qr-', gateway: { device: 'qg-1234', ip: '203.0.113.5' }, enableSnat: false, floatingIps: [], portForwardings: [], metadata: false }).split('\n');
    assert.ok(noSnat.includes(hairpin) && noSnat.includes('-A neutron-l3-agent-mark -i qg-1234 -j MARK --set-xmark 0x2/0xffff'));
    const noGw = routerRestoreInput({ internalPrefix: 'qr-', enableSnat: true, floatingIps: [], portForwardings: [], metadata: true });
    assert.doesNotMatch(noGw, /ctstate DNAT -j SNAT|0x2\/0xffff/);
  });

  test('a port forwarding: DNAT of one protocol and port', () => {
    assert.match(full, /^-A neutron-l3-agent-PREROUTING -d 203\.0\.113\.21\/32 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 10\.0\.0\.8:22$/m);
  });

  test('metadata: redirected from qr- ports to the proxy port, which is closed otherwise', () => {
    assert.match(full, /-d 169\.254\.169\.254\/32 -i qr-\+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697/);
    assert.match(full, /-A neutron-l3-agent-mark -d 169\.254\.169\.254\/32 -i qr-\+ -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x1\/0xffff/);
    assert.match(full, /-A neutron-l3-agent-INPUT -p tcp -m tcp --dport 9697 -j DROP/);
    const none = routerRestoreInput({ internalPrefix: 'qr-', enableSnat: true, floatingIps: [], portForwardings: [], metadata: false });
    assert.doesNotMatch(none, /9697|169\.254/);
  });

  test('no SNAT without enable_snat or without a gateway', () => {
    const noSnat = routerRestoreInput({ internalPrefix: 'qr-', gateway: { device: 'qg-1', ip: '203.0.113.5' }, enableSnat: false, floatingIps: [{ floating: '203.0.113.20', fixed: '10.0.0.7' }], portForwardings: [], metadata: false });
    assert.doesNotMatch(noSnat, /-o qg-1 -j SNAT --to-source 203\.0\.113\.5/);
    assert.match(noSnat, /SNAT --to-source 203\.0\.113\.20/, 'floating IPs still leave as themselves');
    const noGw = routerRestoreInput({ internalPrefix: 'qr-', enableSnat: true, floatingIps: [], portForwardings: [], metadata: false });
    assert.doesNotMatch(noGw, /-j SNAT/);
  });

  test('iptables-restore accepts the input', { skip: iptablesProblem() ?? false }, () => {
    // --test parses and checks without committing (in a throw-away namespace all the same)
    const ns = `nubo-nat-test-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      const res = spawnSync('ip', ['netns', 'exec', ns, 'iptables-restore', '--test'], { input: full, encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
    } finally {
      execFileSync('ip', ['netns', 'delete', ns]);
    }
  });

  test('applied twice with --noflush: the L3 agent\'s rules once each, FORWARD and the metering agent\'s chains kept', { skip: iptablesProblem() ?? false }, () => {
    const ns = `nubo-nat-test-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    const inNs = (cmd: string, args: string[], input?: string) => execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', ...(input ? { input } : {}) });
    try {
      inNs('iptables-restore', ['--noflush'], '*filter\n:neutron-meter-FORWARD - [0:0]\n:neutron-meter-l-x - [0:0]\n-A FORWARD -j neutron-meter-FORWARD\n-A neutron-meter-FORWARD -j neutron-meter-l-x\n-A neutron-meter-l-x\nCOMMIT\n');
      inNs('iptables-restore', ['-w', '5', '--noflush'], full);
      inNs('iptables-restore', ['-w', '5', '--noflush'], full);
      const saved = inNs('iptables-save', []);
      const count = (line: string) => saved.split('\n').filter((l) => l === line).length;
      assert.equal(count('-A INPUT -j neutron-l3-agent-INPUT'), 1, saved);
      assert.equal(count('-A PREROUTING -j neutron-l3-agent-PREROUTING'), 1, saved);
      assert.equal(count('-A neutron-l3-agent-PREROUTING -d 203.0.113.20/32 -j DNAT --to-destination 10.0.0.7'), 1, saved);
      assert.equal(count('-A FORWARD -j neutron-meter-FORWARD'), 1, saved);
      assert.equal(count('-A neutron-meter-FORWARD -j neutron-meter-l-x'), 1, saved);
    } finally {
      execFileSync('ip', ['netns', 'delete', ns]);
    }
  });
});
