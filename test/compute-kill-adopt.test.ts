/**
 * Real guests outlive a `kill -9` of their compute service (root, network namespaces, QEMU,
 * dnsmasq, iptables, ssh, the guest image, PostgreSQL and RabbitMQ needed; skipped with the
 * reason otherwise). The cloud runs as two processes on one data dir, PostgreSQL and RabbitMQ
 * (`nubo serve`, as scale-out does): the controller (identity, image, network, placement,
 * Nova's API, conductor, scheduler, metadata API, serial console proxy and the Linux data
 * plane's agents, host `ka<tag>`) and the compute role of that host (`nubo serve compute
 * --host ka<tag>`, `compute_driver = qemu`, TCG). Three tiny guests: `net` on a tenant network
 * (a floating IP reached by SSH from an "outside" namespace on 203.0.113.0/24), `solo` and
 * `quitter` without networks. The compute process is killed with SIGKILL; while it is dead
 * `quitter` powers itself off (the ACPI button, pressed on its own QMP socket) and `net` still
 * answers SSH. After the restart the two others run on in the same QEMU (one process per
 * instance uuid), the API shows them ACTIVE/Running, their console logs are read, the serial
 * console of `solo` answers through the proxy (what is typed there reaches its console log),
 * `net`'s port is ACTIVE and it answers SSH; the power-state sync finds `quitter` SHUTOFF.
 * Then stop and delete work on the adopted guests and leave no QEMU. Everything the test made
 * (processes, namespaces, databases, queues, files) is removed, also on failure.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectUnix } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { connect as connectAmqp } from 'amqplib';
import { Pool } from 'undici';
import { until } from '../src/common/testing/until.js';
import { namespaceSupportProblem } from '../src/services/neutron/agent/linux/capabilities.js';
import { cleanupDataPlane } from '../src/services/neutron/agent/linux/cleanup.js';
import { dhcpNamespace, routerNamespace } from '../src/services/neutron/agent/linux/names.js';
import { ensureNamespace, listNamespaces, namespacePids } from '../src/services/neutron/agent/linux/netns.js';
import { Outside } from '../src/services/neutron/testing/outside.js';
import { openConsole } from '../src/services/nova/testing/console-client.js';
import { guestImage, has, kernelAndRamdisk } from '../src/services/nova/testing/guest-image.js';
import { guestPaths } from '../src/services/nova/virt/qemu/paths.js';
import { adminLogin, kill9, killChildClouds, nuboServe } from './support/child-cloud.js';
import { freePort } from './support/ports.js';

const root = resolve(import.meta.dirname, '..');
const pg = process.env.NUBO_TEST_POSTGRES_URL;
const amqp = process.env.NUBO_TEST_AMQP_URL;
const work = mkdtempSync(join(tmpdir(), 'nubo-kill-adopt-'));
chmodSync(work, 0o755); // dnsmasq rereads its files (under work) as nobody
const tools = ['dnsmasq', 'iptables-restore', 'conntrack', 'nft', 'ssh', 'mcopy', 'psql'].find((t) => !has(t));
const problem = !pg ? 'NUBO_TEST_POSTGRES_URL not set' : !amqp ? 'NUBO_TEST_AMQP_URL not set'
  : namespaceSupportProblem() ?? (tools ? `${tools} is not installed` : undefined);
const image = problem ? { skip: problem } : guestImage(work);

const tag = randomBytes(3).toString('hex');
const host = `ka${tag}`;
const template = `ka${tag}-{host}`;
const hostNs = template.replace('{host}', host);
const outsideNs = `kao${tag}`;
const extDevice = `kax${tag}`;
const SECRET = `ka-${tag}`;
const suffix = tag;
const made = { networks: [] as string[], routers: [] as string[], queues: [] as string[], backends: false };
let outside: Outside | undefined;

/** The QEMU processes of instance `uuid` (its uuid on their command line, as `pgrep -f` finds them). */
function qemuPids(uuid: string): number[] {
  const r = spawnSync('pgrep', ['-f', `qemu-system.*${uuid}`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

after(async () => {
  killChildClouds();
  // whatever QEMU a failed test left: in the host namespace, or (guests without NICs) matched by this data dir
  const leftQemu = (await listNamespaces().catch(() => [] as string[])).includes(hostNs) ? await namespacePids(hostNs) : [];
  const ours = spawnSync('pgrep', ['-f', `qemu-system.*${work}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  for (const pid of [...leftQemu, ...ours]) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  await outside?.stop().catch(() => undefined);
  await cleanupDataPlane({
    hostNamespaceTemplate: template,
    match: (n) => n === hostNs || made.networks.some((id) => n === dhcpNamespace(id)) || made.routers.some((id) => n === routerNamespace(id)),
  }).catch(() => undefined);
  if (made.backends) {
    const admin = pg!.replace(/\/[^/]*$/, '/postgres');
    const names = spawnSync('psql', [admin, '-Atc', `SELECT datname FROM pg_database WHERE datname LIKE 'nubo\\_ka\\_${suffix}\\_%'`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const db of names) spawnSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`], { encoding: 'utf8' });
    // the per-host queues (topic.<host>: compute, scheduler, agents' fanout queues) as the broker lists them, the token caches', the exchange
    const listed = spawnSync('rabbitmqctl', ['-q', 'list_queues', 'name'], { encoding: 'utf8' }).stdout?.split('\n') ?? [];
    const queues = [...made.queues, ...listed.map((l) => l.trim()).filter((q) => q.endsWith(`.${host}`))];
    const conn = await connectAmqp(amqp!);
    const ch = await conn.createChannel();
    for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
    await ch.deleteExchange(`nubo_ka_${suffix}`).catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
  rmSync(work, { recursive: true, force: true });
  if (!image.skip) {
    const left = (await listNamespaces()).filter((n) => n.includes(tag) || made.networks.some((id) => n === dhcpNamespace(id)) || made.routers.some((id) => n === routerNamespace(id)));
    assert.deepEqual(left, [], 'every namespace the test made is gone');
  }
});

function sh(cmd: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; out: string }> {
  return new Promise((ok) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => ok({ ok: !err, out: `${stdout}${stderr}`.trim() }));
  });
}

/** The shared nubo.conf: PostgreSQL and RabbitMQ, every service at the controller's port, the data plane, the qemu driver. */
function writeConf(port: number, serialPort: number): string {
  const dbUrl = new URL(pg!);
  dbUrl.pathname = `/nubo_ka_${suffix}_{service}`;
  const api = `http://127.0.0.1:${port}`;
  const conf = join(work, 'nubo.conf');
  writeFileSync(conf, [
    '[DEFAULT]', `data_dir = ${work}`, `transport_url = ${amqp!.replace(/^amqp:/, 'rabbit:')}`, `control_exchange = nubo_ka_${suffix}`,
    `log_level = ${process.env.KILL_ADOPT_LOG_LEVEL ?? 'info'}`, 'compute_driver = qemu', 'vif_plugging_timeout = 120', 'vif_plugging_is_fatal = true',
    'shutdown_timeout = 20', `metadata_proxy_shared_secret = ${SECRET}`,
    '[database]', `connection = ${decodeURI(dbUrl.toString())}`,
    '[endpoints]', ...['identity', 'image', 'network', 'placement', 'compute'].map((s) => `${s} = ${api}/${s}`),
    '[identity]', 'password_hash_rounds = 4',
    '[default_networks]', 'use_subnetpool = false', 'create_public_network = false', 'create_private_network = false', 'create_router = false',
    '[data_plane]', 'enabled = true', `host_namespace = ${template}`,
    '[qemu]', `host_namespace = ${template}`, 'accel = tcg',
    '[linux_bridge]', `physical_interface_mappings = extnet:${extDevice}`,
    '[vxlan]', 'local_ip = 198.51.100.1', 'l2_population = true',
    '[dhcp_agent]', `dhcp_confs = ${join(work, 'dhcp')}`,
    '[neutron]', 'service_metadata_proxy = true', `metadata_proxy_shared_secret = ${SECRET}`,
    '[vnc]', 'enabled = false',
    '[serial_console]', 'enabled = true', 'serialproxy_host = 127.0.0.1', `serialproxy_port = ${serialPort}`, `base_url = ws://127.0.0.1:${serialPort}/`,
    'port_range = 44100:44199', '',
  ].join('\n'));
  const sync = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cmd/nubo.ts'), 'db', 'sync', '--config-file', conf], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  made.backends = true;
  assert.equal(sync.status, 0, sync.stderr);
  return conf;
}

const CONTROLLER_ROLES = [
  'identity', 'image', 'network', 'placement', 'compute-api', 'metadata-api', 'conductor', 'scheduler', 'serialproxy',
  'network-l2-agent', 'network-dhcp-agent', 'network-l3-agent', 'network-metadata-agent',
];

test('kill -9 of the compute service: its QEMU guests run on, are adopted after the restart (consoles, network, power state), and stop and delete still work', {
  skip: image.skip ?? false, timeout: 900_000,
}, async (t) => {
  const [port, computePort, serialPort] = [await freePort(), await freePort(), await freePort()];
  made.queues.push(...['image', 'network', 'placement', 'compute'].map((s) => `nubo-token-cache.${hostname()}.${port}.${s}`));
  const conf = writeConf(port, serialPort);
  const logs = { controller: join(work, 'controller.log'), compute: join(work, 'compute.log') };
  const tail = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8').split("\n").slice(-(Number(process.env.KILL_ADOPT_LOG_LINES) || 30)).join('\n') : '');
  const diagnose = async <T>(p: Promise<T>): Promise<T> => p.catch((err: Error) => {
    throw new Error(`${err.message}\nthe controller's log:\n${tail(logs.controller)}\nthe compute service's log:\n${tail(logs.compute)}`);
  });

  // the host namespace first (the outside's veth goes there)
  await ensureNamespace(hostNs);
  outside = new Outside({ namespace: outsideNs, hostNamespace: hostNs, hostDevice: extDevice, cidr: '203.0.113.1/24' });
  await outside.start();
  await diagnose(nuboServe({ roles: CONTROLLER_ROLES, configFile: conf, host, port, logFile: logs.controller }));
  const startCompute = (): Promise<ChildProcess> => diagnose(nuboServe({ roles: ['compute'], configFile: conf, host, port: computePort, logFile: logs.compute }));
  let compute = await startCompute();

  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 });
  t.after(() => pool.close());
  const { token } = await adminLogin(pool, work);
  const call = async (method: string, path: string, body?: unknown, computeVersion = '2.37'): Promise<{ status: number; body: any }> => {
    const res = await pool.request({
      method: method as 'GET', path,
      headers: { 'x-auth-token': token, 'openstack-api-version': `compute ${computeVersion}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  };
  const ok = async (method: string, path: string, body?: unknown, computeVersion?: string): Promise<any> => {
    const r = await call(method, path, body, computeVersion);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const upload = async (name: string, file: string, props: Record<string, unknown>): Promise<string> => {
    const img = await ok('POST', '/image/v2/images', { name, ...props });
    const res = await pool.request({ method: 'PUT', path: `/image/v2/images/${img.id}/file`, headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' }, body: readFileSync(file) });
    await res.body.dump();
    assert.equal(res.statusCode, 204);
    return img.id as string;
  };

  // the guest image by direct kernel boot, a tiny flavor (the image boots in 96 MiB)
  const { kernel, ramdisk } = kernelAndRamdisk(image.path!, work);
  const kernelId = await upload('nubo-guest-kernel', kernel, { disk_format: 'aki', container_format: 'aki' });
  const ramdiskId = await upload('nubo-guest-ramdisk', ramdisk, { disk_format: 'ari', container_format: 'ari' });
  const imageId = await upload('nubo-guest', image.path!, {
    disk_format: 'qcow2', container_format: 'bare', kernel_id: kernelId, ramdisk_id: ramdiskId, os_command_line: 'console=ttyS0 quiet',
  });
  const flavor = (await ok('POST', '/compute/v2.1/flavors', { flavor: { name: `ka.tiny-${tag}`, ram: 128, vcpus: 1, disk: 1 } })).flavor;

  // a tenant network behind a router on the outside, SSH allowed, a keypair
  const ext = (await ok('POST', '/network/v2.0/networks', { network: { name: `ext-${tag}`, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'extnet' } })).network;
  made.networks.push(ext.id);
  await ok('POST', '/network/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, gateway_ip: '203.0.113.1', enable_dhcp: false, allocation_pools: [{ start: '203.0.113.100', end: '203.0.113.150' }] } });
  const net = (await ok('POST', '/network/v2.0/networks', { network: { name: `net-${tag}` } })).network;
  made.networks.push(net.id);
  const subnet = (await ok('POST', '/network/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.0.0.0/24', ip_version: 4 } })).subnet;
  const router = (await ok('POST', '/network/v2.0/routers', { router: { name: `r-${tag}`, external_gateway_info: { network_id: ext.id } } })).router;
  made.routers.push(router.id);
  await ok('PUT', `/network/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
  const sg = (await ok('GET', `/network/v2.0/security-groups?name=default&project_id=${subnet.project_id}`)).security_groups[0];
  await ok('POST', '/network/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' } });
  const keypair = (await ok('POST', '/compute/v2.1/os-keypairs', { keypair: { name: `k-${tag}` } }, '2.1')).keypair;
  const keyFile = join(work, 'key');
  writeFileSync(keyFile, keypair.private_key, { mode: 0o600 });

  // three guests
  const boot = async (name: string, networks: unknown): Promise<string> => (await ok('POST', '/compute/v2.1/servers', {
    server: { name, imageRef: imageId, flavorRef: flavor.id, key_name: keypair.name, networks },
  })).server.id;
  const ids = { net: await boot('net', [{ uuid: net.id }]), solo: await boot('solo', 'none'), quitter: await boot('quitter', 'none') };
  const server = async (id: string): Promise<any> => (await ok('GET', `/compute/v2.1/servers/${id}`)).server;
  const waitStatus = (id: string, status: string, ms: number): Promise<void> => diagnose(until(async () => {
    const s = await server(id);
    assert.notEqual(s.status, 'ERROR', `server ${id} ERROR: ${JSON.stringify(s.fault)}`);
    return s.status === status;
  }, `server ${id} ${status}`, ms));
  const netPort = await diagnose((async () => { await until(async () => (await ok('GET', `/network/v2.0/ports?device_id=${ids.net}`)).ports.length > 0, 'the port of net', 120_000); return (await ok('GET', `/network/v2.0/ports?device_id=${ids.net}`)).ports[0]; })());
  const floating = (await ok('POST', '/network/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: netPort.id } })).floatingip;
  const fip = floating.floating_ip_address as string;
  for (const id of Object.values(ids)) await waitStatus(id, 'ACTIVE', 300_000);

  const consoleLog = async (id: string): Promise<string> => (await ok('POST', `/compute/v2.1/servers/${id}/action`, { 'os-getConsoleOutput': {} })).output as string;
  const initDone = (id: string): Promise<void> => diagnose(until(async () => /nubo-init: \[[\d.]+\] up: /.test(await consoleLog(id)), `the init of ${id} to finish (console log)`, 300_000));
  for (const id of Object.values(ids)) await initDone(id);
  const ssh = (): Promise<{ ok: boolean; out: string }> => sh('ip', ['netns', 'exec', outsideNs, 'ssh', '-F', '/dev/null', '-i', keyFile,
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR',
    `root@${fip}`, 'cut -d" " -f1 /proc/uptime'], 30_000);
  const sshAnswers = (what: string): Promise<void> => diagnose(until(async () => (await ssh()).ok, what, 240_000));
  await sshAnswers('net answering SSH on its floating IP');

  const pidsBefore = Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, qemuPids(id)]));
  for (const [k, pids] of Object.entries(pidsBefore)) assert.equal(pids.length, 1, `one QEMU for ${k}`);
  const logBefore = await consoleLog(ids.solo);

  // kill -9 of the compute service
  await kill9(compute);
  const computeLogAtKill = readFileSync(logs.compute, 'utf8').length;
  t.diagnostic(`compute service killed; QEMU pids ${JSON.stringify(pidsBefore)}`);
  // while it is dead: quitter shuts down by the ACPI button (pressed on its QMP socket), net still answers
  await pressPowerButton(guestPaths(join(work, 'nova', host, 'instances'), ids.quitter).qmpSocket);
  await until(() => qemuPids(ids.quitter).length === 0, 'quitter\'s QEMU to end after its shutdown', 120_000);
  assert.ok((await ssh()).ok, 'net answers SSH while its compute service is dead');

  const t0 = Date.now();
  compute = await startCompute();
  t.diagnostic(`compute service restarted in ${Date.now() - t0} ms`);

  // the same QEMU processes, none started twice
  const samePids = (): void => {
    assert.deepEqual(qemuPids(ids.net), pidsBefore['net'], 'net runs on in the same QEMU');
    assert.deepEqual(qemuPids(ids.solo), pidsBefore['solo'], 'solo runs on in the same QEMU');
    assert.deepEqual(qemuPids(ids.quitter), [], 'quitter was not started again');
  };
  samePids();
  const restartLog = readFileSync(logs.compute, 'utf8').slice(computeLogAtKill);
  assert.equal(restartLog.match(/qemu driver: adopted a running guest/g)?.length, 2, 'the restarted driver adopted net and solo');
  // the power-state sync, run at once on start (its interval is the default 600 s), sees quitter off and stops it: SHUTOFF; the others are seen Running
  await waitStatus(ids.quitter, 'SHUTOFF', 120_000);
  assert.equal((await server(ids.quitter))['OS-EXT-STS:power_state'], 4, 'quitter Shutdown');
  for (const k of ['net', 'solo'] as const) {
    const s = await server(ids[k]);
    assert.equal(s.status, 'ACTIVE', `${k} ACTIVE`);
    assert.equal(s['OS-EXT-STS:power_state'], 1, `${k} Running`);
  }
  samePids();

  // adopted: the console log is read, the serial console answers through the proxy and what is typed there reaches the log
  assert.ok((await consoleLog(ids.solo)).startsWith(logBefore.slice(0, 200)), 'solo\'s console log is the same log');
  const serial = await call('POST', `/compute/v2.1/servers/${ids.solo}/remote-consoles`, { remote_console: { protocol: 'serial', type: 'serial' } }, '2.6');
  assert.equal(serial.status, 200, JSON.stringify(serial.body));
  const sc = await openConsole(serial.body.remote_console.url as string);
  sc.ws.send(new TextEncoder().encode('\r'));
  await until(() => /login: *$/m.test(sc.output()), 'solo\'s login prompt over the serial console', 120_000);
  const typed = `adopted-${tag}`;
  sc.ws.send(new TextEncoder().encode(`${typed}\r`));
  await until(() => /Password: *$/m.test(sc.output()), 'getty asking the password', 60_000);
  sc.ws.close();
  await until(async () => (await consoleLog(ids.solo)).includes(typed), 'solo\'s console log has what was typed after the restart', 60_000);
  assert.ok((await consoleLog(ids.solo)).length > logBefore.length, 'solo\'s console log grew');

  // the network: the port still ACTIVE, SSH still answers
  assert.equal((await ok('GET', `/network/v2.0/ports/${netPort.id}`)).port.status, 'ACTIVE');
  await sshAnswers('net answering SSH after the restart');

  // stop and delete work on the adopted guests
  assert.equal((await call('POST', `/compute/v2.1/servers/${ids.net}/action`, { 'os-stop': null })).status, 202);
  await waitStatus(ids.net, 'SHUTOFF', 120_000);
  assert.deepEqual(qemuPids(ids.net), [], 'net\'s QEMU ended with the stop');
  assert.equal((await server(ids.net))['OS-EXT-STS:power_state'], 4);
  for (const id of Object.values(ids)) assert.equal((await call('DELETE', `/compute/v2.1/servers/${id}`)).status, 204);
  for (const id of Object.values(ids)) await diagnose(until(async () => (await call('GET', `/compute/v2.1/servers/${id}`)).status === 404, `server ${id} deleted`, 120_000));
  for (const [k, id] of Object.entries(ids)) assert.deepEqual(qemuPids(id), [], `no QEMU of ${k} is left`);
  assert.ok(!existsSync(join(work, 'nova', host, 'instances', ids.solo)), 'the guest\'s files are gone');

  // the router and the networks, so that the agents remove their namespaces
  await ok('DELETE', `/network/v2.0/floatingips/${floating.id}`);
  await ok('PUT', `/network/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: subnet.id });
  await ok('DELETE', `/network/v2.0/routers/${router.id}`);
  for (const id of made.networks) await ok('DELETE', `/network/v2.0/networks/${id}`);
  await kill9(compute);
  const afterRestart = readFileSync(logs.compute, 'utf8').slice(computeLogAtKill).split('\n');
  for (const warning of afterRestart.filter((l) => /"level":40/.test(l))) t.diagnostic(`the restarted compute service warned: ${warning.replace(/.*"msg":/, '')}`);
  const problems = afterRestart.filter((l) => /"level":[56]0/.test(l));
  assert.deepEqual(problems, [], 'the restarted compute service logged no errors');
});

/** Press the guest's ACPI power button on its QMP socket (no compute service holds it): the guest shuts down by itself. */
async function pressPowerButton(socket: string): Promise<void> {
  const s = connectUnix(socket);
  let got = '';
  s.on('data', (d: Buffer) => { got += d.toString(); });
  await until(() => got.includes('QMP'), 'the QMP greeting', 20_000);
  s.write('{"execute":"qmp_capabilities"}\n');
  await until(() => got.includes('"return"'), 'QMP capabilities', 20_000);
  s.write('{"execute":"system_powerdown"}\n');
  await until(() => (got.match(/"return"/g) ?? []).length >= 2, 'system_powerdown accepted', 20_000);
  s.end();
}
