// Nova's database on every dialect: the migration, and the repositories the boot flow uses
// (instances with their extra and metadata, saves with expected task states, the list with its
// filters and paging, soft delete, faults, actions, services, compute nodes, request specs,
// quotas). PostgreSQL and MariaDB run when NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { migrate, nowIso, openDatabase } from '../../../common/db/index.js';
import { describe, test } from '../../../common/testing/node-test.js';
import { InstanceNotFound, UnexpectedTaskStateError } from '../errors.js';
import { Flavor, ImageMeta, RequestSpec } from '../objects/index.js';
import { listInstances } from './instance-list.js';
import type { NewInstance } from './instances.js';
import { novaMigrations } from './migrations/index.js';
import { NovaRepos } from './repos.js';
import type { NovaDB } from './schema.js';

const flavor = new Flavor({
  id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, vcpu_weight: null,
  disabled: false, is_public: true, extra_specs: { 'hw:x': 'y' }, description: null, created_at: nowIso(), updated_at: null,
});

function newInstance(name: string, projectId: string, created: string): NewInstance {
  return {
    uuid: randomUUID(), user_id: 'u1', project_id: projectId, image_ref: 'img', hostname: name, display_name: name, display_description: null,
    host: null, node: null, launched_on: null, availability_zone: null, vm_state: 'building', task_state: 'scheduling', power_state: 0,
    memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, instance_type_id: 1, flavor, key_name: null, key_data: null, user_data: null,
    reservation_id: 'r-aaaaaaaa', launch_index: 0, config_drive: '', access_ip_v4: null, access_ip_v6: null, locked: false, locked_by: null,
    root_device_name: null, auto_disk_config: false, progress: 0, launched_at: null, terminated_at: null, created_at: created, updated_at: null,
    deleted_at: null, metadata: { k: 'v' }, system_metadata: { image_min_ram: '0' }, tags: ['t1'], security_groups: ['default'],
  };
}

for (const dialect of TEST_DIALECTS) {
  describe(`nova database on ${dialect.dialect}`, { skip: dialect.skip }, () => {
    test('repositories of the boot flow', async () => {
      const { target, cleanup } = await dialect.fresh('nova');
      const database = await openDatabase<NovaDB>(target, { createIfMissing: true });
      try {
        await migrate(database, novaMigrations, { table: 'nova_migrations' });
        const repos = new NovaRepos(database.db as Kysely<NovaDB>);
        await repos.flavors.ensureDefaults();
        assert.equal((await repos.flavors.getByFlavorId('1')).data.name, 'm1.tiny');

        const a = await repos.instances.create(newInstance('a', 'p1', '2024-01-01T00:00:01Z'));
        const b = await repos.instances.create(newInstance('b', 'p1', '2024-01-01T00:00:02Z'));
        await repos.instances.create(newInstance('c', 'p2', '2024-01-01T00:00:03Z'));
        assert.deepEqual(a.data.metadata, { k: 'v' });
        assert.deepEqual(a.data.tags, ['t1']);
        assert.deepEqual(a.data.security_groups, ['default']);
        assert.deepEqual(a.data.flavor.data.extra_specs, { 'hw:x': 'y' });

        // create() and update() answer what a read gives (without reading back)
        const plain = await repos.instances.create({
          ...newInstance('plain', 'p3', '2024-01-01T00:00:04Z'), tags: [], security_groups: ['web', 'db'],
          metadata: { z: '1', a: '2', m: '' }, system_metadata: { image_min_ram: '0', image_disk_format: 'raw', boot_roles: 'member' },
        });
        assert.deepEqual(plain, await repos.instances.get(plain.uuid));
        assert.deepEqual(Object.keys(plain.data.system_metadata), Object.keys((await repos.instances.get(plain.uuid)).data.system_metadata));
        assert.deepEqual(plain.data.security_groups, ['web', 'db']);
        const noGroups = await repos.instances.create({ ...newInstance('nogroups', 'p3', '2024-01-01T00:00:05Z'), tags: [], security_groups: [] });
        assert.deepEqual(noGroups, await repos.instances.get(noGroups.uuid));
        const updated = await repos.instances.update(plain, { task_state: null, host: 'h9', locked: true }, { task_state: ['scheduling'] });
        assert.deepEqual(updated, await repos.instances.get(plain.uuid));
        assert.equal(updated.data.host, 'h9');
        await assert.rejects(repos.instances.update(plain, { task_state: 'spawning' }, { task_state: ['scheduling'] }), UnexpectedTaskStateError);
        await repos.instances.destroy(noGroups.uuid);
        await assert.rejects(repos.instances.update(noGroups, { task_state: 'spawning' }), InstanceNotFound);

        const moved = await repos.instances.save(a.uuid, { task_state: null, host: 'h1', locked: true }, { task_state: ['scheduling'] });
        assert.equal(moved.data.host, 'h1');
        assert.equal(moved.data.locked, true);
        await assert.rejects(repos.instances.save(a.uuid, { task_state: 'spawning' }, { task_state: ['scheduling'] }), UnexpectedTaskStateError);
        assert.deepEqual(await repos.instances.usage('p1'), { instances: 2, cores: 2, ram: 1024 });

        const base = { deleted: false as const, exact: {}, regex: {}, sortKeys: ['created_at' as const], sortDirs: ['desc' as const], limit: 10 };
        const names = async (q: object) => (await listInstances(repos.db, repos.instances, { ...base, projectId: 'p1', ...q })).map((i) => i.data.display_name);
        assert.deepEqual(await names({}), ['b', 'a']);
        assert.deepEqual(await names({ regex: { display_name: '^A' } }), ['a']);
        assert.deepEqual(await names({ exact: { host: ['h1'] } }), ['a']);
        assert.deepEqual(await names({ limit: 1, marker: b.uuid }), ['a']);
        assert.deepEqual(await names({ taskStates: [null] }), ['a']);

        await repos.faults.addFromError(b.uuid, new Error('boom'), 'h1');
        assert.equal((await repos.faults.latest([b.uuid])).get(b.uuid)!.code, 500);
        const actionId = await repos.actions.start(b.uuid, 'create', 'req-1', 'u1', 'p1');
        const eventId = await repos.actions.eventStart(actionId, 'compute__x', 'h1');
        await repos.actions.eventFinish(eventId, actionId, { traceback: 'tb' });
        assert.equal((await repos.actions.find(b.uuid, 'req-1'))!.message, 'Error');

        const spec = new RequestSpec({
          instance_uuid: b.uuid, project_id: 'p1', user_id: 'u1', flavor, image: ImageMeta.empty(), num_instances: 1, availability_zone: null,
          scheduler_hints: { group: ['g'] }, instance_group: null, ignore_hosts: [], force_hosts: [], force_nodes: [], requested_destination: null,
          security_groups: [], is_bfv: false, requested_networks: null, num_attempts: 1,
        });
        await repos.requestSpecs.save(spec);
        await repos.requestSpecs.save(spec);
        assert.deepEqual((await repos.requestSpecs.get(b.uuid))!.data.scheduler_hints, { group: ['g'] });

        await repos.instances.destroy(b.uuid);
        assert.equal(await repos.instances.find(b.uuid), undefined);
        assert.equal((await repos.instances.get(b.uuid, { readDeleted: true })).data.vm_state, 'deleted');
        assert.deepEqual(await names({}), ['a']);
        assert.deepEqual(await names({ deleted: 'any' }), ['b', 'a']);

        const svc = await repos.services.ensure('h1', 'nova-compute', 'compute');
        await repos.services.ensure('h1', 'nova-compute', 'compute');
        await repos.services.reportState(svc.id);
        assert.equal((await repos.services.get('h1', 'nova-compute'))!.report_count, 1);
        const report = {
          vcpus: 8, memory_mb: 1024, local_gb: 10, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0, hypervisor_type: 'fake', hypervisor_version: 1,
          cpu_info: '{}', disk_available_least: 10, free_ram_mb: 1024, free_disk_gb: 10, current_workload: 0, running_vms: 0, host_ip: null,
          supported_instances: '[]', stats: '{}', cpu_allocation_ratio: 4, ram_allocation_ratio: 1.5, disk_allocation_ratio: 1,
        };
        const node = await repos.computeNodes.ensure('h1', 'h1', svc.id, report);
        assert.equal((await repos.computeNodes.ensure('h1', 'h1', svc.id, report)).uuid, node.uuid);
        assert.equal(Number(node.ram_allocation_ratio), 1.5);
        assert.equal((await repos.quotas.limits('p1', 'u1', { instances: 10 } as never)).instances, 10);
        // The user's rows win over the project's, which win over the default class, over nova.conf.
        await repos.quotas.setClassLimit('default', 'instances', 20);
        await repos.quotas.setClassLimit('default', 'cores', 30);
        await repos.quotas.setClassLimit('other', 'ram', 1);
        await repos.quotas.setLimit('p1', null, 'instances', 5);
        await repos.quotas.setLimit('p1', 'u1', 'instances', 3);
        await repos.quotas.setLimit('p2', 'u1', 'cores', 1);
        const conf = { instances: 10, cores: 20, ram: 50000 } as never;
        assert.deepEqual(await repos.quotas.limits('p1', 'u1', conf), { instances: 3, cores: 30, ram: 50000 });
        assert.deepEqual(await repos.quotas.limits('p1', undefined, conf), { instances: 5, cores: 30, ram: 50000 });
        assert.deepEqual(await repos.quotas.limits('p1', 'u2', conf), { instances: 5, cores: 30, ram: 50000 });
      } finally {
        await database.close();
        await cleanup();
      }
    });
  });
}
