/**
 * Test support: a child process that migrates a database, for the "two processes migrate at
 * once" test. Usage: migrate-child.ts <target-json> <table>. It opens the database, prints
 * "ready", waits for "go" on stdin, migrates with RACE_MIGRATIONS, and
 * prints the result as JSON, or the error message prefixed with "error: ".
 */
import { migrate } from '../migrate.js';
import { openDatabase } from '../open.js';
import type { DatabaseTarget } from '../url.js';
import { RACE_MIGRATIONS } from './schema.js';

const [targetJson, table] = process.argv.slice(2);
if (targetJson === undefined || table === undefined) throw new Error('usage: migrate-child.ts <target-json> <table>');
const target = JSON.parse(targetJson) as DatabaseTarget;

const database = await openDatabase(target);
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
try {
  const result = await migrate(database, RACE_MIGRATIONS, { table });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  process.stdout.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
} finally {
  await database.close();
  process.stdin.destroy();
}
