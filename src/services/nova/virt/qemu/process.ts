/**
 * QEMU processes: started daemonized (QEMU reports a bad command line or a missing file before
 * it detaches, so a start that returns has a running guest), found again by their pidfile
 * (after a restart of the compute service, which guests outlive), and stopped with SIGTERM,
 * then SIGKILL.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { QemuError } from '../../errors.js';

/**
 * Start `binary` with `args` (which daemonize it), inside network namespace `netns` when given
 * (`ip netns exec`); resolves when QEMU has detached. @throws QemuError with QEMU's message
 */
export function startDaemon(binary: string, args: readonly string[], netns?: string): Promise<void> {
  const [file, argv] = netns ? ['ip', ['netns', 'exec', netns, binary, ...args]] : [binary, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: 60_000 }, (err, _stdout, stderr) => {
      if (!err) { resolve(); return; }
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT' || /exec of .* failed: No such file/.test(stderr);
      reject(new QemuError(missing ? `${binary} is not installed (Debian: qemu-system-x86)` : (stderr.trim() || err.message)));
    });
  });
}

/** The pid in `pidFile` when that process is alive and is the QEMU of guest `uuid` (not a reused pid); null otherwise. */
export function livePid(pidFile: string, uuid: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(uuid) && processRunning(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Whether `pid` runs (a zombie does not: it ended, its parent has not reaped it yet). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

/** Wait up to `ms` for `pid` to exit; whether it did. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function terminate(pid: number, graceMs = 5000): Promise<void> {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  if (await waitForExit(pid, graceMs)) return;
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  await waitForExit(pid, 5000);
}
