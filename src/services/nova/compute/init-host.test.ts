// A compute host's init_host after it stopped mid-build (compute/manager.ts): a build whose guest
// is gone and whose stored request can be built again is freed and scheduled again (with the
// in-process bus left to the conductor's start pass, which then builds it; with a broker cast to
// the conductor); otherwise the server ends in ERROR with a fault, its allocation and ports
// freed and the user's port kept.
import type { GlanceAPI } from '../image/glance.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { RequestContext } from '../../../common/context.js';
import { isoSeconds, migrate, nowIso, openDatabase, parseDatabaseUrl, type Database } from '../../../common/db/index.js';
import { createLogger } from '../../../common/log/logger.js';
import { BuildRecovery } from '../conductor/recovery.js';
import type { ScheduleAndBuildArgs } from '../conductor/rpcapi.js';
import { BuildRecoveryRepo } from '../db/build-recovery.js';
import { novaMigrations } from '../db/migrations/index.js';
import { NovaRepos } from '../db/repos.js';
import type { NovaDB } from '../db/schema.js';
import type { NeutronAPI } from '../network/neutron.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import { ImageMeta, NetworkRequestList } from '../objects/index.js';
import type { SchedulerReportClient } from '../scheduler/client/report.js';
import { buildingInstance } from '../testing/building-instances.js';
import { FakeDriver } from '../virt/fake/driver.js';
import { InstanceEvents } from './instance-events.js';
import { ComputeManager } from './manager.js';
import type { ResourceTracker } from './resource-tracker.js';

const log = createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
let dir: string;
let database: Database<NovaDB>;
let repos: NovaRepos;
const freed = { allocations: [] as string[], ports: [] as Array<{ uuid: string; userPorts: readonly string[] }> };
const casts: ScheduleAndBuildArgs[] = [];

const off = { enabled: false, baseUrl: '' };
const NO_CONSOLES = { vnc: off, spice: off, serial: off, rdp: off, mks: off, tokenTtl: 600 };

function computeHost(busKeepsMessages: boolean): { manager: ComputeManager; driver: FakeDriver } {
  const virtapi = new InstanceEvents(log);
  const driver = new FakeDriver({
    host: 'h1', vcpus: 8, memoryMb: 8192, localGb: 100, spawnSeconds: 0, destroySeconds: 0, powerSeconds: 0, failSpawn: false,
    vifPluggingTimeout: 0, vifPluggingIsFatal: true, virtapi,
  });
  const manager = new ComputeManager({
    host: 'h1', driver, repos, tracker: {} as ResourceTracker, events: virtapi, log, maxConcurrentBuilds: 1, maxAttempts: 3, busKeepsMessages,
    glance: {} as GlanceAPI, consoles: NO_CONSOLES,
    report: { deleteAllocationForInstance: async (uuid: string) => { freed.allocations.push(uuid); return true; } } as unknown as SchedulerReportClient,
    network: { deallocateForInstance: async (i: { uuid: string }, userPorts: readonly string[] = []) => { freed.ports.push({ uuid: i.uuid, userPorts }); } } as unknown as NeutronAPI,
    notifier: { instanceCreate: async () => {} } as unknown as NovaNotifier,
    conductor: { buildInstances: async () => {}, scheduleAndBuildInstances: async (_ctx, args) => { casts.push(args); } },
  });
  return { manager, driver };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-init-host-'));
  database = await openDatabase<NovaDB>(parseDatabaseUrl('sqlite', { service: 'nova', dataDir: dir }), { createIfMissing: true });
  await migrate(database, novaMigrations, { table: 'nova_migrations' });
  repos = new NovaRepos(database.db as Kysely<NovaDB>);
});

after(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('in-process bus: interrupted builds go back to scheduling for the conductor\'s start pass; the rest end in ERROR with a fault', async () => {
  const ago = isoSeconds(new Date(Date.now() - 30_000));
  const rebuildable = await buildingInstance(repos, { created: ago, host: 'h1', networks: NetworkRequestList.of([{ network_id: null, address: null, port_id: 'user-port', tag: null }]) });
  const oldSpec = await buildingInstance(repos, { created: ago, host: 'h1', networks: null });
  const guestAlive = await buildingInstance(repos, { created: ago, host: 'h1' });
  const { manager, driver } = computeHost(false);
  await driver.spawn({ context: RequestContext.internal('req-x'), instance: guestAlive, image: ImageMeta.empty(), injectedFiles: [], adminPassword: null, networkInfo: [], blockDevices: [] });
  const startedAt = nowIso();

  await manager.initHost(RequestContext.internal('req-init'));

  const back = await repos.instances.get(rebuildable.uuid);
  assert.deepEqual([back.data.vm_state, back.data.task_state, back.data.host, back.data.launched_on], ['building', 'scheduling', null, 'h1']);
  assert.equal(casts.length, 0, 'with the in-process bus the compute host casts nothing');
  for (const failed of [oldSpec, guestAlive]) {
    const row = await repos.instances.get(failed.uuid);
    assert.deepEqual([row.data.vm_state, row.data.host], ['error', null]);
    assert.match((await repos.faults.latest([failed.uuid])).get(failed.uuid)!.message, /compute service was restarted during the build/);
  }
  for (const uuid of [rebuildable.uuid, oldSpec.uuid, guestAlive.uuid]) assert.ok(freed.allocations.includes(uuid), `allocation of ${uuid}`);
  assert.deepEqual(freed.ports.find((p) => p.uuid === rebuildable.uuid)!.userPorts, ['user-port']);

  // the conductor's start pass builds it once the compute services are back
  const built: string[] = [];
  const outcome = await new BuildRecovery({
    repos, builds: new BuildRecoveryRepo(repos.db), host: 'conductor', log, report: { deleteAllocationForInstance: async () => false },
    network: { deallocateForInstance: async () => {} }, conductor: { scheduleAndBuildInstances: async (_c, args) => { built.push(...args.instances.map((i) => i.uuid)); } },
    settings: { inProcessBus: true, serviceDownTime: 60, hostlessBuildTimeout: 600 },
  }).recoverOnStart(startedAt);
  assert.deepEqual(outcome.rebuilt, [rebuildable.uuid]);
  assert.deepEqual(built, [rebuildable.uuid]);
  assert.equal((await repos.instances.get(rebuildable.uuid)).data.launched_on, null);
  for (const i of [rebuildable, oldSpec, guestAlive]) await repos.instances.destroy(i.uuid);
});

test('with a broker the interrupted build is cast to the conductor at once', async () => {
  const interrupted = await buildingInstance(repos, { created: nowIso(), host: 'h1' });
  await computeHost(true).manager.initHost(RequestContext.internal('req-init-2'));
  const row = await repos.instances.get(interrupted.uuid);
  assert.deepEqual([row.data.task_state, row.data.host, row.data.launched_on], ['scheduling', null, null]);
  assert.deepEqual(casts.map((c) => c.instances.map((i) => i.uuid)), [[interrupted.uuid]]);
  assert.deepEqual(casts[0]!.requested_networks.objects.map((r) => r.data.network_id), ['net-1']);
  await repos.instances.destroy(interrupted.uuid);
});
