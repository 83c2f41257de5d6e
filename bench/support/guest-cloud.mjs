// The cloud of the real-guest benchmarks (guest-ssh.mjs, guest-density.mjs): `dist/nubo.js up`
// with `compute_driver = qemu` (TCG unless BENCH_ACCEL=kvm) and the Linux data plane, its host
// namespace <tag>-{host}; "the outside" is the namespace <tag>-out on 203.0.113.0/24, whose veth
// is the flat external network's interface. `start()` also puts the guest image in Glance with
// its kernel and initramfs (direct kernel boot; BENCH_BOOT=disk: from the disk's bootloader),
// makes a router joining the tenant network 10.99.0.0/22 to the external one, lets tcp/22 into
// the default security group and makes a keypair. `ssh(fip, command)` runs a command in a guest
// from the outside. `stop()` removes everything made: servers, floating IPs, router and networks
// through the API (their namespaces with them), then the cloud, the host and outside namespaces
// and the data dir (kept with BENCH_KEEP=1).
// Env: BENCH_GUEST_IMAGE (a built guest qcow2; default: `nubo image build` into the data dir from
// the cached packages), BENCH_BOOT (kernel | disk), BENCH_ACCEL (tcg | kvm), BENCH_POLLING_INTERVAL
// (the L2 agent's, default 2 as upstream).
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { login } from './cloud.mjs';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
export const nubo = join(root, 'dist/nubo.js');
const sh = (cmd, args, timeout = 60_000) => run(cmd, args, { timeout });
export const tryRun = (cmd, args, timeout) => sh(cmd, args, timeout).then((r) => ({ ok: true, out: `${r.stdout}${r.stderr}` }), (e) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? e.message}` }));

/** Exits (0) saying why when the benchmark `name` cannot run here: not root, a tool missing; throws without dist/nubo.js. */
export async function exitUnlessGuestsCanRun(name) {
  if (process.getuid?.() !== 0) {
    console.log(`${name}: skipped: needs root (network namespaces, taps)`);
    process.exit(0);
  }
  for (const tool of ['qemu-system-x86_64', 'dnsmasq', 'ssh', 'iptables-restore', 'mcopy']) {
    if (!(await tryRun('sh', ['-c', `command -v ${tool}`])).ok) {
      console.log(`${name}: skipped: ${tool} is not installed`);
      process.exit(0);
    }
  }
  if (!existsSync(nubo)) throw new Error('dist/nubo.js is missing: run `npm run build` first');
}

/** A TCP port free on 127.0.0.1 now. */
function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

export async function until(pred, what, limit = 300_000, every = 100) {
  const end = performance.now() + limit;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export class GuestCloud {
  /** `tag`: the prefix of the namespaces and devices; `env`: more of the cloud's options (NUBO_<GROUP>__<OPTION>). */
  constructor({ tag, env = {} }) {
    this.tag = tag;
    this.env = env;
    this.accel = process.env.BENCH_ACCEL ?? 'tcg';
    this.bootFrom = process.env.BENCH_BOOT ?? 'kernel';
    this.polling = process.env.BENCH_POLLING_INTERVAL ?? '2';
    this.host = `${tag}h`;
    this.template = `${tag}-{host}`;
    this.hostNs = this.template.replace('{host}', this.host);
    this.outsideNs = `${tag}-out`;
    this.extDevice = `${tag}x`.slice(0, 15);
    this.made = { servers: [], floatingips: [], routers: [], networks: [], interfaces: [] };
    this.dataDir = mkdtempSync(join(tmpdir(), `nubo-bench-${tag}-`));
    chmodSync(this.dataDir, 0o755); // dnsmasq rereads its files as nobody
  }

  /** The guest image, its kernel and initramfs. */
  async guestFiles() {
    const kernel = join(this.dataDir, 'vmlinuz');
    const ramdisk = join(this.dataDir, 'initrd.img');
    const given = process.env.BENCH_GUEST_IMAGE;
    if (!given) {
      const disk = join(this.dataDir, 'guest.qcow2');
      await sh(process.execPath, [nubo, 'image', 'build', '--offline', '--output', disk, '--kernel-output', kernel, '--ramdisk-output', ramdisk], 600_000);
      return { disk, kernel, ramdisk };
    }
    const raw = join(this.dataDir, 'guest.raw');
    await sh('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', given, raw]);
    for (const [from, to] of [['::/vmlinuz', kernel], ['::/initrd.img', ramdisk]]) {
      await run('mcopy', ['-o', '-i', `${raw}@@1M`, from, to], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    }
    rmSync(raw);
    return { disk: given, kernel, ramdisk };
  }

  async start() {
    const files = await this.guestFiles();
    const { hostNs, outsideNs, extDevice } = this;
    // the host namespace and the outside, joined by the external network's "physical" veth
    await sh('ip', ['netns', 'add', hostNs]);
    await sh('ip', ['netns', 'add', outsideNs]);
    await sh('ip', ['-n', hostNs, 'link', 'add', extDevice, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outsideNs]);
    await sh('ip', ['-n', outsideNs, 'addr', 'add', '203.0.113.1/24', 'dev', 'eth0']);
    for (const [ns, dev] of [[hostNs, 'lo'], [hostNs, extDevice], [outsideNs, 'lo'], [outsideNs, 'eth0']]) await sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);

    const secret = `bench-${process.pid}`;
    const env = {
      // the noVNC proxy (the guests keep their VNC display) on a free port, not 6080 another cloud may hold
      NUBO_VNC__NOVNCPROXY_HOST: '127.0.0.1', NUBO_VNC__NOVNCPROXY_PORT: String(await freePort()),
      ...process.env, NUBO_DATA_DIR: this.dataDir, NUBO_BIND: '127.0.0.1:0', NUBO_DEFAULT__LOG_LEVEL: 'warn', NUBO_DEFAULT__HOST: this.host,
      NUBO_DEFAULT__ENABLED_SERVICES: 'identity,image,network,placement,compute', NUBO_DEFAULT__COMPUTE_DRIVER: 'qemu', NUBO_QEMU__ACCEL: this.accel,
      NUBO_DATA_PLANE__ENABLED: 'true', NUBO_DATA_PLANE__HOST_NAMESPACE: this.template, NUBO_QEMU__HOST_NAMESPACE: this.template,
      NUBO_LINUX_BRIDGE__PHYSICAL_INTERFACE_MAPPINGS: `extnet:${extDevice}`, NUBO_VXLAN__LOCAL_IP: '198.51.100.1', NUBO_VXLAN__L2_POPULATION: 'true',
      NUBO_AGENT__POLLING_INTERVAL: this.polling, NUBO_DEFAULT__METADATA_PROXY_SHARED_SECRET: secret,
      NUBO_NEUTRON__SERVICE_METADATA_PROXY: 'true', NUBO_NEUTRON__METADATA_PROXY_SHARED_SECRET: secret,
      NUBO_DEFAULT_NETWORKS__CREATE_PUBLIC_NETWORK: 'false', NUBO_DEFAULT_NETWORKS__CREATE_PRIVATE_NETWORK: 'false', NUBO_DEFAULT_NETWORKS__CREATE_ROUTER: 'false',
      ...this.env,
    };
    this.child = spawn(process.execPath, [nubo, 'up'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nubo: no ready line within 120 s:\n${out}`)), 120_000);
      this.child.stdout.on('data', (d) => { out += d; if (/nubo: ready at/.test(out)) { clearTimeout(timer); resolve(); } });
      this.child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nubo exited ${code}:\n${out}`)); });
    });
    this.child.stdout.resume();

    const { token, endpoint } = await login(this.dataDir);
    const urls = { network: endpoint('network'), image: endpoint('image'), compute: endpoint('compute') };
    this.call = async (service, method, path, body, raw) => {
      const headers = { 'x-auth-token': token, 'openstack-api-version': 'compute 2.37', ...(body ? { 'content-type': raw ? 'application/octet-stream' : 'application/json' } : {}) };
      const res = await fetch(`${urls[service]}${path}`, { method, headers, ...(body ? { body: raw ? body : JSON.stringify(body) } : {}) });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const upload = async (name, file, props) => {
      const img = await this.call('image', 'POST', '/v2/images', { name, visibility: 'public', ...props });
      await this.call('image', 'PUT', `/v2/images/${img.id}/file`, readFileSync(file), true);
      return img.id;
    };
    const kernelId = await upload('nubo-guest-kernel', files.kernel, { disk_format: 'aki', container_format: 'aki' });
    const ramdiskId = await upload('nubo-guest-ramdisk', files.ramdisk, { disk_format: 'ari', container_format: 'ari' });
    this.imageId = await upload('nubo-guest', files.disk, {
      disk_format: 'qcow2', container_format: 'bare', ...(this.bootFrom === 'kernel' ? { kernel_id: kernelId, ramdisk_id: ramdiskId, os_command_line: 'console=ttyS0 quiet' } : {}),
    });

    const call = this.call;
    this.ext = (await call('network', 'POST', '/v2.0/networks', { network: { name: 'bench-ext', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
    this.made.networks.push(this.ext.id);
    await call('network', 'POST', '/v2.0/subnets', { subnet: { network_id: this.ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.10', end: '203.0.113.250' }] } });
    this.net = (await call('network', 'POST', '/v2.0/networks', { network: { name: 'bench-tenant' } })).network;
    this.made.networks.push(this.net.id);
    const subnet = (await call('network', 'POST', '/v2.0/subnets', { subnet: { network_id: this.net.id, cidr: '10.99.0.0/22', ip_version: 4 } })).subnet;
    const router = (await call('network', 'POST', '/v2.0/routers', { router: { name: 'bench-router', external_gateway_info: { network_id: this.ext.id } } })).router;
    this.made.routers.push(router.id);
    await call('network', 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    this.made.interfaces.push([router.id, subnet.id]);
    const sg = (await call('network', 'GET', `/v2.0/security-groups?name=default&project_id=${subnet.project_id}`)).security_groups[0];
    await call('network', 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22 } });
    this.keypair = (await call('compute', 'POST', '/os-keypairs', { keypair: { name: 'bench-key' } })).keypair;
    this.keyFile = join(this.dataDir, 'key');
    writeFileSync(this.keyFile, this.keypair.private_key, { mode: 0o600 });
    await until(async () => (await call('network', 'GET', '/v2.0/agents')).agents.filter((a) => a.alive).length >= 4, 'the agents alive', 60_000);
  }

  /**
   * `server create` on the tenant network with the keypair (`flavorRef`, default m1.tiny); the
   * server and, once its port exists, a floating IP on it; `fault` instead when it went to ERROR first.
   */
  async boot(name, flavorRef = '1') {
    const server = (await this.call('compute', 'POST', '/servers', { server: { name, imageRef: this.imageId, flavorRef, key_name: this.keypair.name, networks: [{ uuid: this.net.id }] } })).server;
    this.made.servers.push(server.id);
    const port = await until(async () => {
      const found = (await this.call('network', 'GET', `/v2.0/ports?device_id=${server.id}`)).ports[0];
      if (found) return found;
      const s = (await this.call('compute', 'GET', `/servers/${server.id}`)).server;
      return s.status === 'ERROR' && { fault: s.fault ?? { message: 'ERROR without a fault' } };
    }, 'the server\'s port', 300_000, 100);
    if (port.fault) return { server, fault: port.fault };
    const fip = (await this.call('network', 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: this.ext.id, port_id: port.id } })).floatingip;
    this.made.floatingips.push(fip.id);
    return { server, fip: fip.floating_ip_address };
  }

  /** `ssh -i key root@fip command` from the outside. */
  ssh(fip, command, connectTimeout = 3) {
    return tryRun('ip', ['netns', 'exec', this.outsideNs, 'ssh', '-F', '/dev/null', '-i', this.keyFile, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${connectTimeout}`, '-o', 'LogLevel=ERROR', `root@${fip}`, command], 30_000);
  }

  /** The server's console log. */
  async consoleLog(id) {
    return (await this.call('compute', 'POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).output;
  }

  /** Delete the server and wait until it is gone. */
  async deleteServer(id) {
    await this.call('compute', 'DELETE', `/servers/${id}`);
    await until(async () => { try { await this.call('compute', 'GET', `/servers/${id}`); return false; } catch (e) { return /404/.test(e.message); } }, 'deleted', 120_000);
    this.made.servers = this.made.servers.filter((s) => s !== id);
  }

  async stop(name) {
    const { made } = this;
    if (this.call) {
      const quietly = (p) => p.catch((err) => console.error(`${name}: cleaning up: ${err.message}`));
      for (const id of made.servers) await quietly(this.call('compute', 'DELETE', `/servers/${id}`));
      for (const id of made.servers) await quietly(until(async () => { try { await this.call('compute', 'GET', `/servers/${id}`); return false; } catch { return true; } }, 'deleted', 300_000));
      for (const id of made.floatingips) await quietly(this.call('network', 'DELETE', `/v2.0/floatingips/${id}`).catch((e) => { if (!/404/.test(e.message)) throw e; }));
      for (const [r, s] of made.interfaces) await quietly(this.call('network', 'PUT', `/v2.0/routers/${r}/remove_router_interface`, { subnet_id: s }));
      for (const id of made.routers) await quietly(this.call('network', 'DELETE', `/v2.0/routers/${id}`));
      for (const id of made.networks) await quietly(this.call('network', 'DELETE', `/v2.0/networks/${id}`));
      const ours = (n) => made.routers.some((id) => n === `qrouter-${id}`) || made.networks.some((id) => n === `qdhcp-${id}`);
      await quietly(until(async () => !(await sh('ip', ['netns', 'list'])).stdout.split('\n').some((l) => ours(l.split(' ')[0])), 'the agents\' namespaces removed', 30_000));
    }
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await new Promise((r) => this.child.once('exit', r));
    }
    // whatever is left in the namespaces this run made (a QEMU or dnsmasq after a failure) goes with them
    const left = (await sh('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0])
      .filter((n) => n === this.hostNs || n === this.outsideNs || made.routers.some((id) => n === `qrouter-${id}`) || made.networks.some((id) => n === `qdhcp-${id}`));
    for (const ns of left) {
      const pids = (await tryRun('ip', ['netns', 'pids', ns])).out.split(/\s+/).filter(Boolean);
      for (const pid of pids) try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
      await tryRun('ip', ['netns', 'delete', ns]);
    }
    if (process.env.BENCH_KEEP) console.log(`${name}: data dir kept: ${this.dataDir}`);
    else rmSync(this.dataDir, { recursive: true, force: true });
  }
}
