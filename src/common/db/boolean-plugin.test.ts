// bindsBoolean: the walk that lets BooleanToIntegerPlugin leave queries without a boolean as they are.
import assert from 'node:assert/strict';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely';
import { describe, test } from '../testing/node-test.js';
import { bindsBoolean } from './boolean-plugin.js';

interface DB { t: { id: string; enabled: number; data: Buffer | null } }

const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new SqliteIntrospector(k), createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

describe('bindsBoolean', () => {
  test('finds a boolean wherever a query binds one', () => {
    const enabled = sql.ref<number>('enabled');
    assert.equal(bindsBoolean(db.selectFrom('t').selectAll().where(enabled, '=', true as never).toOperationNode()), true);
    assert.equal(bindsBoolean(db.selectFrom('t').selectAll().where(enabled, 'in', [1, false] as never).toOperationNode()), true);
    assert.equal(bindsBoolean(db.updateTable('t').set({ enabled: false as never }).where('id', '=', 'x').toOperationNode()), true);
    assert.equal(bindsBoolean(db.insertInto('t').values({ id: 'x', enabled: true as never, data: null }).toOperationNode()), true);
    assert.equal(bindsBoolean(sql`select ${true}`.toOperationNode()), true);
    const sub = db.selectFrom('t').select('id').where('id', 'in', (eb) => eb.selectFrom('t as u').select('u.id').where(sql.ref('u.enabled'), '=', true));
    assert.equal(bindsBoolean(sub.toOperationNode()), true);
  });

  test('finds none in a query without one, and does not walk into bound values', () => {
    assert.equal(bindsBoolean(db.selectFrom('t').selectAll().where('id', 'in', ['a', 'b']).where('enabled', '=', 1).orderBy('id').toOperationNode()), false);
    assert.equal(bindsBoolean(db.insertInto('t').values({ id: 'x', enabled: 1, data: Buffer.alloc(64) }).toOperationNode()), false);
    assert.equal(bindsBoolean(sql`select ${JSON.stringify({ a: true })}, ${{ nested: true }}`.toOperationNode()), false);
  });
});
