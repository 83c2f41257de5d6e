/**
 * The Debian packages the guest is made of, fetched with `apt-get download` into a cache
 * directory (kept between builds) and unpacked with `dpkg-deb -x` into a staging tree:
 * linux-image-cloud-amd64 (a metapackage: its versioned linux-image-* dependency is the
 * kernel), busybox-static, dropbear-bin and the shared libraries dropbear needs (its lib*
 * dependencies, followed transitively).
 */
import { OperatorError } from '../../common/errors.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from './run.js';

export const KERNEL_METAPACKAGE = 'linux-image-cloud-amd64';
export const USERSPACE_PACKAGES = ['busybox-static', 'dropbear-bin'] as const;

/** The .deb of `pkg` in the cache (apt-get download names it pkg_version_arch.deb). */
export function cachedDeb(cacheDir: string, pkg: string): string | undefined {
  const file = readdirSync(cacheDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  return file ? join(cacheDir, file) : undefined;
}

/** The .deb of `pkg`, downloaded into the cache unless it is there (or, `offline`, an error). */
export async function fetchDeb(cacheDir: string, pkg: string, offline = false): Promise<string> {
  const have = cachedDeb(cacheDir, pkg);
  if (have) return have;
  if (offline) throw new OperatorError(`${pkg} is not in ${cacheDir}`);
  await runTool('apt-get', ['download', '-q', pkg], { cwd: cacheDir });
  const got = cachedDeb(cacheDir, pkg);
  if (!got) throw new OperatorError(`apt-get download ${pkg} left no ${pkg}_*.deb in ${cacheDir}`);
  return got;
}

/** The package names of a Depends field (first alternative of each, versions dropped). */
export function parseDepends(field: string): string[] {
  return field.split(',').map((part) => part.split('|')[0]!.trim().split(/[\s(:]/)[0]!).filter((name) => name.length > 0);
}

async function depends(deb: string): Promise<string[]> {
  return parseDepends((await runTool('dpkg-deb', ['-f', deb, 'Depends'])).toString());
}

export interface FetchedPackages {
  /** Every .deb to unpack, kernel first. */
  debs: string[];
  /** The kernel package's name (linux-image-<version>). */
  kernelPackage: string;
}

/** Fetch the kernel, busybox, dropbear and dropbear's libraries into `cacheDir` (`offline`: only from it). */
export async function fetchPackages(cacheDir: string, offline = false): Promise<FetchedPackages> {
  const meta = await fetchDeb(cacheDir, KERNEL_METAPACKAGE, offline);
  const kernelPackage = (await depends(meta)).find((name) => name.startsWith('linux-image-'));
  if (!kernelPackage) throw new OperatorError(`${KERNEL_METAPACKAGE} depends on no linux-image-* package`);
  const debs = [await fetchDeb(cacheDir, kernelPackage, offline)];
  const seen = new Set<string>();
  const queue: string[] = [...USERSPACE_PACKAGES];
  while (queue.length > 0) {
    const pkg = queue.shift()!;
    if (seen.has(pkg)) continue;
    seen.add(pkg);
    const deb = await fetchDeb(cacheDir, pkg, offline);
    debs.push(deb);
    // Only libraries: the guest needs dropbear's shared objects, not the rest of a Debian system.
    for (const dep of await depends(deb)) if (dep.startsWith('lib') || dep === 'zlib1g') queue.push(dep);
  }
  return { debs, kernelPackage };
}

/** Unpack every .deb into `stageDir` (dpkg-deb -x: the files only, no maintainer scripts). */
export async function unpackAll(debs: readonly string[], stageDir: string): Promise<void> {
  for (const deb of debs) await runTool('dpkg-deb', ['-x', deb, stageDir]);
}

/** The kernel version the staging tree holds modules of (lib/modules/<version>). */
export function stagedKernelVersion(stageDir: string): string {
  const dir = [join(stageDir, 'lib/modules'), join(stageDir, 'usr/lib/modules')].find((d) => existsSync(d));
  const versions = dir ? readdirSync(dir) : [];
  if (versions.length !== 1) throw new OperatorError(`expected one kernel in ${stageDir}, found ${versions.length}`);
  return versions[0]!;
}
