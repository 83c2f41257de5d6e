/**
 * The LVM driver on a real volume group: a sparse file on a loop device becomes a PV and a VG,
 * then a volume is created, a pattern written through its device node, snapshotted, cloned,
 * made into a volume from the snapshot, extended; the copies are compared with cmp, everything
 * is deleted and the VG, PV, loop device and file removed. Skipped, with the reason, where the
 * machine cannot: the probe makes a VG on a loop file and tries a 4 MiB lvcreate (kernels or
 * containers without device-mapper targets fail there).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand as run } from '../src/services/cinder/volume/drivers/command-runner.js';
import { LvmDriver } from '../src/services/cinder/volume/drivers/lvm.js';

/** A VG `vg` on a loop device over a sparse file of `size`; `remove` takes all of it away again. */
async function loopVg(vg: string, size: string): Promise<{ remove: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-lvm-'));
  const file = join(dir, 'pv.img');
  const undo: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const remove = async () => { for (const u of undo.reverse()) await u().catch(() => undefined); };
  try {
    await run('truncate', ['-s', size, file]);
    const loop = (await run('losetup', ['-f', '--show', file])).trim();
    undo.push(() => run('losetup', ['-d', loop]));
    await run('pvcreate', ['-q', loop]);
    undo.push(() => run('pvremove', ['-q', '-y', loop]));
    await run('vgcreate', ['-q', vg, loop]);
    undo.push(() => run('vgremove', ['-q', '-f', vg]));
    return { remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** Why LVM volumes cannot be made here, or undefined when a 4 MiB LV can be. */
async function probe(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'LVM needs root';
  let vg;
  try {
    vg = await loopVg(`nubo-probe-${process.pid}`, '64M');
    await run('lvcreate', ['-q', '-n', 'probe', '-L', '4m', `nubo-probe-${process.pid}`]);
    return undefined;
  } catch (err) {
    // lvcreate's last word before its usage hint says why (striped: Required device-mapper target(s) not detected in your kernel.)
    const lines = (err as Error).message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Run `'));
    return `lvcreate of 4 MiB on a loop-device VG fails here: ${lines.at(-1) ?? 'unknown error'}`;
  } finally {
    await vg?.remove();
  }
}

const skip = await probe();

test('LVM driver on a loop-device volume group: create, write, snapshot, clone, extend, cmp, delete', { skip, timeout: 600_000 }, async () => {
  const vgName = `nubo-lvm-${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), 'nubo-lvm-work-'));
  const vg = await loopVg(vgName, '8G');
  try {
    const driver = new LvmDriver({
      backendName: 'lvm', volumeGroup: vgName, lvmType: 'default', volumeClear: 'zero', volumeClearSizeMb: 1,
      maxOverSubscriptionRatio: 1, reservedPercentage: 0, workDir: work,
    });
    await driver.doSetup();
    const ids = ['10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000003'];
    const [a, clone, fromSnap] = ids.map((id) => ({ id, size: 1, provider_location: null }));
    const snap = { id: '20000000-0000-4000-8000-000000000001', volume_id: a!.id, volume_size: 1, provider_location: null };
    await driver.createVolume(a!);
    const info = await driver.initializeConnection(a!, {});
    assert.equal(info.driver_volume_type, 'local');
    const dev = String(info.data['device_path']);
    await run('dd', ['if=/dev/urandom', `of=${dev}`, 'bs=1M', 'count=8', 'conv=fdatasync']);
    await driver.createSnapshot(snap, a!);
    await driver.createClonedVolume(clone!, a!);
    await driver.createVolumeFromSnapshot(fromSnap!, snap);
    await run('dd', ['if=/dev/zero', `of=${dev}`, 'bs=1M', 'count=1', 'conv=fdatasync']); // the volume changes after the snapshot
    for (const copy of [driver.volumePath(clone!.id), driver.volumePath(fromSnap!.id)]) {
      await run('cmp', ['-n', String(1024 ** 3), driver.snapshotPath(snap.id), copy]);
    }
    await assert.rejects(run('cmp', ['-n', String(8 << 20), dev, driver.volumePath(clone!.id)]), /differ/);
    await driver.extendVolume(clone!, 2);
    assert.equal((await run('blockdev', ['--getsize64', driver.volumePath(clone!.id)])).trim(), String(2 * 1024 ** 3));
    const pool = (await driver.getVolumeStats()).pools[0]!;
    assert.ok(pool.total_capacity_gb > 7 && pool.free_capacity_gb < pool.total_capacity_gb - 4, JSON.stringify(pool));
    assert.equal((await driver.listBackendObjects()).length, 4);
    await assert.rejects(driver.deleteVolume(a!), /has snapshots/);
    await driver.deleteSnapshot(snap);
    for (const v of [a!, { ...clone!, size: 2 }, fromSnap!]) await driver.deleteVolume(v);
    assert.deepEqual(await driver.listBackendObjects(), []);
  } finally {
    await vg.remove();
    rmSync(work, { recursive: true, force: true });
  }
});
