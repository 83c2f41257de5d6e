/**
 * The posix backup driver (cinder/backup/drivers/posix.py): a container is a directory under
 * backup_posix_path (by default `<id[0:2]>/<id[2:4]>/<id>` per backup), each object a file
 * in it (mode 0660, directories 0770). A container that would leave the backup directory is
 * refused.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { BackupDriverException, InvalidBackup } from '../errors.js';
import { ChunkedBackupDriver, type ChunkedOptions, type DriverBackup, type ObjectWriter } from './chunked.js';

export const POSIX_SERVICE = 'cinder.backup.drivers.posix.PosixBackupDriver';

export class PosixBackupDriver extends ChunkedBackupDriver {
  readonly serviceName = POSIX_SERVICE;

  constructor(private readonly root: string, options: ChunkedOptions) {
    super(options);
  }

  override async setup(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o770 });
  }

  protected containerFor(backup: DriverBackup): string {
    return join(backup.id.slice(0, 2), backup.id.slice(2, 4), backup.id);
  }

  /** @throws InvalidBackup for a container outside the backup directory */
  private path(container: string, name?: string): string {
    const dir = resolve(this.root, container);
    const rel = relative(this.root, dir);
    if (container === '' || rel === '' || rel.startsWith('..') || isAbsolute(rel) || isAbsolute(container)) {
      throw new InvalidBackup(`container ${container} is not a directory below the backup path`);
    }
    return name === undefined ? dir : join(dir, name);
  }

  protected async putContainer(container: string): Promise<void> {
    await mkdir(this.path(container), { recursive: true, mode: 0o770 });
  }

  protected async objectWriter(container: string, name: string): Promise<ObjectWriter> {
    const stream = createWriteStream(this.path(container, name), { mode: 0o660 });
    const done = new Promise<void>((ok, fail) => { stream.once('close', ok); stream.once('error', fail); });
    done.catch(() => undefined);
    return { stream, done };
  }

  protected async objectReader(container: string, name: string): Promise<Readable> {
    const path = this.path(container, name);
    await stat(path).catch(() => { throw new BackupDriverException(`object ${name} is missing from ${container}`); });
    return createReadStream(path);
  }

  protected async deleteObject(container: string, name: string): Promise<void> {
    await rm(this.path(container, name), { force: true });
  }

  protected async listObjects(container: string, prefix: string): Promise<string[]> {
    const names = await readdir(this.path(container)).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return []; throw err; });
    return names.filter((n) => n.startsWith(prefix));
  }
}
