/**
 * Test support: the dialects the SQL suite runs on. SQLite always (a temp dir); PostgreSQL and
 * MySQL/MariaDB when NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set, each run in a fresh
 * database `nubo_test_<random>_<service>` created with createIfMissing and dropped afterwards,
 * so repeated or parallel runs never collide.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase } from '../admin.js';
import type { Dialect } from '../dialect.js';
import { type DatabaseTarget, parseDatabaseUrl } from '../url.js';

export interface TestDialect {
  readonly dialect: Dialect;
  /** Reason the dialect is skipped, or false. */
  readonly skip: string | false;
  /** A fresh, empty target for `service`, and how to remove it. */
  fresh(service: string): Promise<{ target: DatabaseTarget; cleanup(): Promise<void> }>;
}

function serverDialect(dialect: 'postgres' | 'mysql', envVar: string): TestDialect {
  const base = process.env[envVar];
  return {
    dialect,
    skip: base ? false : `${envVar} not set`,
    async fresh(service) {
      if (!base) throw new Error(`${envVar} not set`);
      const url = new URL(base);
      url.pathname = `/nubo_test_${randomBytes(4).toString('hex')}_{service}`;
      const target = parseDatabaseUrl(url.toString(), { service, dataDir: tmpdir() });
      return {
        target,
        cleanup: async () => {
          if (target.dialect !== 'sqlite') await dropDatabase(target);
        },
      };
    },
  };
}

export const TEST_DIALECTS: readonly TestDialect[] = [
  {
    dialect: 'sqlite',
    skip: false,
    async fresh(service) {
      const dir = await mkdtemp(join(tmpdir(), 'nubo-db-test-'));
      // A nested data dir: openDatabase must create it.
      const target = parseDatabaseUrl('sqlite', { service, dataDir: join(dir, 'state', 'nested') });
      return { target, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  serverDialect('postgres', 'NUBO_TEST_POSTGRES_URL'),
  serverDialect('mysql', 'NUBO_TEST_MYSQL_URL'),
];
