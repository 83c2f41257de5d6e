/**
 * SQLite database files hold password hashes and keys: created owner-only (0600) with their
 * -wal and -shm companions, whatever the umask, and tightened when an older file is looser.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from './open.js';
import { parseDatabaseUrl } from './url.js';

const modeOf = (file: string): string => (statSync(file).mode & 0o777).toString(8);

async function withUmask<T>(mask: number, f: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await f();
  } finally {
    process.umask(old);
  }
}

test('a new SQLite database and its WAL files are created 0600 under a permissive umask', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-db-mode-'));
  try {
    await withUmask(0o002, async () => {
      const target = parseDatabaseUrl('sqlite', { service: 'secrets', dataDir: join(dir, 'data') });
      const db = await openDatabase(target);
      try {
        await sql`create table t (x text)`.execute(db.db);
        await sql`insert into t values ('hash')`.execute(db.db);
        const file = join(dir, 'data', 'secrets.db');
        assert.equal(modeOf(file), '600');
        assert.ok(existsSync(`${file}-wal`) && existsSync(`${file}-shm`), 'WAL mode keeps -wal and -shm while open');
        assert.equal(modeOf(`${file}-wal`), '600');
        assert.equal(modeOf(`${file}-shm`), '600');
        assert.equal(modeOf(join(dir, 'data')), '700', 'a directory created for the file is owner-only');
      } finally {
        await db.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an existing world-readable database and its companions are tightened to 0600 when opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-db-mode-'));
  try {
    const file = join(dir, 'old.db');
    for (const f of [file, `${file}-journal`]) writeFileSync(f, '', { mode: 0o644 });
    assert.equal(modeOf(file), '644');
    const db = await openDatabase(parseDatabaseUrl(`sqlite://${file}`, { service: 'old', dataDir: dir }));
    try {
      await sql`create table t (x text)`.execute(db.db);
      assert.equal(modeOf(file), '600');
      if (existsSync(`${file}-journal`)) assert.equal(modeOf(`${file}-journal`), '600');
      assert.equal(modeOf(`${file}-wal`), '600');
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
