/**
 * Capture regions: the byte ranges of a stream a format inspector wants to keep while the
 * stream passes through, without buffering anything else. Ported from oslo.utils'
 * imageutils/format_inspector.py (CaptureRegion / EndCaptureRegion), which Glance uses for
 * in-flight inspection of uploads.
 */

/** A region at a fixed offset of the stream, captured across unaligned chunks. */
export class CaptureRegion {
  data: Buffer = Buffer.alloc(0);

  /**
   * @param offset byte offset of the region in the stream
   * @param length bytes wanted
   * @param minLength the region counts as complete once this much is captured (for formats
   *   whose structures have a variable size)
   */
  constructor(public offset: number, public length: number, public readonly minLength?: number) {}

  get complete(): boolean {
    return this.minLength !== undefined ? this.minLength <= this.data.length : this.length === this.data.length;
  }

  /**
   * Offer one chunk. `position` is the stream position *after* the chunk.
   */
  capture(chunk: Buffer, position: number): void {
    const readStart = position - chunk.length;
    if ((readStart <= this.offset && this.offset <= position) || (this.offset <= readStart && readStart <= this.offset + this.length)) {
      const leadGap = readStart < this.offset ? this.offset - readStart : 0;
      const wanted = this.length - this.data.length;
      if (wanted <= 0) return;
      const piece = chunk.subarray(leadGap, leadGap + wanted);
      if (piece.length > 0) this.data = Buffer.concat([this.data, piece]);
    }
  }
}

/**
 * The last `length` bytes of the stream (a trailer such as a VMDK footer). It is complete only
 * once the end of the stream has been signalled with finish().
 */
export class EndCaptureRegion extends CaptureRegion {
  private ended = false;

  constructor(length: number) {
    super(0, length);
  }

  override capture(chunk: Buffer, position: number): void {
    const joined = chunk.length >= this.length ? chunk.subarray(chunk.length - this.length) : Buffer.concat([this.data, chunk]);
    this.data = Buffer.from(joined.subarray(Math.max(0, joined.length - this.length)));
    this.offset = position - this.data.length;
  }

  override get complete(): boolean {
    return this.ended && this.length === this.data.length;
  }

  finish(): void {
    this.ended = true;
  }
}
