/** Test support: the schema of the SQL suite, written with the column-type helpers. */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { ColumnType, Generated } from 'kysely';
import { columnTypes } from '../column-types.js';
import type { Migrations } from '../migrate.js';

export interface TestDB {
  projects: {
    id: string;
    name: string;
    enabled: ColumnType<number, number | boolean | undefined, number | boolean>;
    extra: string | null;
    created_at: string;
  };
  servers: {
    id: string;
    project_id: string;
    task_state: string | null;
    generation: ColumnType<number, number | undefined, number>;
    data: Buffer | null;
  };
  counters: {
    id: Generated<number>;
    name: string;
    value: ColumnType<number, number | undefined, number>;
  };
}

export const TEST_MIGRATIONS: Migrations = {
  '0001_initial': {
    async up(db) {
      const t = columnTypes(db);
      await db.schema
        .createTable('projects')
        .addColumn('id', t.string(64), (c) => c.primaryKey())
        .addColumn('name', t.string(255), (c) => c.notNull().unique())
        .addColumn('enabled', t.boolean, (c) => c.notNull().defaultTo(true))
        .addColumn('extra', t.jsonText)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('servers')
        .addColumn('id', t.string(64), (c) => c.primaryKey())
        .addColumn('project_id', t.string(64), (c) => c.notNull().references('projects.id'))
        .addColumn('task_state', t.string(32))
        .addColumn('generation', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('data', t.blob)
        .execute();
    },
  },
  '0002_counters': {
    async up(db) {
      const t = columnTypes(db);
      await db.schema
        .createTable('counters')
        .addColumn('id', t.serial, t.serialPrimaryKey)
        .addColumn('name', t.string(64), (c) => c.notNull().unique())
        .addColumn('value', t.bigint, (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`create index counters_value on counters (value)`.execute(db);
    },
  },
};

/**
 * Migrations for the "two processes migrate at once" test: not idempotent on their own (a
 * second CREATE TABLE fails), and one is slow, so that without the lock the race would show.
 */
export const RACE_MIGRATIONS: Migrations = {
  '0001_race_a': { up: (db) => db.schema.createTable('race_a').addColumn('id', 'integer').execute() },
  '0002_slow': { up: () => sleep(300) },
  '0003_race_b': {
    async up(db) {
      await db.schema.createTable('race_b').addColumn('id', 'integer').execute();
      await db.insertInto('race_a').values({ id: 1 }).execute();
    },
  },
};
