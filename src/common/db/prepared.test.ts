/**
 * Prepared queries on every dialect: the same rows as the built query, values bound in their
 * places (constants of the builder kept), booleans as 1/0, inside transactions too, and the
 * builder's mistakes (an array, a missing value) refused.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { after, before, describe, test } from '../testing/node-test.js';
import { migrate } from './migrate.js';
import { type Database, openDatabase } from './open.js';
import { prepared } from './prepared.js';
import { TEST_DIALECTS } from './testing/dialects.js';
import { TEST_MIGRATIONS, type TestDB } from './testing/schema.js';
import { transaction } from './transaction.js';

const projectsNamed = prepared((db: Kysely<TestDB>, p: { prefix: string; enabled: number | boolean }) => db.selectFrom('projects')
  .select(['id', 'name', 'enabled']).where('name', 'like', p.prefix).where('enabled', '=', p.enabled as number).where('extra', 'is', null).orderBy('name').limit(10));
const serverOf = prepared((db: Kysely<TestDB>, p: { id: string }) => db.selectFrom('servers as s').innerJoin('projects as pr', 'pr.id', 's.project_id')
  .select(['s.id', 's.generation', 'pr.name as project']).where('s.id', '=', p.id));
const bump = prepared((db: Kysely<TestDB>, p: { id: string; generation: number; state: string | null }) => db.updateTable('servers')
  .set({ generation: p.generation, task_state: p.state }).where('id', '=', p.id));

for (const d of TEST_DIALECTS) {
  describe(`prepared queries on ${d.dialect}`, { skip: d.skip }, () => {
    let database: Database<TestDB>;
    let cleanup: () => Promise<void>;

    before(async () => {
      const fresh = await d.fresh('prepared');
      cleanup = fresh.cleanup;
      database = await openDatabase<TestDB>(fresh.target, { createIfMissing: true });
      await migrate(database, TEST_MIGRATIONS, { table: 'prepared_migrations' });
      const at = '2026-01-01T00:00:00';
      await database.db.insertInto('projects').values([
        { id: 'p1', name: 'alpha', enabled: true, extra: null, created_at: at }, { id: 'p2', name: 'alps', enabled: false, extra: null, created_at: at },
        { id: 'p3', name: 'beta', enabled: true, extra: null, created_at: at }, { id: 'p4', name: 'alto', enabled: true, extra: '{}', created_at: at },
      ]).execute();
      await database.db.insertInto('servers').values([{ id: 's1', project_id: 'p1', generation: 0 }, { id: 's2', project_id: 'p3', generation: 4 }]).execute();
    });
    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    test('the rows of the built query, with the values of each run', async () => {
      const db = database.db;
      assert.deepEqual((await projectsNamed.all(db, { prefix: 'al%', enabled: true })).map((r) => r.name), ['alpha']);
      assert.deepEqual((await projectsNamed.all(db, { prefix: 'al%', enabled: false })).map((r) => r.name), ['alps']);
      assert.deepEqual((await projectsNamed.all(db, { prefix: '%', enabled: true })).map((r) => r.name), ['alpha', 'beta']);
      const built = await db.selectFrom('projects').select(['id', 'name', 'enabled']).where('name', 'like', '%').where('enabled', '=', 1)
        .where('extra', 'is', null).orderBy('name').limit(10).execute();
      assert.deepEqual(await projectsNamed.all(db, { prefix: '%', enabled: true }), built);
      assert.deepEqual(await serverOf.first(db, { id: 's2' }), { id: 's2', generation: 4, project: 'beta' });
      assert.equal(await serverOf.first(db, { id: 'nope' }), undefined);
    });

    test('writes report the rows they changed, also inside a transaction', async () => {
      const r = await bump.run(database.db, { id: 's1', generation: 7, state: 'spawning' });
      assert.equal(r.numAffectedRows, 1n);
      await transaction(database.db, async (tx) => {
        assert.equal((await bump.run(tx, { id: 's1', generation: 8, state: null })).numAffectedRows, 1n);
        assert.deepEqual(await serverOf.first(tx, { id: 's1' }), { id: 's1', generation: 8, project: 'alpha' });
      });
      assert.equal((await bump.run(database.db, { id: 'missing', generation: 1, state: null })).numAffectedRows, 0n);
    });

    test('an array, a value missing at run time, or one the query does not bind are refused', async () => {
      const withArray = prepared((db: Kysely<TestDB>, p: { ids: string[] }) => db.selectFrom('servers').select('id').where('id', 'in', p.ids));
      await assert.rejects(withArray.all(database.db, { ids: ['s1'] }), /no arrays/);
      await assert.rejects(serverOf.first(database.db, {} as { id: string }), /no value for "id"/);
    });
  });
}
