import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { CachedStatements } from './sqlite.js';

test('statements are prepared once and reused; the least recently used go past the size', () => {
  const db = new CachedStatements(new BetterSqlite3(':memory:'), 2);
  const a = db.prepare('select 1 as x');
  assert.equal(db.prepare('select 1 as x'), a);
  const b = db.prepare('select 2 as x');
  db.prepare('select 1 as x'); // a is now the most recently used
  db.prepare('select 3 as x'); // evicts b
  assert.equal(db.prepare('select 1 as x'), a);
  assert.notEqual(db.prepare('select 2 as x'), b);
  assert.deepEqual(a.all([]), [{ x: 1 }]);
  db.close();
});

test('a statement a stream is iterating is not shared: the second query gets its own', () => {
  const db = new CachedStatements(new BetterSqlite3(':memory:'));
  const sql = 'select value from json_each(?)';
  const it = db.prepare(sql).iterate(['[1,2,3]']);
  assert.deepEqual(it.next().value, { value: 1 });
  assert.deepEqual(db.prepare(sql).all(['[4]']), [{ value: 4 }]);
  assert.deepEqual([...it], [{ value: 2 }, { value: 3 }]);
  db.close();
});
