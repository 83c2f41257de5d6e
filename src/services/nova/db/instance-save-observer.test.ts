// The InstanceRepo's save observer (instance.update's source) on every dialect: each save and
// update reports the states the row had before it and the instance after it; a failed swap
// reports nothing and throws as before; a save in the caller's transaction reads the row there;
// of two racing saves the winner reports what it replaced, and racing saves without
// expectations each report what the one before left; destroy reports DELETED only when asked.
// PostgreSQL and MariaDB run when NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { migrate, nowIso, openDatabase, transaction } from '../../../common/db/index.js';
import { describe, test } from '../../../common/testing/node-test.js';
import { UnexpectedTaskStateError } from '../errors.js';
import { Flavor } from '../objects/index.js';
import type { InstanceStatesBefore, InstanceRepo } from './instances.js';
import { novaMigrations } from './migrations/index.js';
import { NovaRepos } from './repos.js';
import type { NovaDB } from './schema.js';

const flavor = new Flavor({
  id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, vcpu_weight: null,
  disabled: false, is_public: true, extra_specs: {}, description: null, created_at: nowIso(), updated_at: null,
});

async function newInstance(instances: InstanceRepo, name: string): Promise<string> {
  const uuid = randomUUID();
  await instances.create({
    uuid, user_id: 'u1', project_id: 'p1', image_ref: 'img', hostname: name, display_name: name, display_description: null, host: 'c1', node: 'c1',
    launched_on: 'c1', availability_zone: null, vm_state: 'building', task_state: 'scheduling', power_state: 0, memory_mb: 512, vcpus: 1, root_gb: 1,
    ephemeral_gb: 0, instance_type_id: 1, flavor, key_name: null, key_data: null, user_data: null, reservation_id: 'r-aaaaaaaa', launch_index: 0,
    config_drive: '', access_ip_v4: null, access_ip_v6: null, locked: false, locked_by: null, root_device_name: null, auto_disk_config: false,
    progress: 0, launched_at: null, terminated_at: null, created_at: nowIso(), updated_at: null, deleted_at: null, metadata: { a: '1' },
    system_metadata: {}, tags: ['t'], security_groups: [],
  });
  return uuid;
}

interface Seen { before: InstanceStatesBefore; vm: string; task: string | null; name: string; service: string | undefined; tags: string[]; metadata: Record<string, string> }

for (const dialect of TEST_DIALECTS) {
  describe(`nova instance save observer on ${dialect.dialect}`, { skip: dialect.skip }, () => {
    test('saves report the row before and the instance after', async () => {
      const { target, cleanup } = await dialect.fresh('nova');
      const database = await openDatabase<NovaDB>(target, { createIfMissing: true });
      try {
        await migrate(database, novaMigrations, { table: 'nova_migrations' });
        const db = database.db as Kysely<NovaDB>;
        const repos = new NovaRepos(db);
        const seen: Seen[] = [];
        repos.instances.observeSaves(async (before, after, service) => {
          seen.push({ before, vm: after.data.vm_state, task: after.data.task_state, name: after.data.display_name, service, tags: after.data.tags, metadata: after.data.metadata });
        });
        const uuid = await newInstance(repos.instances, 'one');

        const first = await repos.instances.save(uuid, { task_state: null }, { task_state: ['scheduling'] });
        assert.equal(first.data.task_state, null);
        await repos.instances.update(first, { task_state: 'networking', display_name: 'two' }, { task_state: [null] }, undefined, 'conductor');
        assert.deepEqual(seen.map((s) => [s.before, s.vm, s.task, s.name, s.service]), [
          [{ vm_state: 'building', task_state: 'scheduling', display_name: 'one' }, 'building', null, 'one', undefined],
          [{ vm_state: 'building', task_state: null, display_name: 'one' }, 'building', 'networking', 'two', 'conductor'],
        ]);
        assert.deepEqual(seen[0]!.tags, ['t']);
        assert.deepEqual(seen[0]!.metadata, { a: '1' });

        // a swap that does not happen reports nothing
        await assert.rejects(repos.instances.save(uuid, { task_state: 'spawning' }, { task_state: ['block_device_mapping'] }), UnexpectedTaskStateError);
        assert.equal(seen.length, 2);

        // in the caller's transaction: the row is read there
        await transaction(db, async (t) => {
          await repos.instances.save(uuid, { vm_state: 'active', task_state: null }, { task_state: ['networking'] }, t);
        });
        assert.deepEqual(seen[2]!.before, { vm_state: 'building', task_state: 'networking', display_name: 'two' });
        assert.equal(seen[2]!.vm, 'active');

        // of two racing saves expecting the same state one wins, and it reports the state it replaced
        const race = await Promise.allSettled([
          repos.instances.save(uuid, { task_state: 'powering-off' }, { task_state: [null] }),
          repos.instances.save(uuid, { task_state: 'rebooting' }, { task_state: [null] }),
        ]);
        assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
        assert.equal(seen.length, 4);
        assert.deepEqual(seen[3]!.before, { vm_state: 'active', task_state: null, display_name: 'two' });
        // saves without expectations all happen; each reports the state the one before it left
        // (their reads and swaps interleave, so some swaps miss and are tried again)
        const start = (await repos.instances.get(uuid)).data.task_state;
        const from = seen.length;
        const states = Array.from({ length: 8 }, (_, i) => `t${i}`);
        await Promise.all(states.map((task) => repos.instances.save(uuid, { task_state: task })));
        const racing = seen.slice(from);
        assert.equal(racing.length, states.length);
        const last = (await repos.instances.get(uuid)).data.task_state;
        assert.deepEqual(racing.map((s) => s.before.task_state).sort(), [start, ...states].filter((t) => t !== last).sort());
        await repos.instances.save(uuid, { task_state: 'deleting' });

        // destroy: unsaid unless asked
        const saves = seen.length;
        const other = await newInstance(repos.instances, 'other');
        await repos.instances.destroy(other);
        assert.equal(seen.length, saves);
        await repos.instances.destroy(uuid, { asSave: true });
        assert.equal(seen.length, saves + 1);
        const destroyed = seen.at(-1)!;
        assert.deepEqual(destroyed.before, { vm_state: 'active', task_state: 'deleting', display_name: 'two' });
        assert.deepEqual([destroyed.vm, destroyed.task, destroyed.name], ['deleted', null, 'two']);
        // as the save left it: metadata and tags not yet gone
        assert.deepEqual(destroyed.metadata, { a: '1' });
        assert.deepEqual(destroyed.tags, ['t']);
      } finally {
        await database.close();
        await cleanup();
      }
    });
  });
}
