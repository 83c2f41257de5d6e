// The tables and writes of the server lifecycle actions on every dialect: migration 0006's
// console tokens (authorize, validate by hash, expiry, cleanup) and the metadata changes
// (lock reason, suspend's old state, a rebuild's image_* properties). PostgreSQL and MariaDB
// run when NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { migrate, nowIso, openDatabase } from '../../../common/db/index.js';
import { describe, test } from '../../../common/testing/node-test.js';
import { Flavor } from '../objects/index.js';
import { ConsoleAuthTokenRepo, consoleAccessUrl } from './console-auth-tokens.js';
import { replaceSystemMetadataPrefix, updateInstanceMetadata } from './instance-system-metadata.js';
import { novaMigrations } from './migrations/index.js';
import { NovaRepos } from './repos.js';
import type { NovaDB } from './schema.js';

const flavor = new Flavor({
  id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, vcpu_weight: null,
  disabled: false, is_public: true, extra_specs: {}, description: null, created_at: nowIso(), updated_at: null,
});

for (const dialect of TEST_DIALECTS) {
  describe(`nova lifecycle tables on ${dialect.dialect}`, { skip: dialect.skip }, () => {
    test('console tokens and metadata changes', async () => {
      const { target, cleanup } = await dialect.fresh('nova');
      const database = await openDatabase<NovaDB>(target, { createIfMissing: true });
      try {
        await migrate(database, novaMigrations, { table: 'nova_migrations' });
        const db = database.db as Kysely<NovaDB>;
        const repos = new NovaRepos(db);
        const uuid = randomUUID();
        await repos.instances.create({
          uuid, user_id: 'u1', project_id: 'p1', image_ref: 'img', hostname: 'h', display_name: 'h', display_description: null, host: 'c1', node: 'c1',
          launched_on: 'c1', availability_zone: null, vm_state: 'active', task_state: null, power_state: 1, memory_mb: 512, vcpus: 1, root_gb: 1,
          ephemeral_gb: 0, instance_type_id: 1, flavor, key_name: null, key_data: null, user_data: null, reservation_id: 'r-aaaaaaaa', launch_index: 0,
          config_drive: '', access_ip_v4: null, access_ip_v6: null, locked: false, locked_by: null, root_device_name: null, auto_disk_config: false,
          progress: 0, launched_at: null, terminated_at: null, created_at: nowIso(), updated_at: null, deleted_at: null, metadata: { a: '1', b: '2' },
          system_metadata: { image_min_ram: '0', image_hw_x: 'old', other: 'kept' }, tags: [], security_groups: [],
        });

        const tokens = new ConsoleAuthTokenRepo(db);
        const auth = { consoleType: 'novnc', host: 'c1', port: 6969, internalAccessPath: 'FAKE', instanceUuid: uuid, accessUrlBase: 'http://x/vnc_auto.html' };
        const token = await tokens.authorize(auth, 600);
        const expired = await tokens.authorize(auth, 0);
        assert.equal((await tokens.validate(token))?.instance_uuid, uuid);
        assert.equal(await tokens.validate(expired), undefined);
        assert.equal(await tokens.validate('nope'), undefined);
        assert.equal(consoleAccessUrl('novnc', 'http://x/vnc_auto.html', 'abc'), 'http://x/vnc_auto.html?path=%3Ftoken%3Dabc');
        assert.equal(consoleAccessUrl('spice-html5', 'http://x/spice_auto.html', 'abc'), 'http://x/spice_auto.html?token=abc');
        await tokens.deleteForInstance(uuid);
        assert.equal(await tokens.validate(token), undefined);

        await updateInstanceMetadata(db, 'instance_system_metadata', uuid, { locked_reason: 'why' });
        await updateInstanceMetadata(db, 'instance_system_metadata', uuid, { locked_reason: 'why not' });
        assert.equal((await repos.instances.get(uuid)).data.system_metadata['locked_reason'], 'why not');
        await updateInstanceMetadata(db, 'instance_system_metadata', uuid, {}, ['locked_reason']);
        assert.ok(!('locked_reason' in (await repos.instances.get(uuid)).data.system_metadata));
        await replaceSystemMetadataPrefix(db, uuid, 'image_', { image_min_ram: '64', image_base_image_ref: 'new' });
        assert.deepEqual((await repos.instances.get(uuid)).data.system_metadata, { image_min_ram: '64', image_base_image_ref: 'new', other: 'kept' });
        await updateInstanceMetadata(db, 'instance_metadata', uuid, { c: '3' }, ['a', 'b']);
        assert.deepEqual((await repos.instances.get(uuid)).data.metadata, { c: '3' });
      } finally {
        await database.close();
        await cleanup();
      }
    });
  });
}
