#!/usr/bin/env node
// A real guest's time from `server create` to SSH answering on its floating IP (root, QEMU,
// dnsmasq, iptables and ssh needed). A cloud is started here from dist/nubo.js with
// `compute_driver = qemu` (TCG unless BENCH_ACCEL=kvm) and the Linux data plane, its host
// namespace gsb<pid>-{host}; "the outside" is the namespace gsb<pid>-out on 203.0.113.0/24,
// whose veth is the flat external network's interface. The guest image goes to Glance with its
// kernel and initramfs (direct kernel boot; BENCH_BOOT=disk: from the disk's bootloader), a
// router joins the tenant network 10.99.0.0/24 to the external one, the default security group
// lets tcp/22 in. Then N boots (default 2: the first fetches the image from Glance, the next
// ones find it cached), one at a time: `server create` with a keypair, a floating IP on the
// server's port as soon as the port exists, and `ssh -i key root@FIP` (reading the guest's uptime) from the outside,
// retried until it answers. Printed per boot: create -> ACTIVE, create -> SSH answering, and the
// guest's own times (uptime at userspace, lease, init done) from its console log. Everything
// made is removed at the end: servers, router and networks through the API (their namespaces
// with them), then the cloud, the host and outside namespaces and the data dir.
//
// Run: npm run build && node bench/guest-ssh.mjs [N]
// Env: BENCH_GUEST_IMAGE (a built guest qcow2; default: `nubo image build` into the data dir from
// the cached packages), BENCH_BOOT (kernel | disk), BENCH_ACCEL (tcg | kvm),
// BENCH_POLLING_INTERVAL (the L2 agent's, default 2 as upstream), BENCH_KEEP=1 (keep the data dir, for `nubo trace --server`).
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { login } from './support/cloud.mjs';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const boots = Number(process.argv[2] ?? 2);
const bootFrom = process.env.BENCH_BOOT ?? 'kernel';
const accel = process.env.BENCH_ACCEL ?? 'tcg';
const polling = process.env.BENCH_POLLING_INTERVAL ?? '2';
const tag = `gsb${process.pid}`;
const host = `${tag}h`;
const template = `${tag}-{host}`;
const hostNs = template.replace('{host}', host);
const outsideNs = `${tag}-out`;
const extDevice = `${tag}x`.slice(0, 15);
const secret = `bench-${process.pid}`;
const ms = (t) => `${Math.round(t)} ms`;
const sh = (cmd, args, timeout = 60_000) => run(cmd, args, { timeout });
const tryRun = (cmd, args, timeout) => sh(cmd, args, timeout).then((r) => ({ ok: true, out: `${r.stdout}${r.stderr}` }), (e) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? e.message}` }));

if (process.getuid?.() !== 0) {
  console.log('guest-ssh: skipped: needs root (network namespaces, taps)');
  process.exit(0);
}
for (const tool of ['qemu-system-x86_64', 'dnsmasq', 'ssh', 'iptables-restore', 'mcopy']) {
  if (!(await tryRun('sh', ['-c', `command -v ${tool}`])).ok) {
    console.log(`guest-ssh: skipped: ${tool} is not installed`);
    process.exit(0);
  }
}
const nubo = join(root, 'dist/nubo.js');
if (!existsSync(nubo)) throw new Error('dist/nubo.js is missing: run `npm run build` first');

const dataDir = mkdtempSync(join(tmpdir(), 'nubo-bench-guest-ssh-'));
chmodSync(dataDir, 0o755); // dnsmasq rereads its files as nobody
const made = { servers: [], floatingips: [], routers: [], networks: [], interfaces: [] };
let child;
let call;

/** The guest image, its kernel and initramfs. */
async function guestFiles() {
  const kernel = join(dataDir, 'vmlinuz');
  const ramdisk = join(dataDir, 'initrd.img');
  const given = process.env.BENCH_GUEST_IMAGE;
  if (!given) {
    const disk = join(dataDir, 'guest.qcow2');
    await sh(process.execPath, [nubo, 'image', 'build', '--offline', '--output', disk, '--kernel-output', kernel, '--ramdisk-output', ramdisk], 600_000);
    return { disk, kernel, ramdisk };
  }
  const raw = join(dataDir, 'guest.raw');
  await sh('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', given, raw]);
  for (const [from, to] of [['::/vmlinuz', kernel], ['::/initrd.img', ramdisk]]) {
    await run('mcopy', ['-o', '-i', `${raw}@@1M`, from, to], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
  }
  rmSync(raw);
  return { disk: given, kernel, ramdisk };
}

async function until(pred, what, limit = 300_000, every = 100) {
  const end = performance.now() + limit;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

try {
  const files = await guestFiles();
  // the host namespace and the outside, joined by the external network's "physical" veth
  await sh('ip', ['netns', 'add', hostNs]);
  await sh('ip', ['netns', 'add', outsideNs]);
  await sh('ip', ['-n', hostNs, 'link', 'add', extDevice, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outsideNs]);
  await sh('ip', ['-n', outsideNs, 'addr', 'add', '203.0.113.1/24', 'dev', 'eth0']);
  for (const [ns, dev] of [[hostNs, 'lo'], [hostNs, extDevice], [outsideNs, 'lo'], [outsideNs, 'eth0']]) await sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);

  const env = {
    ...process.env, NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0', NUBO_DEFAULT__LOG_LEVEL: 'warn', NUBO_DEFAULT__HOST: host,
    NUBO_DEFAULT__ENABLED_SERVICES: 'identity,image,network,placement,compute', NUBO_DEFAULT__COMPUTE_DRIVER: 'qemu', NUBO_QEMU__ACCEL: accel,
    NUBO_DATA_PLANE__ENABLED: 'true', NUBO_DATA_PLANE__HOST_NAMESPACE: template, NUBO_QEMU__HOST_NAMESPACE: template,
    NUBO_LINUX_BRIDGE__PHYSICAL_INTERFACE_MAPPINGS: `extnet:${extDevice}`, NUBO_VXLAN__LOCAL_IP: '198.51.100.1', NUBO_VXLAN__L2_POPULATION: 'true',
    NUBO_AGENT__POLLING_INTERVAL: polling, NUBO_DEFAULT__METADATA_PROXY_SHARED_SECRET: secret,
    NUBO_NEUTRON__SERVICE_METADATA_PROXY: 'true', NUBO_NEUTRON__METADATA_PROXY_SHARED_SECRET: secret,
    NUBO_DEFAULT_NETWORKS__CREATE_PUBLIC_NETWORK: 'false', NUBO_DEFAULT_NETWORKS__CREATE_PRIVATE_NETWORK: 'false', NUBO_DEFAULT_NETWORKS__CREATE_ROUTER: 'false',
  };
  child = spawn(process.execPath, [nubo, 'up'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nubo: no ready line within 120 s:\n${out}`)), 120_000);
    child.stdout.on('data', (d) => { out += d; if (/nubo: ready at/.test(out)) { clearTimeout(timer); resolve(); } });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nubo exited ${code}:\n${out}`)); });
  });

  const { token, endpoint } = await login(dataDir);
  const urls = { network: endpoint('network'), image: endpoint('image'), compute: endpoint('compute') };
  call = async (service, method, path, body, raw) => {
    const headers = { 'x-auth-token': token, 'openstack-api-version': 'compute 2.37', ...(body ? { 'content-type': raw ? 'application/octet-stream' : 'application/json' } : {}) };
    const res = await fetch(`${urls[service]}${path}`, { method, headers, ...(body ? { body: raw ? body : JSON.stringify(body) } : {}) });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const upload = async (name, file, props) => {
    const img = await call('image', 'POST', '/v2/images', { name, visibility: 'public', ...props });
    await call('image', 'PUT', `/v2/images/${img.id}/file`, readFileSync(file), true);
    return img.id;
  };
  const kernelId = await upload('nubo-guest-kernel', files.kernel, { disk_format: 'aki', container_format: 'aki' });
  const ramdiskId = await upload('nubo-guest-ramdisk', files.ramdisk, { disk_format: 'ari', container_format: 'ari' });
  const imageId = await upload('nubo-guest', files.disk, {
    disk_format: 'qcow2', container_format: 'bare', ...(bootFrom === 'kernel' ? { kernel_id: kernelId, ramdisk_id: ramdiskId, os_command_line: 'console=ttyS0 quiet' } : {}),
  });

  const ext = (await call('network', 'POST', '/v2.0/networks', { network: { name: 'bench-ext', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
  made.networks.push(ext.id);
  await call('network', 'POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.100', end: '203.0.113.150' }] } });
  const net = (await call('network', 'POST', '/v2.0/networks', { network: { name: 'bench-tenant' } })).network;
  made.networks.push(net.id);
  const subnet = (await call('network', 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.99.0.0/24', ip_version: 4 } })).subnet;
  const router = (await call('network', 'POST', '/v2.0/routers', { router: { name: 'bench-router', external_gateway_info: { network_id: ext.id } } })).router;
  made.routers.push(router.id);
  await call('network', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
  made.interfaces.push([router.id, subnet.id]);
  const sg = (await call('network', 'GET', `/v2.0/security-groups?name=default&project_id=${subnet.project_id}`)).security_groups[0];
  await call('network', 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22 } });
  const keypair = (await call('compute', 'POST', '/os-keypairs', { keypair: { name: 'bench-key' } })).keypair;
  const keyFile = join(dataDir, 'key');
  writeFileSync(keyFile, keypair.private_key, { mode: 0o600 });
  await until(async () => (await call('network', 'GET', '/v2.0/agents')).agents.filter((a) => a.alive).length >= 4, 'the agents alive', 60_000);

  const ssh = (fip) => tryRun('ip', ['netns', 'exec', outsideNs, 'ssh', '-F', '/dev/null', '-i', keyFile, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=3', '-o', 'LogLevel=ERROR', `root@${fip}`, 'cut -d" " -f1 /proc/uptime'], 30_000);
  console.log(`guest-ssh: qemu ${accel}, ${bootFrom === 'kernel' ? 'direct kernel boot' : 'boot from the disk'}, m1.tiny, Linux bridge/DHCP/L3/metadata agents in-process (polling_interval ${polling} s), key from the metadata service`);
  for (let i = 1; i <= boots; i++) {
    const t0 = performance.now();
    const server = (await call('compute', 'POST', '/servers', { server: { name: `bench-${i}`, imageRef: imageId, flavorRef: '1', key_name: keypair.name, networks: [{ uuid: net.id }] } })).server;
    made.servers.push(server.id);
    const port = await until(async () => (await call('network', 'GET', `/v2.0/ports?device_id=${server.id}`)).ports[0], 'the server\'s port', 120_000, 50);
    const fip = (await call('network', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: port.id } })).floatingip;
    made.floatingips.push(fip.id);
    let tActive;
    const watchActive = until(async () => {
      const s = (await call('compute', 'GET', `/servers/${server.id}`)).server;
      if (s.status === 'ERROR') throw new Error(`server ${server.id} ERROR: ${JSON.stringify(s.fault)}`);
      return s.status === 'ACTIVE' && (tActive = performance.now());
    }, 'ACTIVE', 300_000, 50);
    const uptime = await until(async () => { const r = await ssh(fip.floating_ip_address); return r.ok && r.out.trim(); }, 'SSH', 300_000, 200);
    const tSsh = performance.now();
    await watchActive;
    const log = (await call('compute', 'POST', `/servers/${server.id}/action`, { 'os-getConsoleOutput': {} })).output;
    const at = (re) => re.exec(log)?.[1] ?? '?';
    console.log(`  boot ${i}${i === 1 ? ' (image fetched from Glance)' : ' (image cached)'}: create -> ACTIVE ${ms(tActive - t0)}, create -> SSH answering ${ms(tSsh - t0)};`
      + ` guest uptime: userspace ${at(/\[([\d.]+)\] userspace started/)} s, lease ${at(/\[([\d.]+)\] eth0 \d/)} s, init done ${at(/\[([\d.]+)\] up: /)} s, ssh ran at ${uptime} s`);
    await call('compute', 'DELETE', `/servers/${server.id}`);
    await until(async () => { try { await call('compute', 'GET', `/servers/${server.id}`); return false; } catch (e) { return /404/.test(e.message); } }, 'deleted', 120_000);
    made.servers.pop();
  }
} finally {
  if (call) {
    const quietly = (p) => p.catch((err) => console.error(`guest-ssh: cleaning up: ${err.message}`));
    for (const id of made.servers) await quietly(call('compute', 'DELETE', `/servers/${id}`));
    for (const id of made.servers) await quietly(until(async () => { try { await call('compute', 'GET', `/servers/${id}`); return false; } catch { return true; } }, 'deleted', 120_000));
    for (const id of made.floatingips) await quietly(call('network', 'DELETE', `/v2.0/floatingips/${id}`));
    for (const [r, s] of made.interfaces) await quietly(call('network', 'PUT', `/v2.0/routers/${r}/remove_router_interface`, { subnet_id: s }));
    for (const id of made.routers) await quietly(call('network', 'DELETE', `/v2.0/routers/${id}`));
    for (const id of made.networks) await quietly(call('network', 'DELETE', `/v2.0/networks/${id}`));
    const ours = (n) => made.routers.some((id) => n === `qrouter-${id}`) || made.networks.some((id) => n === `qdhcp-${id}`);
    await quietly(until(async () => !(await sh('ip', ['netns', 'list'])).stdout.split('\n').some((l) => ours(l.split(' ')[0])), 'the agents\' namespaces removed', 30_000));
  }
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  // whatever is left in the namespaces this run made (a QEMU or dnsmasq after a failure) goes with them
  const left = (await sh('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0])
    .filter((n) => n === hostNs || n === outsideNs || made.routers.some((id) => n === `qrouter-${id}`) || made.networks.some((id) => n === `qdhcp-${id}`));
  for (const ns of left) {
    const pids = (await tryRun('ip', ['netns', 'pids', ns])).out.split(/\s+/).filter(Boolean);
    for (const pid of pids) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    await tryRun('ip', ['netns', 'delete', ns]);
  }
  if (process.env.BENCH_KEEP) console.log(`guest-ssh: data dir kept: ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}
