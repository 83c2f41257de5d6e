#!/usr/bin/env node
// How many tiny guests one host holds while each still answers SSH within a second (root, QEMU,
// dnsmasq, iptables and ssh needed). The cloud of support/guest-cloud.mjs (`dist/nubo.js up`,
// `compute_driver = qemu`, TCG unless BENCH_ACCEL=kvm, the Linux data plane, guests reached on
// floating IPs from an "outside" namespace) and a flavor of BENCH_GUEST_RAM_MB (default 96, the
// least the guest image boots in: it panics in 64) and 1 vCPU. Guests are booted one after
// another, each left running, until one of them no longer answers SSH within BENCH_SSH_LIMIT_MS
// (default 1000; the slower of two tries counts only when both are slower), until the scheduler
// (Placement: MEMORY_MB) or the driver (the host's MemAvailable) refuses one, or BENCH_MAX_GUESTS
// (default: no cap) are up. After each boot every guest held is asked again (`ssh root@FIP true`,
// wall clock of the ssh client from the outside namespace, connection and key exchange included).
// Printed per guest: create -> SSH answering, its SSH answer time, the slowest answer among all
// guests held, the QEMU processes' RSS and the host's MemAvailable, the load average; at the end
// how many guests were held and the memory figures. Everything made is removed at the end.
//
// Run: npm run build && BENCH_MAX_GUESTS=5 node bench/guest-density.mjs
// Env: BENCH_MAX_GUESTS, BENCH_GUEST_RAM_MB, BENCH_SSH_LIMIT_MS, and those of support/guest-cloud.mjs
// (BENCH_GUEST_IMAGE, BENCH_BOOT, BENCH_ACCEL, BENCH_POLLING_INTERVAL, BENCH_KEEP).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { exitUnlessGuestsCanRun, GuestCloud, until } from './support/guest-cloud.mjs';

const maxGuests = Number(process.env.BENCH_MAX_GUESTS ?? Infinity);
const ramMb = Number(process.env.BENCH_GUEST_RAM_MB ?? 96);
const limitMs = Number(process.env.BENCH_SSH_LIMIT_MS ?? 1000);
const mib = (kb) => `${Math.round(kb / 1024)} MiB`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

/** /proc/meminfo's MemTotal and MemAvailable (kB). */
function meminfo() {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)[1]);
  return { total: field('MemTotal'), available: field('MemAvailable') };
}

/** The QEMU processes of the servers (their uuid on the command line) and their summed VmRSS (kB). */
function qemuRss(ids) {
  let pids = [];
  try { pids = execFileSync('pgrep', ['-f', 'qemu-system'], { encoding: 'utf8' }).split('\n').filter(Boolean); } catch { /* none */ }
  let rss = 0;
  let count = 0;
  for (const pid of pids) {
    try {
      if (!ids.some((id) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id))) continue;
      rss += Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
      count++;
    } catch { /* gone */ }
  }
  return { rss, count };
}

await exitUnlessGuestsCanRun('guest-density');
const cloud = new GuestCloud({ tag: `gdb${process.pid}` });
const held = [];
let why = `BENCH_MAX_GUESTS=${maxGuests} reached`;
const memStart = meminfo();
try {
  await cloud.start();
  const { call } = cloud;
  const flavor = (await call('compute', 'POST', '/flavors', { flavor: { name: `bench.tiny-${ramMb}`, ram: ramMb, vcpus: 1, disk: 1 } })).flavor;
  /** `ssh true` to the guest: its wall-clock time (ms), the better of two tries when the first is over the limit; null when it does not answer. */
  const answer = async (fip) => {
    let best = null;
    for (let i = 0; i < 2 && (best === null || best > limitMs); i++) {
      const t0 = performance.now();
      const r = await cloud.ssh(fip, 'true', 5);
      const t = performance.now() - t0;
      if (r.ok) best = best === null ? t : Math.min(best, t);
    }
    return best;
  };
  console.log(`guest-density: qemu ${cloud.accel}, ${cpus().length} CPUs, ${mib(memStart.total)} memory (${mib(memStart.available)} available), load average ${load()} at the start;`
    + ` guests of ${ramMb} MiB and 1 vCPU, direct kernel boot, one after another, each on a floating IP; limit: SSH answering within ${limitMs} ms`);
  for (let i = 1; i <= maxGuests; i++) {
    const t0 = performance.now();
    const { server, fip, fault } = await cloud.boot(`density-${i}`, flavor.id);
    if (fault) {
      why = `guest ${i} refused: ${fault.message}`;
      break;
    }
    const status = await until(async () => {
      const s = (await call('compute', 'GET', `/servers/${server.id}`)).server;
      return ['ACTIVE', 'ERROR'].includes(s.status) && s;
    }, 'ACTIVE or ERROR', 600_000, 200);
    if (status.status === 'ERROR') {
      why = `guest ${i} refused: ${status.fault?.message ?? 'ERROR without a fault'}`;
      break;
    }
    const up = await until(async () => (await cloud.ssh(fip, 'true')).ok, 'SSH', 600_000, 200).then(() => true, () => false);
    if (!up) {
      why = `guest ${i} did not answer SSH within 600 s of its create`;
      break;
    }
    const toSsh = performance.now() - t0;
    held.push({ i, id: server.id, fip });
    const answers = [];
    for (const g of held) answers.push({ g, ms: await answer(g.fip) });
    const slowest = answers.reduce((a, b) => ((b.ms ?? Infinity) > (a.ms ?? Infinity) ? b : a));
    const own = answers.at(-1).ms;
    const { rss, count } = qemuRss(held.map((g) => g.id));
    console.log(`  guest ${i}: create -> SSH answering ${(toSsh / 1000).toFixed(1)} s, SSH answer ${own === null ? 'none' : `${Math.round(own)} ms`},`
      + ` slowest of the ${held.length} held ${slowest.ms === null ? 'none' : `${Math.round(slowest.ms)} ms`} (guest ${slowest.g.i});`
      + ` ${count} QEMU RSS ${mib(rss)}, MemAvailable ${mib(meminfo().available)}, load ${load()}`);
    if (slowest.ms === null || slowest.ms > limitMs) {
      held.pop();
      why = `guest ${slowest.g.i} no longer answered SSH within ${limitMs} ms with ${held.length + 1} guests running`;
      break;
    }
  }
  const { rss, count } = qemuRss(cloud.made.servers);
  const memEnd = meminfo();
  console.log(`guest-density: ${held.length} guests held answering SSH within ${limitMs} ms (stopped: ${why});`
    + ` at the stop ${count} QEMU processes, RSS ${mib(rss)} (${count ? mib(rss / count) : '-'} each), MemAvailable ${mib(memStart.available)} -> ${mib(memEnd.available)}`
    + ` of ${mib(memEnd.total)}, load average ${load()} at the end`);
} finally {
  await cloud.stop('guest-density');
}
