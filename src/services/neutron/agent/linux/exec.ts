/**
 * Running the system's network tools (neutron/agent/linux/utils.execute): one program with an
 * argument array through execFile, never a shell, optionally inside a network namespace
 * (`ip netns exec NS ...`). A non-zero exit is a typed CommandError with the program's stderr.
 */
import { execFile } from 'node:child_process';

export class CommandError extends Error {
  constructor(readonly argv: readonly string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`${argv.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || '(no output)'}`);
    this.name = 'CommandError';
  }
}

export interface ExecOptions {
  /** Run inside this network namespace. */
  namespace?: string;
  /** Milliseconds before the program is killed (default 10 s). */
  timeoutMs?: number;
}

/** The argv that runs `cmd args` in `namespace` (or as is without one). */
export function inNamespace(namespace: string | undefined, cmd: string, args: readonly string[]): string[] {
  return namespace ? ['ip', 'netns', 'exec', namespace, cmd, ...args] : [cmd, ...args];
}

/** Runs the program and resolves with its stdout. */
export function execute(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const argv = inNamespace(opts.namespace, cmd, args);
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: opts.timeoutMs ?? 10_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = typeof err.code === 'number' ? err.code : null;
      reject(new CommandError(argv, code, stderr || err.message));
    });
  });
}

/** `ip [-n NS] ARGS`: iproute2 addresses namespaces itself, without `ip netns exec`. */
export function ip(namespace: string | undefined, args: readonly string[]): Promise<string> {
  return execute('ip', namespace ? ['-n', namespace, ...args] : args);
}

/** `ip -json ...` parsed; iproute2 prints nothing at all for some empty answers. */
export async function ipJson<T>(namespace: string | undefined, args: readonly string[]): Promise<T[]> {
  const out = (await ip(namespace, ['-json', ...args])).trim();
  return out ? (JSON.parse(out) as T[]) : [];
}
