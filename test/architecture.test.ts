/**
 * The architecture rules, checked on the source tree:
 * - boundaries: the shared plumbing never imports a service; a service never imports another
 *   service's folder (projects talk over REST, a project's processes over RPC); only the
 *   composition root (src/cmd) sees every service;
 * - the floor plan of every project folder (README, "Architecture"): index.ts (the ProjectDef,
 *   registered in src/cmd/projects.ts), config.ts, errors.ts, policies, service.ts (the
 *   composition), api/ (routes.ts, fault.ts), db/ (schema.ts, migrations), a managers layer
 *   (under upstream's names: Nova's compute/conductor/scheduler, Swift's proxy/obj/container/account/ring),
 *   rpc/ when the project uses the bus;
 * - layers: nothing outside api/ imports the API layer (but the composition and test support),
 *   and db/ imports neither the API layer nor the managers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

const services = join(src, 'services');
const projectDirs = readdirSync(services).filter((d) => statSync(join(services, d)).isDirectory());

/**
 * The folders of a project's managers layer, under the names upstream gives them: managers/
 * (Glance, Neutron), placement/objects, Nova's compute/, conductor/ and scheduler/ (each with
 * its manager.py), Keystone's subsystems (each with its core.py).
 */
function managerFolders(dir: string): string[] {
  if (existsSync(join(dir, 'compute', 'manager.ts'))) return ['compute', 'conductor', 'scheduler'];
  // Swift: the proxy's controllers, the object/container/account servers and the rings
  if (existsSync(join(dir, 'proxy', 'server.ts'))) return ['proxy', 'obj', 'container', 'account', 'ring'];
  if (existsSync(join(dir, 'managers'))) return ['managers'];
  if (existsSync(join(dir, 'objects')) && existsSync(join(dir, 'api', 'routes.ts')) && !existsSync(join(dir, 'compute'))) return ['objects'];
  return readdirSync(dir).filter((d) => existsSync(join(dir, d, 'core.ts')));
}

function missingParts(project: string): string[] {
  const dir = join(services, project);
  const need: Array<[string, boolean]> = [
    ['index.ts', existsSync(join(dir, 'index.ts'))],
    ['config.ts', existsSync(join(dir, 'config.ts'))],
    ['errors.ts', existsSync(join(dir, 'errors.ts'))],
    ['service.ts', existsSync(join(dir, 'service.ts'))],
    ['policies.ts or policies/index.ts', existsSync(join(dir, 'policies.ts')) || existsSync(join(dir, 'policies', 'index.ts'))],
    ['api/routes.ts', existsSync(join(dir, 'api', 'routes.ts'))],
    ['api/fault.ts', existsSync(join(dir, 'api', 'fault.ts'))],
    ['db/schema.ts', existsSync(join(dir, 'db', 'schema.ts'))],
    ['db/migrations', existsSync(join(dir, 'db', 'migrations')) || existsSync(join(dir, 'db', 'migrations.ts'))],
    ['a managers layer', managerFolders(dir).length > 0],
  ];
  const usesBus = sourceFiles(dir).some((f) => !f.endsWith('.test.ts') && importsOf(f).some((t) => t.startsWith(join(src, 'common', 'messaging'))));
  if (usesBus) need.push(['rpc/ (it uses the bus)', existsSync(join(dir, 'rpc'))]);
  return need.filter(([, ok]) => !ok).map(([part]) => `${project}: ${part}`);
}

test('every project folder follows the floor plan and is registered', () => {
  assert.ok(projectDirs.length >= 5);
  assert.deepEqual(projectDirs.flatMap(missingParts), []);
  const registry = importsOf(join(src, 'cmd', 'projects.ts')).map((t) => relative(services, t).split('/')[0]);
  assert.deepEqual(projectDirs.filter((d) => !registry.includes(d)), [], 'projects missing from src/cmd/projects.ts');
});

/** Files that may import the API layer: the composition, the roles, test support and tests. */
function mayImportApi(rel: string): boolean {
  const [, , , first] = rel.split('/');
  return ['index.ts', 'service.ts', 'roles', 'testing'].includes(first!) || rel.endsWith('.test.ts');
}

function layerViolations(): string[] {
  const found: string[] = [];
  for (const project of projectDirs) {
    const dir = join(services, project);
    const managers = managerFolders(dir);
    for (const file of sourceFiles(dir)) {
      const rel = relative(root, file);
      const layer = relative(dir, file).split('/')[0];
      for (const target of importsOf(file)) {
        if (!target.startsWith(dir + '/')) continue;
        const targetLayer = relative(dir, target).split('/')[0];
        if (targetLayer === 'api' && layer !== 'api' && !mayImportApi(rel)) found.push(`${rel} (business layer) imports the API layer: ${relative(root, target)}`);
        if (layer === 'db' && !file.endsWith('.test.ts') && (targetLayer === 'api' || managers.includes(targetLayer!))) found.push(`${rel} (db) imports ${relative(root, target)}`);
      }
    }
  }
  return found;
}

test('no business layer imports its API layer; db/ imports neither', () => {
  assert.deepEqual(layerViolations(), []);
});

test('the floor-plan rules can fail', () => {
  assert.ok(mayImportApi('src/services/nova/roles/compute-api.ts'));
  assert.ok(!mayImportApi('src/services/nova/compute/manager.ts'));
  assert.deepEqual(missingParts('..').length > 0, true);
});
