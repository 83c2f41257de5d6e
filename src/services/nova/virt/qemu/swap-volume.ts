/**
 * A volume swapped for another under a guest (Nova's swap_volume; libvirt's _swap_volume does a
 * block copy onto the new volume and pivots to it).
 *
 * While QEMU runs: the new volume's node is added (blockdev-add), a blockdev-mirror job copies
 * the old node onto it (sync full) while the guest goes on writing, and once the job is ready
 * job-complete pivots the guest's disk to the new node; the old node is then deleted. The guest
 * sees the same disk at the same device throughout. While it is off: `qemu-img convert` copies
 * the old volume onto the new one, which the next start uses.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { QemuError } from '../../errors.js';
import type { Guest } from './guest.js';
import { copyOnto } from './qemu-img.js';
import { blockdevAdd, nodeOf, volumeIds, type VolumeDisk } from './volumes.js';

interface BlockJob {
  device: string;
  ready: boolean;
  offset?: number;
  len?: number;
}

/** The new volume with a block node of its own (the old one's stays in use until the pivot). */
function withFreshNode(next: VolumeDisk): VolumeDisk {
  return { ...next, node: `${volumeIds(next.mountpoint).node}-${randomBytes(3).toString('hex')}` };
}

/** Swap `old` for `next` under the guest: the disk it answers with, as recorded from now on. @throws QemuError */
export async function swapDisk(g: Guest, old: VolumeDisk, next: VolumeDisk): Promise<VolumeDisk> {
  if (!g.running) {
    await copyOnto(old.path, old.format, next.path, next.format);
    const { node: _unused, ...offline } = next;
    return offline;
  }
  const target = withFreshNode(next);
  const job = `swap-${nodeOf(target)}`;
  await g.command('blockdev-add', blockdevAdd(target));
  try {
    await g.command('blockdev-mirror', { 'job-id': job, device: nodeOf(old), target: nodeOf(target), sync: 'full' });
    await untilReady(g, job);
    await g.command('job-complete', { id: job });
    await untilGone(g, job);
    const pivoted = await nodeOfDevice(g, volumeIds(old.mountpoint).device);
    if (pivoted !== nodeOf(target)) throw new QemuError(`the guest's disk at ${old.mountpoint} is on ${pivoted ?? 'nothing'}, not the new volume, after the mirror`);
  } catch (err) {
    await g.command('block-job-cancel', { device: job, force: true }).catch(() => undefined);
    await untilGone(g, job).catch(() => undefined);
    await g.command('blockdev-del', { 'node-name': nodeOf(target) }).catch(() => undefined);
    throw err;
  }
  await g.command('blockdev-del', { 'node-name': nodeOf(old) });
  return target;
}

/** Until the mirror has copied the disk and follows its writes. @throws QemuError when the job ended first */
async function untilReady(g: Guest, job: string): Promise<void> {
  for (;;) {
    const mirror = (await g.command<BlockJob[]>('query-block-jobs')).find((j) => j.device === job);
    if (!mirror) throw new QemuError(`the copy onto the new volume (${job}) ended before it was complete`);
    if (mirror.ready) return;
    await sleep(100);
  }
}

async function untilGone(g: Guest, job: string): Promise<void> {
  while ((await g.command<BlockJob[]>('query-block-jobs')).some((j) => j.device === job)) await sleep(50);
}

/** The block node a guest device reads from now (query-block's inserted node). */
async function nodeOfDevice(g: Guest, qdev: string): Promise<string | undefined> {
  const blocks = await g.command<Array<{ qdev?: string; inserted?: { 'node-name'?: string } }>>('query-block');
  return blocks.find((b) => b.qdev === qdev || b.qdev?.endsWith(`/${qdev}/virtio-backend`))?.inserted?.['node-name'];
}
