#!/usr/bin/env node
// The `nubo` command: runs the bundled launcher, building it first when it is missing.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}dist/nubo.js`)) {
  const r = spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await import(`${root}dist/nubo.js`);
