// The qemu driver's rescue and interface hot-plug with a real guest under TCG, its NICs on a
// bridge in a network namespace of the test's own (the compute host's, [qemu] host_namespace).
// The guest's user_data (from its config drive, run at every boot: testing/guest-probe.ts) tells
// the console what the guest sees: the mark on vda and on vdb (the first boot marks its own disk)
// and every change of its NICs with their MACs. Skipped without QEMU, the guest image, root or iproute2.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../../../common/log/logger.js';
import { until } from '../../../../common/testing/until.js';
import { PowerState } from '../../compute/power-state.js';
import { InterfaceAttachFailed } from '../../errors.js';
import { ImageMeta, Instance, type VifInfo } from '../../objects/index.js';
import { guestImage, has } from '../../testing/guest-image.js';
import { diskMark, lastBoot, PROBE_MARK, PROBE_USER_DATA, reportedNics } from '../../testing/guest-probe.js';
import { sampleInstance, sampleMetadata } from '../../testing/sample-metadata.js';
import type { VirtAPI } from '../driver.js';
import { QemuDriver } from './driver.js';
import { guestPaths } from './paths.js';
import { livePid, processRunning } from './process.js';
import { LinuxBridgeVifPlugger, tapName } from './vif.js';

const log = createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
const work = mkdtempSync(join(tmpdir(), 'nubo-qemu-ops-'));
const tag = randomBytes(3).toString('hex');
const ns = `qo${tag}`;
after(() => {
  try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* never made (skipped) */ }
  rmSync(work, { recursive: true, force: true });
});

const image = guestImage(work);
const problem = process.getuid?.() !== 0 ? 'needs root (network namespaces, bridges, taps)' : !has('ip') ? 'iproute2 (ip) is not installed' : undefined;
const virtapi: VirtAPI = { waitForInstanceEvents: async () => 'done' };
const bridge = `brq${tag}`;

function vif(portId: string, mac: string): VifInfo {
  return {
    id: portId, address: mac, network: { id: 'net', bridge: null, label: 'test', subnets: [], meta: {} }, type: 'bridge',
    details: { bridge_name: bridge }, devname: `tap${portId.slice(0, 11)}`, ovs_interfaceid: null, qbh_params: null, qbg_params: null,
    active: true, vnic_type: 'normal', profile: {}, preserve_on_delete: false, delegate_create: false, meta: {},
  };
}

test('rescue from the image with the own disk second, unrescue; a NIC hot-plugged, kept over adoption and hard reboot, unplugged', {
  skip: image.skip ?? problem ?? false, timeout: 900_000,
}, async (t) => {
  execFileSync('ip', ['netns', 'add', ns]);
  const instancesPath = join(work, 'instances');
  const first = vif('5d1c0a2b-3e4f-4a5b-8c6d-7e8f9a0b1c2d', 'fa:16:3e:00:aa:01');
  const second = vif('9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b', 'fa:16:3e:00:bb:02');
  const inst = new Instance({ ...sampleInstance(PROBE_USER_DATA).data, network_info: [first] });
  const uuid = inst.uuid;
  const paths = guestPaths(instancesPath, uuid);
  const make = (): QemuDriver => new QemuDriver({
    host: 'qemu-test', instancesPath, binary: 'qemu-system-x86_64', accel: 'tcg', machine: 'pc', imageCacheDir: join(instancesPath, '_base'),
    shutdownTimeout: 60, spawnMemoryCheck: false, tcgTbSizeMb: 64, memoryOverheadMb: 64, images: async () => createReadStream(image.path!), vifs: new LinuxBridgeVifPlugger(ns),
    vifPluggingTimeout: 0, vifPluggingIsFatal: true, virtapi, log, metadata: async (i) => sampleMetadata(i),
  });
  const imageMeta = new ImageMeta({ id: 'f0e1d2c3-b4a5-4968-8776-655443322110', disk_format: 'qcow2', properties: {} } as unknown as ImageMeta['data']);
  const ctx = {} as never;
  let driver = make();
  const consoleLog = (): string => existsSync(paths.consoleLog) ? readFileSync(paths.consoleLog, 'latin1') : '';
  const count = (re: RegExp): number => consoleLog().match(new RegExp(re.source, 'g'))?.length ?? 0;
  const nics = (): string => reportedNics(consoleLog());
  const boots = async (n: number, what: string): Promise<void> => {
    await until(() => count(/nubo-init: \[[\d.]+\] up: /) === n, what, 240_000);
    await until(() => count(/probe: nics /) >= n, `${what}: the NIC report`, 30_000);
  };
  const tapExists = (name: string): boolean => {
    try { execFileSync('ip', ['-n', ns, 'link', 'show', 'dev', name], { stdio: 'ignore' }); return true; } catch { return false; }
  };
  try {
    await driver.initHost('qemu-test');
    const t0 = Date.now();
    await driver.spawn({ context: ctx, instance: inst, image: imageMeta, injectedFiles: [], adminPassword: null, networkInfo: [first], blockDevices: [] });
    await boots(1, 'the first boot');
    t.diagnostic(`spawn to the init's end ${Date.now() - t0} ms (TCG)`);
    assert.match(consoleLog(), /probe: marked vda/, 'the first boot marked its own disk');
    assert.equal(nics(), `eth0=${first.address}`);

    // --- interface hot-plug ---------------------------------------------------------------
    assert.ok(driver.capabilities.supports_attach_interface);
    const attachAt = Date.now();
    await driver.attachInterface(ctx, inst, second);
    await until(() => nics() === `eth0=${first.address} eth1=${second.address}`, 'the guest to see the hot-plugged NIC', 60_000);
    t.diagnostic(`attach to the NIC in the guest ${Date.now() - attachAt} ms`);
    assert.ok(tapExists(tapName(second)), 'the second port\'s tap');
    assert.match(execFileSync('ip', ['-n', ns, '-o', 'link', 'show', 'dev', tapName(second)], { encoding: 'utf8' }), new RegExp(`master ${bridge}`));
    assert.equal(driver.getInstanceDiagnostics(inst).num_nics, 2);
    await assert.rejects(driver.attachInterface(ctx, inst, second), InterfaceAttachFailed, 'the same port twice');

    // the compute service restarts: the adopted guest keeps the NIC, and a hard reboot boots with it
    driver.release();
    driver = make();
    await driver.initHost('qemu-test');
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    assert.equal(driver.getInstanceDiagnostics(inst).num_nics, 2, 'the record kept the hot-plugged NIC');
    await driver.reboot(ctx, inst, [first, second], 'HARD');
    await boots(2, 'the boot after the hard reboot');
    assert.equal(nics(), `eth0=${first.address} eth1=${second.address}`, 'booted with both NICs');

    const detachAt = Date.now();
    await driver.detachInterface(ctx, inst, second);
    t.diagnostic(`detach (the guest ejecting the NIC) ${Date.now() - detachAt} ms`);
    await until(() => nics() === `eth0=${first.address}`, 'the guest to lose the NIC', 30_000);
    assert.equal(tapExists(tapName(second)), false, 'the tap is removed');
    assert.ok(tapExists(tapName(first)), 'the first NIC\'s tap stays');
    assert.equal(driver.getInstanceDiagnostics(inst).num_nics, 1);

    // hot-plugged again and detached from the adopted guest (its netdev named by the hot-plug, not the command line)
    await driver.attachInterface(ctx, inst, second);
    await until(() => nics() === `eth0=${first.address} eth1=${second.address}`, 'the NIC hot-plugged again', 60_000);
    driver.release();
    driver = make();
    await driver.initHost('qemu-test');
    await driver.detachInterface(ctx, inst, second);
    await until(() => nics() === `eth0=${first.address}`, 'the guest to lose the NIC again', 30_000);
    assert.equal(tapExists(tapName(second)), false);

    // --- rescue ---------------------------------------------------------------------------
    const rescueAt = Date.now();
    await driver.powerOff(inst, 60);
    const iso = new ImageMeta({ id: 'a1b2c3d4-0000-4000-8000-000000000001', disk_format: 'iso', properties: {} } as unknown as ImageMeta['data']);
    await assert.rejects(driver.rescue(ctx, inst, [first], iso, 'rescue-pass'), /iso/, 'a rescue image the driver cannot boot');
    assert.equal(existsSync(paths.rescueDisk), false);
    assert.equal(JSON.parse(readFileSync(paths.record, 'utf8')).rescue, undefined, 'left unrescued');
    assert.equal(driver.getInfo(inst).state, PowerState.SHUTDOWN);
    await driver.rescue(ctx, inst, [first], imageMeta, 'rescue-pass');
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    assert.ok(existsSync(paths.rescueDisk), 'the rescue overlay');
    assert.equal(driver.getInstanceDiagnostics(inst).num_disks, 3, 'rescue disk, own disk, config drive');
    await boots(3, 'the rescue boot');
    t.diagnostic(`power off and rescue to the rescue guest's init end ${Date.now() - rescueAt} ms`);
    assert.equal(diskMark(consoleLog(), 'vda')?.mark, '', 'vda is the fresh rescue disk');
    assert.deepEqual(diskMark(consoleLog(), 'vdb'), { mark: PROBE_MARK, sectors: 2097152 }, 'vdb is the guest\'s own 1 GiB disk');
    assert.doesNotMatch(lastBoot(consoleLog()), /probe: marked vda/);
    assert.equal(nics(), `eth0=${first.address}`, 'the same NIC');

    // adopted while rescued, and a hard reboot stays rescued
    driver.release();
    driver = make();
    await driver.initHost('qemu-test');
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    await driver.reboot(ctx, inst, [first], 'HARD');
    await boots(4, 'the hard reboot while rescued');
    assert.equal(diskMark(consoleLog(), 'vdb')?.mark, PROBE_MARK, 'still rescued');

    await driver.unrescue(ctx, inst);
    assert.equal(driver.getInfo(inst).state, PowerState.RUNNING);
    assert.equal(existsSync(paths.rescueDisk), false, 'the rescue overlay is removed');
    assert.equal(driver.getInstanceDiagnostics(inst).num_disks, 2);
    await boots(5, 'the boot after unrescue');
    assert.deepEqual(diskMark(consoleLog(), 'vda'), { mark: PROBE_MARK, sectors: 2097152 }, 'booted from its own disk again');
    assert.notEqual(diskMark(consoleLog(), 'vdb')?.mark, PROBE_MARK, 'vdb is the config drive again');
  } finally {
    const pidNow = livePid(paths.pidFile, uuid);
    await driver.destroy(ctx, inst, [first, second]);
    driver.release();
    if (pidNow) assert.equal(processRunning(pidNow), false, 'QEMU is gone');
  }
  assert.equal(tapExists(tapName(first)), false);
  assert.deepEqual(readdirSync(instancesPath).filter((f) => f !== '_base'), []);
});
