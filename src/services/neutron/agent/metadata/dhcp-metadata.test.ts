/**
 * Isolated-network metadata without the kernel: which networks need the DHCP namespace's proxy
 * (an IPv4 DHCP subnet no router serves), and dnsmasq's route to 169.254.169.254 through the
 * DHCP port for exactly those subnets when enable_isolated_metadata is on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NetworkInfo } from '../../rpc/payloads.js';
import type { Port } from '../../types/port.js';
import type { Subnet } from '../../types/subnet.js';
import { optsFile } from '../dhcp/dnsmasq-config.js';
import { IsolatedMetadataProxies } from './dhcp-metadata.js';

const subnet = (id: string, cidr: string, gateway: string): Subnet => ({
  id, name: '', network_id: 'net1', ip_version: 4, subnetpool_id: null, cidr, gateway_ip: gateway, allocation_pools: [], dns_nameservers: [], host_routes: [],
  enable_dhcp: true, ipv6_ra_mode: null, ipv6_address_mode: null, service_types: [], segment_id: null, shared: false,
} as unknown as Subnet);
const port = (id: string, owner: string, subnetId: string, ip: string): Port => ({
  id, network_id: 'net1', mac_address: 'fa:16:3e:00:00:01', fixed_ips: [{ subnet_id: subnetId, ip_address: ip }], device_owner: owner, extra_dhcp_opts: [], dns_assignment: [],
} as unknown as Port);
const network = (subnets: Subnet[], ports: Port[]): NetworkInfo => ({ id: 'net1', mtu: 1450, subnets, non_local_subnets: [], ports } as unknown as NetworkInfo);

const a = subnet('a', '10.1.0.0/24', '10.1.0.1');
const b = subnet('b', '10.2.0.0/24', '10.2.0.1');
const dhcp = { ...port('dhcp', 'network:dhcp', 'a', '10.1.0.2'), fixed_ips: [{ subnet_id: 'a', ip_address: '10.1.0.2' }, { subnet_id: 'b', ip_address: '10.2.0.2' }] } as Port;
const routerOnA = port('r', 'network:router_interface', 'a', '10.1.0.1');

describe('isolated-network metadata', () => {
  test('a network needs the proxy while one of its IPv4 DHCP subnets has no router', () => {
    assert.equal(IsolatedMetadataProxies.isolated(network([a], [dhcp])), true);
    assert.equal(IsolatedMetadataProxies.isolated(network([a], [dhcp, routerOnA])), false);
    assert.equal(IsolatedMetadataProxies.isolated(network([a, b], [dhcp, routerOnA])), true);
  });

  test('dnsmasq routes 169.254.169.254 through the DHCP port on isolated subnets only, and only when enabled', () => {
    const net = network([a, b], [dhcp, routerOnA]);
    const on = optsFile(net, dhcp, true);
    assert.match(on, /tag:subnet-a,option:classless-static-route,[^\n]*169\.254\.169\.254\/32,10\.1\.0\.1/, 'the routed subnet: through its router');
    assert.match(on, /tag:subnet-b,option:classless-static-route,[^\n]*169\.254\.169\.254\/32,10\.2\.0\.2/, 'the isolated subnet: through the DHCP port');
    assert.doesNotMatch(optsFile(net, dhcp, false), /169\.254\.169\.254\/32,10\.2\.0\.2/);
  });
});
