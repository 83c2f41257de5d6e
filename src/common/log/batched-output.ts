/**
 * Where JSON log lines go by default: a file descriptor (standard output), written
 * synchronously, but in batches. Each line is copied at once into a buffer outside the
 * JavaScript heap (so that a pending line is not a string the garbage collector must keep
 * moving and promoting), and the buffer is written when FLUSH_MS have passed since its first
 * line, when it is full (FLUSH_BYTES), and at process exit. Under load hundreds of request lines
 * share one write(2), where a write per turn of the event loop still cost a system call for
 * every few requests; no line waits more than FLUSH_MS.
 *
 * Written by hand because pino's destinations (sonic-boom) do not fit the request path: in
 * sync mode each line is its own system call; with minLength they wait for a size, so an idle
 * server would hold its last lines; in async mode every write is handed to the thread pool,
 * and when lines do not pile up that thread switch costs about ten times the write itself
 * (measured on one core: 19 us of CPU per line against 1.9 us for a plain write).
 */
import { writeSync } from 'node:fs';

/** The longest a line waits to be written. */
export const FLUSH_MS = 25;
/** The size of the batch: a batch this full is written at once. */
export const FLUSH_BYTES = 64 * 1024;

export class BatchedOutput {
  private readonly buf: Buffer;
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set after EPIPE: the reader is gone, logging stops (as pino's own destinations do). */
  private closed = false;

  constructor(private readonly fd: number, private readonly flushMs = FLUSH_MS, flushBytes = FLUSH_BYTES) {
    this.buf = Buffer.allocUnsafe(flushBytes);
    process.on('exit', this.flush);
  }

  write(line: string): boolean {
    if (this.closed) return true;
    // A UTF-8 character takes at most 3 bytes per UTF-16 code unit.
    if (line.length * 3 > this.buf.length - this.used) {
      this.flush();
      if (line.length * 3 > this.buf.length) {
        this.writeAll(Buffer.from(line));
        return true;
      }
    }
    this.used += this.buf.write(line, this.used);
    if (this.timer === undefined) {
      // Unref'd: pending lines do not keep the process alive (the exit handler writes them).
      this.timer = setTimeout(this.flush, this.flushMs);
      this.timer.unref();
    }
    return true;
  }

  /** Writes what is pending, now. */
  readonly flush = (): void => {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.writeAll(this.buf.subarray(0, n));
  };

  private writeAll(data: Buffer): void {
    let offset = 0;
    while (offset < data.length && !this.closed) {
      try {
        offset += writeSync(this.fd, data, offset);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') this.closed = true;
        else if (code === 'EAGAIN') Atomics.wait(PAUSE, 0, 0, 10); // a non-blocking pipe that is full
        else throw err;
      }
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));
