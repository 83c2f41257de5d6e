/**
 * The image store driver interface (glance_store's Store, reduced to what Glance uses): every
 * backend (the local `file` store, the `swift` object store) takes image data as a stream, computes its size and checksums while writing, and gives it back as a
 * stream, whole or a byte range. Data is never held in memory.
 */
import type { Readable } from 'node:stream';

export interface StoreCapabilities {
  /** get() can return a byte range without reading from the start. */
  readonly randomAccess: boolean;
  /** add() is possible (a read-only store such as http is not writable). */
  readonly writable: boolean;
}

/**
 * Who a store call is made for (glance_store's `context`): the user's token and project. Stores
 * that keep data in the user's own account (multi-tenant Swift) need it; the others ignore it.
 */
export interface StoreContext {
  token?: string | undefined;
  projectId?: string | undefined;
}

/** Who may read an image's data (glance_store's set_acls): everybody, or these projects. */
export interface StoreAcls {
  public: boolean;
  readTenants: readonly string[];
}

export interface AddOptions {
  /** The size announced by the client, if any (a mismatch fails the write). */
  expectedSize?: number;
  /** Hash algorithm for os_hash_value ('sha512'). */
  hashAlgo: string;
  /** Largest number of bytes accepted (image_size_cap, quota); more fails with SizeLimitExceeded. */
  maxSize?: number;
  /** Who the data is stored for. */
  context?: StoreContext;
}

/** What a successful add() wrote. */
export interface StoredData {
  /** Where the data is, as this store addresses it ('file:///var/lib/nubo/images/<id>'). */
  location: string;
  size: number;
  /** md5 hex digest (Glance's legacy `checksum`). */
  checksum: string;
  hashAlgo: string;
  /** hex digest with hashAlgo (Glance's `os_hash_value`). */
  hashValue: string;
  /** Location metadata (`{"store": "<backend id>"}` when multi-store). */
  metadata: Record<string, unknown>;
}

/** A byte range: `offset` and, when given, how many bytes. */
export interface ByteRange {
  offset: number;
  length?: number;
}

export interface ImageStore {
  /** Backend id from [glance_store] enabled_backends ('file', 'fast'). */
  readonly id: string;
  /** Driver type ('file'). */
  readonly type: string;
  readonly description: string;
  readonly capabilities: StoreCapabilities;
  /**
   * Store the stream under the image id. Nothing is left behind when the stream errors, is
   * cut short or exceeds maxSize.
   * @throws DuplicateData when data for this id is already stored
   */
  add(imageId: string, data: Readable, opts: AddOptions): Promise<StoredData>;
  /**
   * Read stored data.
   * @throws DataNotFound when nothing is stored at the location
   */
  get(location: string, range?: ByteRange, ctx?: StoreContext): Promise<Readable>;
  /** Remove stored data; a missing location is not an error. */
  delete(location: string, ctx?: StoreContext): Promise<void>;
  /**
   * Let these projects read the data (stores whose data lives in the owner's account; the
   * others have no such method: Glance alone serves their data).
   */
  setAcls?(location: string, acls: StoreAcls, ctx?: StoreContext): Promise<void>;
  /** True when this store owns the location (its scheme and place). */
  owns(location: string): boolean;
  /** Driver properties shown in /v2/info/stores/detail. */
  detail(): Record<string, unknown>;
}

/**
 * Run a store's write of `data` with a listener on the source's errors: the source may fail (the
 * client went away) before the write's pipeline listens, which would otherwise crash the process;
 * the pipeline still sees the failure.
 */
export async function guardSource<T>(data: Readable, write: () => Promise<T>): Promise<T> {
  const ignore = (): void => undefined;
  data.on('error', ignore);
  try {
    return await write();
  } finally {
    data.off('error', ignore);
  }
}

/** Nothing stored at the location (download answers 204 as Glance does). */
export class DataNotFound extends Error {
  override name = 'DataNotFound';
}

/** Data for this image is already in the store. */
export class DuplicateData extends Error {
  override name = 'DuplicateData';
}

/** The data is larger than allowed (image_size_cap or quota). */
export class SizeLimitExceeded extends Error {
  override name = 'SizeLimitExceeded';
  constructor(readonly limit: number) {
    super(`The incoming image is larger than the allowed ${limit} bytes`);
  }
}

/** The stream ended with another size than announced. */
export class SizeMismatch extends Error {
  override name = 'SizeMismatch';
}

/** The backing medium is full (ENOSPC, EDQUOT). */
export class StorageFull extends Error {
  override name = 'StorageFull';
}

/** The store's backend cannot be reached or fails (an object store answering 5xx). */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

/** The store is misconfigured for this request (no container, no endpoint, no context). */
export class StoreConfigurationError extends Error {
  override name = 'StoreConfigurationError';
}

/** The store may not write (EACCES, EROFS). */
export class StorageWriteDenied extends Error {
  override name = 'StorageWriteDenied';
}
