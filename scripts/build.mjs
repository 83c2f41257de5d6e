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
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
