import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { Config } from '../common/config/config.js';
import { coreGroups } from '../common/config/core-options.js';
import { createLogger } from '../common/log/logger.js';
import type { ProjectDef } from '../common/service/project.js';
import { openProjectDatabase } from './project-runtime.js';

const project = { name: 'demo', service: 'demo', migrations: {} } as unknown as ProjectDef;

async function sqlLines(connectionDebug: string): Promise<Array<Record<string, unknown>>> {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-runtime-'));
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const config = Config.load({ groups: [...coreGroups], env: { NUBO_DATABASE__CONNECTION_DEBUG: connectionDebug } });
  const db = await openProjectDatabase(config, project, dir, createLogger({ destination }));
  try {
    lines.length = 0; // what opening and migrating ran
    await sql`select 42 as answer`.execute(db.db);
    return lines.filter((l) => l['msg'] === 'sql');
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('[database] connection_debug', () => {
  test('50 and up logs every statement with its duration and service', async () => {
    const [line, ...more] = await sqlLines('50');
    assert.equal(more.length, 0);
    assert.equal(line?.['sql'], 'select 42 as answer');
    assert.equal(line?.['service'], 'demo');
    assert.equal(typeof line?.['ms'], 'number');
  });

  test('0 (the default) logs none', async () => {
    assert.deepEqual(await sqlLines('0'), []);
  });
});
