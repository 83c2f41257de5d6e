/**
 * radvd.conf for a router's internal ports, compared with what neutron/agent/linux/ra.py writes
 * for the same ports (the flags per ipv6_ra_mode, prefixes, MTU, RDNSS), and radvd itself
 * checking the file (`radvd --configtest`) where it is installed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RouterPortInfo } from '../../rpc/payloads.js';
import type { Subnet } from '../../types/subnet.js';
import { missingTool } from '../../testing/tools.js';
import { raPorts, radvdCommand, radvdConfig } from './radvd-config.js';

const subnet = (over: Partial<Subnet>): Subnet => ({
  id: 'sub6', name: '', network_id: 'net1', ip_version: 6, subnetpool_id: null, cidr: '2001:db8:1::/64', gateway_ip: '2001:db8:1::1', allocation_pools: [],
  dns_nameservers: [], host_routes: [], enable_dhcp: true, ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac', service_types: [], segment_id: null, shared: false,
  ...over,
} as Subnet);

const port = (id: string, subnets: Subnet[], mtu = 1450): RouterPortInfo => ({ id, subnets, mtu, fixed_ips: [] } as unknown as RouterPortInfo);
const dev = (id: string): string => `qr-${id}`;
const settings = { minInterval: 30, maxInterval: 100 };

/** The `interface` block of the device in the file. */
function block(conf: string, device: string): string {
  const start = conf.indexOf(`interface ${device}\n`);
  assert.ok(start >= 0, `no block for ${device} in:\n${conf}`);
  const end = conf.indexOf('\n};', start);
  return conf.slice(start, end + 3);
}

describe('radvd configuration', () => {
  test('slaac: autonomous prefix, no flags, the MTU, the intervals, RDNSS of at most 3 servers', () => {
    const conf = radvdConfig([port('a', [subnet({ dns_nameservers: ['2001:db8::53', '2001:db8::54', '2001:db8::55', '2001:db8::56'] })])], dev, settings);
    const b = block(conf, 'qr-a');
    assert.match(b, /AdvSendAdvert on;/);
    assert.match(b, /MinRtrAdvInterval 30;/);
    assert.match(b, /MaxRtrAdvInterval 100;/);
    assert.match(b, /AdvLinkMTU 1450;/);
    assert.match(b, /RDNSS 2001:db8::53 2001:db8::54 2001:db8::55 \{\};/);
    assert.match(b, /prefix 2001:db8:1::\/64\n\s*\{\n\s*AdvOnLink on;\n\s*AdvAutonomous on;\n\s*\};/);
    assert.doesNotMatch(b, /AdvOtherConfigFlag|AdvManagedFlag/);
  });

  test('dhcpv6-stateless: the Other-config flag, autonomous prefix, no RDNSS (DHCPv6 tells the servers)', () => {
    const b = block(radvdConfig([port('a', [subnet({ ipv6_ra_mode: 'dhcpv6-stateless', ipv6_address_mode: 'dhcpv6-stateless', dns_nameservers: ['2001:db8::53'] })])], dev, settings), 'qr-a');
    assert.match(b, /AdvOtherConfigFlag on;/);
    assert.doesNotMatch(b, /AdvManagedFlag|RDNSS/);
    assert.match(b, /AdvAutonomous on;/);
  });

  test('dhcpv6-stateful: the Managed flag, the prefix on-link but not autonomous', () => {
    const b = block(radvdConfig([port('a', [subnet({ ipv6_ra_mode: 'dhcpv6-stateful', ipv6_address_mode: 'dhcpv6-stateful' })])], dev, settings), 'qr-a');
    assert.match(b, /AdvManagedFlag on;/);
    assert.doesNotMatch(b, /AdvOtherConfigFlag/);
    assert.match(b, /AdvOnLink on;\n\s*AdvAutonomous off;/);
  });

  test('only ports with an IPv6 subnet that has an ipv6_ra_mode; no MTU under 1280; a block per port, a prefix per subnet', () => {
    const v4 = subnet({ id: 'sub4', ip_version: 4, cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1', ipv6_ra_mode: null, ipv6_address_mode: null });
    const noRa = subnet({ id: 'static6', cidr: '2001:db8:9::/64', ipv6_ra_mode: null, ipv6_address_mode: null });
    const ports = [port('v4', [v4]), port('static', [noRa]), port('a', [v4, subnet({}), subnet({ id: 'sub6b', cidr: '2001:db8:2::/64' }), noRa], 1200), port('b', [subnet({ id: 'c', cidr: 'fd00:1::/64' })])];
    assert.deepEqual(raPorts(ports).map((p) => p.id), ['a', 'b']);
    const conf = radvdConfig(ports, dev, settings);
    assert.doesNotMatch(conf, /qr-v4|qr-static|10\.0\.0\.0|2001:db8:9::/);
    const a = block(conf, 'qr-a');
    assert.doesNotMatch(a, /AdvLinkMTU/);
    assert.match(a, /prefix 2001:db8:1::\/64/);
    assert.match(a, /prefix 2001:db8:2::\/64/);
    assert.match(block(conf, 'qr-b'), /prefix fd00:1::\/64/);
    assert.equal(radvdConfig([port('v4', [v4]), port('static', [noRa])], dev, settings), '');
  });

  test('MinRtrAdvInterval kept within 0.75 × MaxRtrAdvInterval (radvd refuses more)', () => {
    assert.match(radvdConfig([port('a', [subnet({})])], dev, { minInterval: 30, maxInterval: 20 }), /MinRtrAdvInterval 15;/);
  });

  test('the command line: config, pid file, syslog, the user when one is set', () => {
    assert.deepEqual(radvdCommand('radvd', '/s/r1/radvd.conf', '/s/r1/radvd.pid', ''), ['radvd', '-C', '/s/r1/radvd.conf', '-p', '/s/r1/radvd.pid', '-m', 'syslog']);
    assert.deepEqual(radvdCommand('radvd', '/c', '/p', 'neutron').slice(-2), ['-u', 'neutron']);
  });

  test('radvd accepts the file', { skip: missingTool(['radvd']) }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'nubo-radvd-'));
    try {
      const file = join(dir, 'radvd.conf');
      writeFileSync(file, radvdConfig([
        port('a', [subnet({ dns_nameservers: ['2001:db8::53'] })]),
        port('b', [subnet({ id: 's', cidr: 'fd00:1::/64', ipv6_ra_mode: 'dhcpv6-stateless' }), subnet({ id: 't', cidr: 'fd00:2::/64', ipv6_ra_mode: 'dhcpv6-stateful' })], 9000),
      ], dev, settings), { mode: 0o444 });
      execFileSync('radvd', ['--configtest', '-C', file, '-m', 'stderr'], { stdio: ['ignore', 'pipe', 'pipe'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
