/**
 * The rule sets the firewall writes (no kernel needed): Neutron's chain layout, anti-spoofing
 * pairs with IPv6 link-local addresses, remote groups expanded per member or as ipsets, rule arguments
 * for ports and ICMP, unfiltered ports, stale chains deleted, only changed chains rewritten,
 * conntrack zones, and the bridge table's MAC/ARP checks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filterTable, portChain, rawTable, type FirewallState } from './iptables-rules.js';
import { ipsetName, wantedSets } from './ipset-sets.js';
import { l2Script } from './l2-rules.js';
import type { FirewallPort, FirewallRule } from './types.js';

const port: FirewallPort = {
  id: 'p1', device: 'tap1234', mac_address: 'fa:16:3e:00:00:01', fixed_ips: ['10.0.0.5', 'fd00::5'],
  allowed_address_pairs: [{ ip_address: '10.0.1.0/24', mac_address: 'fa:16:3e:00:00:99' }],
  port_security_enabled: true, security_groups: ['sg1'], network_id: 'net1', bridge: 'brqnet1',
};

function state(rules: FirewallRule[], extra: Partial<FirewallState> = {}): FirewallState {
  return {
    ports: new Map([[port.device, port]]), rules: new Map([['sg1', rules]]), members: new Map(), zones: new Map([['net1', 7]]), ...extra,
  };
}

/** A rule spec without its comment. */
const bare = (l: string) => l.replace(/ ?-m comment --comment "[^"]*"/, '').trim();
const lines = (text: string, chain: string) => text.split('\n').filter((l) => l.startsWith(`-A ${chain} `)).map((l) => l.slice(chain.length + 4));

describe('iptables rule set', () => {
  test('chains, hooks and the ordered ingress and egress rules of a port', () => {
    const { text, chains } = filterTable(state([
      { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '192.168.0.0/16' },
      { direction: 'ingress', ethertype: 'IPv4', protocol: 'udp', port_range_min: 1000, port_range_max: 2000 },
      { direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', port_range_min: 8, port_range_max: 0 },
      { direction: 'egress', ethertype: 'IPv4', remote_ip_prefix: '0.0.0.0/0' },
    ]), 4);
    assert.ok(text.startsWith('*filter\n') && text.endsWith('COMMIT\n'));
    for (const c of ['nubo-fw-FORWARD', 'nubo-fw-INPUT', 'nubo-fw-sg-chain', 'nubo-fw-sg-fallback', 'nubo-fw-itap1234', 'nubo-fw-otap1234', 'nubo-fw-stap1234']) assert.ok(chains.includes(c), c);
    assert.deepEqual(lines(text, 'nubo-fw-FORWARD').map(bare), [
      '-m physdev --physdev-out tap1234 --physdev-is-bridged -j nubo-fw-sg-chain',
      '-m physdev --physdev-in tap1234 --physdev-is-bridged -j nubo-fw-sg-chain',
    ]);
    assert.equal(lines(text, 'nubo-fw-sg-chain').at(-1), '-j ACCEPT');
    const ingress = lines(text, 'nubo-fw-itap1234').map(bare);
    assert.deepEqual(ingress, [
      '-p udp -m udp --sport 67 --dport 68 -j RETURN',
      '-m state --state RELATED,ESTABLISHED -j RETURN',
      '-s 192.168.0.0/16 -p tcp -m tcp --dport 22 -j RETURN',
      '-p udp -m multiport --dports 1000:2000 -j RETURN',
      '-p icmp -m icmp --icmp-type 8/0 -j RETURN',
      '-m state --state INVALID -j DROP',
      '-j nubo-fw-sg-fallback',
    ]);
    const egress = lines(text, 'nubo-fw-otap1234').map(bare);
    assert.deepEqual(egress, [
      '-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 --dport 67 -j RETURN',
      '-j nubo-fw-stap1234',
      '-p udp -m udp --sport 68 --dport 67 -j RETURN',
      '-p udp -m udp --sport 67 --dport 68 -j DROP',
      '-m state --state RELATED,ESTABLISHED -j RETURN',
      '-j RETURN',
      '-m state --state INVALID -j DROP',
      '-j nubo-fw-sg-fallback',
    ]);
    assert.deepEqual(lines(text, 'nubo-fw-stap1234').map(bare), [
      '-s 10.0.1.0/24 -m mac --mac-source FA:16:3E:00:00:99 -j RETURN',
      '-s 10.0.0.5/32 -m mac --mac-source FA:16:3E:00:00:01 -j RETURN',
      '-j DROP',
    ]);
  });

  test('IPv6: DAD from ::, link-local source pairs, no router advertisements from the port, ICMPv6 in', () => {
    const { text } = filterTable(state([{ direction: 'ingress', ethertype: 'IPv6', protocol: 'icmp' }]), 6);
    const spoof = lines(text, 'nubo-fw-stap1234').map(bare);
    assert.deepEqual(spoof, [
      '-s fd00::5/128 -m mac --mac-source FA:16:3E:00:00:01 -j RETURN',
      '-s fe80::f816:3eff:fe00:1/128 -m mac --mac-source FA:16:3E:00:00:01 -j RETURN',
      '-j DROP',
    ]);
    const egress = lines(text, 'nubo-fw-otap1234').join('\n');
    assert.match(egress, /-s ::\/128 -d ff02::\/16 -p ipv6-icmp -m icmp6 --icmpv6-type 135 .*-j RETURN/);
    assert.match(egress, /--icmpv6-type 134 .*-j DROP/);
    const ingress = lines(text, 'nubo-fw-itap1234').join('\n');
    for (const type of [130, 134, 135, 136]) assert.match(ingress, new RegExp(`--icmpv6-type ${type} -j RETURN`));
    // "icmp" in an IPv6 rule is ICMPv6
    assert.match(ingress, /^-p ipv6-icmp -j RETURN$/m);
    // IPv4 rules do not leak into the IPv6 table
    assert.doesNotMatch(text, /10\.0\.0\.5/);
  });

  test('a remote group becomes one rule per member (not the port itself); none without members', () => {
    const rules: FirewallRule[] = [{ direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_group_id: 'sg2' }];
    let text = filterTable(state(rules, { members: new Map([['sg2', { IPv4: ['10.0.0.7', '10.0.0.5', '10.0.0.8'] }]]) }), 4).text;
    const specs = lines(text, 'nubo-fw-itap1234').filter((l) => l.includes('--dport 80'));
    assert.deepEqual(specs, ['-s 10.0.0.7/32 -p tcp -m tcp --dport 80 -j RETURN', '-s 10.0.0.8/32 -p tcp -m tcp --dport 80 -j RETURN']);
    text = filterTable(state(rules), 4).text;
    assert.ok(!text.includes('--dport 80'));
  });

  test('with ipsets, a remote group is one rule matching its set (src in, dst out); the sets wanted, /0 as two halves', () => {
    const rules: FirewallRule[] = [
      { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_group_id: 'sg2' },
      { direction: 'egress', ethertype: 'IPv6', remote_group_id: 'sg2' },
      { direction: 'ingress', ethertype: 'IPv4', remote_group_id: 'sg3' },
    ];
    const members = new Map([['sg2', { IPv4: ['10.0.0.7', '10.0.0.5', '10.0.0.8'], IPv6: ['::/0'] }], ['sg3', { IPv4: [] }]]);
    const s = state(rules, { members, ipset: true });
    assert.deepEqual(lines(filterTable(s, 4).text, 'nubo-fw-itap1234').filter((l) => l.includes('match-set')), ['-m set --match-set NIPv4sg2 src -p tcp -m tcp --dport 80 -j RETURN']);
    assert.deepEqual(lines(filterTable(s, 6).text, 'nubo-fw-otap1234').filter((l) => l.includes('match-set')), ['-m set --match-set NIPv6sg2 dst -j RETURN']);
    assert.doesNotMatch(filterTable(s, 4).text, /sg3/, 'a group without members has no set and no rule');
    assert.deepEqual([...wantedSets(s, [4, 6]).values()], [
      { name: 'NIPv4sg2', version: 4, members: ['10.0.0.5/32', '10.0.0.7/32', '10.0.0.8/32'] },
      { name: 'NIPv6sg2', version: 6, members: ['8000::/1', '::/1'] },
    ]);
    assert.deepEqual([...wantedSets(s, [4]).keys()], ['NIPv4sg2']);
    assert.equal(ipsetName('0f7a2c4e-1b2d-4c3e-9f00-123456789abc', 4), 'NIPv40f7a2c4e-1b2d-4c3e-9f00-');
  });

  test('a stateless port: no established shortcut nor INVALID drop, its traffic NOTRACK before the zones', () => {
    const rules: FirewallRule[] = [{ direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', stateful: false }, { direction: 'egress', ethertype: 'IPv4', stateful: false }];
    const other: FirewallPort = { ...port, device: 'tap0000', security_groups: ['sg2'] };
    const s = state(rules, { ports: new Map([[port.device, port], [other.device, other]]), rules: new Map([['sg1', rules], ['sg2', [{ direction: 'egress', ethertype: 'IPv4' }]]]) });
    const text = filterTable(s, 4).text;
    assert.ok(!lines(text, 'nubo-fw-itap1234').some((l) => l.includes('--state')), 'stateless port');
    assert.ok(lines(text, 'nubo-fw-itap0000').some((l) => l.includes('RELATED,ESTABLISHED')), 'stateful port');
    assert.deepEqual(lines(rawTable(s).text, 'nubo-fw-PREROUTING').map(bare).map((l) => l.replace(/^-m physdev /, '')), [
      '--physdev-in tap1234 -j CT --notrack',
      '--physdev-in brqnet1 -j CT --zone 7',
      '-i brqnet1 -j CT --zone 7',
      '--physdev-in tap0000 -j CT --zone 7',
    ]);
  });

  test('a remote address group becomes one rule per address of its ethertype, with ipsets too; none without addresses', () => {
    const rules: FirewallRule[] = [{ direction: 'egress', ethertype: 'IPv4', protocol: 'udp', port_range_min: 53, port_range_max: 53, remote_address_group_id: 'ag1' }];
    const members = new Map([['ag1', { IPv4: ['198.51.100.0/24', '203.0.113.7/32'], IPv6: ['2001:db8::/64'] }]]);
    for (const ipset of [false, true]) {
      const s = state(rules, { members, ipset });
      const specs = lines(filterTable(s, 4).text, 'nubo-fw-otap1234').filter((l) => l.includes('--dport 53'));
      assert.deepEqual(specs, ['-d 198.51.100.0/24 -p udp -m udp --dport 53 -j RETURN', '-d 203.0.113.7/32 -p udp -m udp --dport 53 -j RETURN'], `ipset ${ipset}`);
      assert.deepEqual([...wantedSets(s, [4, 6]).keys()], [], 'no set for an address group');
    }
    assert.ok(!filterTable(state(rules), 4).text.includes('--dport 53'));
  });

  test('a port without port security is accepted as it is; stale chains are flushed and deleted', () => {
    const open: FirewallPort = { ...port, device: 'tapa', port_security_enabled: false };
    const other: FirewallPort = { ...port, device: 'tapz' };
    let s = state([], { ports: new Map([['tapa', open], ['tapz', other]]) });
    // the filtered port's jumps come first, or the unfiltered port's accept would let everything to it through
    const forward = lines(filterTable(s, 4).text, 'nubo-fw-FORWARD').map(bare);
    assert.deepEqual(forward.map((l) => l.split(' -j ')[1]), ['nubo-fw-sg-chain', 'nubo-fw-sg-chain', 'ACCEPT', 'ACCEPT']);
    s = state([], { ports: new Map([['tapa', open]]) });
    const { text, chains } = filterTable(s, 4, [portChain('i', 'tap1234'), portChain('o', 'tap1234'), 'nubo-fw-sg-chain']);
    assert.ok(!chains.includes('nubo-fw-itapa'));
    assert.match(text, /-A nubo-fw-FORWARD -m physdev --physdev-out tapa --physdev-is-bridged .*-j ACCEPT/);
    assert.match(text, /-A nubo-fw-INPUT -m physdev --physdev-in tapa .*-j ACCEPT/);
    assert.match(text, /^:nubo-fw-itap1234 - \[0:0\]$/m);
    assert.match(text, /^-X nubo-fw-itap1234$/m);
    assert.doesNotMatch(text, /^-X nubo-fw-sg-chain$/m);
    // -X after every rule: the chain is unreferenced by then
    assert.ok(text.indexOf('-X ') > text.lastIndexOf('-A '));
  });

  test('given what was written, only the chains whose rules changed are declared and written', () => {
    const other: FirewallPort = { ...port, id: 'p2', device: 'tap5678', fixed_ips: ['10.0.0.6'], security_groups: ['sg2'] };
    const ports = new Map([[port.device, port], [other.device, other]]);
    const first = filterTable(state([], { ports }), 4);
    assert.ok(first.changes);
    const stale = first.chains;
    // nothing changed: an empty transaction, said so
    const same = filterTable(state([], { ports }), 4, stale, first.contents);
    assert.equal(same.changes, false);
    assert.equal(same.text, '*filter\nCOMMIT\n');
    // a rule of sg1: tap1234's ingress chain only
    const added = filterTable(state([{ direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp' }], { ports }), 4, stale, first.contents);
    assert.deepEqual([...added.text.matchAll(/^:(\S+) /gm)].map((m) => m[1]), ['nubo-fw-itap1234']);
    assert.deepEqual(lines(added.text, 'nubo-fw-itap1234'), lines(filterTable(state([{ direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp' }], { ports }), 4).text, 'nubo-fw-itap1234'));
    assert.ok(!added.text.includes('-A nubo-fw-otap1234') && !added.text.includes('tap5678'));
    // a port gone: the chains that jumped to it rewritten, its own flushed and deleted
    const removed = filterTable(state([], { ports: new Map([[port.device, port]]) }), 4, stale, first.contents);
    const declared = [...removed.text.matchAll(/^:(\S+) /gm)].map((m) => m[1]).sort();
    assert.deepEqual(declared, ['nubo-fw-FORWARD', 'nubo-fw-INPUT', 'nubo-fw-itap5678', 'nubo-fw-otap5678', 'nubo-fw-sg-chain', 'nubo-fw-stap5678']);
    assert.match(removed.text, /^-X nubo-fw-itap5678$/m);
  });

  test('conntrack zones: the bridge and the port in the network\'s zone', () => {
    const { text } = rawTable(state([]));
    assert.match(text, /^\*raw$/m);
    assert.deepEqual(lines(text, 'nubo-fw-PREROUTING').map(bare), [
      '-m physdev --physdev-in brqnet1 -j CT --zone 7',
      '-i brqnet1 -j CT --zone 7',
      '-m physdev --physdev-in tap1234 -j CT --zone 7',
    ]);
  });

  test('bridge table: MAC and ARP sender checks per protected port', () => {
    const script = l2Script([port, { ...port, device: 'tapopen', port_security_enabled: false }]);
    assert.match(script, /^table bridge nubo_fw_l2 \{\}\ndelete table bridge nubo_fw_l2\n/);
    assert.match(script, /iifname "tap1234" jump port_tap1234/);
    assert.doesNotMatch(script, /tapopen/);
    assert.match(script, /ether saddr != \{ fa:16:3e:00:00:01, fa:16:3e:00:00:99 \} counter drop/);
    assert.match(script, /arp saddr ip != \{ 0\.0\.0\.0, 10\.0\.0\.5, 10\.0\.1\.0\/24 \} counter drop/);
    assert.equal(l2Script([]), 'table bridge nubo_fw_l2 {}\ndelete table bridge nubo_fw_l2\n');
  });
});
