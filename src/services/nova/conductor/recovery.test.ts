// The build recovery of the conductor over Nova's database (SQLite; PostgreSQL and MariaDB when
// their URLs are set), with Placement, Neutron and the conductor's build recorded by fakes:
// which host-less builds are built again, failed or deleted, when it is safe to, and that two
// conductors never both take one build.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { isoSeconds, migrate, nowIso, openDatabase, type Database } from '../../../common/db/index.js';
import { createLogger } from '../../../common/log/logger.js';
import { describe, test, before, after } from '../../../common/testing/node-test.js';
import { BuildRecoveryRepo } from '../db/build-recovery.js';
import { novaMigrations } from '../db/migrations/index.js';
import { NovaRepos } from '../db/repos.js';
import type { NovaDB } from '../db/schema.js';
import { NetworkRequestList, type Instance } from '../objects/index.js';
import { buildingInstance, type BuildingOptions } from '../testing/building-instances.js';
import { BuildRecovery, type BuildRecoverySettings } from './recovery.js';
import type { ScheduleAndBuildArgs } from './rpcapi.js';

const ago = (seconds: number): string => isoSeconds(new Date(Date.now() - seconds * 1000));
const log = createLogger({ level: 'silent' });

interface Fakes {
  built: Array<{ requestId: string; args: ScheduleAndBuildArgs }>;
  allocationsDeleted: string[];
  deallocated: Array<{ uuid: string; userPorts: readonly string[] }>;
}

function recovery(repos: NovaRepos, fakes: Fakes, settings: Partial<BuildRecoverySettings> = {}, host = 'conductor-1'): BuildRecovery {
  return new BuildRecovery({
    repos, builds: new BuildRecoveryRepo(repos.db), host, log,
    report: { deleteAllocationForInstance: async (uuid) => { fakes.allocationsDeleted.push(uuid); return true; } },
    network: { deallocateForInstance: async (instance, userPorts = []) => { fakes.deallocated.push({ uuid: instance.uuid, userPorts }); } },
    conductor: { scheduleAndBuildInstances: async (ctx, args) => { fakes.built.push({ requestId: ctx.requestId, args }); } },
    settings: { inProcessBus: true, serviceDownTime: 60, hostlessBuildTimeout: 600, pollMs: 20, ...settings },
  });
}

function newFakes(): Fakes {
  return { built: [], allocationsDeleted: [], deallocated: [] };
}

for (const dialect of TEST_DIALECTS) {
  describe(`build recovery on ${dialect.dialect}`, { skip: dialect.skip }, () => {
    let database: Database<NovaDB>;
    let repos: NovaRepos;
    let cleanup: () => Promise<void>;
    before(async () => {
      const fresh = await dialect.fresh('nova');
      cleanup = fresh.cleanup;
      database = await openDatabase<NovaDB>(fresh.target, { createIfMissing: true });
      await migrate(database, novaMigrations, { table: 'nova_migrations' });
      repos = new NovaRepos(database.db as Kysely<NovaDB>);
    });
    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    const building = (opts: BuildingOptions): Promise<Instance> => buildingInstance(repos, opts);

    test('at start: lost builds are built again per request, old specs fail with a fault, cut-short deletes complete', async () => {
      const startedAt = nowIso();
      const requestId = `req-${randomUUID()}`;
      const a = await building({ created: ago(30), reservation: 'r-same', requestId });
      const b = await building({ created: ago(30), reservation: 'r-same', requestId });
      const userPort = await building({ created: ago(30), networks: NetworkRequestList.of([{ network_id: null, address: null, port_id: 'port-of-user', tag: null }]) });
      const oldSpec = await building({ created: ago(30), networks: null });
      const noSpec = await building({ created: ago(30), spec: false });
      const deleting = await building({ created: ago(30) });
      await repos.actions.start(deleting.uuid, 'delete', `req-${randomUUID()}`, 'u1', 'p1');
      const onHost = await building({ created: ago(30), host: 'c1' });
      const fresh = await building({ created: isoSeconds(new Date(Date.now() + 2000)) });
      const fakes = newFakes();

      const outcome = await recovery(repos, fakes).recoverOnStart(startedAt);

      assert.deepEqual(new Set(outcome.rebuilt), new Set([a.uuid, b.uuid, userPort.uuid]));
      assert.deepEqual(new Set(outcome.failed), new Set([oldSpec.uuid, noSpec.uuid]));
      assert.deepEqual(outcome.deleted, [deleting.uuid]);
      // the two servers of one request go to the scheduler together, under their create request id
      const together = fakes.built.find((c) => c.args.instances.length === 2)!;
      assert.equal(together.requestId, requestId);
      assert.deepEqual(new Set(together.args.instances.map((i) => i.uuid)), new Set([a.uuid, b.uuid]));
      assert.equal(together.args.instances[0]!.data.task_state, 'scheduling');
      assert.deepEqual(together.args.requested_networks.objects.map((r) => r.data.network_id), ['net-1']);
      assert.equal(fakes.built.length, 2);
      // what the lost builds held is released first; the user's port is kept (unbound)
      for (const uuid of [a.uuid, b.uuid, userPort.uuid, oldSpec.uuid, noSpec.uuid, deleting.uuid]) {
        assert.ok(fakes.allocationsDeleted.includes(uuid), `allocation of ${uuid}`);
        assert.ok(fakes.deallocated.some((d) => d.uuid === uuid), `ports of ${uuid}`);
      }
      assert.deepEqual(fakes.deallocated.find((d) => d.uuid === userPort.uuid)!.userPorts, ['port-of-user']);
      for (const failed of [oldSpec, noSpec]) {
        const row = await repos.instances.get(failed.uuid);
        assert.equal(row.data.vm_state, 'error');
        assert.equal(row.data.task_state, null);
        const fault = (await repos.faults.latest([failed.uuid])).get(failed.uuid)!;
        assert.match(fault.message, /cannot be built again/);
        assert.equal(fault.host, 'conductor-1');
      }
      assert.equal(await repos.instances.find(deleting.uuid), undefined);
      assert.equal(await repos.requestSpecs.get(deleting.uuid), undefined);
      for (const untouched of [onHost, fresh]) {
        assert.ok(!fakes.allocationsDeleted.includes(untouched.uuid));
        assert.equal((await repos.instances.get(untouched.uuid)).data.vm_state, 'building');
      }
      await repos.instances.destroy(onHost.uuid);
      await repos.instances.destroy(fresh.uuid);
      for (const i of [a, b, userPort, oldSpec, noSpec]) await repos.instances.destroy(i.uuid);
    });

    test('with a broker, the start pass leaves the builds alone while another conductor is up', async () => {
      const lost = await building({ created: ago(30) });
      const other = await repos.services.ensure('conductor-2', 'nova-conductor', 'conductor');
      await repos.services.reportState(other.id);
      const fakes = newFakes();
      const skipped = await recovery(repos, fakes, { inProcessBus: false }).recoverOnStart(nowIso());
      assert.match(skipped.skipped ?? '', /conductor-2/);
      assert.equal(fakes.built.length, 0);
      // once the other one has been silent for service_down_time, this one takes them
      await database.db.updateTable('services').set({ last_seen_up: ago(120), updated_at: ago(120) }).where('id', '=', other.id).execute();
      const outcome = await recovery(repos, fakes, { inProcessBus: false }).recoverOnStart(nowIso());
      assert.deepEqual(outcome.rebuilt, [lost.uuid]);
      await repos.instances.destroy(lost.uuid);
    });

    test('the start pass waits until the compute services that are up have started again', async () => {
      const lost = await building({ created: ago(30) });
      const compute = await repos.services.ensure('c9', 'nova-compute', 'compute');
      await database.db.updateTable('services').set({ last_seen_up: ago(5) }).where('id', '=', compute.id).execute();
      const fakes = newFakes();
      const startedAt = nowIso();
      const pass = recovery(repos, fakes).recoverOnStart(startedAt);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(fakes.built.length, 0, 'no build before the compute host is back');
      await repos.services.reportState(compute.id);
      await pass;
      assert.deepEqual(fakes.built.map((c) => c.args.instances[0]!.uuid), [lost.uuid]);
      await database.db.deleteFrom('services').where('id', '=', compute.id).execute();
      await repos.instances.destroy(lost.uuid);
    });

    test('periodically: only builds unchanged for hostless_build_timeout; 0 turns it off', async () => {
      const stuck = await building({ created: ago(700) });
      const recent = await building({ created: ago(100) });
      const fakes = newFakes();
      assert.match((await recovery(repos, fakes, { hostlessBuildTimeout: 0 }).recoverStuck()).skipped ?? '', /0/);
      const outcome = await recovery(repos, fakes).recoverStuck();
      assert.deepEqual(outcome.rebuilt, [stuck.uuid]);
      assert.ok(!fakes.allocationsDeleted.includes(recent.uuid));
      // built again just now: not stuck any more
      assert.deepEqual((await recovery(repos, newFakes()).recoverStuck()).rebuilt, []);
      await repos.instances.destroy(stuck.uuid);
      await repos.instances.destroy(recent.uuid);
    });

    test('two conductors checking at once build a stuck server once', async () => {
      const stuck = await building({ created: ago(700) });
      const one = newFakes();
      const two = newFakes();
      const [x, y] = await Promise.all([recovery(repos, one).recoverStuck(), recovery(repos, two, {}, 'conductor-2').recoverStuck()]);
      assert.equal(x.rebuilt.length + y.rebuilt.length, 1);
      assert.equal(one.built.length + two.built.length, 1);
      await repos.instances.destroy(stuck.uuid);
    });
  });
}
