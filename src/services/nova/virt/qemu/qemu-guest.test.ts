// The qemu driver with a real guest under TCG: the guest image (nubo image build) boots, its
// init's progress shows on the console log, and pause, suspend, a restart of the compute
// service (adoption), ACPI power off, power on, a guest that stops by itself, hard reboot and
// destroy all do what they say, leaving no process, tap or file behind. One guest at a time,
// and slow (CPU is emulated): skipped without qemu-system-x86_64 or the guest image.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { guestImage, has, kernelAndRamdisk } from '../../testing/guest-image.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../../../common/log/logger.js';
import { PowerState } from '../../compute/power-state.js';
import { ImageMeta, type VifInfo } from '../../objects/index.js';
import { sampleInstance, sampleMetadata } from '../../testing/sample-metadata.js';
import type { VirtAPI } from '../driver.js';
import { QemuDriver } from './driver.js';
import { guestPaths } from './paths.js';
import { livePid, processRunning } from './process.js';
import { LinuxBridgeVifPlugger, tapName } from './vif.js';

const log = createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
const work = mkdtempSync(join(tmpdir(), 'nubo-qemu-'));
after(() => rmSync(work, { recursive: true, force: true }));

const virtapi: VirtAPI = { waitForInstanceEvents: async () => 'done' };

function vif(portId: string, bridge: string): VifInfo {
  return {
    id: portId, address: 'fa:16:3e:12:34:56', network: { id: 'net', bridge: null, label: 'test', subnets: [], meta: {} }, type: 'bridge',
    details: { bridge_name: bridge }, devname: `tap${portId.slice(0, 11)}`, ovs_interfaceid: null, qbh_params: null, qbg_params: null,
    active: true, vnic_type: 'normal', profile: {}, preserve_on_delete: false, delegate_create: false, meta: {},
  };
}

async function until<T>(what: string, fn: () => T | Promise<T>, ms = 180_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const image = guestImage(work);
/** A NIC on a bridge of the test's own when it may make network devices (root with iproute2). */
const withNic = process.getuid?.() === 0 && has('ip');

test('a real guest under TCG: boot, config drive, console, volume hotplug, snapshot, pause, suspend, adoption, ACPI power off, power on, self shutdown, hard reboot, destroy', {
  skip: image.skip ?? false, timeout: 600_000,
}, async (t) => {
  const instancesPath = join(work, 'instances');
  // A config drive with the server's metadata, its key and a user_data script.
  const inst = sampleInstance('#!/bin/sh\necho "user-data says $((6 * 7))"\n');
  const uuid = inst.uuid;
  const bridge = `nbt${process.pid.toString(16)}`.slice(0, 15);
  const vifs = withNic ? [vif('0b7e5d9c-81f4-4a3e-b1d2-6c5a4f3e2d1b', bridge)] : [];
  const make = (): QemuDriver => new QemuDriver({
    host: 'qemu-test', instancesPath, binary: 'qemu-system-x86_64', accel: 'tcg', machine: 'pc', imageCacheDir: join(instancesPath, '_base'),
    shutdownTimeout: 60, spawnMemoryCheck: true, tcgTbSizeMb: 64, memoryOverheadMb: 64, images: async () => createReadStream(image.path!), vifs: new LinuxBridgeVifPlugger(),
    vifPluggingTimeout: 0, vifPluggingIsFatal: true, virtapi, log, metadata: async (i) => sampleMetadata(i),
  });
  const paths = guestPaths(instancesPath, uuid);
  const ctx = {} as never;
  let driver = make();
  const console = () => driver.getConsoleOutput(ctx, inst);
  const count = async (re: RegExp) => (await console()).match(new RegExp(re.source, 'g'))?.length ?? 0;
  try {
    await driver.initHost('qemu-test');
    assert.equal(driver.accelerator, 'tcg');
    const resources = driver.getAvailableResource('qemu-test');
    assert.ok(resources.vcpus >= 1 && resources.memory_mb > 512, 'the host\'s real CPUs and memory');

    const t0 = Date.now();
    await driver.spawn({ context: ctx, instance: inst, image: new ImageMeta({ id: 'f0e1d2c3-b4a5-4968-8776-655443322110', disk_format: 'qcow2', properties: {} } as unknown as ImageMeta['data']), injectedFiles: [], adminPassword: null, networkInfo: vifs, blockDevices: [] });
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    const pid = livePid(paths.pidFile, uuid);
    assert.ok(pid, 'QEMU runs');
    await until('userspace', async () => /nubo-init: \[[\d.]+\] userspace started/.test(await console()));
    const toUserspace = Date.now() - t0;
    await until('the init to finish', async () => /nubo-init: \[[\d.]+\] up: /.test(await console()));
    const toUp = Date.now() - t0;
    t.diagnostic(`boot to userspace ${toUserspace} ms, to the init's end ${toUp} ms (wall clock from spawn, TCG)`);
    const out = await console();
    assert.match(out, /modules loaded/);
    assert.match(out, /nubo-init: \[[\d.]+\] config drive \/dev\/vdb/);
    assert.match(out, /hostname vm1\r?\n/);
    assert.match(out, /1 SSH key\(s\) for root/);
    assert.match(out, /running user_data[\s\S]*user-data says 42[\s\S]*user_data exited with 0/);
    assert.match(out, /up: vm1,/);
    assert.match(out, withNic ? /eth0: DHCP/ : /no network interface/);
    if (withNic) {
      const link = execFileSync('ip', ['-o', 'link', 'show', 'dev', tapName(vifs[0]!)], { encoding: 'utf8' });
      assert.match(link, new RegExp(`master ${bridge}`), 'the tap is on the VIF\'s bridge');
      assert.match(link, /fe:16:3e:12:34:56/, 'the host side of the tap has the port\'s MAC with fe first');
    }

    // A Cinder file volume, hot-plugged and unplugged: the guest's mdev reports both.
    const volume = join(work, 'volume-1');
    execFileSync('truncate', ['-s', '32M', volume]);
    const connection = { driver_volume_type: 'file', data: { device_path: volume, format: 'raw', volume_id: 'v-1' } };
    await driver.attachVolume(ctx, connection, inst, '/dev/vdc');
    await until('the guest to see the volume', async () => /disk \/dev\/vdc add/.test(await console()), 60_000);
    assert.equal(driver.getInstanceDiagnostics(inst).num_disks, 3, 'root, config drive, volume');
    await assert.rejects(driver.attachVolume(ctx, connection, inst, '/dev/vdc'), /vdc/);

    // Swapped for another volume while the guest runs (Nova's swap_volume): a mirror copies the
    // data, the guest keeps its disk (no remove), and the detach below unplugs the new volume.
    const marker = `nubo-swap-${process.pid}`;
    const fd = openSync(volume, 'r+');
    writeSync(fd, Buffer.from(marker), 0, marker.length, 1 << 20);
    closeSync(fd);
    const volume2 = join(work, 'volume-2');
    execFileSync('truncate', ['-s', '32M', volume2]);
    const connection2 = { driver_volume_type: 'file', data: { device_path: volume2, format: 'raw', volume_id: 'v-2' } };
    await driver.swapVolume(ctx, connection, connection2, inst, '/dev/vdc');
    assert.equal(readFileSync(volume2).subarray(1 << 20, (1 << 20) + marker.length).toString(), marker, 'the data is on the new volume');
    assert.doesNotMatch(await console(), /disk \/dev\/vdc remove/, 'the guest kept its disk');
    assert.equal(driver.getInstanceDiagnostics(inst).num_disks, 3);
    await driver.detachVolume(ctx, connection, inst, '/dev/vdc');
    assert.match(await console(), /disk \/dev\/vdc remove/);
    assert.equal(driver.getInstanceDiagnostics(inst).num_disks, 2);
    await driver.detachVolume(ctx, connection, inst, '/dev/vdc');

    const uploads: Array<{ data: Buffer; meta: { disk_format: string } }> = [];
    const taskStates: string[] = [];
    await driver.snapshot(ctx, inst, 'snap', async (state) => { taskStates.push(state); }, async (data, meta) => { uploads.push({ data, meta }); });
    assert.deepEqual(taskStates, ['image_pending_upload', 'image_uploading']);
    assert.equal(uploads[0]!.meta.disk_format, 'qcow2');
    assert.equal(uploads[0]!.data.subarray(0, 4).toString('latin1'), 'QFI\xfb', 'a qcow2');
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING, 'running again after the snapshot');

    await driver.pause(inst);
    assert.equal(driver.getInfo(inst).state, PowerState.PAUSED);
    await driver.unpause(inst);
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);

    await driver.suspend(ctx, inst);
    assert.equal(driver.getInfo(inst).state, PowerState.SUSPENDED);
    assert.equal(livePid(paths.pidFile, uuid), null, 'no QEMU while suspended');
    assert.ok(existsSync(paths.savedState));
    await driver.resume(ctx, inst, vifs);
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    assert.ok(!existsSync(paths.savedState));
    assert.equal(await count(/userspace started/), 1, 'resumed, not booted again');

    // The compute service restarts: the guest runs on and the new driver adopts it.
    driver.release();
    const resumedPid = livePid(paths.pidFile, uuid);
    driver = make();
    await driver.initHost('qemu-test');
    assert.deepEqual(driver.listInstanceUuids(), [uuid]);
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    assert.equal(livePid(paths.pidFile, uuid), resumedPid, 'the same QEMU, no second one');

    const offAt = Date.now();
    await driver.powerOff(inst, 60);
    t.diagnostic(`ACPI power off took ${Date.now() - offAt} ms`);
    assert.equal(driver.getInfo(inst).state, PowerState.SHUTDOWN);
    assert.match(await console(), /power button pressed/, 'the guest shut down by the ACPI button, not killed');
    assert.equal(livePid(paths.pidFile, uuid), null);

    await driver.powerOn(ctx, inst, vifs);
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    await until('the second boot', async () => (await count(/userspace started/)) === 2);

    // The guest stops without the driver (its QEMU ends): the power state says so.
    process.kill(livePid(paths.pidFile, uuid)!, 'SIGTERM');
    await until('SHUTDOWN', () => driver.getInfo(inst).state === PowerState.SHUTDOWN, 20_000);

    await driver.reboot(ctx, inst, vifs, 'HARD');
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    await until('the third boot', async () => (await count(/userspace started/)) === 3);

    // A volume on the command line (attached before this boot) unplugs as a hot-plugged one does.
    await driver.attachVolume(ctx, connection, inst, '/dev/vdc');
    await driver.reboot(ctx, inst, vifs, 'HARD');
    await until('the fourth boot', async () => (await count(/userspace started/)) === 4);
    assert.equal(driver.getInstanceDiagnostics(inst).num_disks, 3, 'the volume came back with the guest');
    await driver.detachVolume(ctx, connection, inst, '/dev/vdc');
    assert.equal(driver.getInstanceDiagnostics(inst).num_disks, 2);
  } finally {
    const pidNow = livePid(paths.pidFile, uuid);
    await driver.destroy(ctx, inst, vifs);
    driver.release();
    if (withNic) execFileSync('ip', ['link', 'del', 'dev', bridge], { stdio: 'ignore' });
    if (pidNow) assert.equal(processRunning(pidNow), false, 'QEMU is gone');
  }
  assert.ok(!existsSync(paths.dir), 'the guest\'s files are gone');
  assert.equal(driver.instanceExists(inst), false);
  if (withNic) assert.throws(() => execFileSync('ip', ['link', 'show', 'dev', tapName(vifs[0]!)], { stdio: 'ignore' }), 'the tap is gone');
  assert.deepEqual(readdirSync(instancesPath).filter((f) => f !== '_base'), []);
});

test('a direct kernel boot from the image\'s kernel_id/ramdisk_id, then a soft reboot by ACPI', {
  skip: image.skip ?? (has('mcopy') ? false : 'mcopy (mtools) is not installed'), timeout: 300_000,
}, async (t) => {
  const { kernel, ramdisk } = kernelAndRamdisk(image.path!, work);
  const files: Record<string, string> = { 'img-disk': image.path!, 'img-kernel': kernel, 'img-ramdisk': ramdisk };
  const instancesPath = join(work, 'instances-kernel');
  const fetched: string[] = [];
  const driver = new QemuDriver({
    host: 'qemu-test', instancesPath, binary: 'qemu-system-x86_64', accel: 'tcg', machine: 'pc', imageCacheDir: join(instancesPath, '_base'),
    shutdownTimeout: 60, spawnMemoryCheck: true, tcgTbSizeMb: 64, memoryOverheadMb: 64, images: async (id) => { fetched.push(id); return createReadStream(files[id]!); }, vifs: new LinuxBridgeVifPlugger(),
    vifPluggingTimeout: 0, vifPluggingIsFatal: true, virtapi, log, metadata: async (i) => sampleMetadata(i),
  });
  const inst = sampleInstance(null);
  const ctx = {} as never;
  const count = async (re: RegExp) => (await driver.getConsoleOutput(ctx, inst)).match(new RegExp(re.source, 'g'))?.length ?? 0;
  try {
    await driver.initHost('qemu-test');
    const meta = new ImageMeta({
      id: 'img-disk', disk_format: 'qcow2', properties: { kernel_id: 'img-kernel', ramdisk_id: 'img-ramdisk', os_command_line: 'console=ttyS0 quiet' },
    } as unknown as ImageMeta['data']);
    const t0 = Date.now();
    await driver.spawn({ context: ctx, instance: inst, image: meta, injectedFiles: [], adminPassword: null, networkInfo: [], blockDevices: [] });
    await until('userspace', async () => (await count(/userspace started/)) === 1);
    t.diagnostic(`direct kernel boot to userspace ${Date.now() - t0} ms (wall clock from spawn, TCG)`);
    assert.deepEqual(fetched.sort(), ['img-disk', 'img-kernel', 'img-ramdisk']);
    await until('the init to finish', async () => (await count(/ up: vm1/)) === 1);
    await driver.reboot(ctx, inst, [], 'SOFT');
    assert.match(await driver.getConsoleOutput(ctx, inst), /power button pressed/, 'the soft reboot asked the guest by ACPI');
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    await until('the boot after the soft reboot', async () => (await count(/userspace started/)) === 2);
  } finally {
    await driver.destroy(ctx, inst, []);
    driver.release();
  }
  assert.deepEqual(readdirSync(instancesPath).filter((f) => f !== '_base'), []);
});
