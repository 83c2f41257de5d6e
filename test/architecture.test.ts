/**
 * Boundaries: the shared plumbing never imports a service; a service never imports another
 * service's folder (projects talk over REST, a project's processes over RPC). Only the
 * composition root (src/cmd) sees every service.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec && spec.startsWith('.')) out.push(resolve(dirname(file), spec));
  }
  return out;
}

/** 'services/keystone' for a path below src/services/keystone, 'common' for src/common, ... */
function area(path: string): string {
  const rel = relative(src, path).split('/');
  return rel[0] === 'services' ? `services/${rel[1]}` : rel[0]!;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(src)) {
    const from = area(file);
    if (from === 'cmd') continue;
    for (const target of importsOf(file)) {
      const to = area(target);
      if (!target.startsWith(src)) continue;
      if (from === 'common' && to !== 'common') found.push(`${relative(root, file)} (plumbing) imports ${relative(root, target)}`);
      if (from.startsWith('services/') && to !== from && to !== 'common') found.push(`${relative(root, file)} imports another service: ${relative(root, target)}`);
      if (to === 'cmd') found.push(`${relative(root, file)} imports the launcher: ${relative(root, target)}`);
    }
  }
  return found;
}

test('plumbing imports no service and services import no other service', () => {
  assert.deepEqual(violations(), []);
});

test('the import scanner sees relative imports (so the rule above can fail)', () => {
  const sample = join(src, 'cmd', 'projects.ts');
  const targets = importsOf(sample).map(area);
  assert.ok(targets.some((t) => t.startsWith('services/')), 'projects.ts should import services');
});
