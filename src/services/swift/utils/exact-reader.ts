/**
 * Reads a stream n bytes at a time (the fragments of one segment from each fragment archive
 * of an EC object, for the proxy's decoding and the reconstructor's rebuilding).
 */
import type { Readable } from 'node:stream';

export class ExactReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;

  constructor(stream: Readable) {
    this.it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      const next = await this.it.next();
      if (next.done) throw new Error(`fragment archive ended ${n - this.buf.length} bytes early`);
      this.buf = this.buf.length ? Buffer.concat([this.buf, next.value]) : next.value;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Reads to the end (the rest of a body asked for whole: its connection is kept for the next request). */
  async drain(): Promise<void> {
    while (!(await this.it.next()).done) { /* nothing more was asked for */ }
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}
