#!/usr/bin/env node
// The Linux data plane's reaction times, on the kernel (root): a cloud is started here from
// dist/nubo.js with [data_plane] enabled (the Linux bridge and DHCP agents in-process, their host
// namespace nubo-bench-<pid>-{host}), then for N ports (1, then 100 by default) on a new VXLAN
// network: the time from the subnet create to the DHCP agent's dnsmasq running, from the ports'
// create (bound to the host) and their taps' plug (what os-vif does) to every port ACTIVE, and
// from the subnet create to every guest (a namespace each) holding a lease from dnsmasq through
// `busybox udhcpc`. Everything it made is removed at the end: the networks through the API (the
// DHCP agent removes their qdhcp- namespaces), then the guests and the host namespace.
//
// Run: npm run build && node bench/network-dataplane.mjs [N... (1 100)]
// Env: BENCH_POLLING_INTERVAL (the L2 agent's [agent] polling_interval, default 2 as upstream).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { login } from './support/cloud.mjs';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (!sizes.length) sizes.push(1, 100);
const polling = process.env.BENCH_POLLING_INTERVAL ?? '2';
const tag = `nubo-bench-${process.pid}`;
const host = 'bench1';
const hostNs = `${tag}-${host}`;
const ms = (t) => `${Math.round(t)} ms`;

if (process.getuid?.() !== 0) {
  console.log('network-dataplane: skipped: needs root (network namespaces)');
  process.exit(0);
}
const nubo = join(root, 'dist/nubo.js');
if (!existsSync(nubo)) throw new Error('dist/nubo.js is missing: run `npm run build` first');

const dataDir = mkdtempSync(join(tmpdir(), 'nubo-bench-dp-'));
const env = {
  ...process.env, NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0', NUBO_DEFAULT__LOG_LEVEL: 'warn', NUBO_DEFAULT__HOST: host,
  NUBO_DEFAULT__ENABLED_SERVICES: 'identity,network', NUBO_DATA_PLANE__ENABLED: 'true', NUBO_DATA_PLANE__HOST_NAMESPACE: `${tag}-{host}`,
  NUBO_VXLAN__LOCAL_IP: '192.0.2.1', NUBO_AGENT__POLLING_INTERVAL: polling, NUBO_DEFAULT_NETWORKS__CREATE_PUBLIC_NETWORK: 'false',
  NUBO_DEFAULT_NETWORKS__CREATE_PRIVATE_NETWORK: 'false', NUBO_DEFAULT_NETWORKS__CREATE_ROUTER: 'false',
};
const child = spawn(process.execPath, [nubo, 'up'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`nubo: no ready line within 90 s:\n${out}`)), 90_000);
  child.stdout.on('data', (d) => { out += d; if (/nubo: ready at/.test(out)) { clearTimeout(timer); resolve(); } });
  child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nubo exited ${code}:\n${out}`)); });
});
child.removeAllListeners('exit');

const guests = [];
const networks = [];
let call;
let until;
const sh = (cmd, args, timeout = 30_000) => run(cmd, args, { timeout });
try {
  const { token, endpoint } = await login(dataDir);
  const url = endpoint('network');
  call = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, { method, headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  until = async (pred, what, limit = 300_000) => {
    const end = performance.now() + limit;
    while (performance.now() < end) { if (await pred()) return performance.now(); await new Promise((r) => setTimeout(r, 25)); }
    throw new Error(`timed out waiting for ${what}`);
  };
  const project = (await call('GET', '/v2.0/quotas/project')).project.project_id;
  await call('PUT', `/v2.0/quotas/${project}`, { quota: { port: -1 } });
  const script = join(dataDir, 'udhcpc.sh');
  writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] && ip addr add "$ip/$mask" dev "$interface" && echo "LEASE $ip"\nexit 0\n', { mode: 0o755 });
  await until(async () => (await call('GET', '/v2.0/agents')).agents.filter((a) => a.alive).length >= 2, 'the agents alive', 60_000);

  console.log(`network-dataplane: Linux bridge + DHCP agents in-process, polling_interval ${polling} s, VXLAN network, one guest namespace per port`);
  for (const [i, n] of sizes.entries()) {
    const net = (await call('POST', '/v2.0/networks', { network: { name: `bench-dp-${n}` } })).network;
    networks.push(net.id);
    const t0 = performance.now();
    await call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: `10.${210 + i}.0.0/16`, ip_version: 4 } });
    const tDnsmasq = await until(async () => {
      try { return (await sh('ip', ['netns', 'pids', `qdhcp-${net.id}`])).stdout.trim() !== ''; } catch { return false; }
    }, 'dnsmasq');
    const tPorts = performance.now();
    const ports = await Promise.all(Array.from({ length: n }, async () => (await call('POST', '/v2.0/ports', {
      port: { network_id: net.id, device_owner: 'compute:nova', device_id: crypto.randomUUID(), 'binding:host_id': host },
    })).port));
    for (const [k, p] of ports.entries()) {
      const g = `${tag}-g${i}-${k}`;
      guests.push(g);
      await sh('ip', ['netns', 'add', g]);
      await sh('ip', ['-n', hostNs, 'link', 'add', `tap${p.id.slice(0, 11)}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', g]);
      await sh('ip', ['-n', g, 'link', 'set', 'eth0', 'address', p.mac_address, 'up']);
      await sh('ip', ['-n', hostNs, 'link', 'set', `tap${p.id.slice(0, 11)}`, 'up']);
    }
    const tPlugged = performance.now();
    const tActive = await until(async () => (await call('GET', `/v2.0/ports?network_id=${net.id}&device_owner=compute:nova&status=ACTIVE&fields=id`)).ports.length === n, 'ports ACTIVE');
    const leases = await Promise.all(ports.map(async (p, k) => {
      const r = await sh('ip', ['netns', 'exec', `${tag}-g${i}-${k}`, 'busybox', 'udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', '20', '-T', '1', '-s', script], 60_000);
      return r.stdout.includes(`LEASE ${p.fixed_ips[0].ip_address}`);
    }));
    const tLeases = performance.now();
    if (!leases.every(Boolean)) throw new Error(`${leases.filter((x) => !x).length} guests got no lease or a wrong one`);
    console.log(`  ${String(n).padStart(3)} port(s): subnet create -> dnsmasq running ${ms(tDnsmasq - t0)}; port create -> all ACTIVE ${ms(tActive - tPorts)}`
      + ` (of which plugging the taps ${ms(tPlugged - tPorts)}); subnet create -> every guest leased ${ms(tLeases - t0)}`);
  }
} finally {
  for (const g of guests) await sh('ip', ['netns', 'delete', g]).catch(() => undefined);
  for (const id of networks) {
    try {
      for (const p of (await call('GET', `/v2.0/ports?network_id=${id}&device_owner=compute:nova&fields=id`)).ports) await call('DELETE', `/v2.0/ports/${p.id}`);
      await call('DELETE', `/v2.0/networks/${id}`);
      await until(async () => !(await sh('ip', ['netns', 'list'])).stdout.includes(`qdhcp-${id}`), `qdhcp-${id} removed`, 30_000);
    } catch (err) {
      console.error(`network-dataplane: cleaning up network ${id}: ${err.message}`);
    }
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await sh('ip', ['netns', 'delete', hostNs]).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}
