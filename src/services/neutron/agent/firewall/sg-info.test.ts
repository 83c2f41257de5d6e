/**
 * security_group_info_for_devices' answer as firewall input: prefixes by direction, member
 * IPs without MACs (and address groups' addresses alike), ports with their bridge; syncFirewall sets rules and members before the
 * ports, prepares new ports, updates known ones, all in one deferred apply.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecurityGroupInfo } from '../../rpc/securitygroups.js';
import { firewallInputs, syncFirewall } from './sg-info.js';
import type { FirewallDriver, FirewallPort } from './types.js';

const device = {
  id: 'port-1', device: 'tapport-1', network_id: 'net-1', mac_address: 'fa:16:3e:00:00:01', fixed_ips: ['10.0.0.5'],
  allowed_address_pairs: [{ ip_address: '10.0.0.50', mac_address: 'fa:16:3e:00:00:01' }], port_security_enabled: true, security_groups: ['sg-1'],
  security_group_rules: [], security_group_source_groups: ['sg-2'],
} as unknown as SecurityGroupInfo['devices'][string];

const info: SecurityGroupInfo = {
  devices: { 'port-1': device },
  security_groups: {
    'sg-1': [
      { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, source_ip_prefix: '192.168.0.0/16', stateful: true },
      { direction: 'egress', ethertype: 'IPv4', dest_ip_prefix: '0.0.0.0/0', stateful: true },
      { direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_group_id: 'sg-2', stateful: true },
      { direction: 'ingress', ethertype: 'IPv4', protocol: 'udp', remote_address_group_id: 'ag-1', stateful: true },
    ],
  },
  sg_member_ips: { 'sg-2': { IPv4: [['10.0.0.7', 'fa:16:3e:00:00:07']] }, 'ag-1': { IPv4: [['198.51.100.0/24', null]] } },
};

test('the RPC answer as firewall input', () => {
  const inputs = firewallInputs(info, (net) => (net === 'net-1' ? 'brqnet-1' : undefined));
  assert.deepEqual(inputs.rules.get('sg-1'), [
    { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '192.168.0.0/16' },
    { direction: 'egress', ethertype: 'IPv4', remote_ip_prefix: '0.0.0.0/0' },
    { direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_group_id: 'sg-2' },
    { direction: 'ingress', ethertype: 'IPv4', protocol: 'udp', remote_address_group_id: 'ag-1' },
  ]);
  assert.deepEqual(inputs.members.get('sg-2'), { IPv4: ['10.0.0.7'] });
  assert.deepEqual(inputs.members.get('ag-1'), { IPv4: ['198.51.100.0/24'] }, 'an address group\'s addresses');
  assert.deepEqual(inputs.ports, [{
    id: 'port-1', device: 'tapport-1', mac_address: 'fa:16:3e:00:00:01', fixed_ips: ['10.0.0.5'],
    allowed_address_pairs: [{ ip_address: '10.0.0.50', mac_address: 'fa:16:3e:00:00:01' }], port_security_enabled: true,
    security_groups: ['sg-1'], network_id: 'net-1', bridge: 'brqnet-1',
  }]);
});

test('a stateless group\'s rules say so (stateful: false); stateful ones leave it unset', () => {
  const stateless: SecurityGroupInfo = { ...info, security_groups: { 'sg-3': [{ direction: 'egress', ethertype: 'IPv4', stateful: false }] } };
  assert.deepEqual(firewallInputs(stateless).rules.get('sg-3'), [{ direction: 'egress', ethertype: 'IPv4', stateful: false }]);
});

test('syncFirewall: groups before ports, prepare or update, one deferred batch', async () => {
  const calls: string[] = [];
  const known = new Map<string, FirewallPort>([['tapold', { ...firewallInputs(info).ports[0]!, device: 'tapold' }]]);
  const fw: FirewallDriver = {
    ports: known,
    preparePortFilter: async (p) => { calls.push(`prepare ${p.device}`); },
    updatePortFilter: async (p) => { calls.push(`update ${p.device}`); },
    removePortFilter: async (d) => { calls.push(`remove ${d}`); },
    updateSecurityGroupRules: async (id) => { calls.push(`rules ${id}`); },
    updateSecurityGroupMembers: async (id) => { calls.push(`members ${id}`); },
    deferApply: async (fn) => { calls.push('defer'); const r = await fn(); calls.push('apply'); return r; },
    destroy: async () => {},
  };
  const inputs = firewallInputs(info);
  inputs.ports.push({ ...inputs.ports[0]!, device: 'tapold' });
  await syncFirewall(fw, inputs);
  assert.deepEqual(calls, ['defer', 'rules sg-1', 'members sg-2', 'members ag-1', 'prepare tapport-1', 'update tapold', 'apply']);
});
