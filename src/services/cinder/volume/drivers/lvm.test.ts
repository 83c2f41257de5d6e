/**
 * The LVM driver's commands and its reading of LVM's reports, with a fake CommandRunner that
 * records each command and answers `vgs`/`lvs` with canned reports (the real LVM test, on a
 * loop device, is test/volume-lvm.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import type { CommandRunner } from './command-runner.js';
import { LvmDriver, type LvmDriverOptions } from './lvm.js';
import { parseLvs, parseVgs } from './lvm-reports.js';

const V = '11111111-2222-4333-8444-555555555555';
const S = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const C = 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff';
const work = mkdtempSync(join(tmpdir(), 'nubo-lvm-unit-'));
after(() => rmSync(work, { recursive: true, force: true }));

const REPORT = '--noheadings --units g --nosuffix --separator :';

function fake(reports: { vgs?: string; lvs?: string; qemuInfo?: string } = {}, opts: Partial<LvmDriverOptions> = {}): { driver: LvmDriver; calls: string[] } {
  const calls: string[] = [];
  const run: CommandRunner = async (program, args) => {
    calls.push([program, ...args].join(' '));
    if (program === 'vgs') return reports.vgs ?? '';
    if (program === 'lvs') return reports.lvs ?? '';
    if (program === 'qemu-img' && args[0] === 'info') return reports.qemuInfo ?? '{}';
    return '';
  };
  const driver = new LvmDriver({
    backendName: 'lvm', volumeGroup: 'cinder-volumes', lvmType: 'default', volumeClear: 'zero', volumeClearSizeMb: 0,
    maxOverSubscriptionRatio: 20, reservedPercentage: 0, workDir: work, run, ...opts,
  });
  return { driver, calls };
}

const vol = (id: string, size: number) => ({ id, size, provider_location: null });
const snap = { id: S, volume_id: V, volume_size: 1, provider_location: null };

test('vgs and lvs reports: fields by ":", GiB without suffix, data percent only where LVM gives one', () => {
  assert.deepEqual(parseVgs('  cinder-volumes:19.99:7.50\n'), { name: 'cinder-volumes', sizeGb: 19.99, freeGb: 7.5 });
  assert.deepEqual(parseLvs(`  volume-${V}:1.00:owi-a-----:\n  _snapshot-${S}:1.00:swi-a-s---:0.01\n  cinder-volumes-pool:18.00:twi-aotz--:12.50\n`), [
    { name: `volume-${V}`, sizeGb: 1, attr: 'owi-a-----', dataPercent: null },
    { name: `_snapshot-${S}`, sizeGb: 1, attr: 'swi-a-s---', dataPercent: 0.01 },
    { name: 'cinder-volumes-pool', sizeGb: 18, attr: 'twi-aotz--', dataPercent: 12.5 },
  ]);
  assert.deepEqual(parseLvs(''), []);
  assert.throws(() => parseVgs(''), /no volume group/);
  assert.throws(() => parseVgs('  vg:lots:1'), /vg_size/);
});

test('thick: create, snapshot, volume from snapshot, extend, delete (zeroed first) run brick\'s commands', async () => {
  const { driver, calls } = fake({ lvs: `  volume-${V}:2.00:-wi-a-----:\n  _snapshot-${S}:2.00:swi-a-s---:0.00\n` });
  const dev = '/dev/mapper/cinder--volumes-volume--11111111--2222--4333--8444--555555555555';
  assert.equal(driver.volumePath(V), dev);
  await driver.createVolume(vol(V, 2));
  await driver.createSnapshot({ ...snap, volume_size: 2 }, vol(V, 2));
  await driver.createVolumeFromSnapshot(vol(C, 3), { ...snap, volume_size: 2 });
  await driver.extendVolume(vol(V, 2), 4);
  await driver.deleteVolume(vol(V, 2));
  await driver.deleteSnapshot({ ...snap, volume_size: 2 });
  const snapDev = '/dev/mapper/cinder--volumes-_snapshot--66666666--7777--4888--9999--aaaaaaaaaaaa';
  assert.deepEqual(calls, [
    `lvcreate -n volume-${V} cinder-volumes -L 2g`,
    `lvcreate --name _snapshot-${S} --snapshot cinder-volumes/volume-${V} -L 2g`,
    `lvcreate -n volume-${C} cinder-volumes -L 3g`,
    `dd if=${snapDev} of=${driver.volumePath(C)} count=2048 bs=1M conv=fdatasync`,
    `lvs ${REPORT} -o lv_name,lv_size,lv_attr,data_percent cinder-volumes`,
    `lvextend -L 4g cinder-volumes/volume-${V}`,
    `lvs ${REPORT} -o lv_name,lv_size,lv_attr,data_percent cinder-volumes`,
    `dd if=/dev/zero of=${dev} count=2048 bs=1M conv=fdatasync`,
    `lvremove --config activation { retry_deactivation = 1}  -f cinder-volumes/volume-${V}`,
    `lvs ${REPORT} -o lv_name,lv_size,lv_attr,data_percent cinder-volumes`,
    `dd if=/dev/zero of=${snapDev}-cow count=2048 bs=1M conv=fdatasync`,
    `lvremove --config activation { retry_deactivation = 1}  -f cinder-volumes/_snapshot-${S}`,
  ]);
});

test('thick clone: through a temporary snapshot, removed even when the copy fails', async () => {
  const { driver, calls } = fake();
  await driver.createClonedVolume(vol(C, 1), vol(V, 1));
  assert.deepEqual(calls, [
    `lvcreate --name clone-snap-${C} --snapshot cinder-volumes/volume-${V} -L 1g`,
    `lvcreate -n volume-${C} cinder-volumes -L 1g`,
    `dd if=/dev/mapper/cinder--volumes-clone--snap--${C.replace(/-/g, '--')} of=${driver.volumePath(C)} count=1024 bs=1M conv=fdatasync`,
    `lvremove --config activation { retry_deactivation = 1}  -f cinder-volumes/clone-snap-${C}`,
  ]);
  const failing = new LvmDriver({
    backendName: 'lvm', volumeGroup: 'vg', lvmType: 'default', volumeClear: 'none', volumeClearSizeMb: 0, maxOverSubscriptionRatio: 20, reservedPercentage: 0, workDir: work,
    run: async (program, args) => { calls.push(`${program} ${args.at(-1)}`); if (program === 'dd') throw new Error('dd: no space'); return ''; },
  });
  calls.length = 0;
  await assert.rejects(failing.createClonedVolume(vol(C, 1), vol(V, 1)), /no space/);
  assert.equal(calls.at(-1), `lvremove vg/clone-snap-${C}`);
  await assert.rejects(driver.createClonedVolume(vol(V, 1), vol(V, 1)), /migration/);
});

test('volume_clear none and volume_clear_size; a volume with snapshots is not deleted but extended inactive; a missing one is done', async () => {
  const lvs = `  volume-${V}:4.00:-wi-a-----:\n`;
  let f = fake({ lvs }, { volumeClearSizeMb: 100 });
  await f.driver.deleteVolume(vol(V, 4));
  assert.match(f.calls[1]!, /^dd if=\/dev\/zero of=\S+ count=100 bs=1M/);
  f = fake({ lvs }, { volumeClear: 'none' });
  await f.driver.deleteVolume(vol(V, 4));
  assert.deepEqual(f.calls.map((c) => c.split(' ')[0]), ['lvs', 'lvremove']);
  f = fake({ lvs: `  volume-${V}:4.00:owi-a-----:\n` });
  await assert.rejects(f.driver.deleteVolume(vol(V, 4)), /has snapshots/);
  f.calls.length = 0;
  await f.driver.extendVolume(vol(V, 4), 5);
  assert.deepEqual(f.calls.slice(1), [`lvchange -a n cinder-volumes/volume-${V}`, `lvextend -L 5g cinder-volumes/volume-${V}`, `lvchange -a y cinder-volumes/volume-${V}`], 'an origin is extended inactive');
  f = fake({ lvs: '' });
  await f.driver.deleteVolume(vol(V, 4));
  assert.deepEqual(f.calls.map((c) => c.split(' ')[0]), ['lvs']);
});

test('thin: volumes in <vg>-pool, snapshots and clones are activated thin snapshots, nothing zeroed', async () => {
  const { driver, calls } = fake({ lvs: `  volume-${V}:1.00:Vwi-a-tz--:0.00\n` }, { lvmType: 'thin' });
  await driver.createVolume(vol(V, 1));
  await driver.createSnapshot(snap, vol(V, 1));
  await driver.createClonedVolume(vol(C, 2), vol(V, 1));
  await driver.deleteVolume(vol(V, 1));
  assert.deepEqual(calls, [
    `lvcreate -T -V 1g -n volume-${V} cinder-volumes/cinder-volumes-pool`,
    `lvcreate --name _snapshot-${S} --snapshot cinder-volumes/volume-${V}`,
    `lvchange -a y --yes -K cinder-volumes/_snapshot-${S}`,
    `lvcreate --name volume-${C} --snapshot cinder-volumes/volume-${V}`,
    `lvchange -a y --yes -K cinder-volumes/volume-${C}`,
    `lvextend -L 2g cinder-volumes/volume-${C}`,
    `lvs ${REPORT} -o lv_name,lv_size,lv_attr,data_percent cinder-volumes`,
    `lvremove --config activation { retry_deactivation = 1}  -f cinder-volumes/volume-${V}`,
  ]);
});

test('setup: the volume group must exist; thin makes the pool from 95% of the free space when missing', async () => {
  const { driver, calls } = fake({ vgs: '  cinder-volumes:20.00:20.00\n', lvs: '' }, { lvmType: 'thin' });
  await driver.doSetup();
  assert.deepEqual(calls, [
    `vgs ${REPORT} -o vg_name,vg_size,vg_free cinder-volumes`,
    `lvs ${REPORT} -o lv_name,lv_size,lv_attr,data_percent cinder-volumes`,
    'lvcreate -T -L 19g cinder-volumes/cinder-volumes-pool',
  ]);
  const missing = new LvmDriver({
    backendName: 'lvm', volumeGroup: 'nope', lvmType: 'default', volumeClear: 'zero', volumeClearSizeMb: 0, maxOverSubscriptionRatio: 20, reservedPercentage: 0, workDir: work,
    run: async () => { throw new Error('Volume group "nope" not found'); },
  });
  await assert.rejects(missing.doSetup(), /not found/);
});

test('stats: the volume group\'s size and free GiB (thick), the pool\'s size and data percent (thin)', async () => {
  const lvs = `  volume-${V}:2.00:Vwi-a-tz--:50.00\n  volume-${C}:6.00:Vwi-a-tz--:0.00\n  cinder-volumes-pool:10.00:twi-aotz--:25.00\n  other:1.00:-wi-a-----:\n`;
  const thick = (await fake({ vgs: '  cinder-volumes:20.00:7.50\n', lvs }).driver.getVolumeStats()).pools[0]!;
  assert.deepEqual([thick.total_capacity_gb, thick.free_capacity_gb, thick.provisioned_capacity_gb, thick.thin_provisioning_support, thick.total_volumes], [20, 7.5, 12.5, false, 2]);
  const thin = (await fake({ vgs: '  cinder-volumes:20.00:7.50\n', lvs }, { lvmType: 'thin' }).driver.getVolumeStats()).pools[0]!;
  assert.deepEqual([thin.total_capacity_gb, thin.free_capacity_gb, thin.provisioned_capacity_gb, thin.thin_provisioning_support], [10, 7.5, 8, true]);
});

test('revert: thick merges the snapshot and makes it again; thin copies the snapshot over the volume (zeros too)', async () => {
  let f = fake();
  await f.driver.revertToSnapshot(vol(V, 1), snap);
  assert.deepEqual(f.calls, [
    `lvconvert --merge cinder-volumes/_snapshot-${S}`,
    `lvchange -a n cinder-volumes/volume-${V}`,
    `lvchange -a y cinder-volumes/volume-${V}`,
    `lvcreate --name _snapshot-${S} --snapshot cinder-volumes/volume-${V} -L 1g`,
  ]);
  f = fake({}, { lvmType: 'thin' });
  await f.driver.revertToSnapshot(vol(V, 1), snap);
  assert.deepEqual(f.calls, [
    `lvchange -a y --yes -K cinder-volumes/_snapshot-${S}`,
    `dd if=${f.driver.snapshotPath(S)} of=${f.driver.volumePath(V)} count=1024 bs=1M conv=fdatasync`,
  ]);
});

test('an image goes through qemu-img convert -O raw onto the LV; one larger than the volume is refused', async () => {
  let f = fake({ qemuInfo: JSON.stringify({ 'virtual-size': 1024 ** 3 }) });
  await f.driver.copyImageToVolume(vol(V, 1), Readable.from([Buffer.from('qcow2 bytes')]), 'qcow2');
  const tmp = join(work, `volume-${V}.image`);
  assert.deepEqual(f.calls, [`qemu-img info --output=json -f qcow2 ${tmp}`, `qemu-img convert -f qcow2 -O raw -t none ${tmp} ${f.driver.volumePath(V)}`]);
  f = fake({ qemuInfo: JSON.stringify({ 'virtual-size': 1024 ** 3 + 1 }) });
  await assert.rejects(f.driver.copyImageToVolume(vol(V, 1), Readable.from([Buffer.from('x')]), 'raw'), /larger than the volume/);
  assert.equal(f.calls.length, 1);
});

test('connection info, backup device, backend objects and manage read the LVs', async () => {
  const lvs = `  volume-${V}:1.00:owi-a-----:\n  _snapshot-${S}:1.00:swi-a-s---:0.00\n  clone-snap-${C}:1.00:swi-a-s---:0.00\n  data:2.50:-wi-a-----:\n`;
  const { driver, calls } = fake({ lvs });
  assert.deepEqual(await driver.initializeConnection(vol(V, 1), {}), {
    driver_volume_type: 'local', data: { device_path: driver.volumePath(V), volume_id: V, name: `volume-${V}` },
  });
  await assert.rejects(driver.initializeConnection(vol(C, 1), {}), /missing/);
  assert.deepEqual(await driver.backupDevice({ snapshot: snap }), { path: driver.snapshotPath(S), format: 'raw' });
  assert.deepEqual(await driver.listBackendObjects(), [
    { name: `volume-${V}`, kind: 'volume', id: V, temporary: false },
    { name: `_snapshot-${S}`, kind: 'snapshot', id: S, temporary: false },
    { name: `clone-snap-${C}`, kind: 'volume', id: C, temporary: true },
  ]);
  assert.deepEqual(await driver.listManageable(), [{ name: 'data', sizeGb: 3 }, { name: `volume-${V}`, sizeGb: 1 }]);
  assert.equal(await driver.manageExistingGetSize({ 'source-name': 'data' }), 3);
  await assert.rejects(driver.manageExistingGetSize({ 'source-name': `_snapshot-${S}` }), /not a plain or thin volume/);
  await assert.rejects(driver.manageExistingGetSize({ 'source-name': 'gone' }), /no logical volume gone/);
  calls.length = 0;
  await driver.manageExisting(vol(C, 3), { 'source-name': 'data' });
  assert.deepEqual(calls.filter((c) => !c.startsWith('lvs ')), [`lvrename cinder-volumes data volume-${C}`, `lvextend -L 3g cinder-volumes/volume-${C}`]);
  await assert.rejects(driver.removeBackendObject('data'), /not a volume or snapshot/);
});
