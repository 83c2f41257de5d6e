/**
 * Streamed bodies of service-to-service requests (ServiceSession): an upload read from the
 * caller's stream as the connection takes it, a response handed back as a stream with
 * backpressure, and the bounded read of an error body. The relay is written by hand over
 * node:stream: undici streams both ways, but neither maps errors nor tells a failure of the
 * caller's stream from the connection's.
 */
import { Readable } from 'node:stream';
import { ServiceUnavailable } from '../errors.js';

/** A body read as it is sent: a Node Readable or any async iterable of bytes. */
export type StreamBody = Readable | AsyncIterable<Uint8Array>;

/** A raw (non-JSON) request body: bytes, text, or a stream. */
export type RequestData = StreamBody | Uint8Array | string;

/** How much of a failed streaming response is read for the error message. */
export const ERROR_BODY_LIMIT = 64 * 1024;

export function isStreamBody(data: unknown): data is StreamBody {
  return typeof data === 'object' && data !== null && !(data instanceof Uint8Array) && Symbol.asyncIterator in data;
}

/**
 * Relays a source with backpressure (the source is read only as fast as the relay is), passing
 * its errors through `mapError`. Destroying the relay destroys the source at once, even while
 * it waits for data. (node's Readable.wrap minus the error mapping; Readable.from over an async
 * generator would wait for the next chunk before it could close the source.)
 */
class Relay extends Readable {
  constructor(private readonly source: Readable, mapError: (err: Error) => Error) {
    super();
    source.on('data', (chunk: Uint8Array) => {
      if (!this.push(chunk)) source.pause();
    });
    source.on('end', () => this.push(null));
    source.on('error', (err: Error) => {
      if (!this.destroyed) this.destroy(mapError(err));
    });
    source.pause();
  }

  override _read(): void {
    this.source.resume();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.source.destroy();
    callback(err);
  }
}

/** What undici sends for a streamed request body, and whether the caller's stream failed. */
export interface UploadBody {
  readonly readable: Readable;
  /** Set when the caller's stream failed (so the failure is its error, not the connection's). */
  readonly failed: { err: unknown } | undefined;
}

/**
 * An upload body for undici, read from the caller's stream as the connection takes it. When
 * the request ends early (connection lost, caller aborted) undici destroys it, and so the
 * caller's stream.
 */
export function uploadBody(source: StreamBody): UploadBody {
  let failed: { err: unknown } | undefined;
  const readable = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
  const relay = new Relay(readable, (err) => {
    failed = { err };
    return err;
  });
  return { readable: relay, get failed() { return failed; } };
}

/**
 * The body of a streamed response as the caller reads it: chunks as they arrive, read from the
 * connection only as fast as they are consumed. A connection failure while reading becomes
 * ServiceUnavailable (an abort through the caller's signal stays an abort). Destroying the
 * stream, or leaving a `for await` over it early, closes the response.
 */
export function responseStream(body: Readable, url: string, signal: AbortSignal | undefined): Readable {
  return new Relay(body, (err) => {
    if (signal?.aborted) return err;
    return new ServiceUnavailable(`connection to ${url} failed while reading the response: ${err.message}`, { cause: err });
  });
}

/** Read at most `limit` bytes of a body as text, then close it (error bodies of streamed responses). */
export async function readBounded(body: Readable, limit = ERROR_BODY_LIMIT): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(Buffer.from(chunk as Uint8Array));
      size += (chunk as Uint8Array).length;
      if (size >= limit) break;
    }
  } catch {
    // The error text is best effort: the status says what matters.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
