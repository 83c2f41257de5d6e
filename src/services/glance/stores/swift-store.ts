/**
 * The `swift` store (glance_store/_drivers/swift/store.py): image data as Swift objects, over
 * Swift's REST API with tokens (swift-access.ts decides whose account and token). An image
 * smaller than swift_store_large_object_size goes up in one PUT; a larger one, or one of unknown
 * size, as segments `<id>-00001`, `<id>-00002`, ... of at most swift_store_large_object_chunk_size
 * followed by a dynamic large object manifest `<id>` (X-Object-Manifest: <container>/<id>-), as
 * upstream does. Data streams both ways: a segment's PUT reads the upload as Swift takes it, a
 * download is Swift's response body. Delete removes the object and its segments (a DLO's by
 * listing, a static large object's with ?multipart-manifest=delete), and in multi-tenant mode
 * the image's container. Swift's errors become the store errors Glance maps to its answers.
 */
import { once } from 'node:events';
import { PassThrough, pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { ServiceClientError, type ObjectClient } from '../../../common/clients/index.js';
import { ServiceUnavailable } from '../../../common/errors.js';
import { MeteringStream } from './metering.js';
import type { SwiftAccess, SwiftTarget } from './swift-access.js';
import { BadStoreUri, isSwiftUri, parseSwiftUri, type SwiftLocation } from './swift-location.js';
import {
  guardSource, DataNotFound, DuplicateData, SizeMismatch, StorageFull, StorageWriteDenied, StoreConfigurationError, StoreUnavailable,
  type AddOptions, type ByteRange, type ImageStore, type StoreAcls, type StoreCapabilities, type StoreContext, type StoredData,
} from './store.js';

/** glance_store's ONE_MB (units.k * units.Ki). */
const MB = 1000 * 1024;

export interface SwiftStoreOptions {
  id: string;
  description?: string;
  /** Add `{"store": id}` to location metadata (multi-store). */
  multiStore?: boolean;
  access: SwiftAccess;
  /** Bytes from which data is segmented (swift_store_large_object_size MB). */
  largeObjectSize: number;
  /** Largest segment in bytes (swift_store_large_object_chunk_size MB). */
  chunkSize: number;
  createContainerOnPut: boolean;
  /** Multi-tenant: projects given read and write access to every image container. */
  adminTenants?: readonly string[];
}

/** A Swift answer or failure as a store error (glance_store's except clauses, without the 500s). */
export function swiftError(err: unknown, what: string): unknown {
  if (err instanceof ServiceClientError) {
    const detail = `${what}: Swift answered ${err.status}: ${err.responseBody.slice(0, 200)}`;
    if (err.status === 404) return new DataNotFound(`Swift could not find the object (${what})`);
    if (err.status === 409) return new DuplicateData('Swift already has an image at this location');
    if (err.status === 413 || err.status === 507) return new StorageFull(`Image storage media is full: ${detail}`);
    if (err.status === 401 || err.status === 403) return new StorageWriteDenied(`Glance may not use this Swift account: ${detail}`);
    return new StoreUnavailable(`Failed to ${detail}`);
  }
  if (err instanceof ServiceUnavailable) return new StoreUnavailable(`Failed to ${what}: ${err.message}`);
  return err;
}

/** Passes exactly `size` bytes on; more, or fewer at the end, fail with SizeMismatch. */
class ExactSize extends Transform {
  private seen = 0;
  constructor(private readonly size: number) {
    super();
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.size) done(new SizeMismatch(`Image data is more than the ${this.size} bytes announced`));
    else done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.seen === this.size ? null : new SizeMismatch(`Image data is ${this.seen} bytes, ${this.size} were announced`));
  }
}

/** An X-Object-Manifest value, percent-decoded when it is encoded. */
function decodeManifest(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** One segment's PUT in flight: the stream it reads and the answer. */
interface OpenSegment {
  name: string;
  stream: PassThrough;
  done: Promise<void>;
  /** Rejects once Swift has answered (with its error, or because it answered before the data was sent). */
  answered: Promise<never>;
  bytes: number;
}

export class SwiftStore implements ImageStore {
  readonly type = 'swift';
  readonly capabilities: StoreCapabilities = { randomAccess: true, writable: true };
  readonly id: string;
  readonly description: string;

  constructor(private readonly o: SwiftStoreOptions) {
    this.id = o.id;
    this.description = o.description ?? '';
    if (o.chunkSize < 1 || o.largeObjectSize < 1) throw new StoreConfigurationError('swift_store_large_object_size and swift_store_large_object_chunk_size must be positive');
  }

  owns(location: string): boolean {
    return isSwiftUri(location);
  }

  private parse(location: string): SwiftLocation {
    try {
      return parseSwiftUri(location);
    } catch (err) {
      if (err instanceof BadStoreUri) throw new DataNotFound(err.message);
      throw err;
    }
  }

  private async ensureContainer(t: SwiftTarget): Promise<void> {
    try {
      await t.client.headContainer(t.container);
      return;
    } catch (err) {
      if (!(err instanceof ServiceClientError && err.status === 404)) throw swiftError(err, `look up container ${t.container}`);
    }
    if (!this.o.createContainerOnPut) {
      throw new StoreConfigurationError(`The container ${t.container} does not exist in Swift. Please set the swift_store_create_container_on_put option to add container to Swift automatically.`);
    }
    await t.client.putContainer(t.container).catch((err: unknown) => {
      throw swiftError(err, `add container ${t.container} to Swift`);
    });
  }

  add(imageId: string, data: Readable, opts: AddOptions): Promise<StoredData> {
    return guardSource(data, () => this.write(imageId, data, opts));
  }

  private async write(imageId: string, data: Readable, opts: AddOptions): Promise<StoredData> {
    const t = await this.o.access.target(imageId, opts.context);
    await this.ensureContainer(t);
    const meter = new MeteringStream(opts.hashAlgo, opts.maxSize);
    const known = opts.expectedSize !== undefined && opts.expectedSize > 0 ? opts.expectedSize : undefined;
    if (known !== undefined && known < this.o.largeObjectSize) {
      const body = pipeline(data, meter, new ExactSize(known), () => undefined);
      let etag: string | undefined;
      try {
        ({ etag } = await t.client.putObject(t.container, t.object, body, { size: known }));
      } catch (err) {
        body.destroy();
        throw swiftError(err, `add object ${t.object} to Swift`);
      }
      const m = meter.measurement;
      if (etag && etag !== m.checksum) {
        await this.removeObjects(t.client, t.container, [t.object]);
        throw new StoreUnavailable(`Swift stored ${t.object} with ETag ${etag}, the data sent has MD5 ${m.checksum}`);
      }
      return this.stored(t, m);
    }
    const written = await this.writeSegments(t, pipeline(data, meter, () => undefined), known);
    try {
      await t.client.putObject(t.container, t.object, '', { size: 0, headers: { 'x-object-manifest': `${t.container}/${t.object}-` } });
    } catch (err) {
      await this.removeObjects(t.client, t.container, written);
      throw swiftError(err, `add the manifest of ${t.object} to Swift`);
    }
    return this.stored(t, meter.measurement);
  }

  private stored(t: SwiftTarget, m: MeteringStream['measurement']): StoredData {
    return {
      location: t.uri, size: m.size, checksum: m.checksum, hashAlgo: m.hashAlgo, hashValue: m.hashValue,
      metadata: this.o.multiStore ? { store: this.id } : {},
    };
  }

  /**
   * Cut the stream into segments, each PUT as it fills (read only as fast as Swift takes it).
   * On any failure the segments written are deleted again. Returns their names.
   */
  private async writeSegments(t: SwiftTarget, source: Readable, known: number | undefined): Promise<string[]> {
    const written: string[] = [];
    let current: OpenSegment | undefined;
    let total = 0;
    const open = (): OpenSegment => {
      const name = `${t.object}-${String(written.length + 1).padStart(5, '0')}`;
      const stream = new PassThrough();
      const done = t.client.putObject(t.container, name, stream).then(() => undefined, (err: unknown) => {
        stream.destroy();
        throw swiftError(err, `add segment ${name} to Swift`);
      });
      done.catch(() => undefined);
      const answered = done.then(() => {
        throw new StoreUnavailable(`Swift answered the PUT of ${name} before its data was sent`);
      });
      answered.catch(() => undefined);
      written.push(name);
      return { name, stream, done, answered, bytes: 0 };
    };
    const close = async (seg: OpenSegment): Promise<void> => {
      seg.stream.end();
      await seg.done;
    };
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        let rest = chunk;
        while (rest.length > 0) {
          current ??= open();
          const piece = rest.subarray(0, this.o.chunkSize - current.bytes);
          rest = rest.subarray(piece.length);
          current.bytes += piece.length;
          total += piece.length;
          if (known !== undefined && total > known) throw new SizeMismatch(`Image data is more than the ${known} bytes announced`);
          if (!current.stream.write(piece)) await Promise.race([once(current.stream, 'drain'), current.answered]);
          if (current.bytes === this.o.chunkSize) {
            await close(current);
            current = undefined;
          }
        }
      }
      if (current) await close(current);
      current = undefined;
      if (known !== undefined && total !== known) throw new SizeMismatch(`Image data is ${total} bytes, ${known} were announced`);
      return written;
    } catch (err) {
      current?.stream.destroy();
      await current?.done.catch(() => undefined);
      source.destroy();
      await this.removeObjects(t.client, t.container, written);
      throw err;
    }
  }

  /** Delete objects, ignoring the missing ones and logging nothing (a cleanup after a failure). */
  private async removeObjects(client: ObjectClient, container: string, names: readonly string[]): Promise<void> {
    for (const name of names) await client.deleteObject(container, name).catch(() => undefined);
  }

  async get(location: string, range?: ByteRange, ctx?: StoreContext): Promise<Readable> {
    const loc = this.parse(location);
    const client = await this.o.access.client(loc, ctx);
    const header = range ? `bytes=${range.offset}-${range.length !== undefined ? range.offset + range.length - 1 : ''}` : undefined;
    try {
      return (await client.getObject(loc.container, loc.object, header ? { range: header } : {})).body;
    } catch (err) {
      throw swiftError(err, `get object ${loc.object} from Swift`);
    }
  }

  async delete(location: string, ctx?: StoreContext): Promise<void> {
    const loc = this.parse(location);
    const client = await this.o.access.client(loc, ctx);
    let headers: Awaited<ReturnType<ObjectClient['headObject']>> | undefined;
    try {
      headers = await client.headObject(loc.container, loc.object);
    } catch (err) {
      if (!(err instanceof ServiceClientError && err.status === 404)) throw swiftError(err, `look up object ${loc.object} in Swift`);
    }
    try {
      if (headers && String(headers['x-static-large-object'] ?? '').toLowerCase() === 'true') {
        await client.deleteObject(loc.container, loc.object, { multipartManifest: true });
      } else if (headers) {
        const manifest = headers['x-object-manifest'];
        if (typeof manifest === 'string' && manifest.includes('/')) await this.deleteSegments(client, decodeManifest(manifest));
        await client.deleteObject(loc.container, loc.object);
      }
    } catch (err) {
      if (!(err instanceof ServiceClientError && err.status === 404)) throw swiftError(err, `delete object ${loc.object} from Swift`);
    }
    if (this.o.access.multiTenant) {
      await client.deleteContainer(loc.container).catch((err: unknown) => {
        if (!(err instanceof ServiceClientError && err.status === 404)) throw swiftError(err, `delete container ${loc.container} from Swift`);
      });
    }
  }

  /** Delete the segments of a DLO manifest `container/prefix` (every page of the listing). */
  private async deleteSegments(client: ObjectClient, manifest: string): Promise<void> {
    const i = manifest.indexOf('/');
    const container = manifest.slice(0, i);
    const prefix = manifest.slice(i + 1);
    for (;;) {
      // Deleted names leave the listing, so each page starts from the beginning again.
      const page = (await client.getContainer(container, { prefix })).items.filter((o) => o.name !== undefined);
      if (page.length === 0) return;
      for (const o of page) {
        await client.deleteObject(container, o.name!).catch((err: unknown) => {
          if (!(err instanceof ServiceClientError && err.status === 404)) throw err;
        });
      }
    }
  }

  /**
   * Multi-tenant: who may read the image's container (glance_store's set_acls): everybody for a
   * public or community image, else its members; the admin tenants may write. Single tenant:
   * nothing to do, Glance alone reads its account.
   */
  async setAcls(location: string, acls: StoreAcls, ctx?: StoreContext): Promise<void> {
    if (!this.o.access.multiTenant) return;
    const loc = this.parse(location);
    const client = await this.o.access.client(loc, ctx);
    const read = acls.public ? '*:*' : acls.readTenants.map((t) => `${t}:*`).join(',');
    const write = (this.o.adminTenants ?? []).map((t) => `${t}:*`).join(',');
    try {
      await client.postContainer(loc.container, { 'x-container-read': read, 'x-container-write': write });
    } catch (err) {
      throw swiftError(err, `set the ACLs of container ${loc.container}`);
    }
  }

  detail(): Record<string, unknown> {
    return {
      multi_tenant: this.o.access.multiTenant,
      large_object_size: Math.floor(this.o.largeObjectSize / MB),
      large_object_chunk_size: Math.floor(this.o.chunkSize / MB),
    };
  }
}
