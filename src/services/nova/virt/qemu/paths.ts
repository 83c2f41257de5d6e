/** Where a guest's files live: <instances_path>/<uuid>/. */
import { join } from 'node:path';

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

export function guestPaths(instancesPath: string, uuid: string): GuestPaths {
  const dir = join(instancesPath, uuid);
  return {
    dir, disk: join(dir, 'disk'), configDrive: join(dir, 'disk.config'), consoleLog: join(dir, 'console.log'),
    qmpSocket: join(dir, 'qmp.sock'), pidFile: join(dir, 'qemu.pid'), savedState: join(dir, 'saved.state'), record: join(dir, 'guest.json'),
  };
}
