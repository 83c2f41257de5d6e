import { describe, test } from '../../../common/testing/node-test.js';
import assert from 'node:assert/strict';
import { migrate, openDatabase } from '../../../common/db/index.js';
import { TEST_DIALECTS } from '../../../common/db/testing/dialects.js';
import { migrations } from './migrations/index.js';
import type { KeystoneDB } from './schema.js';

for (const d of TEST_DIALECTS) {
  describe(`keystone resource migrations on ${d.dialect}`, { skip: d.skip }, () => {
    test('apply, are idempotent, and the tables take rows', async () => {
      const { target, cleanup } = await d.fresh('keystone');
      const database = await openDatabase<KeystoneDB>(target, { createIfMissing: true });
      try {
        const first = await migrate(database, migrations, { table: 'keystone_migrations' });
        assert.deepEqual(first.applied, Object.keys(migrations));
        const again = await migrate(database, migrations, { table: 'keystone_migrations' });
        assert.deepEqual(again.applied, []);
        await database.db.insertInto('project').values({
          id: 'default', name: 'Default', domain_id: '<<keystone.domain.root>>', description: 'd', enabled: true,
          extra: null, parent_id: null, is_domain: true, options: null,
        }).execute();
        const row = await database.db.selectFrom('project').selectAll().executeTakeFirstOrThrow();
        assert.equal(Number(row.is_domain), 1);
        await assert.rejects(database.db.insertInto('project').values({
          id: 'other', name: 'Default', domain_id: '<<keystone.domain.root>>', description: null, enabled: true,
          extra: null, parent_id: null, is_domain: true, options: null,
        }).execute());
      } finally {
        await database.close();
        await cleanup();
      }
    });
  });
}
