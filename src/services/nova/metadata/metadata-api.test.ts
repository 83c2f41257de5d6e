/**
 * The metadata API against booted servers: requests signed as Neutron's metadata proxy signs
 * them (400 without the headers, 403 on a bad signature, 404 for another project's instance),
 * the OpenStack tree (meta_data.json, network_data.json, vendor data, user_data, password
 * written once) and the EC2 tree (ids, addresses with the floating IP, keys, placement, block
 * device mapping, user-data); and, without the proxy, the instance found by its fixed IP.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { BootCloud } from '../testing/boot-cloud.js';
import { signInstanceId } from './handler.js';

const SECRET = 'metadata-sekrit';
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0test nubo@test';
const USER_DATA = '#!/bin/sh\necho hello\n';

interface Got {
  status: number;
  type: string;
  text: string;
}

async function get(c: BootCloud, path: string, headers: Record<string, string | string[]> = {}, method = 'GET', body?: string): Promise<Got> {
  const res = await request(`${c.cloud.url}/compute-metadata${path}`, { method: method as 'GET', headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text: await res.body.text() };
}

const signed = (instanceId: string, tenantId: string, secret = SECRET): Record<string, string> => ({
  'x-instance-id': instanceId, 'x-tenant-id': tenantId, 'x-instance-id-signature': signInstanceId(secret, instanceId),
});

async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('metadata API behind the Neutron metadata proxy', () => {
  let c: BootCloud;
  let server: any;
  let bare: any;
  let h: Record<string, string>;
  let vendor: Server;
  let staticFile = '';
  const vendorCalls: Array<{ headers: Record<string, unknown>; body: any }> = [];

  before(async () => {
    // a dynamic vendordata service on loopback, and a static vendordata file
    vendor = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        vendorCalls.push({ headers: req.headers, body: JSON.parse(body) });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ greeting: 'hello', project: JSON.parse(body)['project-id'] }));
      });
    });
    await new Promise<void>((ok) => vendor.listen(0, '127.0.0.1', ok));
    staticFile = join(tmpdir(), `nubo-vendordata-${process.pid}.json`);
    writeFileSync(staticFile, JSON.stringify({ site: 'lab' }));
    c = await BootCloud.start({
      'api.vendordata_providers': 'StaticJSON,DynamicJSON', 'api.vendordata_jsonfile_path': staticFile,
      'api.vendordata_dynamic_targets': `mine@http://127.0.0.1:${(vendor.address() as AddressInfo).port}/vd,nameless,down@http://127.0.0.1:1/vd`,
      'neutron.service_metadata_proxy': 'true', 'neutron.metadata_proxy_shared_secret': SECRET,
      'default_networks.create_public_network': 'true', 'default_networks.create_private_network': 'true', 'default_networks.create_router': 'true',
    });
    const admin = (await c.call('GET', '/identity/v3/users?name=admin')).body.users[0].id;
    await c.repos.db.insertInto('key_pairs').values({
      name: 'mykey', user_id: admin, fingerprint: 'aa:bb', public_key: PUBLIC_KEY, type: 'ssh', created_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), updated_at: null,
    }).execute();
    const boot = await c.boot({ name: 'meta-vm', key_name: 'mykey', metadata: { role: 'web' }, user_data: Buffer.from(USER_DATA).toString('base64') });
    assert.equal(boot.status, 202, JSON.stringify(boot.body));
    server = await c.waitFor(boot.body.server.id, ['ACTIVE']);
    // a network without DHCP: the guest gets a static configuration
    const net = (await c.call('POST', '/network/v2.0/networks', { network: { name: 'static-net' } })).body.network;
    const sub = await c.call('POST', '/network/v2.0/subnets', { subnet: {
      network_id: net.id, cidr: '10.9.9.0/24', ip_version: 4, enable_dhcp: false, dns_nameservers: ['10.9.9.53'],
      host_routes: [{ destination: '192.168.7.0/24', nexthop: '10.9.9.254' }],
    } });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    const boot2 = await c.boot({ name: 'bare-vm', networks: [{ uuid: net.id }] });
    bare = await c.waitFor(boot2.body.server.id, ['ACTIVE']);
    h = signed(server.id, server.tenant_id);
  });
  after(async () => {
    await c?.close();
    vendor?.close();
    if (staticFile) rmSync(staticFile, { force: true });
  });

  test('the root lists the EC2 versions without any header', async () => {
    const r = await get(c, '/');
    assert.equal(r.status, 200);
    assert.equal(r.text.split('\n').at(-1), 'latest');
    assert.equal(r.text.split('\n')[0], '1.0');
  });

  test('missing or repeated headers are 400, a bad signature 403, another project 404', async () => {
    const none = await get(c, '/openstack/latest/meta_data.json');
    assert.equal(none.status, 400);
    assert.match(none.text, /X-Instance-ID header is missing from request\./);
    const { 'x-instance-id-signature': _s, ...unsigned } = h;
    assert.match((await get(c, '/openstack', unsigned)).text, /X-Instance-ID-Signature header is missing/);
    const { 'x-tenant-id': _t, ...noTenant } = h;
    assert.match((await get(c, '/openstack', noTenant)).text, /X-Tenant-ID header is missing/);
    const twice = await get(c, '/openstack', { ...h, 'x-instance-id': [server.id, server.id] });
    assert.equal(twice.status, 400);
    assert.match(twice.text, /Multiple X-Instance-ID headers/);
    const bad = await get(c, '/openstack', signed(server.id, server.tenant_id, 'wrong-secret'));
    assert.equal(bad.status, 403);
    assert.match(bad.text, /Invalid proxy request signature\./);
    assert.equal((await get(c, '/openstack', { ...h, 'x-instance-id-signature': '' })).status, 403);
    assert.equal((await get(c, '/openstack', signed(server.id, 'someone-else'))).status, 404);
    assert.equal((await get(c, '/openstack', signed('4f0b0b7e-0000-4000-8000-000000000000', server.tenant_id))).status, 404);
  });

  test('OpenStack tree: versions, listing, meta_data.json', async () => {
    const versions = await get(c, '/openstack', h);
    assert.deepEqual(versions.text.split('\n'), ['2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30', '2016-10-06', '2017-02-22', '2018-08-27', '2020-10-14', 'latest']);
    assert.deepEqual((await get(c, '/openstack/latest', h)).text.split('\n'),
      ['meta_data.json', 'user_data', 'password', 'vendor_data.json', 'network_data.json', 'vendor_data2.json']);
    assert.deepEqual((await get(c, '/openstack/latest/', signed(bare.id, bare.tenant_id))).text.split('\n'),
      ['meta_data.json', 'password', 'vendor_data.json', 'network_data.json', 'vendor_data2.json']);
    assert.equal((await get(c, '/openstack/2012-08-10', h)).text, 'meta_data.json\nuser_data');
    assert.equal((await get(c, '/openstack/2011-01-01/meta_data.json', h)).status, 404);
    assert.equal((await get(c, '/openstack/latest/nosuch', h)).status, 404);
    const md = await get(c, '/openstack/latest/meta_data.json', h);
    assert.equal(md.status, 200);
    assert.match(md.type, /^application\/json/);
    const m = JSON.parse(md.text);
    assert.equal(m.uuid, server.id);
    assert.equal(m.name, 'meta-vm');
    assert.equal(m.hostname, 'meta-vm.novalocal');
    assert.equal(m.launch_index, 0);
    assert.equal(m.availability_zone, 'nova');
    assert.equal(m.project_id, server.tenant_id);
    assert.deepEqual(m.meta, { role: 'web' });
    assert.deepEqual(m.public_keys, { mykey: PUBLIC_KEY });
    assert.deepEqual(m.keys, [{ name: 'mykey', type: 'ssh', data: PUBLIC_KEY }]);
    assert.deepEqual(m.devices, []);
    assert.deepEqual(m.dedicated_cpus, []);
    assert.equal(Buffer.from(m.random_seed, 'base64').length, 512);
    const old = JSON.parse((await get(c, '/openstack/2012-08-10/meta_data.json', h)).text);
    assert.deepEqual(Object.keys(old).sort(), ['availability_zone', 'hostname', 'keys', 'launch_index', 'meta', 'name', 'public_keys', 'uuid']);
  });

  test('network_data.json, vendor data and user data', async () => {
    const [port] = await c.ports(server.id);
    // DHCP on the subnet: the guest is told to use it, and the link has no MTU of its own
    const nd = JSON.parse((await get(c, '/openstack/latest/network_data.json', h)).text);
    assert.deepEqual(nd, {
      links: [{ id: `tap${port.id.slice(0, 11)}`, vif_id: port.id, type: 'tap', mtu: null, ethernet_mac_address: port.mac_address }],
      networks: [{ id: 'network0', type: 'ipv4_dhcp', link: `tap${port.id.slice(0, 11)}`, network_id: port.network_id }],
      services: [],
    });
    const [bport] = await c.ports(bare.id);
    const sd = JSON.parse((await get(c, '/openstack/latest/network_data.json', signed(bare.id, bare.tenant_id))).text);
    assert.deepEqual(sd.links, [{ id: `tap${bport.id.slice(0, 11)}`, vif_id: bport.id, type: 'tap', mtu: 1450, ethernet_mac_address: bport.mac_address }]);
    assert.deepEqual(sd.networks, [{
      id: 'network0', type: 'ipv4', link: `tap${bport.id.slice(0, 11)}`, ip_address: bport.fixed_ips[0].ip_address, netmask: '255.255.255.0',
      routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.9.9.1' }, { network: '192.168.7.0', netmask: '255.255.255.0', gateway: '10.9.9.254' }],
      network_id: bport.network_id, services: [{ type: 'dns', address: '10.9.9.53' }],
    }]);
    assert.deepEqual(sd.services, [{ type: 'dns', address: '10.9.9.53' }]);
    assert.deepEqual(JSON.parse((await get(c, '/openstack/latest/vendor_data.json', h)).text), { site: 'lab' });
    // static, then each dynamic target under its name; a target that fails is {} (not fatal), one without a name is skipped
    assert.deepEqual(JSON.parse((await get(c, '/openstack/latest/vendor_data2.json', h)).text), {
      static: { site: 'lab' }, mine: { greeting: 'hello', project: server.tenant_id }, down: {},
    });
    const call = vendorCalls.at(-1)!;
    assert.equal(call.body['instance-id'], server.id);
    assert.equal(call.body.hostname, 'meta-vm');
    assert.deepEqual(call.body.metadata, { role: 'web' });
    assert.equal(call.headers['user-agent'], 'openstack-nova-vendordata');
    assert.equal(typeof call.headers['x-auth-token'], 'string');
    assert.equal((await get(c, '/openstack/2013-04-04/vendor_data.json', h)).status, 404);
    assert.equal((await get(c, '/openstack/latest/user_data', h)).text, USER_DATA);
    assert.equal((await get(c, '/latest/user-data', h)).text, USER_DATA);
    assert.equal((await get(c, '/2009-04-04/user-data', h)).text, USER_DATA);
    const b = signed(bare.id, bare.tenant_id);
    assert.equal((await get(c, '/openstack/latest/user_data', b)).status, 404);
    assert.equal((await get(c, '/latest/user-data', b)).status, 404);
  });

  test('EC2 tree: listing, ids, addresses, keys, placement, block devices', async () => {
    const [port] = await c.ports(server.id);
    const fixed = port.fixed_ips[0].ip_address;
    const list = (await get(c, '/latest/meta-data/', h)).text.split('\n');
    for (const k of ['ami-id', 'ami-launch-index', 'block-device-mapping/', 'hostname', 'instance-id', 'instance-type', 'local-ipv4', 'placement/', 'public-ipv4', 'public-keys/', 'reservation-id', 'security-groups']) {
      assert.ok(list.includes(k), `${k} in ${list.join(',')}`);
    }
    assert.deepEqual(list, [...list].sort());
    assert.deepEqual((await get(c, '/latest', h)).text.split('\n'), ['meta-data/', 'user-data']);
    assert.deepEqual((await get(c, '/ec2/latest', signed(bare.id, bare.tenant_id))).text.split('\n'), ['meta-data/']);
    const ami = (await get(c, '/latest/meta-data/ami-id', h)).text;
    assert.match(ami, /^ami-[0-9a-f]{8}$/);
    assert.equal((await get(c, '/latest/meta-data/ami-id', signed(bare.id, bare.tenant_id))).text, ami, 'one image, one EC2 id');
    assert.match((await get(c, '/latest/meta-data/instance-id', h)).text, /^i-[0-9a-f]{8}$/);
    assert.equal((await get(c, '/latest/meta-data/local-ipv4', h)).text, fixed);
    assert.equal((await get(c, '/latest/meta-data/public-ipv4', h)).text, '');
    assert.equal((await get(c, '/latest/meta-data/hostname', h)).text, 'meta-vm.novalocal');
    assert.equal((await get(c, '/latest/meta-data/instance-type', h)).text, 'm1.tiny');
    assert.equal((await get(c, '/latest/meta-data/placement/availability-zone', h)).text, 'nova');
    assert.equal((await get(c, '/latest/meta-data/public-keys', h)).text, '0=mykey');
    assert.equal((await get(c, '/latest/meta-data/public-keys/0', h)).text, 'openssh-key');
    assert.equal((await get(c, '/latest/meta-data/public-keys/0/openssh-key', h)).text, PUBLIC_KEY);
    assert.equal((await get(c, '/latest/meta-data/security-groups', h)).text, 'default');
    const bdm = (await get(c, '/latest/meta-data/block-device-mapping/', h)).text.split('\n');
    assert.ok(bdm.includes('ami') && bdm.includes('root'), bdm.join(','));
    assert.equal((await get(c, '/latest/meta-data/nosuch', h)).status, 404);
    assert.equal((await get(c, '/2006-01-01/meta-data/', h)).status, 404);
    // EC2 versions gate items: 1.0 has no public-ipv4, placement or block-device-mapping
    const v1 = (await get(c, '/1.0/meta-data/', h)).text.split('\n');
    assert.ok(!v1.includes('public-ipv4') && !v1.includes('placement/') && !v1.includes('block-device-mapping/'));
  });

  test('public-ipv4 is the floating IP once it is associated', async () => {
    const [port] = await c.ports(server.id);
    const [pub] = (await c.call('GET', '/network/v2.0/networks?name=public')).body.networks;
    const fip = await c.call('POST', '/network/v2.0/floatingips', { floatingip: { floating_network_id: pub.id, port_id: port.id } });
    assert.equal(fip.status, 201, JSON.stringify(fip.body));
    const address = fip.body.floatingip.floating_ip_address;
    await until(async () => ((await get(c, '/latest/meta-data/public-ipv4', h)).text === address ? true : undefined), 'public-ipv4');
  });

  test('password: empty, written once by POST, then 409; at most 1020 bytes', async () => {
    assert.equal((await get(c, '/openstack/latest/password', h)).text, '');
    const b = signed(bare.id, bare.tenant_id);
    const tooBig = await get(c, '/openstack/latest/password', b, 'POST', 'x'.repeat(1021));
    assert.equal(tooBig.status, 400);
    assert.match(tooBig.text, /Request is too large\./);
    const pw = 'p'.repeat(300);
    const posted = await get(c, '/openstack/latest/password', { ...h, 'content-type': 'application/x-www-form-urlencoded' }, 'POST', pw);
    assert.equal(posted.status, 200);
    assert.equal((await get(c, '/openstack/latest/password', h)).text, pw);
    const sys = await c.repos.db.selectFrom('instance_system_metadata').select(['key', 'value']).where('instance_uuid', '=', server.id)
      .where('key', 'like', 'password_%').orderBy('key').execute();
    assert.deepEqual(sys.map((r) => [r.key, r.value!.length]), [['password_0', 255], ['password_1', 45], ['password_2', 0], ['password_3', 0]]);
    assert.equal((await get(c, '/openstack/latest/password', h, 'POST', 'again')).status, 409);
    assert.equal((await get(c, '/openstack/2012-08-10/password', h)).status, 404);
  });
});

describe('metadata API without the proxy: the instance by its address', () => {
  let c: BootCloud;
  let server: any;
  before(async () => {
    c = await BootCloud.start({ 'api.use_forwarded_for': 'true' });
    const boot = await c.boot({ name: 'by-ip' });
    server = await c.waitFor(boot.body.server.id, ['ACTIVE']);
  });
  after(async () => c?.close());

  test('X-Forwarded-For names the fixed IP (use_forwarded_for); an unknown address is 404', async () => {
    const [port] = await c.ports(server.id);
    const fixed = port.fixed_ips[0].ip_address;
    const r = await get(c, '/latest/meta-data/local-ipv4', { 'x-forwarded-for': fixed });
    assert.equal(r.status, 200);
    assert.equal(r.text, fixed);
    assert.equal(JSON.parse((await get(c, '/openstack/latest/meta_data.json', { 'x-forwarded-for': fixed })).text).uuid, server.id);
    assert.equal((await get(c, '/latest/meta-data/', { 'x-forwarded-for': '192.0.2.77' })).status, 404);
    // the request's own address (127.0.0.1) holds no instance; signed headers mean nothing here
    assert.equal((await get(c, '/latest/meta-data/', signed(server.id, server.tenant_id))).status, 404);
  });
});
