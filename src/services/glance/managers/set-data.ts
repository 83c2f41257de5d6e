/**
 * Writing an image's data to a store in one pass (glance/location.py ImageProxy.set_data):
 * the stream goes through the format inspector (for bare containers) into the store, which
 * measures it; then the inspector's verdict is applied, and refused data is removed again.
 * Used by PUT /file and by every import method.
 */
import { finished, PassThrough, type Readable } from 'node:stream';
import { FormatDetector, inspectStream } from '../format/detector.js';
import { judgeUpload } from '../format/verdict.js';
import { ImageRepo } from '../db/image-repo.js';
import type { Image } from '../domain/image.js';
import type { ImageStore, StoreContext, StoredData } from '../stores/store.js';
import type { GlanceSettings } from './deps.js';

export interface SetDataOptions {
  expectedSize?: number;
  maxSize?: number;
  warn?: (msg: string) => void;
  /** Who the data is stored for (the caller, or the import task's user). */
  context?: StoreContext;
}

/**
 * Store the data and record it on the image object (location, size, checksums, virtual
 * size). The image is not saved here.
 * @throws InvalidImageData (data removed again), store errors (nothing left behind)
 */
export async function setImageData(image: Image, data: Readable, store: ImageStore, settings: GlanceSettings, opts: SetDataOptions = {}): Promise<StoredData> {
  const inspect = image.container_format === 'bare';
  const detector = inspect ? new FormatDetector({ vmdkAllowedTypes: settings.vmdkAllowedTypes }) : undefined;
  // pipe() (unlike pipeline) never destroys the source: a refused HTTP upload can still be
  // answered with an error; a source that fails or is cut short fails the write.
  const source = detector ? inspectStream(detector) : new PassThrough();
  data.pipe(source);
  finished(data, (err) => {
    if (err) source.destroy(err);
  });
  const hashAlgo = image.os_hash_algo ?? settings.hashingAlgorithm;
  const stored = await store.add(image.id, source, {
    hashAlgo,
    ...(opts.expectedSize !== undefined ? { expectedSize: opts.expectedSize } : {}),
    ...(opts.maxSize !== undefined ? { maxSize: opts.maxSize } : {}),
    ...(opts.context ? { context: opts.context } : {}),
  });
  let virtualSize: number | undefined;
  // No data, nothing to inspect: Nova makes the image of a volume-backed server's snapshot active
  // this way (an empty upload claimed as qcow2, its glance.py force_activate).
  if (detector && stored.size > 0) {
    try {
      virtualSize = judgeUpload(detector, image.disk_format ?? '', {
        requireFormatMatch: settings.requireFormatMatch,
        gptNonfatalChecks: settings.gptNonfatalChecks,
        ...(opts.warn ? { warn: opts.warn } : {}),
      }).virtualSize;
    } catch (err) {
      await store.delete(stored.location, opts.context).catch(() => undefined);
      throw err;
    }
  }
  image.locations.push({ id: ImageRepo.newLocationId(), url: stored.location, metadata: stored.metadata, status: 'active' });
  image.checksum = stored.checksum;
  image.os_hash_algo = stored.hashAlgo;
  image.os_hash_value = stored.hashValue;
  image.size = stored.size;
  if (virtualSize) image.virtual_size = virtualSize;
  return stored;
}
