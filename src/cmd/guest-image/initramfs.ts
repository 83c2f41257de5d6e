/**
 * The guest's root tree: busybox, dropbear and dropbearkey with the shared objects its loader
 * says it needs, the kernel modules the guest loads (with their dependencies, in load order) and
 * the files of guest-files.ts. The same tree is the initramfs, packed as a gzip'd newc cpio by
 * the staged busybox (whose init switches to the disk's root file system, or runs from RAM
 * without one), and the disk's root file system (boot-disk.ts).
 */
import { OperatorError } from '../../common/errors.js';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CIRROS_COMMANDS, CLOUD_INIT, GROUP, GUEST_MODULES, INIT, INITTAB, MDEV_CONF, PASSWD, POWER_BUTTON, SHADOW, SHELLS, UDHCPC_SCRIPT,
} from './guest-files.js';
import { runTool } from './run.js';

const LOADER = 'lib64/ld-linux-x86-64.so.2';
const LIBRARY_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu'];

/** modules.dep (as depmod writes it) -> module path -> the paths it depends on. */
export function parseModulesDep(text: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    deps.set(line.slice(0, colon), line.slice(colon + 1).trim().split(/\s+/).filter(Boolean));
  }
  return deps;
}

/** The module files to load for `names`, each after the ones it depends on. */
export function moduleLoadOrder(deps: Map<string, string[]>, names: readonly string[]): string[] {
  const byName = new Map([...deps.keys()].map((path) => [path.slice(path.lastIndexOf('/') + 1, -'.ko'.length), path]));
  const order: string[] = [];
  const visit = (path: string): void => {
    if (order.includes(path)) return;
    for (const dep of deps.get(path) ?? []) visit(dep);
    order.push(path);
  };
  for (const name of names) {
    const path = byName.get(name);
    if (!path) throw new OperatorError(`the kernel has no module ${name}`);
    visit(path);
  }
  return order;
}

/** The files (relative to the staging tree) of the shared objects `binary` loads, the loader's own answer. */
export async function sharedObjects(stageDir: string, binary: string): Promise<string[]> {
  const out = (await runTool(join(stageDir, LOADER), [
    '--list', '--library-path', LIBRARY_DIRS.map((d) => join(stageDir, d)).join(':'), join(stageDir, binary),
  ])).toString();
  const files = [LOADER];
  for (const m of out.matchAll(/=> (\S+) \(0x/g)) {
    const path = relative(stageDir, m[1]!);
    if (path.startsWith('..')) throw new OperatorError(`${binary} needs ${m[1]}, which is not in the staged packages`);
    if (path !== LOADER) files.push(path);
  }
  return files;
}

function put(root: string, path: string, content: string, mode = 0o644): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  chmodSync(join(root, path), mode);
}

function copyIn(stageDir: string, root: string, path: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  copyFileSync(realpathSync(join(stageDir, path)), join(root, path));
  chmodSync(join(root, path), 0o755);
}

function listTree(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).map(String).sort();
}

/** Assemble the root tree in `rootDir` from the staging tree. */
export async function buildRootTree(stageDir: string, rootDir: string, kernelVersion: string): Promise<void> {
  for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'run', 'tmp', 'root', 'mnt', 'etc/dropbear', 'var/log']) {
    mkdirSync(join(rootDir, dir), { recursive: true });
  }
  symlinkSync('../run', join(rootDir, 'var/run')); // pid files: on the tmpfs, never stale after a reboot from the disk
  chmodSync(join(rootDir, 'tmp'), 0o1777);
  copyIn(stageDir, rootDir, 'bin/busybox');
  for (const binary of ['usr/sbin/dropbear', 'usr/bin/dropbearkey']) {
    copyIn(stageDir, rootDir, binary);
    for (const lib of await sharedObjects(stageDir, binary)) copyIn(stageDir, rootDir, lib);
  }

  const modulesDir = `lib/modules/${kernelVersion}`;
  await runTool(join(stageDir, 'bin/busybox'), ['depmod', '-b', stageDir, kernelVersion]);
  const order = moduleLoadOrder(parseModulesDep(readFileSync(join(stageDir, modulesDir, 'modules.dep'), 'utf8')), GUEST_MODULES);
  for (const module of order) copyIn(stageDir, rootDir, join(modulesDir, module));
  put(rootDir, 'etc/nubo/modules', order.map((m) => `${kernelVersion}/${m}\n`).join(''));

  put(rootDir, 'init', INIT, 0o755);
  put(rootDir, 'etc/inittab', INITTAB);
  put(rootDir, 'etc/mdev.conf', MDEV_CONF);
  put(rootDir, 'etc/nubo/cloud-init', CLOUD_INIT, 0o755);
  put(rootDir, 'etc/nubo/udhcpc.script', UDHCPC_SCRIPT, 0o755);
  put(rootDir, 'etc/acpi/PWRF/00000080', POWER_BUTTON, 0o755);
  for (const [path, text] of Object.entries(CIRROS_COMMANDS)) put(rootDir, path, text, 0o755);
  put(rootDir, 'etc/passwd', PASSWD);
  put(rootDir, 'etc/shadow', SHADOW, 0o600);
  put(rootDir, 'etc/group', GROUP);
  put(rootDir, 'etc/shells', SHELLS);
  put(rootDir, 'etc/hostname', 'nubo-guest\n');
  chmodSync(join(rootDir, 'root'), 0o700);
}

/** The root tree packed as the initramfs: a gzip'd newc cpio. */
export async function packInitramfs(stageDir: string, rootDir: string): Promise<Buffer> {
  const cpio = await runTool(join(stageDir, 'bin/busybox'), ['cpio', '-o', '-H', 'newc', '-R', '0:0'], { cwd: rootDir, input: listTree(rootDir).join('\n') + '\n' });
  return gzipSync(cpio, { level: 9 });
}
