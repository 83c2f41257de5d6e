/**
 * The host tools the guest image builder runs, each as an execFile argument array (no shell):
 * a failure names the tool and its stderr.
 */
import { execFile } from 'node:child_process';
import { OperatorError } from '../../common/errors.js';

export interface RunOptions {
  cwd?: string;
  /** Bytes written to the tool's stdin. */
  input?: Buffer | string;
  /** Variables added to the environment. */
  env?: Record<string, string>;
}

/** Run `tool args...`; its stdout as a Buffer. @throws OperatorError naming the tool when it fails or is missing */
export function runTool(tool: string, args: readonly string[], opts: RunOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(tool, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'buffer', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) { resolve(stdout); return; }
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new OperatorError(missing
        ? `${tool} is not installed (see .ci/run for the Debian packages the image builder needs)`
        : `${tool} ${args.join(' ')} failed: ${stderr.toString().trim() || err.message}`));
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}
