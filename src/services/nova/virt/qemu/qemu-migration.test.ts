// The qemu driver's moves with a real guest under TCG, between two drivers (two compute hosts
// of this machine, each with its instances path): a resize to a larger flavor (power off, the
// disk copied, grown, the guest booted on the destination with the new vCPUs and RAM, confirm),
// a live migration back (NBD + drive-mirror, QMP migrate over 127.0.0.1: the guest runs on
// without a reboot and answers an NMI there), a paused guest's (its disk byte for byte the
// same on the destination), one forced to complete (the source paused, the guest running again
// on the destination), an aborted one (the guest stays), and the error of a destination
// not on this machine. The guest has no NIC (the data plane is the cloud test's,
// test/qemu-migration.test.ts). Skipped without qemu-system-x86_64 or the guest image.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../../../common/log/logger.js';
import { PowerState } from '../../compute/power-state.js';
import { Flavor, ImageMeta, Instance, type FlavorFields } from '../../objects/index.js';
import { guestImage } from '../../testing/guest-image.js';
import { sampleInstance, sampleMetadata } from '../../testing/sample-metadata.js';
import type { VirtAPI } from '../driver.js';
import { QemuDriver } from './driver.js';
import { guestPaths } from './paths.js';
import { livePid } from './process.js';
import { LinuxBridgeVifPlugger } from './vif.js';
import { until } from '../../../../common/testing/until.js';

const log = createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
const work = mkdtempSync(join(tmpdir(), 'nubo-qmig-'));
const image = guestImage(work);
const virtapi: VirtAPI = { waitForInstanceEvents: async () => 'done' };
const drivers: QemuDriver[] = [];
const ctx = {} as never;

after(async () => {
  for (const d of drivers) for (const uuid of d.listInstanceUuids()) await d.destroy(ctx, new Instance({ uuid } as never), []).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

function driver(host: string): QemuDriver {
  const instancesPath = join(work, host);
  const d = new QemuDriver({
    host, instancesPath, binary: 'qemu-system-x86_64', accel: 'tcg', machine: 'pc', imageCacheDir: join(instancesPath, '_base'),
    shutdownTimeout: 30, spawnMemoryCheck: true, tcgTbSizeMb: 64, memoryOverheadMb: 64, images: async () => createReadStream(image.path!), vifs: new LinuxBridgeVifPlugger(),
    vifPluggingTimeout: 0, vifPluggingIsFatal: true, virtapi, log, metadata: async (i) => sampleMetadata(i),
    peerInstancesPath: (h) => join(work, h), liveMigration: { inboundAddr: '127.0.0.1', ports: { min: 41000, max: 41019 } },
  });
  drivers.push(d);
  return d;
}

/** The QEMU processes of guest `uuid` of this test. */
function qemuPids(uuid: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `qemu-system-x86_64.*-uuid ${uuid}.*${work}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

const virtualSize = (disk: string): number => (JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', disk], { encoding: 'utf8' })) as { 'virtual-size': number })['virtual-size'];

test('resize to a larger flavor between two hosts, confirm, live migrations (running, paused, forced to complete), an aborted one', { skip: image.skip ?? false, timeout: 900_000 }, async (t) => {
  const a = driver('ha');
  const b = driver('hb');
  await a.initHost('ha');
  await b.initHost('hb');
  const sample = new Instance({ ...sampleInstance(null).data, uuid: randomUUID() });
  const uuid = sample.uuid;
  const img = new ImageMeta({ id: 'f0e1d2c3-b4a5-4968-8776-655443322110', disk_format: 'qcow2', properties: {} } as unknown as ImageMeta['data']);
  const on = (host: string, flavor = sample.data.flavor): Instance => new Instance({ ...sample.data, host, flavor });
  const consoleOf = (d: QemuDriver, host: string) => d.getConsoleOutput(ctx, on(host));
  const up = /nubo-init: \[[\d.]+\] up: /;

  await a.spawn({ context: ctx, instance: on('ha'), image: img, injectedFiles: [], adminPassword: null, networkInfo: [], blockDevices: [] });
  await until(async () => up.test(await consoleOf(a, 'ha')), 'the guest up on ha', 240_000);

  // not on this machine: a clear error, the guest untouched
  await assert.rejects(a.migrateDiskAndPowerOff(ctx, on('ha'), 'elsewhere', sample.data.flavor, []), /not on this machine/);
  assert.equal(a.getInfo(on('ha')).state, PowerState.RUNNING);

  // resize ha -> hb: 2 vCPUs, 384 MiB, a 2 GiB root disk
  const big = new Flavor({ ...sample.data.flavor.data, id: 2, flavorid: '2', name: 'm1.big', vcpus: 2, memory_mb: 384, root_gb: 2 } as FlavorFields);
  let t0 = Date.now();
  const diskInfo = await a.migrateDiskAndPowerOff(ctx, on('ha'), 'hb', big, []);
  assert.equal(a.instanceExists(on('ha')), false, 'the guest left ha');
  assert.deepEqual(qemuPids(uuid), [], 'no QEMU while the disk moves');
  assert.ok(existsSync(join(work, 'ha', '_resize', uuid, 'disk')), 'the source keeps its copy until the confirm');
  await b.finishMigration({ context: ctx, migration: {} as never, instance: on('hb', big), diskInfo, networkInfo: [], image: img, resizeInstance: true, powerOn: true });
  assert.equal(b.getInfo(on('hb')).state, PowerState.RUNNING);
  const bPaths = guestPaths(join(work, 'hb'), uuid);
  assert.equal(virtualSize(bPaths.disk), 2 * 1024 ** 3, 'the disk grew to the flavor\'s');
  const cmdline = readFileSync(`/proc/${livePid(bPaths.pidFile, uuid)}/cmdline`, 'utf8').split('\0');
  assert.equal(cmdline[cmdline.indexOf('-smp') + 1], '2');
  assert.equal(cmdline[cmdline.indexOf('-m') + 1], '384');
  assert.equal(qemuPids(uuid).length, 1, 'one QEMU');
  await until(async () => up.test(await consoleOf(b, 'hb')), 'the guest up on hb', 240_000);
  assert.match(await consoleOf(b, 'hb'), /config drive \/dev\/vdb/, 'the config drive came along');
  t.diagnostic(`resize: power off, copy and boot to the init's end on hb ${Date.now() - t0} ms (TCG)`);
  await a.confirmMigration(ctx, {} as never, on('ha'), []);
  assert.equal(existsSync(join(work, 'ha', '_resize', uuid)), false, 'confirm removed the source copy');

  // live migration hb -> ha: no reboot, the guest's CPU answers an NMI on ha
  t0 = Date.now();
  await a.preLiveMigration(ctx, on('hb', big), []);
  assert.equal(qemuPids(uuid).length, 2, 'the destination\'s QEMU waits for the stream');
  await b.liveMigration(ctx, on('hb', big), 'ha', true);
  await a.postLiveMigrationAtDestination(ctx, on('hb', big), []);
  t.diagnostic(`live migration hb -> ha ${Date.now() - t0} ms`);
  assert.equal(b.instanceExists(on('hb')), false, 'the guest left hb');
  assert.equal(existsSync(bPaths.dir), false, 'hb\'s files went');
  assert.equal(a.getInfo(on('ha', big)).state, PowerState.RUNNING);
  const pids = qemuPids(uuid);
  assert.deepEqual(pids, [String(livePid(guestPaths(join(work, 'ha'), uuid).pidFile, uuid))], 'one QEMU, ha\'s');
  assert.doesNotMatch(await consoleOf(a, 'ha'), up, 'not booted again');
  await a.triggerCrashDump(on('ha', big));
  await until(async () => /NMI received/.test(await consoleOf(a, 'ha')), 'the guest kernel to report the NMI on ha', 60_000);

  // a paused guest moves paused (ha -> hb), its disk the same bytes on the destination as it was on the source
  await a.pause(on('ha', big));
  const before = join(work, 'before.qcow2');
  execFileSync('qemu-img', ['convert', '-U', '-O', 'qcow2', guestPaths(join(work, 'ha'), uuid).disk, before]);
  await b.preLiveMigration(ctx, on('ha', big), []);
  await a.liveMigration(ctx, on('ha', big), 'hb', true);
  await b.postLiveMigrationAtDestination(ctx, on('ha', big), []);
  assert.equal(b.getInfo(on('hb', big)).state, PowerState.PAUSED, 'still paused on hb');
  execFileSync('qemu-img', ['compare', '-U', before, bPaths.disk]);
  await b.unpause(on('hb', big));
  assert.equal(qemuPids(uuid).length, 1);

  // forced to complete (hb -> ha): the source pauses for the copy, the guest runs again on the destination
  await a.preLiveMigration(ctx, on('hb', big), []);
  const forced = b.liveMigration(ctx, on('hb', big), 'ha', true);
  await b.liveMigrationForceComplete(on('hb', big));
  assert.equal(b.getInfo(on('hb', big)).state, PowerState.PAUSED, 'paused on the source');
  await forced;
  await a.postLiveMigrationAtDestination(ctx, on('hb', big), []);
  assert.equal(a.getInfo(on('ha', big)).state, PowerState.RUNNING, 'running on the destination');
  assert.equal(b.instanceExists(on('hb')), false);

  // and back to hb for what follows
  await b.preLiveMigration(ctx, on('ha', big), []);
  await a.liveMigration(ctx, on('ha', big), 'hb', true);
  await b.postLiveMigrationAtDestination(ctx, on('ha', big), []);
  assert.equal(qemuPids(uuid).length, 1);

  // an abort before the copy got anywhere: the guest runs on at hb, ha drops what it prepared
  await a.preLiveMigration(ctx, on('hb', big), []);
  const migrating = b.liveMigration(ctx, on('hb', big), 'ha', true);
  await b.liveMigrationAbort(on('hb', big));
  await assert.rejects(migrating, /aborted/);
  await a.rollbackLiveMigrationAtDestination(ctx, on('hb', big));
  assert.equal(b.getInfo(on('hb', big)).state, PowerState.RUNNING);
  assert.equal(a.instanceExists(on('ha')), false);
  assert.equal(qemuPids(uuid).length, 1);
  await assert.rejects(b.liveMigrationForceComplete(on('hb', big)), /no live migration/);

  await b.destroy(ctx, on('hb', big), []);
  assert.deepEqual(qemuPids(uuid), []);
});
