/**
 * The parts of a multipart/form-data body, one after the other, as an async iterator over
 * busboy's events: fields with their value (at most 4096 bytes, formpost's MAX_VALUE_LENGTH),
 * files with a stream that must be read (or drained) before the next part comes.
 */
import busboy from 'busboy';
import type { Readable } from 'node:stream';

export type FormPart =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; name: string; filename: string; mimeType: string; stream: Readable };

export const MAX_VALUE_LENGTH = 4096;

export async function* formParts(body: Readable, contentType: string): AsyncGenerator<FormPart> {
  const bb = busboy({ headers: { 'content-type': contentType }, preservePath: true, limits: { fieldSize: MAX_VALUE_LENGTH } });
  const queue: Array<FormPart | { end: true } | { error: Error }> = [];
  let wake: (() => void) | undefined;
  const push = (x: FormPart | { end: true } | { error: Error }): void => {
    queue.push(x);
    wake?.();
    wake = undefined;
  };
  bb.on('field', (name, value) => push({ kind: 'field', name, value }));
  bb.on('file', (name, stream, info) => push({ kind: 'file', name, filename: info.filename ?? '', mimeType: info.mimeType, stream }));
  bb.on('close', () => push({ end: true }));
  bb.on('error', (err) => push({ error: err instanceof Error ? err : new Error(String(err)) }));
  body.pipe(bb);
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const x = queue.shift()!;
      if ('end' in x) return;
      if ('error' in x) throw x.error;
      yield x;
    }
  } finally {
    // the rest is not wanted: let it flow by
    body.unpipe(bb);
    body.resume();
  }
}
