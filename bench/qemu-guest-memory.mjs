#!/usr/bin/env node
// Where a TCG guest's QEMU memory goes: the guest image booted directly by QEMU (no cloud), as
// the qemu driver starts it (direct kernel boot, virtio disk, serial console to a log, QMP), in
// variants: the TCG translation buffer (`-accel tcg,tb-size=N`; QEMU 7.2's default is 1 GiB of
// address space, touched as code is translated), with or without the VGA display on VNC. Per
// variant: the boot time (QEMU started -> the guest's init says it is done on the console) and the
// CPU time QEMU spent on it, then the translation buffer's flushes so far (HMP `info jit`) and,
// BENCH_SETTLE_S (default 20) seconds later, QEMU's VmRSS and its mappings by what they hold
// (from /proc/PID/smaps: the guest's RAM, the translation buffer, the VGA memory, the rest:
// QEMU's heap, stacks and libraries). Every QEMU started is killed and its directory removed.
//
// Run: node bench/qemu-guest-memory.mjs KERNEL INITRD DISK.qcow2
//   (`nubo image build --output DISK.qcow2 --kernel-output KERNEL --ramdisk-output INITRD`)
// Env: BENCH_VARIANTS (default "default,tb=64,tb=32,tb=16,tb=32+novga"; a variant is a
// "+"-joined list of default | tb=N | novga), BENCH_GUEST_RAM_MB (96), BENCH_RUNS (1), BENCH_SETTLE_S (20).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const [kernel, initrd, disk] = process.argv.slice(2);
if (!disk) {
  console.error('usage: node bench/qemu-guest-memory.mjs KERNEL INITRD DISK.qcow2');
  process.exit(2);
}
const variants = (process.env.BENCH_VARIANTS ?? 'default,tb=64,tb=32,tb=16,tb=32+novga').split(',');
const ramMb = Number(process.env.BENCH_GUEST_RAM_MB ?? 96);
const runs = Number(process.env.BENCH_RUNS ?? 1);
const settleS = Number(process.env.BENCH_SETTLE_S ?? 20);
/** What the guest's init prints once its boot steps are done (guest-files.ts). */
const BOOTED = /nubo-init: \[[\d.]+\] (no network interface|eth0: DHCP)/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (kb) => Math.round(kb / 1024);

/** QEMU's mappings summed by what they hold (kB of RSS), told apart by their sizes. */
function footprint(pid, tbMb) {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n');
  const out = { ram: 0, tb: 0, vga: 0, other: 0 };
  let size = 0;
  for (const line of smaps) {
    const m = /^(Size|Rss):\s+(\d+) kB/.exec(line);
    if (!m) continue;
    if (m[1] === 'Size') { size = Number(m[2]); continue; }
    const rss = Number(m[2]);
    const near = (mb) => Math.abs(size / 1024 - mb) < 1; // the buffer is a page short of its size
    if (near(ramMb)) out.ram += rss;
    else if (near(tbMb)) out.tb += rss;
    else if (near(16)) out.vga += rss; // VGA's vgamem (16 MiB)
    else out.other += rss;
  }
  const vmRss = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { vmRss, ...out };
}

/** QEMU's CPU time so far (user + system, seconds): a boot's cost that the machine's load stretches less than its wall clock. */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** How often TCG flushed its translation buffer (HMP `info jit` over QMP): a buffer too small for the guest's code flushes often. */
function tbFlushes(socket) {
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let buf = '';
    c.on('error', reject);
    c.on('data', (d) => {
      buf += d;
      const m = /TB flush count\s+(\d+)/.exec(buf.replace(/\\r\\n/g, '\n'));
      if (m) { c.end(); resolve(Number(m[1])); }
    });
    c.write('{"execute":"qmp_capabilities"}\n{"execute":"human-monitor-command","arguments":{"command-line":"info jit"}}\n');
  });
}

async function run(variant) {
  const opts = variant.split('+');
  const tb = opts.find((o) => o.startsWith('tb='));
  const tbMb = tb ? Number(tb.slice(3)) : 1024;
  const vga = !opts.includes('novga');
  const dir = mkdtempSync(join(tmpdir(), 'nubo-qemu-mem-'));
  const log = join(dir, 'console.log');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', disk, join(dir, 'disk.qcow2')]);
  const args = [
    '-machine', 'pc', '-accel', tb ? `tcg,tb-size=${tbMb}` : 'tcg', '-m', String(ramMb), '-smp', '1',
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-chardev', `file,id=console0,path=${log},append=on`, '-serial', 'chardev:console0',
    '-qmp', `unix:${join(dir, 'qmp.sock')},server=on,wait=off`,
    '-drive', `file=${join(dir, 'disk.qcow2')},format=qcow2,if=none,id=disk0`, '-device', 'virtio-blk-pci,drive=disk0,bootindex=1',
    '-kernel', kernel, '-initrd', initrd, '-append', 'root=/dev/vda console=ttyS0 quiet',
    ...(vga ? ['-device', 'VGA,id=video0', '-vnc', `unix:${join(dir, 'vnc.sock')}`] : []),
  ];
  const t0 = performance.now();
  const qemu = spawn('qemu-system-x86_64', args, { stdio: 'ignore' });
  try {
    let bootMs = null;
    let bootCpu = null;
    while (performance.now() - t0 < 300_000 && qemu.exitCode === null) {
      let text = '';
      try { text = readFileSync(log, 'utf8'); } catch { /* not yet */ }
      if (BOOTED.test(text)) { bootMs = performance.now() - t0; bootCpu = cpuSeconds(qemu.pid); break; }
      await sleep(100);
    }
    if (bootMs === null) {
      let tail = '';
      try { tail = readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | '); } catch { /* none */ }
      const cpu = qemu.exitCode === null ? `, QEMU CPU ${cpuSeconds(qemu.pid).toFixed(1)} s` : '';
      console.log(`  ${variant.padEnd(16)} did not boot within 300 s (QEMU exit ${qemu.exitCode}${cpu}); console: ${tail}`);
      return;
    }
    await sleep(settleS * 1000);
    const f = footprint(qemu.pid, tbMb);
    const flushes = await tbFlushes(join(dir, 'qmp.sock'));
    console.log(`  ${variant.padEnd(16)} boot ${(bootMs / 1000).toFixed(1)} s (QEMU CPU ${bootCpu.toFixed(1)} s), ${flushes} TB flushes; after ${settleS} s: VmRSS ${mib(f.vmRss)} MiB = guest RAM ${mib(f.ram)}`
      + ` + translation buffer ${mib(f.tb)} + VGA ${mib(f.vga)} + QEMU's own ${mib(f.other)} (load ${loadavg()[0].toFixed(1)})`);
  } finally {
    qemu.kill('SIGKILL');
    await new Promise((r) => (qemu.exitCode !== null || qemu.signalCode !== null ? r() : qemu.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`qemu-guest-memory: ${execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).split('\n')[0]}; guests of ${ramMb} MiB, TCG, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (let r = 0; r < runs; r++) for (const v of variants) await run(v);
