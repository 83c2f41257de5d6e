/**
 * dnsmasq's command line, hosts and options files for a network, compared with what
 * neutron/agent/linux/dhcp.py writes for the same network (its unit tests' formats).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NetworkInfo } from '../../rpc/payloads.js';
import type { Port } from '../../types/port.js';
import type { Subnet } from '../../types/subnet.js';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addnHostsFile, dnsmasqCommand, hostsFile, optsFile, servedSubnets } from './dnsmasq-config.js';
import { traversableByAll } from './dnsmasq.js';

const subnet = (over: Partial<Subnet>): Subnet => ({
  id: 'sub4', name: '', network_id: 'net1', ip_version: 4, subnetpool_id: null, cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1', allocation_pools: [],
  dns_nameservers: [], host_routes: [], enable_dhcp: true, ipv6_ra_mode: null, ipv6_address_mode: null, service_types: [], segment_id: null, shared: false,
  ...over,
} as Subnet);

const port = (over: Partial<Port>): Port => ({
  id: 'port1', network_id: 'net1', mac_address: 'fa:16:3e:00:00:01', fixed_ips: [{ subnet_id: 'sub4', ip_address: '10.0.0.3' }], device_owner: 'compute:nova',
  extra_dhcp_opts: [], dns_assignment: [], ...over,
} as Port);

const network = (subnets: Subnet[], ports: Port[]): NetworkInfo => ({ id: 'net1', mtu: 1450, subnets, non_local_subnets: [], ports } as unknown as NetworkInfo);

const files = { pid: '/d/pid', host: '/d/host', addnHosts: '/d/addn_hosts', opts: '/d/opts', leases: '/d/leases' };
const settings = { binary: 'dnsmasq', dnsServers: [], leaseDuration: 86400, leaseMax: 16777216, dnsDomain: 'openstacklocal' };

describe('dnsmasq configuration', () => {
  test('the command line: a static range per DHCP subnet with its tag, the MTU, the lease cap', () => {
    const net = network([subnet({}), subnet({ id: 'off', cidr: '10.1.0.0/24', enable_dhcp: false }), subnet({ id: 'v6', ip_version: 6, cidr: 'fd00::/64', gateway_ip: 'fd00::1' })], []);
    const cmd = dnsmasqCommand(net, files, settings);
    assert.equal(cmd[0], 'dnsmasq');
    assert.ok(cmd.includes('--dhcp-range=set:subnet-sub4,10.0.0.0,static,255.255.255.0,86400s'));
    assert.ok(cmd.includes('--dhcp-range=set:subnet-v6,fd00::,static,64,86400s'));
    assert.ok(!cmd.some((a) => a.includes('subnet-off')));
    assert.ok(cmd.includes('--dhcp-option-force=option:mtu,1450'));
    assert.ok(cmd.includes('--dhcp-lease-max=16777216'));
    assert.ok(cmd.includes('--dhcp-hostsfile=/d/host') && cmd.includes('--pid-file=/d/pid') && cmd.includes('--domain=openstacklocal'));
    assert.ok(!cmd.includes('--no-resolv'));
    const infinite = dnsmasqCommand(network([subnet({ cidr: '10.0.0.0/28' })], []), files, { ...settings, leaseDuration: -1, dnsServers: ['192.0.2.1'] });
    assert.ok(infinite.includes('--dhcp-range=set:subnet-sub4,10.0.0.0,static,255.255.255.240,infinite'));
    assert.ok(infinite.includes('--dhcp-lease-max=16') && infinite.includes('--no-resolv') && infinite.includes('--server=192.0.2.1'));
  });

  test('SLAAC subnets and IPv6 prefixes shorter than /64 are not served', () => {
    const served = servedSubnets(network([subnet({ id: 'slaac', ip_version: 6, cidr: 'fd01::/64', ipv6_address_mode: 'slaac' }), subnet({ id: 'short', ip_version: 6, cidr: 'fd02::/48' })], []));
    assert.deepEqual(served, []);
  });

  test('hosts file: mac,fqdn,ip per address on a DHCP subnet; tagged when the port has extra options', () => {
    const net = network([subnet({}), subnet({ id: 'v6', ip_version: 6, cidr: 'fd00::/64' })], [
      port({}),
      port({ id: 'port2', mac_address: 'fa:16:3e:00:00:02', fixed_ips: [{ subnet_id: 'sub4', ip_address: '10.0.0.4' }, { subnet_id: 'v6', ip_address: 'fd00::4' }],
        extra_dhcp_opts: [{ opt_name: 'bootfile-name', opt_value: 'pxelinux.0', ip_version: 4 }] }),
    ]);
    assert.equal(hostsFile(net, settings), [
      'fa:16:3e:00:00:01,host-10-0-0-3.openstacklocal.,10.0.0.3',
      'fa:16:3e:00:00:02,host-10-0-0-4.openstacklocal.,10.0.0.4,set:port-port2',
      'fa:16:3e:00:00:02,host-fd00--4.openstacklocal.,[fd00::4],set:port-port2',
      '',
    ].join('\n'));
    assert.match(addnHostsFile(net, settings), /^10\.0\.0\.3\thost-10-0-0-3\.openstacklocal\.\thost-10-0-0-3$/m);
  });

  test('options file: DNS servers, host routes with the default and metadata routes, the router, extra options', () => {
    const routerPort = port({ id: 'rtr', device_owner: 'network:router_interface', fixed_ips: [{ subnet_id: 'sub4', ip_address: '10.0.0.1' }] });
    const withOpts = port({ id: 'p2', extra_dhcp_opts: [{ opt_name: 'tftp-server', opt_value: '10.0.0.9', ip_version: 4 }, { opt_name: 'bootfile-name', opt_value: 'x', ip_version: 6 }] });
    const net = network([subnet({ dns_nameservers: ['192.0.2.53'], host_routes: [{ destination: '192.0.2.0/24', nexthop: '10.0.0.254' }] })], [routerPort, withOpts]);
    assert.equal(optsFile(net, undefined), [
      'tag:subnet-sub4,option:dns-server,192.0.2.53',
      'tag:subnet-sub4,option:classless-static-route,192.0.2.0/24,10.0.0.254,169.254.169.254/32,10.0.0.1,0.0.0.0/0,10.0.0.1',
      'tag:subnet-sub4,249,192.0.2.0/24,10.0.0.254,169.254.169.254/32,10.0.0.1,0.0.0.0/0,10.0.0.1',
      'tag:subnet-sub4,option:router,10.0.0.1',
      'tag:port-p2,option:tftp-server,10.0.0.9',
      '',
    ].join('\n'));
  });

  test('options file without nameservers names the DHCP port; an isolated subnet without a gateway announces no router', () => {
    const dhcp = port({ id: 'dhcp', device_owner: 'network:dhcp', fixed_ips: [{ subnet_id: 'sub4', ip_address: '10.0.0.2' }] });
    assert.equal(optsFile(network([subnet({ gateway_ip: null })], [dhcp]), dhcp), 'tag:subnet-sub4,option:dns-server,10.0.0.2\ntag:subnet-sub4,option:router\n');
    // a gateway that is no router's interface: no metadata route, no host routes at all
    assert.equal(optsFile(network([subnet({})], []), undefined), 'tag:subnet-sub4,option:router,10.0.0.1\n');
  });

  test('dnsmasq stays root (--user=root) where other users cannot reach its files', () => {
    const base = mkdtempSync(join(tmpdir(), 'nubo-dnsmasq-'));
    try {
      chmodSync(base, 0o700);
      assert.equal(traversableByAll(join(base, 'dhcp', 'host1')), false);
      chmodSync(base, 0o755);
      mkdirSync(join(base, 'dhcp'), { mode: 0o755 });
      assert.equal(traversableByAll(join(base, 'dhcp', 'host1')), true);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
    assert.ok(dnsmasqCommand(network([subnet({})], []), files, { ...settings, user: 'root' }).includes('--user=root'));
    assert.ok(!dnsmasqCommand(network([subnet({})], []), files, settings).some((a) => a.startsWith('--user')));
  });
});
