#!/usr/bin/env node
// A real guest's time from `server create` to SSH answering on its floating IP (root, QEMU,
// dnsmasq, iptables and ssh needed). A cloud is started here from dist/nubo.js with
// `compute_driver = qemu` (TCG unless BENCH_ACCEL=kvm) and the Linux data plane
// (support/guest-cloud.mjs: its host namespace gsb<pid>-{host}, "the outside" gsb<pid>-out on
// 203.0.113.0/24, the guest image in Glance with its kernel and initramfs, a router joining the
// tenant network to the external one, tcp/22 let in). Then N boots (default 2: the first fetches the image from Glance, the next
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
import { exitUnlessGuestsCanRun, GuestCloud, until } from './support/guest-cloud.mjs';

const boots = Number(process.argv[2] ?? 2);
const ms = (t) => `${Math.round(t)} ms`;

await exitUnlessGuestsCanRun('guest-ssh');
const cloud = new GuestCloud({ tag: `gsb${process.pid}` });
try {
  await cloud.start();
  const { call } = cloud;
  console.log(`guest-ssh: qemu ${cloud.accel}, ${cloud.bootFrom === 'kernel' ? 'direct kernel boot' : 'boot from the disk'}, m1.tiny, Linux bridge/DHCP/L3/metadata agents in-process (polling_interval ${cloud.polling} s), key from the metadata service`);
  for (let i = 1; i <= boots; i++) {
    const t0 = performance.now();
    const { server, fip } = await cloud.boot(`bench-${i}`);
    let tActive;
    const watchActive = until(async () => {
      const s = (await call('compute', 'GET', `/servers/${server.id}`)).server;
      if (s.status === 'ERROR') throw new Error(`server ${server.id} ERROR: ${JSON.stringify(s.fault)}`);
      return s.status === 'ACTIVE' && (tActive = performance.now());
    }, 'ACTIVE', 300_000, 50);
    const uptime = await until(async () => { const r = await cloud.ssh(fip, 'cut -d" " -f1 /proc/uptime'); return r.ok && r.out.trim(); }, 'SSH', 300_000, 200);
    const tSsh = performance.now();
    await watchActive;
    const log = await cloud.consoleLog(server.id);
    const at = (re) => re.exec(log)?.[1] ?? '?';
    console.log(`  boot ${i}${i === 1 ? ' (image fetched from Glance)' : ' (image cached)'}: create -> ACTIVE ${ms(tActive - t0)}, create -> SSH answering ${ms(tSsh - t0)};`
      + ` guest uptime: userspace ${at(/\[([\d.]+)\] userspace started/)} s, lease ${at(/\[([\d.]+)\] eth0 \d/)} s, init done ${at(/\[([\d.]+)\] up: /)} s, ssh ran at ${uptime} s`);
    await cloud.deleteServer(server.id);
  }
} finally {
  await cloud.stop('guest-ssh');
}
