/**
 * The metering chains' iptables-restore input (no root needed): upstream's rule matches for
 * legacy remote_ip_prefix and source/destination prefixes, excluded rules first, chain names
 * cut to 28 characters, label chains kept with their counters when present, chains of labels
 * gone deleted, FORWARD's jump only when missing; and the counters of `iptables -L -v -x`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MeteringLabelRule } from '../../types/metering.js';
import { labelChain, labelChainsIn, meteringRestoreInput, parseCounters, ruleMatch, rulesChain } from './meter-rules.js';

const LABEL = '0123456789ab-cdef-0000-0000-000000000000';
const rule = (r: Partial<MeteringLabelRule>): MeteringLabelRule => ({
  id: 'r', metering_label_id: LABEL, direction: 'ingress', remote_ip_prefix: null, source_ip_prefix: null, destination_ip_prefix: null, excluded: false, ...r,
});

describe('metering rules', () => {
  test('matches as upstream: legacy remote_ip_prefix is the source on egress, the destination on ingress', () => {
    assert.equal(ruleMatch('qg-1', rule({ direction: 'egress', remote_ip_prefix: '10.0.0.0/24' })), '-s 10.0.0.0/24 -o qg-1');
    assert.equal(ruleMatch('qg-1', rule({ direction: 'ingress', remote_ip_prefix: '10.0.0.0/24' })), '-d 10.0.0.0/24 -i qg-1');
    assert.equal(ruleMatch('qg-1', rule({ direction: 'egress', source_ip_prefix: '10.0.0.0/24', destination_ip_prefix: '203.0.113.0/24' })), '-d 203.0.113.0/24 -s 10.0.0.0/24 -o qg-1');
  });

  test('chains: names cut to 28 characters; excluded rules first; new label chains get their counting rule', () => {
    assert.equal(labelChain(LABEL), 'neutron-meter-l-0123456789ab');
    assert.equal(rulesChain(LABEL), 'neutron-meter-r-0123456789ab');
    const input = meteringRestoreInput({
      device: 'qg-1', existing: [], hasTopJump: false,
      labels: [{ id: LABEL, rules: [rule({ id: 'a', direction: 'egress', destination_ip_prefix: '203.0.113.0/24' }), rule({ id: 'b', excluded: true, remote_ip_prefix: '203.0.113.5/32' }), rule({ id: 'c', remote_ip_prefix: 'fd00::/64' })] }],
    }).split('\n');
    assert.deepEqual(input, [
      '*filter', ':neutron-meter-FORWARD - [0:0]', ':neutron-meter-r-0123456789ab - [0:0]', ':neutron-meter-l-0123456789ab - [0:0]',
      '-I FORWARD 1 -j neutron-meter-FORWARD',
      '-A neutron-meter-FORWARD -j neutron-meter-r-0123456789ab', '-A neutron-meter-l-0123456789ab',
      '-A neutron-meter-r-0123456789ab -d 203.0.113.5/32 -i qg-1 -j RETURN',
      '-A neutron-meter-r-0123456789ab -d 203.0.113.0/24 -o qg-1 -j neutron-meter-l-0123456789ab',
      'COMMIT', '',
    ]);
  });

  test('a label chain already there is kept; chains of labels gone are deleted', () => {
    const input = meteringRestoreInput({ device: 'qg-1', existing: ['neutron-meter-l-0123456789ab', 'neutron-meter-l-ffffffffffff'], hasTopJump: true, labels: [{ id: LABEL, rules: [] }] }).split('\n');
    assert.ok(!input.includes(':neutron-meter-l-0123456789ab - [0:0]') && !input.includes('-A neutron-meter-l-0123456789ab'));
    assert.ok(!input.some((l) => l.startsWith('-I FORWARD')));
    assert.deepEqual(input.slice(-5), ['-A neutron-meter-FORWARD -j neutron-meter-r-0123456789ab', '-X neutron-meter-r-ffffffffffff', '-X neutron-meter-l-ffffffffffff', 'COMMIT', '']);
    assert.ok(input.includes(':neutron-meter-l-ffffffffffff - [0:0]') && input.includes(':neutron-meter-r-ffffffffffff - [0:0]'));
  });

  test('label chains of iptables-save, counters of iptables -L -v -x', () => {
    assert.deepEqual(labelChainsIn('*filter\n:FORWARD ACCEPT [0:0]\n:neutron-meter-FORWARD - [0:0]\n:neutron-meter-l-abc - [0:0]\n:neutron-meter-r-abc - [0:0]\n'), ['neutron-meter-l-abc']);
    const listing = 'Chain neutron-meter-l-abc (1 references)\n    pkts      bytes target     prot opt in     out     source               destination\n       5     5140            0    --  *      *       0.0.0.0/0            0.0.0.0/0\nZeroing chain `neutron-meter-l-abc\'\n';
    assert.deepEqual(parseCounters(listing), { pkts: 5, bytes: 5140 });
  });
});
