// The qemu driver's memory accounting (memory.ts): the overhead of a guest's QEMU, the spawn
// check against MemAvailable less what the guests running or starting may still grow into
// (a fake /proc reader; a running guest is a process whose command line names its uuid, as
// livePid checks), and the inventory the resource tracker reports for the host to Placement.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Kysely } from 'kysely';
import { migrate, openDatabase, parseDatabaseUrl } from '../../../../common/db/index.js';
import { createLogger } from '../../../../common/log/logger.js';
import { ResourceTracker } from '../../compute/resource-tracker.js';
import { novaMigrations } from '../../db/migrations/index.js';
import { NovaRepos } from '../../db/repos.js';
import type { NovaDB } from '../../db/schema.js';
import type { ServiceRecord } from '../../db/services.js';
import { InsufficientFreeMemory } from '../../errors.js';
import { ImageMeta, Instance } from '../../objects/index.js';
import type { Inventory, SchedulerReportClient } from '../../scheduler/client/report.js';
import { sampleInstance } from '../../testing/sample-metadata.js';
import type { QemuDriverOptions } from './driver.js';
import { QemuDriver } from './driver.js';
import { fitsInMemory, guestOverheadMb, type MemoryReader } from './memory.js';
import { guestPaths } from './paths.js';

const dir = mkdtempSync(join(tmpdir(), 'nubo-qemu-memory-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const log = createLogger({ level: 'silent' });

function driverOn(instancesPath: string, o: Partial<QemuDriverOptions>): QemuDriver {
  return new QemuDriver({
    host: 'h', instancesPath, binary: 'qemu-system-x86_64', accel: 'tcg', machine: 'pc', imageCacheDir: join(instancesPath, '_base'), shutdownTimeout: 1,
    spawnMemoryCheck: true, tcgTbSizeMb: 32, memoryOverheadMb: 64, images: async () => { throw new Error('not fetched'); },
    vifs: { plug: async () => 'tap', unplug: async () => undefined },
    vifPluggingTimeout: 0, vifPluggingIsFatal: true, virtapi: { waitForInstanceEvents: async () => 'done' }, log, ...o,
  });
}

function instanceOf(uuid: string, memoryMb: number): Instance {
  const base = sampleInstance(null);
  const i = new Instance({ ...base.data, uuid });
  i.data.flavor.data.memory_mb = memoryMb;
  i.data.config_drive = '';
  return i;
}

const image = new ImageMeta({ id: 'img', disk_format: 'qcow2', properties: {} } as unknown as ImageMeta['data']);
const spawnOf = (driver: QemuDriver, instance: Instance): Promise<void> =>
  driver.spawn({ context: {} as never, instance, image, injectedFiles: [], adminPassword: null, networkInfo: [], blockDevices: [] });

test('a guest\'s overhead: QEMU\'s own, the TCG translation buffer (QEMU\'s 1 GiB when not set), VGA with VNC; none of the buffer under KVM', () => {
  assert.equal(guestOverheadMb({ accel: 'tcg', tcgTbSizeMb: 32, vga: true, qemuOwnMb: 64 }), 64 + 32 + 16);
  assert.equal(guestOverheadMb({ accel: 'tcg', tcgTbSizeMb: 0, vga: false, qemuOwnMb: 64 }), 64 + 1024);
  assert.equal(guestOverheadMb({ accel: 'kvm', tcgTbSizeMb: 32, vga: false, qemuOwnMb: 64 }), 64);
});

test('what fits: MemAvailable less what the held guests may still grow into (never less than nothing each)', () => {
  const v = fitsInMemory(1000, [{ expectedMb: 300, rssMb: 100 }, { expectedMb: 300, rssMb: 400 }, { expectedMb: 200, rssMb: 0 }], 400);
  assert.deepEqual(v, { fits: true, neededMb: 400, freeMb: 600, availableMb: 1000, promisedMb: 400 });
  assert.equal(fitsInMemory(1000, [{ expectedMb: 300, rssMb: 100 }, { expectedMb: 200, rssMb: 0 }], 601).fits, false);
});

test('the spawn check counts the guests running (by their RSS) and starting (in full): a guest that does not fit is refused with the figures', async () => {
  const instancesPath = join(dir, 'instances');
  // A guest already running: its record, and a process named by its uuid in its pidfile (livePid's test).
  const running = '11111111-1111-4111-8111-111111111111';
  const paths = guestPaths(instancesPath, running);
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.record, JSON.stringify({ uuid: running, name: 'instance-running', vcpus: 1, memoryMb: 256, diskGb: 1, macs: [], volumes: [] }));
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)', running], { stdio: 'ignore' });
  children.push(child);
  writeFileSync(paths.pidFile, `${child.pid}\n`);
  // MemAvailable 1000 MiB; the running guest's QEMU has 100 MiB resident of its 256 + 96 (64 + 32, no VNC): 252 MiB promised.
  const reads: number[] = [];
  const memory: MemoryReader = { availableMb: () => 1000, rssMb: (pid) => { reads.push(pid); return pid === child.pid ? 100 : 0; } };
  // A spawn that holds its footprint until its image comes (then fails: nothing is fetched here).
  let release!: (err: Error) => void;
  const held = new Promise<never>((_, reject) => { release = reject; });
  const driver = driverOn(instancesPath, { memory, images: () => held });
  await driver.initHost('h');
  assert.ok(driver.instanceExists(instanceOf(running, 256)), 'the running guest adopted');

  const first = spawnOf(driver, instanceOf('22222222-2222-4222-8222-222222222222', 400)); // 496 of 748 free: starts
  // 1000 - 252 - 496 = 252 free now: a guest of 256 + 96 does not fit.
  const refused = instanceOf('33333333-3333-4333-8333-333333333333', 256);
  await assert.rejects(spawnOf(driver, refused), (err: unknown) => {
    assert.ok(err instanceof InsufficientFreeMemory, String(err));
    assert.match(err.message, /: needs 352 MiB \(256 \+ 96 QEMU\), free 252 \(MemAvailable 1000 - 748 for 2 guests\)\.$/);
    assert.ok(`Build of instance ${refused.uuid} was re-scheduled: ${err.message}`.length <= 255, 'the whole reason fits in a fault\'s message');
    return true;
  });
  assert.equal(driver.instanceExists(refused), false);
  assert.deepEqual(reads, [child.pid, child.pid], 'the running guest\'s RSS read at each check');

  release(new Error('image fetch failed'));
  await assert.rejects(first, /image fetch failed/);
  // The failed spawn no longer counts: the same guest fits (and goes on to its image).
  await assert.rejects(spawnOf(driver, refused), /image fetch failed/);

  // Without the check, nothing is read.
  const unchecked = driverOn(join(dir, 'unchecked'), { spawnMemoryCheck: false, memory: { availableMb: () => assert.fail('read'), rssMb: () => assert.fail('read') } });
  await assert.rejects(spawnOf(unchecked, instanceOf('44444444-4444-4444-8444-444444444444', 1 << 20)), /not fetched/);
});

test('the inventory reported to Placement: the host\'s real CPUs and memory, reserved_host_memory_mb and the allocation ratios', async () => {
  const database = await openDatabase<NovaDB>(parseDatabaseUrl('sqlite', { service: 'nova', dataDir: dir }), { createIfMissing: true });
  try {
    await migrate(database, novaMigrations, { table: 'nova_migrations' });
    const repos = new NovaRepos(database.db as Kysely<NovaDB>);
    const driver = driverOn(join(dir, 'inventory'), {});
    await driver.initHost('h');
    const inventories: Array<Record<string, Inventory>> = [];
    const report = {
      ensureResourceProvider: async () => 0, getProviderTraits: async () => [], setTraits: async () => undefined,
      setInventory: async (_uuid: string, inv: Record<string, Inventory>) => { inventories.push(inv); },
    } as unknown as SchedulerReportClient;
    const tracker = new ResourceTracker({
      host: 'h', driver, nodes: repos.computeNodes, instances: repos.instances, report, log,
      settings: {
        reservedHostCpus: 0, reservedHostMemoryMb: 2048, reservedHostDiskMb: 0, cpuAllocationRatio: 4, ramAllocationRatio: 0, diskAllocationRatio: 0,
        initialCpuAllocationRatio: 16, initialRamAllocationRatio: 1.5, initialDiskAllocationRatio: 1,
      },
    });
    await tracker.updateAvailableResource({ id: 1, disabled: false } as ServiceRecord);
    assert.equal(inventories.length, 1);
    const inv = inventories[0]!;
    assert.deepEqual(
      { total: inv['VCPU']!.total, reserved: inv['VCPU']!.reserved, ratio: inv['VCPU']!.allocation_ratio },
      { total: cpus().length, reserved: 0, ratio: 4 },
    );
    assert.deepEqual(
      { total: inv['MEMORY_MB']!.total, reserved: inv['MEMORY_MB']!.reserved, ratio: inv['MEMORY_MB']!.allocation_ratio },
      { total: Math.floor(totalmem() / 1024 / 1024), reserved: 2048, ratio: 1.5 },
    );
    const node = await repos.computeNodes.get('h', 'h');
    assert.equal(node?.memory_mb, Math.floor(totalmem() / 1024 / 1024));
    assert.equal(node?.memory_mb_used, 2048, 'the reserved memory counts as used, as nova\'s tracker does');
  } finally {
    await database.close();
  }
});
