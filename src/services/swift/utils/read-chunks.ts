/**
 * A small body read whole by its events: no async iterator over the stream (one per request
 * on the small-object path: the proxy's client body, the object server's request body, the
 * backend answers' bodies). Rejects when the stream fails or closes before its end.
 */
import type { Readable } from 'node:stream';

export function readChunks(body: Readable): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer) => chunks.push(c));
    body.once('end', () => resolve(chunks));
    body.once('error', reject);
    body.once('close', () => {
      if (!body.readableEnded) reject(new Error('the body closed before its end'));
    });
  });
}
