#!/usr/bin/env node
// Bundles the launcher and every service into dist/nubo.js with esbuild (no type check:
// `npm run typecheck` and `npm test` do that). One bundled file keeps start-up fast:
// Node resolves and loads a single module graph of our own code; drivers a deployment does
// not use are split into chunks that never load.
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
await build({
  entryPoints: [`${root}src/cmd/nubo.ts`],
  outdir: `${root}dist`,
  entryNames: 'nubo',
  chunkNames: 'chunks/[name]-[hash]',
  // Code that is imported lazily (database and broker drivers) goes to chunks loaded on use.
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies are bundled too (one file to resolve and compile instead of hundreds), except
  // native addons and the drivers only some deployments load.
  external: ['better-sqlite3', 'bcrypt', 'pg', 'pg-native', 'mysql2', 'amqplib'],
  // CommonJS dependencies inside an ES module bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as __nuboCreateRequire } from 'node:module'; const require = __nuboCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
