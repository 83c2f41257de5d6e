/**
 * The strings to sign rebuilt from requests, checked against AWS's published examples: the
 * SigV4 examples of the S3 API reference (GET Object with a Range, PUT Object, GET Bucket
 * lifecycle, ListObjects, the presigned URL) and the SigV2 examples of the S3 developer guide
 * (object GET and PUT, a listing, an ACL fetch). The signature is the HMAC chain over our string
 * to sign (what Keystone's s3tokens computes); a byte off anywhere gives another signature.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { readSignature, type AuthInfo, type SignedRequest } from './signature.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const hmac = (key: string | Buffer, msg: string | Buffer): Buffer => createHmac('sha256', key).update(msg).digest();

/** What Keystone computes from the string to sign (s3tokens' _calculate_signature_v4 / _v1). */
function sign(info: AuthInfo): string {
  if (info.version === 2) return createHmac('sha1', SECRET).update(info.stringToSign).digest('base64');
  const [, , scope] = info.stringToSign.toString().split('\n');
  const [date, region, service] = scope!.split('/');
  return hmac(hmac(hmac(hmac(hmac(`AWS4${SECRET}`, date!), region!), service!), 'aws4_request'), info.stringToSign).toString('hex');
}

const at = (iso: string) => ({ location: 'us-east-1', allowableClockSkew: 900, now: Date.parse(iso) });
const req = (method: string, url: string, headers: Record<string, string>): SignedRequest => {
  const q = url.indexOf('?');
  return { method, rawPath: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? '' : url.slice(q + 1), headers: { host: 'examplebucket.s3.amazonaws.com', ...headers }, bucketInHost: 'examplebucket' };
};
const v4auth = (signed: string, signature: string): string => `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=${signed}, Signature=${signature}`;

describe('SigV4 (AWS S3 API reference examples)', () => {
  const now = at('2013-05-24T00:05:00Z');
  const cases: Array<{ name: string; method: string; url: string; signed: string; headers: Record<string, string>; signature: string }> = [
    {
      name: 'GET Object with Range', method: 'GET', url: '/test.txt', signed: 'host;range;x-amz-content-sha256;x-amz-date',
      headers: { range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
      signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    },
    {
      name: 'PUT Object (a $ in the key)', method: 'PUT', url: '/test%24file.text', signed: 'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
      headers: {
        date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      },
      signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    },
    {
      name: 'GET Bucket lifecycle (a sub-resource without value)', method: 'GET', url: '/?lifecycle', signed: 'host;x-amz-content-sha256;x-amz-date',
      headers: { 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
      signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    },
    {
      name: 'GET Bucket (ListObjects, query sorted)', method: 'GET', url: '/?prefix=J&max-keys=2', signed: 'host;x-amz-content-sha256;x-amz-date',
      headers: { 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' },
      signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const info = readSignature(req(c.method, c.url, { ...c.headers, authorization: v4auth(c.signed, c.signature) }), now)!;
      assert.equal(info.version, 4);
      assert.equal(info.accessKey, 'AKIAIOSFODNN7EXAMPLE');
      assert.equal(info.signature, c.signature);
      assert.equal(sign(info), c.signature);
    });
  }

  test('the presigned URL (query authentication)', () => {
    const url = '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request'
      + '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host'
      + '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const info = readSignature(req('GET', url, {}), at('2013-05-24T12:00:00Z'))!;
    assert.equal(info.presigned, true);
    assert.equal(sign(info), 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
    assert.throws(() => readSignature(req('GET', url, {}), at('2013-05-25T00:00:01Z')), { code: 'AccessDenied', message: 'Request has expired' });
  });

  test('a changed header, path or query gives another string to sign', () => {
    const base = cases[0]!;
    const good = sign(readSignature(req('GET', base.url, { ...base.headers, authorization: v4auth(base.signed, base.signature) }), now)!);
    assert.notEqual(sign(readSignature(req('GET', base.url, { ...base.headers, range: 'bytes=0-10', authorization: v4auth(base.signed, base.signature) }), now)!), good);
    assert.notEqual(sign(readSignature(req('GET', '/test.txt2', { ...base.headers, authorization: v4auth(base.signed, base.signature) }), now)!), good);
    assert.notEqual(sign(readSignature(req('GET', '/test.txt?a=b', { ...base.headers, authorization: v4auth(base.signed, base.signature) }), now)!), good);
  });

  test('refusals: skew, another region, unsigned x-amz-meta, no x-amz-content-sha256, a signed header missing', () => {
    const h = { 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z' };
    const auth = v4auth('host;x-amz-content-sha256;x-amz-date', 'x');
    assert.throws(() => readSignature(req('GET', '/', { ...h, authorization: auth }), at('2013-05-24T01:00:00Z')), { code: 'RequestTimeTooSkewed' });
    assert.throws(() => readSignature(req('GET', '/', { ...h, authorization: auth.replace('us-east-1', 'US') }), now), { code: 'AuthorizationHeaderMalformed', extra: { Region: 'us-east-1' } });
    assert.ok(readSignature(req('GET', '/', { ...h, authorization: auth.replace('us-east-1', 'regionone') }), { ...now, location: 'RegionOne' }), 'a lower-case region is taken');
    assert.throws(() => readSignature(req('GET', '/', { ...h, 'x-amz-meta-a': '1', authorization: auth }), now), { code: 'AccessDenied' });
    assert.throws(() => readSignature(req('GET', '/', { 'x-amz-date': h['x-amz-date'], authorization: auth }), now), { code: 'InvalidRequest' });
    assert.throws(() => readSignature(req('GET', '/', { ...h, authorization: v4auth('host;range;x-amz-content-sha256;x-amz-date', 'x') }), now), { code: 'SignatureDoesNotMatch' });
    assert.throws(() => readSignature(req('GET', '/', { ...h, authorization: 'AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request' }), now), { code: 'AuthorizationHeaderMalformed' });
    assert.equal(readSignature(req('GET', '/', {}), now), undefined, 'anonymous');
  });
});

describe('SigV2 (AWS S3 developer guide examples)', () => {
  const v2 = (method: string, url: string, headers: Record<string, string>, signature: string, now: string) =>
    readSignature({ ...req(method, url, { ...headers, authorization: `AWS AKIAIOSFODNN7EXAMPLE:${signature}` }), bucketInHost: 'awsexamplebucket1' }, at(now))!;
  test('object GET', () => {
    const info = v2('GET', '/photos/puppy.jpg', { date: 'Tue, 27 Mar 2007 19:36:42 +0000' }, 'qgk2+6Sv9/oM7G3qLEjTH1a1l1g=', '2007-03-27T19:40:00Z');
    assert.equal(info.stringToSign.toString(), 'GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg');
    assert.equal(sign(info), 'qgk2+6Sv9/oM7G3qLEjTH1a1l1g=');
  });
  test('object PUT with a content type', () => {
    const info = v2('PUT', '/photos/puppy.jpg', { date: 'Tue, 27 Mar 2007 21:15:45 +0000', 'content-type': 'image/jpeg', 'content-length': '94328' }, 'iqRzw+ileNPu1fhspnRs8nOjjIA=', '2007-03-27T21:15:00Z');
    assert.equal(sign(info), 'iqRzw+ileNPu1fhspnRs8nOjjIA=');
  });
  test('a listing (query parameters that are not sub-resources are not signed)', () => {
    const info = v2('GET', '/?prefix=photos&max-keys=50&marker=puppy', { date: 'Tue, 27 Mar 2007 19:42:41 +0000' }, 'm0WP8eCtspQl5Ahe6L1SozdX9YA=', '2007-03-27T19:42:00Z');
    assert.equal(sign(info), 'm0WP8eCtspQl5Ahe6L1SozdX9YA=');
  });
  test('an ACL fetch (the acl sub-resource is signed)', () => {
    const info = v2('GET', '/?acl', { date: 'Tue, 27 Mar 2007 19:44:46 +0000' }, '82ZHiFIjc+WbcwFKGUVEQspPn+0=', '2007-03-27T19:44:00Z');
    assert.equal(sign(info), '82ZHiFIjc+WbcwFKGUVEQspPn+0=');
  });
  test('x-amz-* headers are signed, and X-Amz-Date empties the Date line; query form with Expires', () => {
    const info = v2('PUT', '/k', { 'x-amz-date': 'Tue, 27 Mar 2007 19:44:46 +0000', 'x-amz-meta-b': '2', 'X-Amz-Meta-A': '1' }, 'x', '2007-03-27T19:44:00Z');
    assert.equal(info.stringToSign.toString(), 'PUT\n\n\n\nx-amz-date:Tue, 27 Mar 2007 19:44:46 +0000\nx-amz-meta-a:1\nx-amz-meta-b:2\n/awsexamplebucket1/k');
    const q = readSignature({ ...req('GET', '/k?AWSAccessKeyId=AK&Expires=1175139620&Signature=abc%3D', {}), bucketInHost: 'b' }, at('2007-03-29T00:00:00Z'))!;
    assert.equal(q.stringToSign.toString(), 'GET\n\n\n1175139620\n/b/k');
    assert.equal(q.signature, 'abc=');
    assert.throws(() => readSignature({ ...req('GET', '/k?AWSAccessKeyId=AK&Expires=1175139620&Signature=x', {}), bucketInHost: 'b' }, at('2008-01-01T00:00:00Z')), { code: 'AccessDenied' });
  });
});
