/**
 * Where a guest's files live: <instances_path>/<uuid>/. The QMP socket goes there too unless
 * that path is longer than a unix socket's (108 bytes with the NUL): then under the system's
 * temporary directory, named by the guest's uuid so that a restarted driver finds it again.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** sun_path holds 108 bytes, the terminating NUL included. */
const MAX_SOCKET_PATH = 107;

export interface GuestPaths {
  dir: string;
  /** The root disk (a qcow2 overlay on the cached base image). */
  disk: string;
  configDrive: string;
  consoleLog: string;
  qmpSocket: string;
  pidFile: string;
  /** The guest's memory and devices while suspended (QEMU's migration stream). */
  savedState: string;
  /** What the driver needs to know of the guest after a restart (guest.json). */
  record: string;
}

export function qmpSocketPath(dir: string, uuid: string): string {
  const inDir = join(dir, 'qmp.sock');
  return Buffer.byteLength(inDir) <= MAX_SOCKET_PATH ? inDir : join(tmpdir(), `nubo-qmp-${uuid}.sock`);
}

export function guestPaths(instancesPath: string, uuid: string): GuestPaths {
  const dir = join(instancesPath, uuid);
  return {
    dir, disk: join(dir, 'disk'), configDrive: join(dir, 'disk.config'), consoleLog: join(dir, 'console.log'),
    qmpSocket: qmpSocketPath(dir, uuid), pidFile: join(dir, 'qemu.pid'), savedState: join(dir, 'saved.state'), record: join(dir, 'guest.json'),
  };
}
