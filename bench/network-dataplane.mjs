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
// Then the security-group firewall: the N ports are on the default group and on a group of
// their own that allows no ingress (BENCH_DEFAULT_GROUP=0: on that group only); a probe guest
// (one more port, on a group allowing egress only) pings up to 3 of them (the first, the middle
// and the last) with a 5 ms `ping -D` stream each; once none answered for 2 s (the traffic is
// blocked: checked), an ingress ICMP rule from 0.0.0.0/0 is created on their group and the time
// from the POST (sent, and returned) to each stream's first reply is printed (the agent rewrites
// the filters of every port it has, the N and the probe, in one iptables-restore per IP
// version); then the rule is deleted, and the time from the DELETE to each stream's last reply
// is printed once every stream has been silent for 2 s (the rule's removal from iptables and
// the deletion of the flows' conntrack entries).
//
// Run: npm run build && node bench/network-dataplane.mjs [N... (1 100)]
// Env: BENCH_POLLING_INTERVAL (the L2 agent's [agent] polling_interval, default 2 as upstream);
// BENCH_DEFAULT_GROUP=0: the ports on their own group only, not also on the default group (whose
// rules from its own members are, without ipsets, one iptables rule per member in every port's chain).
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
const onDefaultGroup = process.env.BENCH_DEFAULT_GROUP !== '0';
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
const pings = [];
/** Epoch milliseconds, sub-millisecond (ping -D stamps its replies on the same clock). */
const now = () => performance.timeOrigin + performance.now();
const sleep = (t) => new Promise((r) => setTimeout(r, t));
/** A 5 ms ping stream from the guest `ns` to `ip`: the receive times of its replies (epoch ms, from ping -D). */
function pingStream(ns, ip) {
  const child = spawn('ip', ['netns', 'exec', ns, 'stdbuf', '-oL', 'ping', '-n', '-D', '-i', '0.005', ip], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stream = { ip, replies: [], errors: '', child, exited: false };
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const m = /^\[(\d+\.\d+)\] \d+ bytes from /.exec(buf.slice(0, i));
      if (m) stream.replies.push(Number(m[1]) * 1000);
      buf = buf.slice(i + 1);
    }
  });
  child.stderr.on('data', (d) => { stream.errors += d; });
  child.on('exit', () => { stream.exited = true; });
  pings.push(stream);
  return stream;
}
const stopPing = async (p) => { if (!p.exited) { p.child.kill('SIGINT'); await new Promise((r) => p.child.once('exit', r)); } };
let call;
let until;
let plugGuest;
let lease;
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
  plugGuest = async (g, p) => {
    guests.push(g);
    await sh('ip', ['netns', 'add', g]);
    await sh('ip', ['-n', hostNs, 'link', 'add', `tap${p.id.slice(0, 11)}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', g]);
    await sh('ip', ['-n', g, 'link', 'set', 'eth0', 'address', p.mac_address, 'up']);
    await sh('ip', ['-n', hostNs, 'link', 'set', `tap${p.id.slice(0, 11)}`, 'up']);
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
  lease = async (g, p) => {
    const r = await sh('ip', ['netns', 'exec', g, 'busybox', 'udhcpc', '-i', 'eth0', '-f', '-q', '-n', '-t', '20', '-T', '1', '-s', script], 60_000);
    return r.stdout.includes(`LEASE ${p.fixed_ips[0].ip_address}`);
  };
  await until(async () => (await call('GET', '/v2.0/agents')).agents.filter((a) => a.alive).length >= 2, 'the agents alive', 60_000);

  console.log(`network-dataplane: Linux bridge + DHCP agents in-process, polling_interval ${polling} s, VXLAN network, one guest namespace per port,`
    + ` the ports on ${onDefaultGroup ? 'the default group and ' : ''}a group of their own`);
  for (const [i, n] of sizes.entries()) {
    const net = (await call('POST', '/v2.0/networks', { network: { name: `bench-dp-${n}` } })).network;
    // the ports' own group and the probe's: a new group allows egress only
    const sg = (await call('POST', '/v2.0/security-groups', { security_group: { name: `bench-dp-${n}` } })).security_group;
    const probeSg = (await call('POST', '/v2.0/security-groups', { security_group: { name: `bench-dp-probe-${n}` } })).security_group;
    const defaultSg = (await call('GET', `/v2.0/security-groups?name=default&project_id=${project}`)).security_groups[0];
    networks.push(net.id);
    const t0 = performance.now();
    await call('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: `10.${210 + i}.0.0/16`, ip_version: 4 } });
    const tDnsmasq = await until(async () => {
      try { return (await sh('ip', ['netns', 'pids', `qdhcp-${net.id}`])).stdout.trim() !== ''; } catch { return false; }
    }, 'dnsmasq');
    const tPorts = performance.now();
    const ports = await Promise.all(Array.from({ length: n }, async () => (await call('POST', '/v2.0/ports', {
      port: { network_id: net.id, device_owner: 'compute:nova', device_id: crypto.randomUUID(), 'binding:host_id': host, security_groups: onDefaultGroup ? [defaultSg.id, sg.id] : [sg.id] },
    })).port));
    for (const [k, p] of ports.entries()) await plugGuest(`${tag}-g${i}-${k}`, p);
    const tPlugged = performance.now();
    const tActive = await until(async () => (await call('GET', `/v2.0/ports?network_id=${net.id}&device_owner=compute:nova&status=ACTIVE&fields=id`)).ports.length === n, 'ports ACTIVE');
    const leases = await Promise.all(ports.map((p, k) => lease(`${tag}-g${i}-${k}`, p)));
    const tLeases = performance.now();
    if (!leases.every(Boolean)) throw new Error(`${leases.filter((x) => !x).length} guests got no lease or a wrong one`);
    console.log(`  ${String(n).padStart(3)} port(s): subnet create -> dnsmasq running ${ms(tDnsmasq - t0)}; port create -> all ACTIVE ${ms(tActive - tPorts)}`
      + ` (of which plugging the taps ${ms(tPlugged - tPorts)}); subnet create -> every guest leased ${ms(tLeases - t0)}`);

    // the security-group rule: a probe guest on its own group pings sampled ports of `sg`
    const probe = (await call('POST', '/v2.0/ports', {
      port: { network_id: net.id, device_owner: 'compute:nova', device_id: crypto.randomUUID(), 'binding:host_id': host, security_groups: [probeSg.id] },
    })).port;
    const probeNs = `${tag}-p${i}`;
    await plugGuest(probeNs, probe);
    await until(async () => (await call('GET', `/v2.0/ports/${probe.id}`)).port.status === 'ACTIVE', 'the probe ACTIVE');
    if (!(await lease(probeNs, probe))) throw new Error('the probe got no lease or a wrong one');
    const targets = [...new Set([0, Math.floor((n - 1) / 2), n - 1])].map((k) => ports[k].fixed_ips[0].ip_address);
    const streams = targets.map((ip) => pingStream(probeNs, ip));
    await sleep(2000);
    // blocked: no stream had a reply for 2 s (and the streams run)
    for (const p of streams) {
      if (p.exited) throw new Error(`ping ${p.ip} exited: ${p.errors}`);
      if (p.replies.length) throw new Error(`${p.ip} answers before the rule exists: the traffic is not blocked`);
    }
    const ruleBody = { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'icmp', remote_ip_prefix: '0.0.0.0/0' } };
    const sent = now();
    const rule = (await call('POST', '/v2.0/security-group-rules', ruleBody)).security_group_rule;
    const returned = now();
    await until(async () => streams.every((p) => p.replies.length > 0), 'the first replies after the rule', 30_000);
    const firsts = streams.map((p) => p.replies[0]);
    await sleep(1000);
    const delSent = now();
    await call('DELETE', `/v2.0/security-group-rules/${rule.id}`);
    const delReturned = now();
    // cut: every stream silent for 2 s
    await until(async () => streams.every((p) => now() - Math.max(delReturned, p.replies.at(-1)) > 2000), 'the traffic cut after the DELETE', 60_000);
    const lasts = streams.map((p) => p.replies.at(-1));
    for (const p of streams) await stopPing(p);
    const span = (list, from) => list.map((t) => Math.round(t - from)).join('/');
    console.log(`      security-group rule create (ingress ICMP, ${n} port(s) on the group, ${targets.length} sampled by a 5 ms ping stream each, blocked before): `
      + `POST returned -> first reply ${span(firsts, returned)} ms (POST sent -> first reply ${span(firsts, sent)} ms; the POST took ${ms(returned - sent)}); `
      + `rule DELETE returned -> last reply ${span(lasts, delReturned)} ms (DELETE took ${ms(delReturned - delSent)})`);
  }
} finally {
  for (const p of pings) await stopPing(p);
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
