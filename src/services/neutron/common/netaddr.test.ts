import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eui64Address, isValidPortMac, normalizeMac, randomMac } from './mac.js';
import { cidrExclude, cidrMerge, cidrToString, defaultPools, formatIp, parseCidr, parseIp } from './netaddr.js';

describe('netaddr', () => {
  test('parses and formats addresses', () => {
    assert.equal(formatIp(4, parseIp('10.0.0.1')!.value), '10.0.0.1');
    assert.equal(formatIp(6, parseIp('2001:DB8:0:0::1')!.value), '2001:db8::1');
    assert.equal(parseIp('10.0.0.01'), undefined);
    assert.equal(parseIp('10.0.0.256'), undefined);
    assert.equal(parseIp('nope'), undefined);
  });

  test('default pools skip network, broadcast and gateway', () => {
    const pools = defaultPools(parseCidr('10.0.0.0/24')!, parseIp('10.0.0.1'));
    assert.deepEqual(pools.map((p) => [formatIp(4, p.first), formatIp(4, p.last)]), [['10.0.0.2', '10.0.0.254']]);
    const mid = defaultPools(parseCidr('10.0.0.0/24')!, parseIp('10.0.0.100'));
    assert.deepEqual(mid.map((p) => [formatIp(4, p.first), formatIp(4, p.last)]), [['10.0.0.1', '10.0.0.99'], ['10.0.0.101', '10.0.0.254']]);
    const v6 = defaultPools(parseCidr('2001:db8::/64')!, parseIp('2001:db8::1'));
    assert.equal(formatIp(6, v6[0]!.first), '2001:db8::2');
    assert.equal(formatIp(6, v6[0]!.last), '2001:db8::ffff:ffff:ffff:ffff');
    const p31 = defaultPools(parseCidr('10.0.0.0/31')!, undefined);
    assert.deepEqual(p31.map((p) => [formatIp(4, p.first), formatIp(4, p.last)]), [['10.0.0.0', '10.0.0.1']]);
  });

  test('merges and excludes prefixes', () => {
    assert.deepEqual(cidrMerge([parseCidr('10.0.0.0/25')!, parseCidr('10.0.0.128/25')!]).map(cidrToString), ['10.0.0.0/24']);
    assert.deepEqual(cidrExclude(parseCidr('10.0.0.0/24')!, [parseCidr('10.0.0.0/26')!]).map(cidrToString), ['10.0.0.64/26', '10.0.0.128/25']);
  });
});

describe('MAC addresses', () => {
  test('normalises and validates', () => {
    assert.equal(normalizeMac('FA-16-3E-00-00-01'), 'fa:16:3e:00:00:01');
    assert.equal(isValidPortMac('00:00:00:00:00:00'), false);
    assert.equal(isValidPortMac('ff:ff:ff:ff:ff:ff'), false);
    assert.equal(isValidPortMac('fa:16:3e:12:34:56'), true);
  });

  test('random MACs keep the base_mac prefix', () => {
    for (let i = 0; i < 20; i++) assert.match(randomMac('fa:16:3e:00:00:00'), /^fa:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    assert.match(randomMac('fa:16:3e:4f:00:00'), /^fa:16:3e:4f:[0-9a-f]{2}:[0-9a-f]{2}$/);
  });

  test('SLAAC addresses are the prefix plus the modified EUI-64 of the MAC', () => {
    // RFC 4291 example style: 00:11:22:33:44:55 -> 0211:22ff:fe33:4455
    assert.equal(eui64Address(parseCidr('2001:db8::/64')!, '00:11:22:33:44:55'), '2001:db8::211:22ff:fe33:4455');
    assert.equal(eui64Address(parseCidr('2001:db8:1:2::/64')!, 'fa:16:3e:aa:bb:cc'), '2001:db8:1:2:f816:3eff:feaa:bbcc');
  });
});
