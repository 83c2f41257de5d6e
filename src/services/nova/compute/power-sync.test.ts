// The power-state sync of a compute host (nova's _sync_power_states): the database learns what
// the hypervisor says; a guest that stopped by itself stops its ACTIVE server through the stop
// path (action 'stop', power_off notifications); a guest the hypervisor lost is NOSTATE.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { Config, coreGroups } from '../../../common/config/index.js';
import { RequestContext } from '../../../common/context.js';
import { migrate, nowIso, openDatabase, parseDatabaseUrl, type Database } from '../../../common/db/index.js';
import { createLogger } from '../../../common/log/logger.js';
import { getTransport, NotificationListener, osloMessagingNotificationsGroup, type Transport } from '../../../common/messaging/index.js';
import { novaConfigGroups } from '../config.js';
import { novaMigrations } from '../db/migrations/index.js';
import { NovaRepos } from '../db/repos.js';
import type { NovaDB } from '../db/schema.js';
import type { GlanceAPI } from '../image/glance.js';
import type { NeutronAPI } from '../network/neutron.js';
import { NovaNotifier } from '../notifications/notifier.js';
import { Flavor, ImageMeta } from '../objects/index.js';
import type { SchedulerReportClient } from '../scheduler/client/report.js';
import { FakeDriver } from '../virt/fake/driver.js';
import { InstanceEvents } from './instance-events.js';
import { ComputeManager } from './manager.js';
import { PowerState } from './power-state.js';
import type { ResourceTracker } from './resource-tracker.js';

const log = createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
let dir: string;
let database: Database<NovaDB>;
let transport: Transport;
let repos: NovaRepos;
let driver: FakeDriver;
let manager: ComputeManager;
const events: string[] = [];

const flavor = new Flavor({
  id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, vcpu_weight: null,
  disabled: false, is_public: true, extra_specs: {}, description: null, created_at: nowIso(), updated_at: null,
});

async function activeServer(name: string): Promise<string> {
  const uuid = crypto.randomUUID();
  await repos.instances.create({
    uuid, user_id: 'u', project_id: 'p', image_ref: 'img', hostname: name, display_name: name, display_description: null, host: 'h1', node: 'h1',
    launched_on: 'h1', availability_zone: 'nova', vm_state: 'active', task_state: null, power_state: PowerState.RUNNING, memory_mb: 512, vcpus: 1,
    root_gb: 1, ephemeral_gb: 0, instance_type_id: 1, flavor, key_name: null, key_data: null, user_data: null, reservation_id: 'r-1', launch_index: 0,
    config_drive: '', access_ip_v4: null, access_ip_v6: null, locked: false, locked_by: null, root_device_name: null, auto_disk_config: false,
    progress: 0, launched_at: nowIso(), terminated_at: null, created_at: nowIso(), updated_at: null, deleted_at: null, metadata: {},
    system_metadata: {}, tags: [], security_groups: [],
  });
  const instance = await repos.instances.get(uuid);
  await driver.spawn({ context: RequestContext.internal('req-x'), instance, image: ImageMeta.empty(), injectedFiles: [], adminPassword: null, networkInfo: [], blockDevices: [] });
  return uuid;
}

const off = { enabled: false, baseUrl: '' };
const DISABLED_CONSOLES = { vnc: off, spice: off, serial: off, rdp: off, mks: off, tokenTtl: 600 };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-sync-'));
  database = await openDatabase<NovaDB>(parseDatabaseUrl('sqlite', { service: 'nova', dataDir: dir }), { createIfMissing: true });
  await migrate(database, novaMigrations, { table: 'nova_migrations' });
  repos = new NovaRepos(database.db as Kysely<NovaDB>);
  transport = await getTransport(`inproc://power-sync-${process.pid}`);
  const listener = new NotificationListener(transport, [{ topic: 'versioned_notifications' }], [{ info: (_c, _p, type) => { events.push(type); } }]);
  await listener.start();
  const config = Config.load({ groups: [...coreGroups, osloMessagingNotificationsGroup, ...novaConfigGroups], env: {} });
  const virtapi = new InstanceEvents(log);
  driver = new FakeDriver({
    host: 'h1', vcpus: 8, memoryMb: 8192, localGb: 100, spawnSeconds: 0, destroySeconds: 0, powerSeconds: 0, failSpawn: false,
    vifPluggingTimeout: 0, vifPluggingIsFatal: true, virtapi,
  });
  manager = new ComputeManager({
    host: 'h1', driver, repos, tracker: {} as ResourceTracker, report: {} as SchedulerReportClient, network: {} as NeutronAPI,
    notifier: new NovaNotifier(transport, config, 'nova-compute', 'h1'), events: virtapi, conductor: { buildInstances: async () => {}, scheduleAndBuildInstances: async () => {} },
    log, maxConcurrentBuilds: 1, maxAttempts: 3, glance: {} as GlanceAPI, consoles: DISABLED_CONSOLES,
  });
});

after(async () => {
  await transport?.close();
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a guest that shut down by itself stops its server through the stop path', async () => {
  const uuid = await activeServer('s1');
  driver.crash(uuid, PowerState.SHUTDOWN);
  const ctx = RequestContext.internal('req-sync-1');
  await manager.syncPowerStates(ctx);
  const after = await repos.instances.get(uuid);
  assert.equal(after.data.vm_state, 'stopped');
  assert.equal(after.data.power_state, PowerState.SHUTDOWN);
  assert.equal(after.data.task_state, null);
  const [action] = await repos.actions.list(uuid);
  assert.equal(action!.action, 'stop');
  assert.deepEqual((await repos.actions.events(action!.id)).map((e) => [e.event, e.result]), [['compute_stop_instance', 'Success']]);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(events.includes('instance.power_off.start') && events.includes('instance.power_off.end'), events.join());
});

test('a guest the hypervisor lost is recorded as NOSTATE; a running one is left alone', async () => {
  const lost = await activeServer('s2');
  const fine = await activeServer('s3');
  await driver.destroy(RequestContext.internal('req-y'), await repos.instances.get(lost), []);
  await manager.syncPowerStates(RequestContext.internal('req-sync-2'));
  const l = await repos.instances.get(lost);
  assert.equal(l.data.power_state, PowerState.NOSTATE);
  assert.equal(l.data.vm_state, 'active');
  const f = await repos.instances.get(fine);
  assert.equal(f.data.power_state, PowerState.RUNNING);
  assert.equal(f.data.updated_at, null);
});

test('init_host: a reboot left behind is done again (hard), a rebuild cut short is ERROR, a snapshot task is cleared', async () => {
  const rebooting = await activeServer('r1');
  const rebuilding = await activeServer('r2');
  const snapshotting = await activeServer('r3');
  await repos.instances.save(rebooting, { task_state: 'reboot_started' });
  await repos.instances.save(rebuilding, { task_state: 'rebuild_spawning' });
  await repos.instances.save(snapshotting, { task_state: 'image_uploading' });
  driver.crash(rebooting, PowerState.SHUTDOWN);
  await manager.initHost(RequestContext.internal('req-init-1'));
  const r1 = await repos.instances.get(rebooting);
  assert.deepEqual([r1.data.vm_state, r1.data.task_state, r1.data.power_state], ['active', null, PowerState.RUNNING]);
  const r2 = await repos.instances.get(rebuilding);
  assert.deepEqual([r2.data.vm_state, r2.data.task_state], ['error', null]);
  const r3 = await repos.instances.get(snapshotting);
  assert.deepEqual([r3.data.vm_state, r3.data.task_state], ['active', null]);
});

test('a hard reboot defines again a guest the hypervisor lost; a soft one cannot: ERROR with a fault', async () => {
  const hard = await activeServer('lost-hard');
  const soft = await activeServer('lost-soft');
  for (const uuid of [hard, soft]) await driver.destroy(RequestContext.internal('req-z'), await repos.instances.get(uuid), []);
  const h = await repos.instances.save(hard, { task_state: 'rebooting_hard' });
  await manager.lifecycle.rebootInstance(RequestContext.internal('req-rb-1'), h, 'HARD');
  const hardAfter = await repos.instances.get(hard);
  assert.deepEqual([hardAfter.data.vm_state, hardAfter.data.task_state, hardAfter.data.power_state], ['active', null, PowerState.RUNNING]);
  assert.ok(driver.instanceExists(hardAfter));

  const s = await repos.instances.save(soft, { task_state: 'rebooting' });
  await assert.rejects(manager.lifecycle.rebootInstance(RequestContext.internal('req-rb-2'), s, 'SOFT'), /could not be found/);
  const softAfter = await repos.instances.get(soft);
  assert.deepEqual([softAfter.data.vm_state, softAfter.data.task_state], ['error', null]);
  assert.match((await repos.faults.latest([soft])).get(soft)?.message ?? '', /could not be found/);
});
