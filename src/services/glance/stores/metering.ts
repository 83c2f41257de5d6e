/**
 * A pass-through stream that measures image data on its way to a store: byte count, md5
 * (Glance's `checksum`) and the configured multihash (`os_hash_value`), and stops the stream
 * as soon as it grows past the allowed size (glance's LimitingReader).
 */
import { createHash, getHashes, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { SizeLimitExceeded } from './store.js';

export interface Measurement {
  size: number;
  checksum: string;
  hashAlgo: string;
  hashValue: string;
}

/** Node's name for a hashlib algorithm name ('sha3_256' -> 'sha3-256'). */
export function nodeHashName(algo: string): string {
  return algo.replace(/_/g, '-');
}

/** True when os_hash_algo names an algorithm this process can compute. */
export function isSupportedHash(algo: string): boolean {
  return getHashes().includes(nodeHashName(algo));
}

/** Digest size in bytes of a supported algorithm. */
export function digestSize(algo: string): number {
  return createHash(nodeHashName(algo)).digest().length;
}

export class MeteringStream extends Transform {
  private readonly md5: Hash = createHash('md5');
  private readonly multihash: Hash;
  private bytes = 0;
  private result: Measurement | undefined;

  constructor(private readonly hashAlgo: string, private readonly maxSize?: number) {
    super();
    this.multihash = createHash(nodeHashName(hashAlgo));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.maxSize !== undefined && this.bytes > this.maxSize) {
      done(new SizeLimitExceeded(this.maxSize));
      return;
    }
    this.md5.update(chunk);
    this.multihash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.result = {
      size: this.bytes,
      checksum: this.md5.digest('hex'),
      hashAlgo: this.hashAlgo,
      hashValue: this.multihash.digest('hex'),
    };
    done();
  }

  /** The measurement, once the stream has ended. */
  get measurement(): Measurement {
    if (!this.result) throw new Error('the metered stream has not ended');
    return this.result;
  }
}
