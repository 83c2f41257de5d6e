/**
 * The signatures of an `aws-chunked` body signed chunk by chunk
 * (STREAMING-AWS4-HMAC-SHA256-PAYLOAD; s3api's SigCheckerV4.check_chunk_signature): each chunk
 * signs `AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n<previous signature>\n<sha256("")>\n<sha256(chunk)>`
 * with the request's SigV4 signing key, the first chunk chained to the seed signature of the
 * request's Authorization header. The key comes from the credential's secret (read from
 * Keystone as s3token's secret cache does).
 */
import { createHmac } from 'node:crypto';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The SigV4 signing key of a secret for a scope `<date>/<region>/<service>/aws4_request`. */
export function signingKey(secret: string, scope: string): Buffer {
  let key: Buffer = Buffer.from(`AWS4${secret}`, 'utf8');
  for (const part of scope.split('/')) key = createHmac('sha256', key).update(part, 'utf8').digest();
  return key;
}

export class ChunkSignatureChain {
  constructor(private readonly key: Buffer, private readonly amzDate: string, private readonly scope: string, private previous: string) {}

  /** The signature the next chunk (whose bytes have this SHA-256) must carry; the chain moves on. */
  next(chunkSha256: string): string {
    const sts = ['AWS4-HMAC-SHA256-PAYLOAD', this.amzDate, this.scope, this.previous, EMPTY_SHA256, chunkSha256].join('\n');
    this.previous = createHmac('sha256', this.key).update(sts, 'utf8').digest('hex');
    return this.previous;
  }
}
