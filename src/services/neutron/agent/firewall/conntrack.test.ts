/**
 * The `conntrack -D` commands that cut connections after a rule, a group or a member goes
 * (as ip_conntrack.py builds them): per port IP of the rule's ethertype, in the port's zone,
 * the port as destination for ingress and as source for egress, the remote IP on the other side.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConntrackCleaner } from './conntrack.js';
import type { FirewallPort } from './types.js';

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
