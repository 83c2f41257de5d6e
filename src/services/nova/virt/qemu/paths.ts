/**
 * Where a guest's files live: <instances_path>/<uuid>/. Its UNIX sockets (QMP; VNC and the
 * serial console when QEMU runs in the host's network namespace) go there too unless that path
 * is longer than a unix socket's (108 bytes with the NUL): then under the system's temporary
 * directory, named by the guest's uuid so that a restarted driver finds them again.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** sun_path holds 108 bytes, the terminating NUL included. */
const MAX_SOCKET_PATH = 107;

export interface GuestPaths {
  dir: string;
  /** The root disk (a qcow2 overlay on the cached base image). */
  disk: string;
  /** While rescued: the rescue image's fresh overlay, booted first (libvirt's disk.rescue). */
  rescueDisk: string;
  configDrive: string;
  consoleLog: string;
  qmpSocket: string;
  /** VNC's UNIX socket (-vnc unix:), used when QEMU runs in a network namespace. */
  vncSocket: string;
  /** The serial console's UNIX socket, used when QEMU runs in a network namespace. */
  serialSocket: string;
  pidFile: string;
  /** The guest's memory and devices while suspended (QEMU's migration stream). */
  savedState: string;
  /** What the driver needs to know of the guest after a restart (guest.json). */
  record: string;
}

/** The guest's UNIX socket `name` (qmp, vnc, serial): <dir>/<name>.sock, or nubo-<name>-<uuid>.sock in the temporary directory when that is too long. */
export function socketPath(dir: string, uuid: string, name: string): string {
  const inDir = join(dir, `${name}.sock`);
  return Buffer.byteLength(inDir) <= MAX_SOCKET_PATH ? inDir : join(tmpdir(), `nubo-${name}-${uuid}.sock`);
}

export function guestPaths(instancesPath: string, uuid: string): GuestPaths {
  const dir = join(instancesPath, uuid);
  return {
    dir, disk: join(dir, 'disk'), rescueDisk: join(dir, 'disk.rescue'), configDrive: join(dir, 'disk.config'), consoleLog: join(dir, 'console.log'),
    qmpSocket: socketPath(dir, uuid, 'qmp'), vncSocket: socketPath(dir, uuid, 'vnc'), serialSocket: socketPath(dir, uuid, 'serial'), pidFile: join(dir, 'qemu.pid'), savedState: join(dir, 'saved.state'), record: join(dir, 'guest.json'),
  };
}
