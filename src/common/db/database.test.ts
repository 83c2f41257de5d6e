/**
 * The behavioural suite of the SQL layer, run on every dialect: SQLite always, PostgreSQL and
 * MySQL/MariaDB when NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set (skipped otherwise).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from '../testing/node-test.js';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { OperatorError } from '../errors.js';
import { compareAndSwap, compareAndSwapReturning } from './cas.js';
import { dialectOf } from './dialect.js';
import { insertIgnore, insertReturningId, insertReturningRow, isForeignKeyViolation, isRetryableError, isUniqueViolation, nowIso, toBool, upsert } from './dialect-helpers.js';
import { DatabaseUnavailableError, MigrationError } from './errors.js';
import { migrate } from './migrate.js';
import { type Database, openDatabase } from './open.js';
import { withRetry } from './retry.js';
import { TEST_DIALECTS } from './testing/dialects.js';
import { TEST_MIGRATIONS, type TestDB } from './testing/schema.js';
import { transaction } from './transaction.js';
import { type DatabaseTarget, parseDatabaseUrl } from './url.js';

const SERVICE = 'dbtest';
const TABLE = 'dbtest_migrations';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the promise to reject');
}

/** A barrier for `n` parties. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === n) open();
    return opened;
  };
}

async function tableExists(database: Database<any>, name: string): Promise<boolean> {
  const tables = await database.db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.some((t) => t.name === name);
}

for (const d of TEST_DIALECTS) {
  describe(`SQL layer on ${d.dialect}`, { skip: d.skip }, () => {
    let target: DatabaseTarget;
    let cleanup: () => Promise<void>;
    let database: Database<TestDB>;
    const logged: string[] = [];

    before(async () => {
      ({ target, cleanup } = await d.fresh(SERVICE));
      database = await openDatabase<TestDB>(target, { createIfMissing: true, log: (text) => logged.push(text) });
    });

    after(async () => {
      await database?.close();
      await cleanup?.();
    });

    test('opens eagerly, with the dialect and a masked URL', async () => {
      assert.equal(database.dialect, d.dialect);
      assert.equal(dialectOf(database.db), d.dialect);
      assert.equal(database.url, target.url);
      assert.ok(logged.some((s) => /select 1/i.test(s)), 'the start-up check query ran (and was logged)');
      if (target.dialect === 'sqlite') {
        assert.ok(existsSync(target.filename), 'the SQLite file and its directories were created');
      }
    });

    test('SQLite pragmas are set', { skip: d.dialect !== 'sqlite' && 'SQLite only' }, async () => {
      const pragma = async (name: string): Promise<unknown> => {
        const { rows } = await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(database.db);
        return Object.values(rows[0] ?? {})[0];
      };
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('foreign_keys'), 1);
      assert.equal(await pragma('busy_timeout'), 5000);
      assert.equal(await pragma('synchronous'), 1); // NORMAL
    });

    test('a missing server database is an error without createIfMissing', { skip: d.dialect === 'sqlite' && 'server dialects only' }, async () => {
      if (target.dialect === 'sqlite') return;
      const missing = { ...target, database: `${target.database}_missing`, url: `${target.url}_missing` };
      const err = await rejection(openDatabase(missing));
      assert.ok(err instanceof DatabaseUnavailableError, String(err));
      assert.match(err.message, /does not exist/);
    });

    test('migrate applies every migration once, and is idempotent', async () => {
      assert.deepEqual(await migrate(database, TEST_MIGRATIONS, { table: TABLE }), { applied: ['0001_initial', '0002_counters'] });
      assert.deepEqual(await migrate(database, TEST_MIGRATIONS, { table: TABLE }), { applied: [] });
      assert.ok(await tableExists(database, TABLE));
      assert.ok(await tableExists(database, `${TABLE}_lock`));
      const more = { ...TEST_MIGRATIONS, '0003_noop': { up: async () => {} } };
      assert.deepEqual(await migrate(database, more, { table: TABLE }), { applied: ['0003_noop'] });
    });

    test('a failing migration is a MigrationError naming it; its work is undone where DDL is transactional', async () => {
      const table = 'dbtest_broken_migrations';
      const broken = {
        '0001_ok': { up: async () => {} },
        '0002_broken': {
          async up(db: import('kysely').Kysely<any>) {
            await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
            throw new Error('boom\nsecond line');
          },
        },
      };
      const err = await rejection(migrate(database, broken, { table }));
      assert.ok(err instanceof MigrationError && err instanceof OperatorError, String(err));
      assert.equal(err.migration, '0002_broken');
      const kept = d.dialect === 'postgres' ? 'nothing was applied' : '0001_ok applied before it';
      assert.equal(err.message, `migration 0002_broken of the dbtest database failed: boom (${kept})`);
      if (d.dialect !== 'mysql') assert.equal(await tableExists(database, 'half_done'), false);
      else await database.db.schema.dropTable('half_done').ifExists().execute(); // MySQL DDL is not transactional
      const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(database.db);
      // PostgreSQL runs the whole batch in one transaction; SQLite and MySQL keep 0001.
      assert.deepEqual(rows.map((r) => r.name), d.dialect === 'postgres' ? [] : ['0001_ok']);
      const fixed = { ...broken, '0002_broken': { up: async () => {} } };
      assert.deepEqual((await migrate(database, fixed, { table })).applied, d.dialect === 'postgres' ? ['0001_ok', '0002_broken'] : ['0002_broken']);
    });

    test('two processes migrating at once apply each migration exactly once', async () => {
      const table = 'dbtest_race_migrations';
      const child = fileURLToPath(new URL('./testing/migrate-child.ts', import.meta.url));
      const run = () => {
        const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(target), table], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        const ready = new Promise<void>((resolve) => proc.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ready\n')) resolve();
        }));
        const done = new Promise<string>((resolve, reject) => {
          proc.on('error', reject);
          proc.on('close', (code) => (code === 0 ? resolve(out.replace('ready\n', '').trim()) : reject(new Error(`child exited ${code}: ${out}`))));
        });
        return { proc, ready, done };
      };
      const children = [run(), run()];
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.proc.stdin.write('go\n');
      const outputs = await Promise.all(children.map((c) => c.done));
      const applied = outputs.map((o) => {
        assert.doesNotMatch(o, /^error/, o);
        return (JSON.parse(o) as { applied: string[] }).applied;
      });
      assert.deepEqual(applied.flat().sort(), ['0001_race_a', '0002_slow', '0003_race_b']);
      const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(database.db);
      assert.equal(rows.length, 3);
      const raceRows = await sql<{ id: number }>`select id from race_a`.execute(database.db);
      assert.equal(raceRows.rows.length, 1);
    });

    test('CRUD, numbers, JSON text, blobs and UTF-8', async () => {
      const db = database.db;
      const createdAt = nowIso();
      await db.insertInto('projects').values({ id: 'p1', name: 'alpha 🚀', extra: JSON.stringify({ a: [1, 'x'] }), created_at: createdAt }).execute();
      await db.insertInto('servers').values({ id: 's1', project_id: 'p1', data: Buffer.from([0, 1, 254, 255]) }).execute();
      const project = await db.selectFrom('projects').selectAll().where('id', '=', 'p1').executeTakeFirstOrThrow();
      assert.equal(project.name, 'alpha 🚀');
      assert.equal(project.created_at, createdAt);
      assert.deepEqual(JSON.parse(project.extra ?? 'null'), { a: [1, 'x'] });
      const server = await db.selectFrom('servers').selectAll().where('id', '=', 's1').executeTakeFirstOrThrow();
      assert.ok(Buffer.isBuffer(server.data));
      assert.deepEqual([...server.data], [0, 1, 254, 255]);
      assert.equal(server.generation, 0);
      assert.equal(server.task_state, null);

      await db.updateTable('projects').set({ name: 'beta' }).where('id', '=', 'p1').execute();
      assert.equal((await db.selectFrom('projects').select('name').where('id', '=', 'p1').executeTakeFirstOrThrow()).name, 'beta');

      await db.insertInto('counters').values([{ name: 'a', value: 2 ** 40 }, { name: 'b', value: 5 }]).execute();
      const agg = await db.selectFrom('counters')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('value').as('total')])
        .executeTakeFirstOrThrow();
      assert.equal(agg.n, 2, 'COUNT is a number on every dialect');
      assert.equal(agg.total, 2 ** 40 + 5, 'SUM is a number on every dialect');

      const deleted = await db.deleteFrom('counters').where('name', '=', 'b').executeTakeFirst();
      assert.equal(deleted.numDeletedRows, 1n);
      await db.deleteFrom('counters').execute();
    });

    test('booleans are written as JS booleans and read back as 0/1', async () => {
      const db = database.db;
      // (Kysely cannot mix rows with and without a column in one insert on SQLite: no DEFAULT in VALUES.)
      await db.insertInto('projects').values({ id: 'b-default', name: 'b-default', created_at: nowIso() }).execute();
      await db.insertInto('projects').values([
        { id: 'b-true', name: 'b-true', enabled: true, created_at: nowIso() },
        { id: 'b-false', name: 'b-false', enabled: false, created_at: nowIso() },
      ]).execute();
      const rows = await db.selectFrom('projects').select(['id', 'enabled']).where('id', 'like', 'b-%').orderBy('id').execute();
      assert.deepEqual(rows.map((r) => [r.id, r.enabled, toBool(r.enabled)]), [
        ['b-default', 1, true],
        ['b-false', 0, false],
        ['b-true', 1, true],
      ]);
      const disabled = await db.selectFrom('projects').select('id').where(sql.ref('enabled'), '=', false).where('id', 'like', 'b-%').execute();
      assert.deepEqual(disabled.map((r) => r.id), ['b-false']);
      const viaRaw = await sql<{ n: number }>`select count(*) as n from projects where enabled = ${true} and id like 'b-%'`.execute(db);
      assert.equal(Number(viaRaw.rows[0]?.n), 2);
      const inList = await db.selectFrom('projects').select('id').where(sql.ref('enabled'), 'in', [true]).where('id', 'like', 'b-%').orderBy('id').execute();
      assert.deepEqual(inList.map((r) => r.id), ['b-default', 'b-true'], 'a boolean in an IN list');
      const nested = await db.selectFrom('projects').select('id').where('id', 'in', (eb) => eb.selectFrom('projects as p').select('p.id').where(sql.ref('p.enabled'), '=', false))
        .where('id', 'like', 'b-%').execute();
      assert.deepEqual(nested.map((r) => r.id), ['b-false'], 'a boolean in a subquery');
      await db.updateTable('projects').set({ enabled: false }).where('id', '=', 'b-true').execute();
      assert.equal(toBool((await db.selectFrom('projects').select('enabled').where('id', '=', 'b-true').executeTakeFirstOrThrow()).enabled), false);
    });

    test('unique violations are detected', async () => {
      const db = database.db;
      await db.insertInto('projects').values({ id: 'u1', name: 'unique-name', created_at: nowIso() }).execute();
      const dupName = await rejection(db.insertInto('projects').values({ id: 'u2', name: 'unique-name', created_at: nowIso() }).execute());
      assert.ok(isUniqueViolation(dupName), String(dupName));
      assert.equal(isForeignKeyViolation(dupName), false);
      const dupKey = await rejection(db.insertInto('projects').values({ id: 'u1', name: 'other', created_at: nowIso() }).execute());
      assert.ok(isUniqueViolation(dupKey), String(dupKey));
      assert.ok(isUniqueViolation(new Error('wrapped', { cause: dupKey })));
      assert.equal(isUniqueViolation(new Error('x')), false);
    });

    test('foreign-key violations are detected', async () => {
      const db = database.db;
      const orphan = await rejection(db.insertInto('servers').values({ id: 'fk1', project_id: 'no-such-project' }).execute());
      assert.ok(isForeignKeyViolation(orphan), String(orphan));
      assert.equal(isUniqueViolation(orphan), false);
      await db.insertInto('projects').values({ id: 'fkp', name: 'fk-parent', created_at: nowIso() }).execute();
      await db.insertInto('servers').values({ id: 'fk2', project_id: 'fkp' }).execute();
      const referenced = await rejection(db.deleteFrom('projects').where('id', '=', 'fkp').execute());
      assert.ok(isForeignKeyViolation(referenced), String(referenced));
    });

    test('compareAndSwap succeeds only while the expectation holds', async () => {
      const db = database.db;
      await db.insertInto('projects').values({ id: 'cas-p', name: 'cas-p', created_at: nowIso() }).execute();
      await db.insertInto('servers').values({ id: 'cas1', project_id: 'cas-p' }).execute();
      const where = { id: 'cas1' };
      assert.equal(await compareAndSwap(db, 'servers', { where, expect: { task_state: null }, set: { task_state: 'spawning' } }), true);
      assert.equal(await compareAndSwap(db, 'servers', { where, expect: { task_state: null }, set: { task_state: 'deleting' } }), false);
      assert.equal(await compareAndSwap(db, 'servers', { where, expect: { task_state: ['scheduling', null] }, set: { task_state: 'x' } }), false);
      assert.equal(await compareAndSwap(db, 'servers', { where, expect: { task_state: ['spawning', null] }, set: { task_state: 'active' } }), true);
      // Setting the values the row already has still counts as a match (MySQL FOUND_ROWS).
      assert.equal(await compareAndSwap(db, 'servers', { where, expect: { task_state: 'active' }, set: { task_state: 'active' } }), true);
      assert.equal(await compareAndSwap(db, 'servers', { where: { id: 'nope' }, expect: {}, set: { task_state: 'x' } }), false);
      assert.equal(await compareAndSwap(db, 'servers', { where, expect: { task_state: [] }, set: { task_state: 'x' } }), false);
      const row = await db.selectFrom('servers').select('task_state').where('id', '=', 'cas1').executeTakeFirstOrThrow();
      assert.equal(row.task_state, 'active');
      await assert.rejects(compareAndSwap(db, 'servers', { where: {}, expect: {}, set: { task_state: 'x' } }), TypeError);
    });

    test('compareAndSwapReturning gives the row as the swap left it, or nothing when no row matched', async () => {
      const db = database.db;
      await db.insertInto('projects').values({ id: 'casr-p', name: 'casr-p', created_at: nowIso() }).execute();
      await db.insertInto('servers').values({ id: 'casr1', project_id: 'casr-p' }).execute();
      const where = { id: 'casr1' };
      const swapped = await compareAndSwapReturning(db, 'servers', { where, expect: { task_state: null }, set: { task_state: 'spawning', generation: 3 } });
      assert.deepEqual(swapped, await db.selectFrom('servers').selectAll().where('id', '=', 'casr1').executeTakeFirstOrThrow());
      assert.equal(swapped?.task_state, 'spawning');
      assert.equal(swapped?.generation, 3);
      assert.equal(swapped?.project_id, 'casr-p');
      assert.equal(await compareAndSwapReturning(db, 'servers', { where, expect: { task_state: null }, set: { task_state: 'deleting' } }), undefined);
      assert.equal(await compareAndSwapReturning(db, 'servers', { where: { id: 'nope' }, expect: {}, set: { task_state: 'x' } }), undefined);
      // Setting the values the row already has still counts as a match (MySQL FOUND_ROWS).
      assert.equal((await compareAndSwapReturning(db, 'servers', { where, expect: { task_state: 'spawning' }, set: { task_state: 'spawning' } }))?.id, 'casr1');
      await assert.rejects(compareAndSwapReturning(db, 'servers', { where: {}, expect: {}, set: { task_state: 'x' } }), TypeError);
    });

    test('20 concurrent compareAndSwap on one row: exactly one wins', async () => {
      const db = database.db;
      await db.insertInto('projects').values({ id: 'race-p', name: 'race-p', created_at: nowIso() }).execute();
      await db.insertInto('servers').values({ id: 'race', project_id: 'race-p' }).execute();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        compareAndSwap(db, 'servers', { where: { id: 'race' }, expect: { generation: 0 }, set: { generation: 1, task_state: `winner-${i}` } })));
      assert.equal(results.filter(Boolean).length, 1);
      const row = await db.selectFrom('servers').select(['generation', 'task_state']).where('id', '=', 'race').executeTakeFirstOrThrow();
      assert.equal(row.generation, 1);
      assert.equal(row.task_state, `winner-${results.indexOf(true)}`);
    });

    test('transaction commits on success and rolls back on throw', async () => {
      const committed = await transaction(database, async (trx) => {
        await trx.insertInto('projects').values({ id: 'tx-ok', name: 'tx-ok', created_at: nowIso() }).execute();
        return 'done';
      });
      assert.equal(committed, 'done');
      const boom = new Error('boom');
      const err = await rejection(transaction(database.db, async (trx) => {
        await trx.insertInto('projects').values({ id: 'tx-rollback', name: 'tx-rollback', created_at: nowIso() }).execute();
        throw boom;
      }));
      assert.equal(err, boom);
      const ids = await database.db.selectFrom('projects').select('id').where('id', 'in', ['tx-ok', 'tx-rollback']).execute();
      assert.deepEqual(ids.map((r) => r.id), ['tx-ok']);
    });

    test('insertIgnore inserts once, keeps the first row, and does not hide other errors', async () => {
      const db = database.db;
      const row = { id: 'ig1', name: 'ignore-me', created_at: nowIso() };
      assert.equal(await insertIgnore(db, 'projects', row), true);
      assert.equal(await insertIgnore(db, 'projects', { ...row, name: 'ignore-me-2' }), false);
      assert.equal(await insertIgnore(db, 'projects', { ...row, id: 'ig2' }), false, 'conflict on another unique key');
      const names = await db.selectFrom('projects').select('name').where('id', 'in', ['ig1', 'ig2']).execute();
      assert.deepEqual(names.map((r) => r.name), ['ignore-me']);
      const fk = await rejection(insertIgnore(db, 'servers', { id: 'ig-s', project_id: 'missing' }));
      assert.ok(isForeignKeyViolation(fk), String(fk));
      // Inside a transaction, an ignored duplicate does not break the transaction.
      await transaction(database, async (trx) => {
        assert.equal(await insertIgnore(trx, 'projects', row), false);
        await trx.insertInto('projects').values({ id: 'ig3', name: 'after-ignore', created_at: nowIso() }).execute();
      });
      assert.ok(await db.selectFrom('projects').select('id').where('id', '=', 'ig3').executeTakeFirst());
    });

    test('upsert inserts, then updates the existing row', async () => {
      const db = database.db;
      await upsert(db, 'counters', { values: { name: 'up', value: 1 }, conflict: ['name'], update: { value: 1 } });
      await upsert(db, 'counters', { values: { name: 'up', value: 1 }, conflict: ['name'], update: { value: 7 } });
      const rows = await db.selectFrom('counters').select(['name', 'value']).where('name', '=', 'up').execute();
      assert.deepEqual(rows, [{ name: 'up', value: 7 }]);
    });

    test('insertReturningId returns increasing generated ids', async () => {
      const first = await insertReturningId(database.db, 'counters', { name: 'id-1' });
      const second = await insertReturningId(database.db, 'counters', { name: 'id-2' });
      assert.equal(typeof first, 'number');
      assert.ok(second > first);
      const row = await database.db.selectFrom('counters').select('name').where('id', '=', second).executeTakeFirstOrThrow();
      assert.equal(row.name, 'id-2');
    });

    test('insertReturningRow returns the row as stored, its id and defaults included', async () => {
      const row = await insertReturningRow(database.db, 'counters', { name: 'row-1' });
      assert.equal(row.name, 'row-1');
      assert.ok(Number(row.id) > 0);
      assert.deepEqual(row, await database.db.selectFrom('counters').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow());
      assert.equal(Number(row.value), 0);
    });

    test('withRetry replays a transaction that lost a real race', async () => {
      const db = database.db;
      await db.insertInto('counters').values({ name: 'retry', value: 0 }).execute();

      if (target.dialect === 'sqlite') {
        // Another process (a second connection) holds the write lock: a real SQLITE_BUSY.
        const other = new BetterSqlite3(target.filename, { timeout: 0 });
        try {
          let release!: () => void;
          const released = new Promise<void>((resolve) => (release = resolve));
          let locked!: () => void;
          const isLocked = new Promise<void>((resolve) => (locked = resolve));
          const holder = transaction(database, async (trx) => {
            await trx.updateTable('counters').set((eb) => ({ value: eb('value', '+', 1) })).where('name', '=', 'retry').execute();
            locked();
            await released;
          });
          await isLocked;
          let attempts = 0;
          await withRetry(async () => {
            attempts++;
            try {
              other.exec('begin immediate');
            } catch (err) {
              assert.ok(isRetryableError(err), String(err));
              release();
              await holder; // the other writer finishes during the back-off
              throw err;
            }
            other.exec("update counters set value = value + 1 where name = 'retry'");
            other.exec('commit');
          });
          assert.equal(attempts, 2);
        } finally {
          other.close();
        }
      } else {
        // Two read-modify-write transactions on one row: PostgreSQL REPEATABLE READ fails one with
        // a serialization error, InnoDB shared locks deadlock one. withRetry replays the loser.
        const bothRead = barrier(2);
        let attempts = 0;
        const increment = () => withRetry(async (attempt) => {
          attempts++;
          await db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
            const read = target.dialect === 'mysql'
              ? sql<{ value: number }>`select value from counters where name = 'retry' lock in share mode`
              : sql<{ value: number }>`select value from counters where name = 'retry'`;
            const { rows } = await read.execute(trx);
            if (attempt === 1) await bothRead();
            await trx.updateTable('counters').set({ value: Number(rows[0]?.value) + 1 }).where('name', '=', 'retry').execute();
          });
        });
        await Promise.all([increment(), increment()]);
        assert.ok(attempts >= 3, `one transaction was replayed (attempts: ${attempts})`);
      }
      const row = await db.selectFrom('counters').select('value').where('name', '=', 'retry').executeTakeFirstOrThrow();
      assert.equal(row.value, 2);
    });

    test('close is idempotent', async () => {
      const extra = await openDatabase<TestDB>(target);
      await extra.close();
      await extra.close();
    });
  });
}

describe('DatabaseUnavailableError', () => {
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  for (const [scheme, product] of [['postgresql', 'PostgreSQL'], ['mysql', 'MySQL/MariaDB']] as const) {
    test(`${scheme}: a closed port gives one actionable line`, async () => {
      const port = await closedPort();
      const target = parseDatabaseUrl(`${scheme}://nubo:s3cret@127.0.0.1:${port}/nubo_{service}`, { service: 'keystone', dataDir: '/unused' });
      const err = await rejection(openDatabase(target));
      assert.ok(err instanceof DatabaseUnavailableError && err instanceof OperatorError, String(err));
      assert.equal(
        err.message,
        `cannot connect to database ${scheme}://nubo:***@127.0.0.1:${port}/nubo_keystone for keystone: connection refused (is ${product} running and reachable?)`,
      );
      assert.doesNotMatch(err.message, /\n|s3cret|\bat /);
      assert.equal(err.service, 'keystone');
      assert.ok(err.cause, 'the driver error is kept as the cause');
    });
  }

  test('sqlite: a file that is not a database gives one actionable line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nubo-db-notadb-'));
    try {
      await writeFile(join(dir, 'cinder.db'), 'this is not a database file, just text that is long enough '.repeat(20));
      const target = parseDatabaseUrl('sqlite', { service: 'cinder', dataDir: dir });
      const err = await rejection(openDatabase(target));
      assert.ok(err instanceof DatabaseUnavailableError, String(err));
      assert.equal(err.message, `cannot connect to database sqlite://${dir}/cinder.db for cinder: ${dir}/cinder.db is not a SQLite database`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('sqlite: an unusable data directory gives one actionable line', async () => {
    // The data dir's parent is a file, so the directory cannot be created.
    const file = fileURLToPath(import.meta.url);
    const target = parseDatabaseUrl('sqlite', { service: 'glance', dataDir: `${file}/state` });
    const err = await rejection(openDatabase(target));
    assert.ok(err instanceof DatabaseUnavailableError, String(err));
    assert.equal(err.message, `cannot connect to database sqlite://${file}/state/glance.db for glance: ${file}/state is not a directory (check the data directory)`);
  });
});
