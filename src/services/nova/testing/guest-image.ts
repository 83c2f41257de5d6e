/**
 * For tests that boot the guest image for real: the image (NUBO_TEST_GUEST_IMAGE, or one built
 * into `work` from the packages `nubo image build` cached, offline), or why the test is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const repo = new URL('../../../../', import.meta.url).pathname;

/** Whether `tool` is on the PATH. */
export function has(tool: string): boolean {
  try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** NUBO_TEST_GUEST_IMAGE, or one built now from the packages `nubo image build` cached (offline). */
export function guestImage(work: string): { path?: string; skip?: string } {
  if (!has('qemu-system-x86_64')) return { skip: 'qemu-system-x86_64 is not installed (Debian: qemu-system-x86)' };
  const given = process.env.NUBO_TEST_GUEST_IMAGE;
  if (given) return existsSync(given) ? { path: given } : { skip: `NUBO_TEST_GUEST_IMAGE=${given} does not exist` };
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'nubo', 'guest-debs');
  if (!existsSync(cache) || !readdirSync(cache).some((f) => f.startsWith('linux-image-'))) {
    return { skip: `no guest image: set NUBO_TEST_GUEST_IMAGE, or run \`nubo image build\` once so that ${cache} holds its packages` };
  }
  const out = join(work, 'nubo-guest.qcow2');
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cmd/nubo.ts'), 'image', 'build', '--offline', '--output', out], { cwd: repo, stdio: 'pipe' });
  } catch (err) {
    return { skip: `the guest image could not be built: ${String((err as { stderr?: Buffer }).stderr ?? err).trim().split('\n').pop()}` };
  }
  return { path: out };
}

/** The kernel and initramfs of the guest image's boot partition (what nubo image build --kernel-output/--ramdisk-output write), extracted into `work` with mtools. */
export function kernelAndRamdisk(qcow2: string, work: string): { kernel: string; ramdisk: string } {
  const raw = join(work, 'guest.raw');
  execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, raw]);
  const out = { kernel: join(work, 'vmlinuz'), ramdisk: join(work, 'initrd.img') };
  const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
  execFileSync('mcopy', ['-o', '-i', `${raw}@@1M`, '::/vmlinuz', out.kernel], { env });
  execFileSync('mcopy', ['-o', '-i', `${raw}@@1M`, '::/initrd.img', out.ramdisk], { env });
  rmSync(raw);
  return out;
}
