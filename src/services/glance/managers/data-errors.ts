/**
 * How store and inspection failures of a data upload become HTTP errors (the except clauses of
 * glance/api/v2/image_data.py upload and stage).
 */
import { BadRequest, Conflict, NuboError, PayloadTooLarge, ServiceUnavailable, UnsupportedMediaType } from '../../../common/errors.js';
import { InvalidImageData } from '../format/verdict.js';
import { DuplicateData, SizeLimitExceeded, SizeMismatch, StorageFull, StorageWriteDenied, StoreConfigurationError, StoreUnavailable } from '../stores/store.js';
import { MediaTypeRefused } from '../errors.js';

export function dataError(err: unknown, what: 'upload' | 'stage', imageId: string, quotaLimited: boolean): NuboError | unknown {
  if (err instanceof NuboError) return err;
  if (err instanceof InvalidImageData) return new MediaTypeRefused(err.message);
  if (err instanceof SizeLimitExceeded) {
    return quotaLimited
      ? new PayloadTooLarge(`Image exceeds the storage quota: ${err.message}`)
      : new PayloadTooLarge(`The incoming image is too large: ${err.message}`);
  }
  if (err instanceof StorageFull) return new PayloadTooLarge(err.message);
  if (err instanceof StorageWriteDenied) return new ServiceUnavailable(err.message);
  if (err instanceof DuplicateData) {
    return what === 'stage' ? new Conflict(`The image ${imageId} has data on staging`) : new Conflict(`Unable to upload duplicate image data for image ${imageId}: ${err.message}`);
  }
  if (err instanceof SizeMismatch) return new BadRequest(err.message);
  return readError(err);
}

/** Store failures of a read (download, copy) or of any call: the backend's trouble is a 503, not a 500. */
export function readError(err: unknown): NuboError | unknown {
  if (err instanceof StoreUnavailable || err instanceof StoreConfigurationError || err instanceof StorageWriteDenied) return new ServiceUnavailable(err.message);
  return err;
}
