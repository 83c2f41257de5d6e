#!/usr/bin/env node
// Bundles the launcher and every service into dist/nubo.js with esbuild (no type check:
// `npm run typecheck` and `npm test` do that). One bundled file keeps start-up fast:
// Node resolves and loads a single module graph of our own code; drivers a deployment does
// not use are split into chunks that never load.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  // Classes keep their names in the bundle: error classes of two projects may share one
  // (nova's and cinder's VolumeNotFound), and esbuild would rename one of them (VolumeNotFound2),
  // which changes the `name` that errors are logged with, matched by and sent over RPC with.
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

// keepNames makes esbuild name every function where it is created: `__name(fn, "fn")`, a
// defineProperty call. For functions made per request (Fastify's hook runners and response
// listeners, closures in our own handlers) that is a defineProperty on every API call, 5-10 %
// of a token validation's CPU (CPU profile of bench/request-path.mjs). What the names are kept
// for is classes (error names, see above), so the helper skips the call when the name is already
// right and for functions that cannot be constructed (no `prototype`: arrows, methods, async
// functions, such as Fastify's per-response `onResFinished`), whose names only debuggers show.
// Checked against the helper's exact text so that an esbuild upgrade that changes it fails the
// build instead of silently losing this.
{
  const helper = 'var __name = (target, value) => __defProp(target, "name", { value, configurable: true });';
  const lean = 'var __name = (target, value) => target.name === value || target.prototype === undefined ? target : __defProp(target, "name", { value, configurable: true });';
  const files = [`${root}dist/nubo.js`, ...readdirSync(`${root}dist/chunks`).map((n) => `${root}dist/chunks/${n}`)].filter((f) => f.endsWith('.js'));
  const holders = files.filter((f) => readFileSync(f, 'utf8').includes(helper));
  if (holders.length !== 1) throw new Error(`build: expected esbuild's __name helper in exactly one output file, found ${holders.length}`);
  writeFileSync(holders[0], readFileSync(holders[0], 'utf8').replace(helper, lean));
}

// V8 keeps every script's source for as long as the process runs (functions compile lazily
// from it) and holds it as a one-byte string only when every character is Latin-1: a single
// character above U+00FF makes it two bytes per character. esbuild escapes non-ASCII characters
// in strings, regexps and identifiers but copies comments as they are, and a few comments (ours
// and our dependencies': typographic quotes, dashes, section signs) made dist/nubo.js, 7.7 MB of
// text, a 15.5 MB string on the heap of every Nubo process (heap snapshot of `nubo up`). They
// are written as \u escapes here: only comments hold them, so only comments change.
for (const dir of [`${root}dist`, `${root}dist/chunks`]) {
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    const file = `${dir}/${name}`;
    const text = readFileSync(file, 'utf8');
    const oneByte = text.replace(/[^\u0000-\u00ff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (oneByte !== text) writeFileSync(file, oneByte);
  }
}
