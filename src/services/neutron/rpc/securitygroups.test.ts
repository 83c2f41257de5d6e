/**
 * security_group_info_for_devices over the bus (q-plugin, RPC 1.3): the devices by tap name,
 * their groups' rules with the remote prefix as source/dest_ip_prefix, the members of remote
 * groups as [ip, mac] (fixed IPs and allowed address pairs), trusted ports left out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RpcClient } from '../../../common/messaging/index.js';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';
import { TOPIC_PLUGIN } from './topics.js';

let h: Harness;
const A = tokenFor('sgrpc-a');

before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function post(path: string, kind: string, body: Record<string, unknown>, token = A) {
  const r = await h.request('POST', `/v2.0/${path}`, token, { [kind]: body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body[kind];
}

test('security_group_info_for_devices answers what the firewall needs', async () => {
  const net = await post('networks', 'network', { name: 'sgrpc' });
  await post('subnets', 'subnet', { network_id: net.id, cidr: '10.77.0.0/24', ip_version: 4 });
  const web = await post('security-groups', 'security_group', { name: 'web' });
  const peers = await post('security-groups', 'security_group', { name: 'peers' });
  await post('security-group-rules', 'security_group_rule', { security_group_id: web.id, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '192.168.1.7' });
  await post('security-group-rules', 'security_group_rule', { security_group_id: web.id, direction: 'ingress', protocol: 'icmp', remote_group_id: peers.id });
  const server = await post('ports', 'port', { network_id: net.id, security_groups: [web.id] });
  const peer = await post('ports', 'port', { network_id: net.id, security_groups: [peers.id], allowed_address_pairs: [{ ip_address: '10.77.0.200' }] });
  const dhcp = await post('ports', 'port', { network_id: net.id, device_owner: 'network:dhcp' }, ADMIN);

  const client = new RpcClient(h.transport, { topic: TOPIC_PLUGIN, version: '1.3' });
  const tap = (id: string) => `tap${id.slice(0, 11)}`;
  const info = await client.call({}, 'security_group_info_for_devices', { devices: [tap(server.id), tap(dhcp.id), 'tapnothere00'], call_version: '1.3' }) as {
    devices: Record<string, { device: string; fixed_ips: string[]; mac_address: string; security_groups: string[]; security_group_source_groups: string[]; port_security_enabled: boolean }>;
    security_groups: Record<string, Array<Record<string, unknown>>>;
    sg_member_ips: Record<string, Record<string, Array<[string, string]>>>;
  };
  assert.deepEqual(Object.keys(info.devices), [server.id], 'the DHCP port is trusted, the unknown device absent');
  const dev = info.devices[server.id]!;
  assert.equal(dev.device, tap(server.id));
  assert.deepEqual(dev.fixed_ips, [server.fixed_ips[0].ip_address]);
  assert.equal(dev.mac_address, server.mac_address);
  assert.deepEqual(dev.security_group_source_groups, [peers.id]);
  const rules = info.security_groups[web.id]!;
  assert.ok(rules.some((r) => r.direction === 'egress' && r.ethertype === 'IPv4' && !('dest_ip_prefix' in r)), 'the default egress rules');
  assert.ok(rules.some((r) => r.protocol === 'tcp' && r.port_range_min === 80 && r.source_ip_prefix === '192.168.1.7/32' && r.stateful === true));
  assert.ok(rules.some((r) => r.protocol === 'icmp' && r.remote_group_id === peers.id));
  const members = info.sg_member_ips[peers.id]!;
  assert.deepEqual(Object.keys(members), ['IPv4'], 'only the ethertypes rules name');
  assert.deepEqual(members.IPv4!.map(([ip]) => ip).sort(), [peer.fixed_ips[0].ip_address, '10.77.0.200'].sort());
  assert.ok(members.IPv4!.every(([, mac]) => mac === peer.mac_address));
});
