/**
 * The one way the LVM driver runs host commands (lvcreate, lvs, dd, qemu-img, ...): a function of
 * the program and its arguments that resolves to stdout, so unit tests can hand the driver a fake
 * that records the commands. A failure becomes a VolumeBackendAPIException with the command's stderr.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VolumeBackendAPIException } from '../../errors.js';

export type CommandRunner = (program: string, args: string[]) => Promise<string>;

const exec = promisify(execFile);

export const runCommand: CommandRunner = async (program, args) => {
  try {
    // LVM tools warn on stderr about file descriptors a daemon's child inherits; the warning is not an error.
    return (await exec(program, args, { maxBuffer: 8 << 20, env: { ...process.env, LVM_SUPPRESS_FD_WARNINGS: '1' } })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new VolumeBackendAPIException(`${program} ${args.join(' ')} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
};
