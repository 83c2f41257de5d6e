/**
 * The swift backup driver (cinder/backup/drivers/swift.py with backup_swift_auth =
 * single_user): the objects of a backup in a container (backup_swift_container unless the
 * backup names one) of the Block Storage service's own account, over Swift's REST API with
 * the service's token and the object-store endpoint of its catalog. Objects stream both ways.
 */
import { PassThrough, type Readable } from 'node:stream';
import { ObjectClient, ServiceClientError } from '../../../../common/clients/index.js';
import { BackupDriverException, InvalidBackup } from '../errors.js';
import { ChunkedBackupDriver, type ChunkedOptions, type DriverBackup, type ObjectWriter } from './chunked.js';

export const SWIFT_SERVICE = 'cinder.backup.drivers.swift.SwiftBackupDriver';

export class SwiftBackupDriver extends ChunkedBackupDriver {
  readonly serviceName = SWIFT_SERVICE;

  constructor(private readonly client: ObjectClient, options: ChunkedOptions) {
    super(options);
  }

  protected containerFor(_backup: DriverBackup): string {
    return 'volumebackups';
  }

  private check(container: string): string {
    if (container === '' || container.includes('/') || container.length > 256) throw new InvalidBackup(`container ${container} is not a valid Swift container name`);
    return container;
  }

  protected async putContainer(container: string): Promise<void> {
    await this.client.putContainer(this.check(container));
  }

  protected async objectWriter(container: string, name: string): Promise<ObjectWriter> {
    const stream = new PassThrough();
    const done = this.client.putObject(this.check(container), name, stream).then(() => undefined, (err: unknown) => {
      stream.destroy();
      throw new BackupDriverException(`cannot write object ${name} to container ${container}: ${(err as Error).message}`);
    });
    done.catch(() => undefined);
    return { stream, done };
  }

  protected async objectReader(container: string, name: string): Promise<Readable> {
    try {
      return (await this.client.getObject(this.check(container), name)).body;
    } catch (err) {
      if (err instanceof ServiceClientError && err.status === 404) throw new BackupDriverException(`object ${name} is missing from container ${container}`);
      throw err;
    }
  }

  protected async listObjects(container: string, prefix: string): Promise<string[]> {
    const names: string[] = [];
    try {
      for (let marker: string | undefined; ;) {
        const page = await this.client.getContainer(this.check(container), { prefix, ...(marker ? { marker } : {}) });
        const found = page.items.flatMap((o) => (o.name === undefined ? [] : [o.name]));
        if (found.length === 0) return names;
        names.push(...found);
        marker = found[found.length - 1];
      }
    } catch (err) {
      if (err instanceof ServiceClientError && err.status === 404) return names;
      throw err;
    }
  }

  protected async deleteObject(container: string, name: string): Promise<void> {
    try {
      await this.client.deleteObject(this.check(container), name);
    } catch (err) {
      if (!(err instanceof ServiceClientError && err.status === 404)) throw err;
    }
  }
}
