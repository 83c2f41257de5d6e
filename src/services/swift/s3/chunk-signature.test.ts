/** Signed chunks checked against AWS's published example ("Transferring payload in multiple chunks": 65536 + 1024 bytes of 'a'). */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AwsChunkedDecoder } from './body.js';
import { ChunkSignatureChain, signingKey } from './chunk-signature.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];

const body = (data: Buffer): Buffer => Buffer.concat([
  Buffer.from(`10000;chunk-signature=${SIGS[0]}\r\n`), data.subarray(0, 65536), Buffer.from(`\r\n400;chunk-signature=${SIGS[1]}\r\n`), data.subarray(65536),
  Buffer.from(`\r\n0;chunk-signature=${SIGS[2]}\r\n\r\n`),
]);

async function decode(framed: Buffer): Promise<Buffer> {
  const chain = new ChunkSignatureChain(signingKey(SECRET, SCOPE), '20130524T000000Z', SCOPE, SEED);
  const out: Buffer[] = [];
  // fed in odd pieces: chunk boundaries fall anywhere
  const pieces = Array.from({ length: Math.ceil(framed.length / 7001) }, (_, i) => framed.subarray(i * 7001, (i + 1) * 7001));
  for await (const c of Readable.from(pieces).pipe(new AwsChunkedDecoder(66560, chain))) out.push(c as Buffer);
  return Buffer.concat(out);
}

test('the published chunk signatures check out, chained from the seed signature', async () => {
  const data = Buffer.alloc(66560, 'a');
  assert.ok((await decode(body(data))).equals(data));
});

test('one byte changed in a chunk, or a signature left out, fails the body', async () => {
  const data = Buffer.alloc(66560, 'a');
  data[70_000 - 5000] = 0x62;
  await assert.rejects(decode(body(data)), { code: 'SignatureDoesNotMatch' });
  const unsigned = Buffer.from(body(Buffer.alloc(66560, 'a')).toString('latin1').replace(`;chunk-signature=${SIGS[1]}`, ''), 'latin1');
  await assert.rejects(decode(unsigned), { code: 'SignatureDoesNotMatch' });
});
