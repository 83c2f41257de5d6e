/** What a build from the cache needs and lacks here (for the tests that build the guest image offline). */
import { execFileSync } from 'node:child_process';
import { cachedDeb } from './debs.js';

function has(tool: string): boolean {
  try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** Why an offline build cannot run here (a missing tool, or no cached packages), or undefined. */
export function offlineBuildMissing(cacheDir: string): string | undefined {
  const tool = ['dpkg-deb', 'qemu-img', 'mkfs.vfat', 'mcopy', 'syslinux', 'mke2fs', 'debugfs'].find((t) => !has(t));
  if (tool) return `${tool} is not installed`;
  try {
    if (cachedDeb(cacheDir, 'linux-image-cloud-amd64')) return undefined;
  } catch { /* unreadable cache: as empty */ }
  return `no cached packages in ${cacheDir} (run nubo image build once)`;
}
