/**
 * Running the firewall's commands: execFile with an argument array (never a shell), in a
 * network namespace through `ip netns exec` when one is given, with an optional standard
 * input (iptables-restore and nft read their rule sets from it).
 *
 * A minimal private helper of the firewall: the Linux layer's ip-lib (agent/linux) is to
 * take its place once it exists.
 */
import { execFile } from 'node:child_process';

export class CommandError extends Error {
  constructor(readonly argv: readonly string[], readonly code: number | null, readonly stderr: string) {
    super(`${argv.join(' ')} failed (exit ${code ?? 'signal'}): ${stderr.trim()}`);
    this.name = 'CommandError';
  }
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Network namespace to run in (`ip netns exec NAME ...`). */
  netns?: string | undefined;
  /** Written to the command's standard input. */
  input?: string;
  /** Milliseconds before the command is killed (default 10 s). */
  timeoutMs?: number;
}

/** Runs `cmd args...`; rejects with CommandError on a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const argv = opts.netns ? ['ip', 'netns', 'exec', opts.netns, cmd, ...args] : [cmd, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), { timeout: opts.timeoutMs ?? 10_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) resolve({ stdout, stderr });
      else reject(new CommandError(argv, typeof err.code === 'number' ? err.code : null, stderr || err.message));
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}
