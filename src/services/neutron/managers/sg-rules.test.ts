import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  InvalidCIDR, SecurityGroupEthertypeConflictWithProtocol, SecurityGroupInvalidIcmpValue, SecurityGroupInvalidPortRange,
  SecurityGroupInvalidPortValue, SecurityGroupInvalidProtocolForPort, SecurityGroupMissingIcmpType, SecurityGroupMultipleRemoteEntites,
  SecurityGroupProtocolRequiredWithPorts, SecurityGroupRuleInvalidEtherType, SecurityGroupRuleInvalidProtocol, SecurityGroupRuleParameterConflict,
} from '../errors.js';
import { convertEthertype, convertIpPrefix, convertPortValue, convertProtocol, normalizedCidr, ruleKey, type RuleValues, validateRule } from './sg-rules.js';

const rule = (over: Partial<RuleValues>): RuleValues => ({
  security_group_id: 'sg', direction: 'ingress', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null,
  remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null, ...over,
});

describe('security group rule values', () => {
  test('protocols by name or number', () => {
    assert.equal(convertProtocol('TCP'), 'tcp');
    assert.equal(convertProtocol(6), '6');
    assert.equal(convertProtocol('17'), '17');
    assert.equal(convertProtocol('any'), null);
    assert.equal(convertProtocol(null), null);
    assert.throws(() => convertProtocol('bogus'), SecurityGroupRuleInvalidProtocol);
    assert.throws(() => convertProtocol(256), SecurityGroupRuleInvalidProtocol);
  });

  test('ethertypes, ports and prefixes', () => {
    assert.equal(convertEthertype('ipv6'), 'IPv6');
    assert.throws(() => convertEthertype('IPv5'), SecurityGroupRuleInvalidEtherType);
    assert.equal(convertPortValue('22'), 22);
    assert.throws(() => convertPortValue(70000), SecurityGroupInvalidPortValue);
    assert.throws(() => convertPortValue('x'), SecurityGroupInvalidPortValue);
    assert.equal(convertIpPrefix('10.0.0.5'), '10.0.0.5/32');
    assert.equal(convertIpPrefix('10.0.0.5/24'), '10.0.0.5/24');
    assert.equal(normalizedCidr('10.0.0.5/24'), '10.0.0.0/24');
    assert.throws(() => convertIpPrefix('10.0.0.300/24'), InvalidCIDR);
  });
});

describe('security group rule validation', () => {
  test('TCP/UDP port ranges', () => {
    validateRule(rule({ protocol: 'tcp', port_range_min: 22, port_range_max: 22 }));
    assert.throws(() => validateRule(rule({ protocol: 'tcp', port_range_min: 30, port_range_max: 20 })), SecurityGroupInvalidPortRange);
    assert.throws(() => validateRule(rule({ protocol: 'udp', port_range_min: 0, port_range_max: 20 })), SecurityGroupInvalidPortValue);
    assert.throws(() => validateRule(rule({ protocol: 'tcp', port_range_min: 22, port_range_max: null })), SecurityGroupInvalidPortRange);
    assert.throws(() => validateRule(rule({ port_range_min: 22, port_range_max: 22 })), SecurityGroupProtocolRequiredWithPorts);
    assert.throws(() => validateRule(rule({ protocol: 'gre', port_range_min: 1, port_range_max: 2 })), SecurityGroupInvalidProtocolForPort);
  });

  test('the full range becomes no range', () => {
    const r = rule({ protocol: 'tcp', port_range_min: 1, port_range_max: 65535 });
    validateRule(r);
    assert.equal(r.port_range_min, null);
    assert.equal(r.port_range_max, null);
  });

  test('ICMP type and code', () => {
    validateRule(rule({ protocol: 'icmp', port_range_min: 8, port_range_max: 0 }));
    assert.throws(() => validateRule(rule({ protocol: 'icmp', port_range_min: 256, port_range_max: null })), SecurityGroupInvalidIcmpValue);
    assert.throws(() => validateRule(rule({ protocol: 'icmp', port_range_min: null, port_range_max: 3 })), SecurityGroupMissingIcmpType);
  });

  test('ethertype against prefix and protocol; one remote', () => {
    assert.throws(() => validateRule(rule({ remote_ip_prefix: '2001:db8::/64' })), SecurityGroupRuleParameterConflict);
    assert.throws(() => validateRule(rule({ protocol: 'ipv6-icmp' })), SecurityGroupEthertypeConflictWithProtocol);
    assert.throws(() => validateRule(rule({ remote_ip_prefix: '10.0.0.0/8', remote_group_id: 'sg2' })), SecurityGroupMultipleRemoteEntites);
    const legacy = rule({ ethertype: 'IPv6', protocol: 'icmp' });
    validateRule(legacy);
    assert.equal(legacy.protocol, 'ipv6-icmp');
  });

  test('duplicate keys treat names and numbers alike, and 0.0.0.0/0 as no prefix', () => {
    assert.equal(ruleKey(rule({ protocol: 'tcp' })), ruleKey(rule({ protocol: '6' })));
    assert.equal(ruleKey(rule({ remote_ip_prefix: '0.0.0.0/0' })), ruleKey(rule({})));
    assert.notEqual(ruleKey(rule({ protocol: 'tcp' })), ruleKey(rule({ protocol: 'udp' })));
  });
});
