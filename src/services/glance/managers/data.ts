/**
 * Image data: upload (PUT /file, queued -> saving -> active), download (GET /file with Range)
 * and staging for interoperable import (PUT /stage, queued -> uploading), as in
 * glance/api/v2/image_data.py. Data always streams; nothing is buffered whole.
 */
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { RequestContext } from '../../../common/context.js';
import { BadRequest, Conflict, Forbidden, Gone, NotFound, RangeNotSatisfiable } from '../../../common/errors.js';
import type { Image } from '../domain/image.js';
import { transition } from '../domain/status.js';
import { DataNotFound, type ImageStore } from '../stores/store.js';
import { dataError, readError } from './data-errors.js';
import { storeContext, type GlanceDeps } from './deps.js';
import type { ImageManager } from './images.js';
import { setImageData } from './set-data.js';
import { updateStoreAcls } from './store-acls.js';
import { StatusConflict } from '../errors.js';

const MiB = 1024 * 1024;

export interface DownloadRequest {
  range?: string | undefined;
  contentRange?: string | undefined;
  /** ?prefer=store1,store2 */
  prefer?: string | undefined;
}

export type Download =
  | { kind: 'empty' }
  | {
    kind: 'data';
    stream: Readable;
    status: 200 | 206;
    headers: Record<string, string>;
  };

/** A byte range request resolved against the image size (webob's Range semantics). */
export interface ResolvedRange {
  offset: number;
  length: number;
  end: number;
}

/**
 * Parse a Range header like glance's get_range_from_request + serializer: one range only
 * (bytes=a-b, bytes=a-, bytes=-n); 416 when it cannot be satisfied.
 */
export function resolveRange(header: string, size: number): ResolvedRange {
  if (header.includes(',')) {
    throw new BadRequest('Requests with multiple ranges are not supported in Glance. You may make multiple single-range requests instead.');
  }
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) throw new RangeNotSatisfiable('Invalid Range header.');
  let start: number;
  let endExclusive: number | undefined;
  if (m[1] === '') {
    start = -Number(m[2]);
    if (start === 0) throw new RangeNotSatisfiable('Invalid Range header.');
  } else {
    start = Number(m[1]);
    if (m[2] !== '') {
      endExclusive = Number(m[2]) + 1;
      if (endExclusive <= start) throw new RangeNotSatisfiable('Invalid Range header.');
    }
  }
  if (start >= size) {
    throw new RangeNotSatisfiable(`Invalid start position in Range header. Start position MUST be in the inclusive range [0, ${size - 1}].`);
  }
  const offset = start >= 0 ? start : Math.abs(start) < size ? size + start : 0;
  const end = endExclusive !== undefined && endExclusive < size ? endExclusive - 1 : size - 1;
  return { offset, length: end - offset + 1, end };
}

/** The deprecated Content-Range request header (`bytes a-b/total`), still honoured by Glance. */
export function resolveContentRange(header: string, size: number): ResolvedRange {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
  if (!m) throw new RangeNotSatisfiable('Invalid Content-Range header.');
  const start = Number(m[1]);
  const stop = Number(m[2]) + 1;
  if (stop <= start) throw new RangeNotSatisfiable('Invalid Content-Range header.');
  if (m[3] === '*' && stop > size) {
    throw new RangeNotSatisfiable(`Invalid stop position in Content-Range header. The stop position MUST be in the inclusive range [0, ${size - 1}].`);
  }
  const end = Math.min(stop, size) - 1;
  return { offset: start, length: end - start + 1, end };
}

/** Counts bytes sent to the client and reports the total when the stream ends or is cut. */
function counting(onDone: (bytes: number) => void): Transform {
  let bytes = 0;
  let reported = false;
  const report = (): void => {
    if (!reported) {
      reported = true;
      onDone(bytes);
    }
  };
  const t = new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
      bytes += chunk.length;
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      report();
      done();
    },
  });
  t.once('close', report);
  return t;
}

export class DataManager {
  constructor(private readonly d: GlanceDeps, private readonly images: ImageManager) {}

  /** The store named by X-Image-Meta-Store (or the default). */
  private pickStore(storeId: string | undefined): ImageStore {
    const id = storeId ?? this.d.stores.defaultId;
    const store = this.d.stores.get(id);
    if (!store) throw new BadRequest(`Unknown scheme '${id}' found in URI`);
    return store;
  }

  /** Put the image back to queued after a failed upload or stage (glance's _restore). */
  private async restore(image: Image): Promise<void> {
    try {
      const current = await this.d.images.get(image.id);
      if (!current || current.status === 'queued') return;
      image.status = current.status;
      transition(image, 'queued');
      image.locations = current.locations;
      await this.d.images.save(image);
    } catch (err) {
      this.d.log.warn({ err, image: image.id }, 'unable to restore image to queued');
    }
  }

  async upload(ctx: RequestContext, id: string, data: Readable, size: number | undefined, storeId: string | undefined): Promise<void> {
    await this.d.quota.enforce(ctx.projectId, { image_size_total: size === undefined ? 0 : Math.floor(size / MiB) });
    const store = this.pickStore(storeId);
    const image = await this.images.load(ctx, id);
    this.d.policy.enforceImage(ctx, 'upload_image', image);
    transition(image, 'saving');
    try {
      await this.images.save(image, 'queued');
    } catch (err) {
      if (err instanceof StatusConflict) throw new Conflict(err.message);
      throw err;
    }
    this.d.notifier.imageUpdated(image);
    let quotaLimited = false;
    try {
      await this.d.quota.enforce(ctx.projectId, { image_count_uploading: 0 });
      const remaining = await this.d.quota.remainingBytes(ctx.projectId, 'image_size_total');
      quotaLimited = remaining !== undefined && remaining < this.d.settings.imageSizeCap;
      const maxSize = Math.min(this.d.settings.imageSizeCap, remaining ?? Infinity);
      this.d.notifier.imagePrepare(image, store.id);
      await setImageData(image, data, store, this.d.settings, {
        ...(size !== undefined ? { expectedSize: size } : {}),
        maxSize,
        context: storeContext(ctx),
        warn: (msg) => this.d.log.warn({ image: id }, msg),
      });
    } catch (err) {
      await this.restore(image);
      const mapped = dataError(err, 'upload', id, quotaLimited);
      this.d.notifier.imageUploadFailed(`Failed to upload image data for image ${id}: ${(mapped as Error).message}`);
      throw mapped;
    }
    transition(image, 'active');
    try {
      await this.d.images.save(image, 'saving');
    } catch (err) {
      if (!(err instanceof NotFound || err instanceof StatusConflict)) throw err;
      for (const loc of image.locations) await store.delete(loc.url, storeContext(ctx)).catch(() => undefined);
      throw new Gone(`Image ${id} could not be found after upload. The image may have been deleted during the upload, cleaning up the chunks uploaded.`);
    }
    await updateStoreAcls(this.d, image, storeContext(ctx));
    this.d.notifier.imageUpdated(image);
    this.d.notifier.imageUploaded(image);
    this.d.notifier.imageActivated(image);
  }

  async download(ctx: RequestContext, id: string, req: DownloadRequest): Promise<Download> {
    const image = await this.images.load(ctx, id);
    if (image.status === 'deactivated' && !this.d.policy.isAdmin(ctx)) {
      throw new Forbidden('The requested image has been deactivated. Image data download is forbidden.');
    }
    this.d.policy.enforceImage(ctx, 'download_image', image);
    let locations = image.locations;
    const prefer = (req.prefer ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (prefer.length > 0) {
      this.d.policy.enforceImage(ctx, 'download_from_store', image);
      for (const s of prefer) if (!this.d.stores.has(s)) throw new BadRequest(`Store '${s}' is not configured.`);
      const wanted = (l: (typeof locations)[number]): boolean => prefer.includes(String(l.metadata['store']));
      locations = [...locations.filter(wanted), ...locations.filter((l) => !wanted(l))];
    }
    if (locations.length === 0 || image.size === null) return { kind: 'empty' };
    const size = image.size;
    let range: ResolvedRange | undefined;
    if (req.range !== undefined) range = resolveRange(req.range, size);
    else if (req.contentRange !== undefined) range = resolveContentRange(req.contentRange, size);
    let lastError: unknown;
    for (const loc of locations) {
      try {
        const store = this.d.stores.forLocation(loc.url, loc.metadata);
        const stream = await store.get(loc.url, range ? { offset: range.offset, length: range.length } : undefined, storeContext(ctx));
        const expected = range ? range.length : size;
        const counted = stream.pipe(counting((bytes) => this.d.notifier.imageSent({
          bytesSent: bytes, image, receiverProjectId: ctx.projectId ?? null, receiverUserId: ctx.userId ?? null,
        }, expected)));
        stream.once('error', (err) => counted.destroy(err));
        const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(expected) };
        if (image.checksum) headers['content-md5'] = image.checksum;
        if (range) headers['content-range'] = `bytes ${range.offset}-${range.end}/${size}`;
        return { kind: 'data', stream: counted, status: range ? 206 : 200, headers };
      } catch (err) {
        this.d.log.warn({ err, image: id }, 'get image data failed');
        lastError = err;
      }
    }
    if (lastError instanceof DataNotFound) return { kind: 'empty' };
    throw readError(lastError);
  }

  async stage(ctx: RequestContext, id: string, data: Readable, size: number | undefined): Promise<void> {
    if (!this.d.settings.importMethods.includes('glance-direct')) throw new NotFound("'glance-direct' method is not available at this site.");
    await this.d.quota.enforce(ctx.projectId, { image_stage_total: Math.floor((size ?? 0) / MiB) });
    const image = await this.images.load(ctx, id);
    this.d.policy.enforceImage(ctx, 'modify_image', image);
    transition(image, 'uploading');
    try {
      await this.images.save(image, 'queued');
    } catch (err) {
      if (err instanceof StatusConflict) throw new Conflict(err.message);
      throw err;
    }
    let staged: string | undefined;
    try {
      await this.d.quota.enforce(ctx.projectId, { image_count_uploading: 0 });
      const stored = await this.d.stores.staging.add(id, data, {
        hashAlgo: this.d.settings.hashingAlgorithm,
        maxSize: this.d.settings.imageSizeCap,
        ...(size !== undefined ? { expectedSize: size } : {}),
      });
      staged = stored.location;
      image.size = stored.size;
      await this.images.save(image, 'uploading');
    } catch (err) {
      if (staged) await this.d.stores.staging.delete(staged).catch(() => undefined);
      await this.restore(image);
      throw dataError(err, 'stage', id, false);
    }
    this.d.notifier.imageUpdated(image);
  }

  /** The staging location of an image (file:// URL in the staging store). */
  stagingLocation(imageId: string): string {
    return pathToFileURL(join(this.d.stores.staging.dir, imageId)).href;
  }

  /** Delete staged data (on image delete and after a finished import). */
  async unstage(imageId: string): Promise<void> {
    await this.d.stores.staging.delete(this.stagingLocation(imageId)).catch((err) => this.d.log.warn({ err, image: imageId }, 'could not delete staged data'));
  }
}
