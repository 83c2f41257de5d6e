/**
 * The swift backup driver (cinder/backup/drivers/swift.py): the objects of a backup in a
 * container (backup_swift_container unless the backup names one), over Swift's REST API,
 * streamed both ways. backup_swift_auth = single_user: in the Block Storage service's own
 * account, with its token and the object-store endpoint of its catalog. per_user (upstream's
 * default): in the account of the project that asks, with the caller's token (the service's as
 * X-Service-Token) at backup_swift_url + project id, or else at the endpoint that
 * backup_swift_catalog_info names in the caller's catalog; an operation with no user token
 * (a delete resumed at start) fails, as upstream's.
 */
import { PassThrough, type Readable } from 'node:stream';
import { catalogEndpoint, IdentityClient, ObjectClient, ServiceClientError, type ServiceSession } from '../../../../common/clients/index.js';
import { BackupDriverException, InvalidBackup } from '../errors.js';
import { ChunkedBackupDriver, type BackupCaller, type ChunkedOptions, type DriverBackup, type ObjectWriter } from './chunked.js';

/** How per_user backups find the caller's Swift account. */
export interface PerUserAccess {
  session: ServiceSession;
  /** backup_swift_url: the project id is appended; empty: the caller's catalog. */
  url: string;
  /** backup_swift_catalog_info: `<service type>:<service name>:<endpoint type>`. */
  catalogInfo: string;
  region: string;
}

export const SWIFT_SERVICE = 'cinder.backup.drivers.swift.SwiftBackupDriver';

export class SwiftBackupDriver extends ChunkedBackupDriver {
  readonly serviceName = SWIFT_SERVICE;

  constructor(private readonly client: ObjectClient, options: ChunkedOptions, private readonly perUser?: PerUserAccess) {
    super(options);
  }

  override async forContext(ctx: BackupCaller): Promise<ChunkedBackupDriver> {
    if (!this.perUser) return this;
    if (!ctx.token) throw new BackupDriverException('per_user Swift backups are made with the requester\'s token, and this operation has none');
    return new SwiftBackupDriver(new ObjectClient(this.perUser.session).forUser(ctx.token).at(await this.userUrl(ctx, ctx.token)), this.options);
  }

  /** The caller's storage URL (upstream: backup_swift_url + project id, else the context's service catalog). */
  private async userUrl(ctx: BackupCaller, token: string): Promise<string> {
    const p = this.perUser!;
    if (p.url) return `${p.url}${ctx.projectId ?? ''}`;
    const [type = 'object-store', , endpointType = 'publicURL'] = p.catalogInfo.split(':');
    const catalog = await new IdentityClient(p.session).forUser(token).authCatalog();
    const url = catalogEndpoint(catalog, type, endpointType.replace(/URL$/, ''), p.region);
    if (!url) throw new BackupDriverException('Could not determine which Swift endpoint to use. This can either be set in the service catalog or with the cinder.conf config option \'backup_swift_url\'.');
    return url;
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
