/**
 * Request bodies (s3api's HashingInput and StreamingInput): a body whose SHA-256 the client
 * signed (x-amz-content-sha256: <hex>) is hashed as it streams through and fails with
 * XAmzContentSHA256Mismatch before its end reaches Swift when it differs (so no object is
 * written); an `aws-chunked` body (STREAMING-...) is decoded from its chunk framing, each
 * chunk's signature checked when the body is signed chunk by chunk, its trailers dropped;
 * Content-MD5 becomes the ETag Swift checks. Small XML bodies are read with a limit.
 *
 * Not checked: x-amz-checksum-* headers and trailers, and the trailer's own signature
 * (STREAMING-...-TRAILER); the chunks' bytes are.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { ChunkSignatureChain, signingKey } from './chunk-signature.js';
import {
  AccessDenied, EntityTooLarge, IncompleteBody, InvalidDigest, InvalidRequest, MissingContentLength, SignatureDoesNotMatch, XAmzContentSHA256Mismatch, type S3Error,
} from './errors.js';
import type { AuthInfo } from './signature.js';

/** Fails at its end when the bytes' SHA-256 is not the expected one. */
class Sha256Check extends Transform {
  private readonly hash = createHash('sha256');

  constructor(private readonly expected: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const got = this.hash.digest('hex');
    done(got === this.expected.toLowerCase() ? null : XAmzContentSHA256Mismatch({ ClientComputedContentSHA256: this.expected, S3ComputedContentSHA256: got }));
  }
}

/**
 * aws-chunked: `<hex size>[;chunk-signature=...]\r\n<data>\r\n` ... `0...\r\n`, trailer lines,
 * `\r\n`. With a signature chain, every chunk (the last, empty one too) must carry the signature
 * of its bytes; the bytes go on as they come, and a wrong signature fails the stream at the end
 * of its chunk, before the body's end reaches Swift.
 */
export class AwsChunkedDecoder extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private chunkHash: Hash | undefined;
  private chunkSignature: string | undefined;
  /** Bytes of data left in the current chunk, or -1 while a chunk header is awaited. */
  private left = -1;
  private needCrlf = false;
  private done = false;
  private decoded = 0;

  constructor(private readonly expectedLength: number | undefined, private readonly chain?: ChunkSignatureChain) {
    super();
  }

  /** The chunk's signature checked against the chain. */
  private endChunk(): void {
    if (!this.chain) return;
    const expected = this.chain.next(this.chunkHash!.digest('hex'));
    if (this.chunkSignature !== expected) throw SignatureDoesNotMatch({}, 'The chunk signature we calculated does not match the signature you provided.');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    try {
      this.consume();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  private consume(): void {
    while (!this.done) {
      if (this.needCrlf) {
        if (this.buf.length < 2) return;
        if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) throw IncompleteBody({}, 'Invalid chunk framing');
        this.buf = this.buf.subarray(2);
        this.needCrlf = false;
      }
      if (this.left < 0) {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) {
          if (this.buf.length > 4096) throw IncompleteBody({}, 'Invalid chunk header');
          return;
        }
        const header = this.buf.subarray(0, eol).toString('latin1');
        this.buf = this.buf.subarray(eol + 2);
        const [size = '', ...ext] = header.split(';');
        if (!/^[0-9a-fA-F]{1,16}$/.test(size.trim())) throw IncompleteBody({}, 'Invalid chunk header');
        this.left = parseInt(size, 16);
        this.chunkSignature = ext.map((e) => /^\s*chunk-signature=([0-9a-f]{64})\s*$/.exec(e)?.[1]).find((v) => v !== undefined);
        if (this.chain && this.chunkSignature === undefined) throw SignatureDoesNotMatch({}, 'A chunk of the body carries no signature.');
        this.chunkHash = this.chain ? createHash('sha256') : undefined;
        if (this.left === 0) {
          this.endChunk();
          this.done = true;
          this.buf = Buffer.alloc(0); // the trailers are dropped
          return;
        }
      }
      if (this.buf.length === 0) return;
      const take = Math.min(this.left, this.buf.length);
      this.chunkHash?.update(this.buf.subarray(0, take));
      this.push(this.buf.subarray(0, take));
      this.decoded += take;
      this.buf = this.buf.subarray(take);
      this.left -= take;
      if (this.left > 0) return;
      this.endChunk();
      this.left = -1;
      this.needCrlf = true;
    }
  }

  override _flush(cb: TransformCallback): void {
    if (!this.done || (this.expectedLength !== undefined && this.decoded !== this.expectedLength)) cb(IncompleteBody());
    else cb();
  }
}

export interface DecodedBody {
  body: Readable;
  /** The object's length when known (Content-Length, or x-amz-decoded-content-length). */
  length: number | undefined;
}

const header = (h: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** SigV4 payload hashes whose chunks are signed one by one. */
export const SIGNED_STREAMING = ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'];

/**
 * The body of a write as Swift should store it. `secret`: the signer's, to check the chunks of a
 * body signed chunk by chunk. Throws the S3 error of a body that cannot be taken.
 */
export function decodeBody(raw: Readable, headers: Record<string, string | string[] | undefined>, auth: AuthInfo | undefined, secret?: string): DecodedBody {
  const lengthHeader = header(headers, 'content-length');
  const length = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const sha = auth?.payloadHash;
  const encoding = (header(headers, 'content-encoding') ?? '').toLowerCase();
  if (sha?.startsWith('STREAMING-') || encoding.split(',').map((s) => s.trim()).includes('aws-chunked')) {
    const decodedHeader = header(headers, 'x-amz-decoded-content-length');
    if (decodedHeader === undefined || !/^\d+$/.test(decodedHeader)) throw MissingContentLength();
    const decoded = Number(decodedHeader);
    let chain: ChunkSignatureChain | undefined;
    if (sha !== undefined && SIGNED_STREAMING.includes(sha)) {
      if (secret === undefined || auth?.scope === undefined || auth.amzDate === undefined) throw AccessDenied({}, 'The signed chunks of this body cannot be checked.');
      chain = new ChunkSignatureChain(signingKey(secret, auth.scope), auth.amzDate, auth.scope, auth.signature);
    }
    const decoder = new AwsChunkedDecoder(decoded, chain);
    raw.on('error', (err) => decoder.destroy(err));
    return { body: raw.pipe(decoder), length: decoded };
  }
  if (lengthHeader === undefined && !/chunked/i.test(header(headers, 'transfer-encoding') ?? '')) throw MissingContentLength();
  if (lengthHeader !== undefined && length === undefined) throw InvalidRequest({}, 'Invalid Content-Length');
  if (sha !== undefined && /^[0-9a-fA-F]{64}$/.test(sha)) {
    const check = new Sha256Check(sha);
    raw.on('error', (err) => check.destroy(err));
    return { body: raw.pipe(check), length };
  }
  if (sha !== undefined && sha !== 'UNSIGNED-PAYLOAD') throw XAmzContentSHA256Mismatch();
  return { body: raw, length };
}

/** Content-MD5 (base64) as the hex ETag Swift verifies; undefined when not sent. */
export function contentMd5Etag(headers: Record<string, string | string[] | undefined>): string | undefined {
  const md5 = header(headers, 'content-md5');
  if (md5 === undefined) return undefined;
  const bytes = Buffer.from(md5, 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== md5.trim()) throw InvalidDigest({ 'Content-MD5': md5 });
  return bytes.toString('hex');
}

/** Reads a small body whole (XML documents); more than `limit` bytes is `tooLarge`. */
export async function readSmallBody(body: Readable, limit: number, tooLarge: () => S3Error = () => EntityTooLarge()): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
    size += b.length;
    if (size > limit) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
