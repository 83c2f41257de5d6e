/**
 * A real guest reached over SSH on its floating IP (root, network namespaces, QEMU, dnsmasq,
 * iptables, ssh and the guest image needed; skipped with the reason otherwise). One cloud in
 * this process with `compute_driver = qemu` (TCG) and the Linux data plane: the compute host
 * `gs<tag>` and its Linux bridge, DHCP, L3 and metadata agents share the host namespace
 * `gs<tag>-{host}` (Neutron's [data_plane] host_namespace and Nova's [qemu] host_namespace); "the
 * outside" is a namespace of its own on 203.0.113.0/24 whose veth is the flat external
 * network's physical interface. The guest image is in Glance with its kernel and initramfs
 * (a direct kernel boot). A router joins the tenant network to the external one; `server create`
 * with a keypair; the guest takes its address from dnsmasq (its udhcpc), its SSH key from the
 * metadata service through the router's metadata proxy and the metadata agent, and starts
 * dropbear; a floating IP on its port and a tcp/22 rule in its security group; then, from the
 * outside, `ssh -i key root@FIP` runs a command in the guest. The server's delete leaves no QEMU;
 * the test removes every namespace it made, also on failure.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BootCloud } from '../src/services/nova/testing/boot-cloud.js';
import { GuestCloud } from './support/guest-cloud.js';
import { kernelAndRamdisk } from '../src/services/nova/testing/guest-image.js';
import { dataPlaneGuest } from './support/data-plane-guest.js';

const { work, image } = dataPlaneGuest('nubo-guest-ssh-', ['dnsmasq', 'iptables-restore', 'conntrack', 'nft', 'ssh', 'mcopy']);

const g = new GuestCloud('gs', work);
const { tag } = g;
let b: BootCloud | undefined;

after(async () => {
  const left = await g.close();
  rmSync(work, { recursive: true, force: true });
  if (!image.skip) assert.deepEqual(left, [], 'every namespace the test made is gone');
});

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}


const ok = async (method: string, path: string, body?: unknown): Promise<any> => {
  const r = await b!.call(method, `/network${path}`, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

test('a QEMU guest on the real data plane: DHCP from dnsmasq, its key from the metadata service, SSH from the outside on its floating IP', {
  skip: image.skip ?? false, timeout: 600_000,
}, async (t) => {
  b = await g.start();

  // the guest image, booted by its kernel and initramfs (the image's kernel_id/ramdisk_id)
  const { kernel, ramdisk } = kernelAndRamdisk(image.path!, work);
  const kernelId = await b!.uploadImage('nubo-guest-kernel', kernel, { disk_format: 'aki', container_format: 'aki' });
  const ramdiskId = await b!.uploadImage('nubo-guest-ramdisk', ramdisk, { disk_format: 'ari', container_format: 'ari' });
  const imageId = await b!.uploadImage('nubo-guest', image.path!, {
    disk_format: 'qcow2', container_format: 'bare', kernel_id: kernelId, ramdisk_id: ramdiskId, os_command_line: 'console=ttyS0 quiet',
  });

  // the external network on the outside, a router with its gateway there and an interface on the tenant subnet
  const ext = (await ok('POST', '/v2.0/networks', { network: { name: `ext-${tag}`, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
  g.made.networks.push(ext.id);
  await ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.100', end: '203.0.113.150' }] } });
  const router = (await ok('POST', '/v2.0/routers', { router: { name: `r-${tag}`, external_gateway_info: { network_id: ext.id } } })).router;
  g.made.routers.push(router.id);
  const subnet = (await ok('GET', `/v2.0/subnets?network_id=${b.networkId}`)).subnets[0];
  await ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });

  // the keypair (the private key as `openstack keypair create` prints it) and SSH allowed in the default security group
  const keypair = (await b.compute('POST', '/os-keypairs', { keypair: { name: `k-${tag}` } }, '2.1')).body.keypair;
  const keyFile = join(work, 'key');
  writeFileSync(keyFile, keypair.private_key, { mode: 0o600 });
  const sg = (await ok('GET', '/v2.0/security-groups?name=default')).security_groups.find((g: any) => g.project_id === subnet.project_id);
  await ok('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' } });

  const t0 = Date.now();
  const created = await b.boot({ imageRef: imageId, key_name: keypair.name, networks: [{ uuid: b.networkId }] }, {}, '2.37');
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const id = created.body.server.id;
  const port = await until('the server\'s port', 60_000, async () => (await b!.ports(id))[0]);
  const fip = (await ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: port.id } })).floatingip.floating_ip_address as string;
  const server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 180_000);
  assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
  const tActive = Date.now() - t0;
  assert.equal((await ok('GET', `/v2.0/ports/${port.id}`)).port.status, 'ACTIVE', 'the Linux bridge agent reported the tap up');
  assert.equal((await ok('GET', `/v2.0/ports/${port.id}`)).port['binding:vif_type'], 'bridge');

  const consoleLog = async (): Promise<string> => (await b!.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).body.output as string;
  const ssh = (command: string): Promise<{ ok: boolean; out: string }> => g.ssh(keyFile, fip, command);
  let last = '';
  const answer = await until('SSH to the floating IP', 240_000, async () => {
    const r = await ssh('echo "guest $(hostname) uptime $(cut -d" " -f1 /proc/uptime)"; ip -4 -o addr show dev eth0');
    last = r.out;
    return r.ok ? r.out : undefined;
  }).catch((err) => consoleLog().then((log) => { throw new Error(`${(err as Error).message}; ssh said: ${last}\nthe guest's console:\n${log}`); }));
  const tSsh = Date.now() - t0;
  t.diagnostic(`server create to ACTIVE ${tActive} ms, to SSH answering on ${fip} ${tSsh} ms (TCG)`);
  t.diagnostic(answer.split('\n')[0]!);

  // the command ran in the guest: its hostname from the metadata, its DHCP address on eth0
  assert.match(answer, /^guest vm uptime [\d.]+$/m);
  assert.match(answer, new RegExp(`inet ${port.fixed_ips[0].ip_address.replace(/\./g, '\\.')}/24`));
  const log = await consoleLog();
  assert.match(log, /nubo-init: \[[\d.]+\] eth0 10\.0\.0\.\d+\/24 router 10\.0\.0\.1/, 'the lease came from dnsmasq');
  assert.match(log, /metadata from 169\.254\.169\.254/, 'the metadata came through the router\'s metadata proxy');
  assert.match(log, /1 SSH key\(s\) for root/);

  // delete: QEMU and the guest's files go
  assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
  await b.waitFor(id, ['DELETED'], 120_000);
  assert.deepEqual(await g.qemuPids([id]), [], 'no QEMU of the server is left');
  assert.deepEqual(readdirSync(join(b.cloud.dataDir, 'nova'), { recursive: true }).map(String).filter((f) => f.includes(id)), []);
});
