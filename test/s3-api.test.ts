/**
 * The S3 API end to end: a cloud (identity and object storage) in this process, an EC2
 * credential made through Keystone's OS-EC2 API, and requests signed here (SigV4 in the header
 * and in the query, SigV2) sent to the `s3` endpoint of the catalog. Keystone's s3tokens checks
 * every signature; the objects land in the project's Swift account.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startTestCloud, type TestCloud } from './support/cloud.js';

let cloud: TestCloud;
let s3url: URL;
let access: string;
let secret: string;
let projectId: string;
let token: string;

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const hmac = (key: string | Buffer, msg: string): Buffer => createHmac('sha256', key).update(msg).digest();
/** RFC 3986 encoding as AWS wants it (also ! ' ( ) *). */
const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const encPath = (p: string): string => p.split('/').map(enc).join('/');

interface Res { status: number; headers: Record<string, string>; body: Buffer; text: string }

interface SignOpts {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** x-amz-content-sha256 to send instead of the body's. */
  payloadHash?: string;
  key?: { access: string; secret: string };
  host?: string;
  date?: Date;
}

const amzDate = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');

/** A SigV4 header-signed request (path as given, e.g. '/bucket/key'). */
async function s3(method: string, path: string, o: SignOpts = {}): Promise<Res> {
  const { headers, pathAndQuery, body } = signed(method, path, o);
  return send(method, pathAndQuery, headers, body);
}

/** The headers of a SigV4 header-signed request, with its seed signature, date and scope (for signed chunks). */
function signed(method: string, path: string, o: SignOpts): { headers: Record<string, string>; pathAndQuery: string; body: Buffer; signature: string; date: string; scope: string } {
  const body = o.body === undefined ? Buffer.alloc(0) : Buffer.from(o.body);
  const k = o.key ?? { access, secret };
  const date = amzDate(o.date ?? new Date());
  const host = o.host ?? s3url.host;
  const headers: Record<string, string> = { host, 'x-amz-date': date, 'x-amz-content-sha256': o.payloadHash ?? sha256(body), ...o.headers };
  const query = Object.entries(o.query ?? {}).map(([a, b]) => [enc(a), enc(b)] as const).sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : 1))
    .map(([a, b]) => `${a}=${b}`).join('&');
  const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([a, b]) => [a.toLowerCase(), b.trim()]));
  const canonical = [method, encPath(path), query, names.map((h) => `${h}:${lower[h]}\n`).join(''), names.join(';'), headers['x-amz-content-sha256']].join('\n');
  const scope = `${date.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  const signature = hmac(hmac(hmac(hmac(hmac(`AWS4${k.secret}`, date.slice(0, 8)), 'us-east-1'), 's3'), 'aws4_request'), sts).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${k.access}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return { headers, pathAndQuery: `${encPath(path)}${query ? `?${query}` : ''}`, body, signature, date, scope };
}

const signingKeyOf = (date: string, key = secret): Buffer => hmac(hmac(hmac(hmac(`AWS4${key}`, date.slice(0, 8)), 'us-east-1'), 's3'), 'aws4_request');

async function send(method: string, pathAndQuery: string, headers: Record<string, string>, body?: Buffer): Promise<Res> {
  const res = await request(`${s3url.origin}${pathAndQuery}`, { method: method as 'GET', headers, ...(body && body.length > 0 ? { body } : {}) });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers as Record<string, string>, body: bytes, text: bytes.toString('utf8') };
}

const tag = (xml: string, name: string): string[] => [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]!);
const code = (r: Res): string | undefined => tag(r.text, 'Code')[0];

before(async () => {
  cloud = await startTestCloud({ services: ['identity', 'object'], overrides: { 's3api.storage_domain': 's3.nubo.test', 'swift.all_in_one_part_power': '6' } });
  token = await cloud.adminToken();
  const who = await request(`${cloud.url}/identity/v3/auth/tokens`, { headers: { 'x-auth-token': token, 'x-subject-token': token } });
  const t = ((await who.body.json()) as { token: { user: { id: string }; project: { id: string }; catalog: Array<{ type: string; endpoints: Array<{ url: string; interface: string }> }> } }).token;
  projectId = t.project.id;
  const ep = t.catalog.find((s) => s.type === 's3')!.endpoints.find((e) => e.interface === 'public')!;
  s3url = new URL(ep.url);
  const created = await request(`${cloud.url}/identity/v3/users/${t.user.id}/credentials/OS-EC2`, {
    method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ tenant_id: projectId }),
  });
  assert.equal(created.statusCode, 201);
  ({ access, secret } = ((await created.body.json()) as { credential: { access: string; secret: string } }).credential);
});
after(async () => { await cloud?.close(); });

describe('authentication', () => {
  test('a wrong secret, an unknown key, no signature', async () => {
    const wrong = await s3('GET', '/', { key: { access, secret: 'nope' } });
    assert.equal(wrong.status, 403);
    assert.equal(code(wrong), 'SignatureDoesNotMatch');
    assert.match(tag(wrong.text, 'StringToSign')[0]!, /^AWS4-HMAC-SHA256\n/);
    const unknown = await s3('GET', '/', { key: { access: 'AKNOSUCH', secret } });
    assert.equal(code(unknown), 'InvalidAccessKeyId');
    const anonymous = await send('GET', '/', {});
    assert.equal(anonymous.status, 403);
    assert.equal(code(anonymous), 'AccessDenied');
    const skewed = await s3('GET', '/', { date: new Date(Date.now() - 3600_000) });
    assert.equal(code(skewed), 'RequestTimeTooSkewed');
  });

  test('SigV2 in the header', async () => {
    const date = new Date().toUTCString();
    const signature = createHmac('sha1', secret).update(`GET\n\n\n${date}\n/`).digest('base64');
    const r = await send('GET', '/', { date, authorization: `AWS ${access}:${signature}` });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<ListAllMyBucketsResult/);
  });
});

describe('buckets and objects', () => {
  test('bucket life: create, list, head, location, versioning, acl, refusals', async () => {
    assert.equal((await s3('PUT', '/photos')).status, 200);
    assert.equal(code(await s3('PUT', '/photos')), 'BucketAlreadyOwnedByYou');
    assert.equal(code(await s3('PUT', '/Bad_Name')), 'InvalidBucketName');
    const list = await s3('GET', '/');
    assert.deepEqual(tag(list.text, 'Name'), ['photos']);
    assert.equal(tag(list.text, 'ID')[0], projectId);
    assert.equal((await s3('HEAD', '/photos')).status, 200);
    assert.equal((await s3('HEAD', '/nosuchbucket')).status, 404);
    assert.equal(code(await s3('GET', '/nosuchbucket')), 'NoSuchBucket');
    assert.match((await s3('GET', '/photos', { query: { location: '' } })).text, /<LocationConstraint xmlns="[^"]+"\/>/);
    assert.match((await s3('GET', '/photos', { query: { versioning: '' } })).text, /<VersioningConfiguration xmlns="[^"]+"\/>/);
    assert.deepEqual(tag((await s3('GET', '/photos', { query: { acl: '' } })).text, 'Permission'), ['FULL_CONTROL']);
    assert.equal((await s3('GET', '/photos', { query: { lifecycle: '' } })).status, 501);
    // a public-read bucket is a container everybody may read (keystoneauth's .r:*)
    assert.equal((await s3('PUT', '/public', { headers: { 'x-amz-acl': 'public-read' } })).status, 200);
    assert.match((await s3('GET', '/public', { query: { acl: '' } })).text, /AllUsers<\/URI><\/Grantee><Permission>READ/);
    await s3('PUT', '/public/open.txt', { body: 'open' });
    const anon = await request(`${cloud.url}/object/v1/AUTH_${projectId}/public/open.txt`);
    assert.equal(await anon.body.text(), 'open');
    assert.equal(code(await s3('PUT', '/other', { headers: { 'x-amz-acl': 'public-read-write' } })), 'NotImplemented');
    // the bucket is the project's Swift container
    const swift = await request(`${cloud.url}/object/v1/AUTH_${projectId}/photos`, { method: 'HEAD', headers: { 'x-auth-token': token } });
    await swift.body.dump();
    assert.equal(swift.statusCode, 204);
  });

  test('objects: metadata, Range, conditions, copy, delete', async () => {
    const put = await s3('PUT', '/photos/a dir/cat.txt', { body: 'meow meow', headers: { 'content-type': 'text/plain', 'x-amz-meta-color': 'grey' } });
    assert.equal(put.status, 200, put.text);
    const etag = `"${createHash('md5').update('meow meow').digest('hex')}"`;
    assert.equal(put.headers.etag, etag);
    const get = await s3('GET', '/photos/a dir/cat.txt');
    assert.equal(get.text, 'meow meow');
    assert.equal(get.headers['x-amz-meta-color'], 'grey');
    assert.equal(get.headers['content-type'], 'text/plain');
    assert.equal(get.headers.etag, etag);
    const range = await s3('GET', '/photos/a dir/cat.txt', { headers: { range: 'bytes=5-' } });
    assert.equal(range.status, 206);
    assert.equal(range.text, 'meow');
    assert.equal(code(await s3('GET', '/photos/a dir/cat.txt', { headers: { range: 'bytes=100-' } })), 'InvalidRange');
    assert.equal((await s3('GET', '/photos/a dir/cat.txt', { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal(code(await s3('GET', '/photos/a dir/cat.txt', { headers: { 'if-match': '"0000"' } })), 'PreconditionFailed');
    const head = await s3('HEAD', '/photos/a dir/cat.txt');
    assert.equal(head.headers['content-length'], '9');
    assert.equal(code(await s3('GET', '/photos/nope')), 'NoSuchKey');
    assert.equal(code(await s3('GET', '/nobucket/nope')), 'NoSuchBucket');

    const copy = await s3('PUT', '/photos/copy.txt', { headers: { 'x-amz-copy-source': '/photos/a%20dir/cat.txt' } });
    assert.equal(copy.status, 200, copy.text);
    assert.deepEqual(tag(copy.text, 'ETag'), [etag.replace(/"/g, '&quot;')]);
    assert.equal((await s3('GET', '/photos/copy.txt')).headers['x-amz-meta-color'], 'grey');
    const replaced = await s3('PUT', '/photos/copy.txt', { headers: { 'x-amz-copy-source': 'photos/copy.txt', 'x-amz-metadata-directive': 'REPLACE', 'x-amz-meta-size': 'small' } });
    assert.equal(replaced.status, 200, replaced.text);
    const after2 = await s3('HEAD', '/photos/copy.txt');
    assert.equal(after2.headers['x-amz-meta-size'], 'small');
    assert.equal(after2.headers['x-amz-meta-color'], undefined);
    assert.equal(code(await s3('PUT', '/photos/copy.txt', { headers: { 'x-amz-copy-source': 'photos/copy.txt' } })), 'InvalidRequest');
    assert.equal(code(await s3('PUT', '/photos/x', { headers: { 'x-amz-copy-source': 'photos/copy.txt', 'x-amz-copy-source-if-match': '"bad"' } })), 'PreconditionFailed');

    assert.equal((await s3('DELETE', '/photos/copy.txt')).status, 204);
    assert.equal((await s3('DELETE', '/photos/copy.txt')).status, 204, 'deleting a missing key is a success');
    assert.equal(code(await s3('GET', '/photos/copy.txt')), 'NoSuchKey');
  });

  test('a body that does not match its signed SHA-256 or Content-MD5 is not stored', async () => {
    const r = await s3('PUT', '/photos/tampered', { body: 'abc', payloadHash: sha256('abd') });
    assert.equal(r.status, 400);
    assert.equal(code(r), 'XAmzContentSHA256Mismatch');
    assert.equal(code(await s3('GET', '/photos/tampered')), 'NoSuchKey');
    const md5 = await s3('PUT', '/photos/tampered', { body: 'abc', headers: { 'content-md5': createHash('md5').update('abd').digest('base64') } });
    assert.equal(code(md5), 'BadDigest');
    assert.equal(code(await s3('GET', '/photos/tampered')), 'NoSuchKey');
  });

  test('an aws-chunked upload signed chunk by chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) is stored decoded; a tampered chunk is refused', async () => {
    const data = Buffer.alloc(70_000, 'z');
    const upload = async (key: string, tamper: boolean): Promise<Res> => {
      const req = signed('PUT', key, {
        payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length) },
      });
      let previous = req.signature;
      const frame = (chunk: Buffer): Buffer => {
        const sts = ['AWS4-HMAC-SHA256-PAYLOAD', req.date, req.scope, previous, sha256(''), sha256(chunk)].join('\n');
        previous = hmac(signingKeyOf(req.date), sts).toString('hex');
        const sent = tamper && chunk.length > 0 ? Buffer.from(chunk).fill('y', 0, 1) : chunk;
        return Buffer.concat([Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), sent, Buffer.from('\r\n')]);
      };
      const body = Buffer.concat([frame(data.subarray(0, 65536)), frame(data.subarray(65536)), frame(Buffer.alloc(0))]);
      return send('PUT', req.pathAndQuery, req.headers, body);
    };
    const r = await upload('/photos/chunked', false);
    assert.equal(r.status, 200, r.text);
    const back = await s3('GET', '/photos/chunked');
    assert.equal(back.body.length, data.length);
    assert.ok(back.body.equals(data));
    assert.equal(back.headers['content-encoding'], undefined);
    const bad = await upload('/photos/tampered-chunks', true);
    assert.equal(bad.status, 403, bad.text);
    assert.equal(code(bad), 'SignatureDoesNotMatch');
    assert.equal(code(await s3('GET', '/photos/tampered-chunks')), 'NoSuchKey');
  });

  test('a presigned GET, and one that expired', async () => {
    await s3('PUT', '/photos/shared.txt', { body: 'shared' });
    const presign = (expires: number, date: Date): string => {
      const d = amzDate(date);
      const scope = `${d.slice(0, 8)}/us-east-1/s3/aws4_request`;
      const q: Record<string, string> = {
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': `${access}/${scope}`, 'X-Amz-Date': d, 'X-Amz-Expires': String(expires), 'X-Amz-SignedHeaders': 'host',
      };
      const qs = Object.keys(q).sort().map((k) => `${enc(k)}=${enc(q[k]!)}`).join('&');
      const canonical = ['GET', '/photos/shared.txt', qs, `host:${s3url.host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
      const sts = ['AWS4-HMAC-SHA256', d, scope, sha256(canonical)].join('\n');
      const sig = hmac(hmac(hmac(hmac(hmac(`AWS4${secret}`, d.slice(0, 8)), 'us-east-1'), 's3'), 'aws4_request'), sts).toString('hex');
      return `/photos/shared.txt?${qs}&X-Amz-Signature=${sig}`;
    };
    const ok = await send('GET', presign(600, new Date()), { host: s3url.host });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.text, 'shared');
    const expired = await send('GET', presign(60, new Date(Date.now() - 120_000)), { host: s3url.host });
    assert.equal(expired.status, 403);
    assert.match(expired.text, /Request has expired/);
  });

  test('virtual-hosted style: the bucket named by the Host', async () => {
    const host = `photos.s3.nubo.test:${s3url.port}`;
    const r = await s3('GET', '/shared.txt', { host });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'shared');
    const listing = await s3('GET', '/', { host, query: { prefix: 'shared' } });
    assert.deepEqual(tag(listing.text, 'Key'), ['shared.txt']);
  });
});

describe('listings and multi-delete', () => {
  test('ListObjects v1 and v2: prefix, delimiter, marker, max-keys, continuation', async () => {
    assert.equal((await s3('PUT', '/docs')).status, 200);
    const keys = ['a/1', 'a/2', 'b/1', 'c', 'd', 'e+f'];
    for (const k of keys) assert.equal((await s3('PUT', `/docs/${k}`, { body: k })).status, 200);
    const grouped = await s3('GET', '/docs', { query: { delimiter: '/' } });
    assert.deepEqual(tag(grouped.text, 'CommonPrefixes'), ['<Prefix>a/</Prefix>', '<Prefix>b/</Prefix>']);
    assert.deepEqual(tag(grouped.text, 'Key'), ['c', 'd', 'e+f']);
    const page = await s3('GET', '/docs', { query: { delimiter: '/', 'max-keys': '2' } });
    assert.deepEqual(tag(page.text, 'IsTruncated'), ['true']);
    assert.deepEqual(tag(page.text, 'NextMarker'), ['b/']);
    const next = await s3('GET', '/docs', { query: { delimiter: '/', marker: 'b/' } });
    assert.deepEqual(tag(next.text, 'Key'), ['c', 'd', 'e+f']);
    assert.deepEqual(tag((await s3('GET', '/docs', { query: { prefix: 'a/' } })).text, 'Key'), ['a/1', 'a/2']);
    assert.equal(code(await s3('GET', '/docs', { query: { 'max-keys': 'x' } })), 'InvalidArgument');

    const seen: string[] = [];
    let tokenNext: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await s3('GET', '/docs', { query: { 'list-type': '2', 'max-keys': '4', ...(tokenNext ? { 'continuation-token': tokenNext } : {}) } });
      seen.push(...tag(r.text, 'Key'));
      assert.equal(Number(tag(r.text, 'KeyCount')[0]), tag(r.text, 'Key').length);
      tokenNext = tag(r.text, 'NextContinuationToken')[0];
      if (!tokenNext) break;
    }
    assert.deepEqual(seen, keys);
    const encoded = await s3('GET', '/docs', { query: { 'list-type': '2', 'encoding-type': 'url', prefix: 'e' } });
    assert.deepEqual(tag(encoded.text, 'Key'), ['e%2Bf']);
  });

  test('DeleteObjects, then DeleteBucket once empty', async () => {
    assert.equal(code(await s3('DELETE', '/docs')), 'BucketNotEmpty');
    const body = '<Delete><Object><Key>a/1</Key></Object><Object><Key>a/2</Key></Object><Object><Key>b/1</Key></Object><Object><Key>c</Key></Object>'
      + '<Object><Key>d</Key></Object><Object><Key>e+f</Key></Object><Object><Key>never-was</Key></Object></Delete>';
    const r = await s3('POST', '/docs', { query: { delete: '' }, body, headers: { 'content-md5': createHash('md5').update(body).digest('base64') } });
    assert.equal(r.status, 200, r.text);
    assert.equal(tag(r.text, 'Deleted').length, 7);
    assert.equal(code(await s3('POST', '/docs', { query: { delete: '' }, body: '<Delete><Object>' })), 'MalformedXML');
    await s3('PUT', '/docs/q1', { body: '1' });
    const quiet = await s3('POST', '/docs', { query: { delete: '' }, body: '<Delete><Quiet>true</Quiet><Object><Key>q1</Key></Object></Delete>' });
    assert.equal(quiet.status, 200);
    assert.equal(tag(quiet.text, 'Deleted').length, 0);
    assert.equal(code(await s3('GET', '/docs/q1')), 'NoSuchKey');
    assert.equal((await s3('DELETE', '/docs')).status, 204);
    assert.equal((await s3('HEAD', '/docs')).status, 404);
  });
});

describe('multipart uploads', () => {
  const MiB = 1024 * 1024;
  test('initiate, upload parts, list, complete: the object is the parts joined; segments are gone', async () => {
    await s3('PUT', '/big');
    const init = await s3('POST', '/big/movie.bin', { query: { uploads: '' }, headers: { 'content-type': 'video/mp4', 'x-amz-meta-title': 'film' } });
    assert.equal(init.status, 200, init.text);
    const uploadId = tag(init.text, 'UploadId')[0]!;
    const p1 = Buffer.alloc(5 * MiB, 1);
    const p2 = Buffer.from('the end');
    const e1 = await s3('PUT', '/big/movie.bin', { query: { partNumber: '1', uploadId }, body: p1 });
    const e2 = await s3('PUT', '/big/movie.bin', { query: { partNumber: '2', uploadId }, body: p2 });
    assert.equal(e1.status, 200, e1.text);
    assert.equal(e1.headers.etag, `"${createHash('md5').update(p1).digest('hex')}"`);
    assert.equal(code(await s3('PUT', '/big/movie.bin', { query: { partNumber: '0', uploadId }, body: 'x' })), 'InvalidArgument');
    assert.equal(code(await s3('PUT', '/big/movie.bin', { query: { partNumber: '1', uploadId: 'nosuchupload' }, body: 'x' })), 'NoSuchUpload');
    const uploads = await s3('GET', '/big', { query: { uploads: '' } });
    assert.deepEqual(tag(uploads.text, 'UploadId'), [uploadId]);
    const parts = await s3('GET', '/big/movie.bin', { query: { uploadId } });
    assert.deepEqual(tag(parts.text, 'PartNumber'), ['1', '2']);
    assert.deepEqual(tag(parts.text, 'Size'), [String(p1.length), String(p2.length)]);
    const xml = (list: Array<[number, string]>) => `<CompleteMultipartUpload>${list.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    assert.equal(code(await s3('POST', '/big/movie.bin', { query: { uploadId }, body: xml([[2, e2.headers.etag!], [1, e1.headers.etag!]]) })), 'InvalidPartOrder');
    assert.equal(code(await s3('POST', '/big/movie.bin', { query: { uploadId }, body: xml([[1, '"0000"'], [2, e2.headers.etag!]]) })), 'InvalidPart');
    const done = await s3('POST', '/big/movie.bin', { query: { uploadId }, body: xml([[1, e1.headers.etag!], [2, e2.headers.etag!]]) });
    assert.equal(done.status, 200, done.text);
    const whole = Buffer.concat([p1, p2]);
    const got = await s3('GET', '/big/movie.bin');
    assert.ok(got.body.equals(whole));
    assert.equal(got.headers['content-type'], 'video/mp4');
    assert.equal(got.headers['x-amz-meta-title'], 'film');
    assert.equal(tag(done.text, 'ETag')[0], `&quot;${createHash('md5').update(whole).digest('hex')}&quot;`);
    const tail = await s3('GET', '/big/movie.bin', { headers: { range: `bytes=${whole.length - 3}-` } });
    assert.equal(tail.text, 'end');
    assert.equal(tag((await s3('GET', '/big', { query: { uploads: '' } })).text, 'UploadId').length, 0);
    assert.equal(code(await s3('GET', '/big/movie.bin', { query: { uploadId } })), 'NoSuchUpload');
    const segments = await request(`${cloud.url}/object/v1/AUTH_${projectId}/big+segments?format=json`, { headers: { 'x-auth-token': token } });
    assert.deepEqual(await segments.body.json(), []);
  });

  test('UploadPartCopy: a byte range of another object as a part', async () => {
    await s3('PUT', '/big/source.txt', { body: '0123456789' });
    const uploadId = tag((await s3('POST', '/big/assembled.txt', { query: { uploads: '' } })).text, 'UploadId')[0]!;
    const part = await s3('PUT', '/big/assembled.txt', { query: { partNumber: '1', uploadId }, headers: { 'x-amz-copy-source': '/big/source.txt', 'x-amz-copy-source-range': 'bytes=2-5' } });
    assert.equal(part.status, 200, part.text);
    const etag = tag(part.text, 'ETag')[0]!.replace(/&quot;/g, '"');
    assert.equal(etag, `"${createHash('md5').update('2345').digest('hex')}"`);
    assert.equal(code(await s3('PUT', '/big/assembled.txt', { query: { partNumber: '2', uploadId }, headers: { 'x-amz-copy-source': '/big/source.txt', 'x-amz-copy-source-range': 'bytes=5-99' } })), 'InvalidArgument');
    const done = await s3('POST', '/big/assembled.txt', { query: { uploadId }, body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>` });
    assert.equal(done.status, 200, done.text);
    assert.equal((await s3('GET', '/big/assembled.txt')).text, '2345');
  });

  test('a small part that is not the last is EntityTooSmall; abort removes the upload', async () => {
    const init = await s3('POST', '/big/small.bin', { query: { uploads: '' } });
    const uploadId = tag(init.text, 'UploadId')[0]!;
    const e1 = (await s3('PUT', '/big/small.bin', { query: { partNumber: '1', uploadId }, body: 'tiny' })).headers.etag!;
    const e2 = (await s3('PUT', '/big/small.bin', { query: { partNumber: '2', uploadId }, body: 'tiny' })).headers.etag!;
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>${e2}</ETag></Part></CompleteMultipartUpload>`;
    assert.equal(code(await s3('POST', '/big/small.bin', { query: { uploadId }, body })), 'EntityTooSmall');
    assert.equal((await s3('DELETE', '/big/small.bin', { query: { uploadId } })).status, 204);
    assert.equal(code(await s3('DELETE', '/big/small.bin', { query: { uploadId } })), 'NoSuchUpload');
    assert.equal(code(await s3('GET', '/big/small.bin')), 'NoSuchKey');
  });
});

describe('bucket versioning (object_versioning underneath)', () => {
  test('PutBucketVersioning, versions by versionId, ListObjectVersions, delete markers, copies of a version', async () => {
    assert.equal((await s3('PUT', '/vers')).status, 200);
    assert.doesNotMatch((await s3('GET', '/vers', { query: { versioning: '' } })).text, /<Status>/);
    assert.equal(code(await s3('GET', '/vers/k', { query: { versionId: '1700000000.00000' } })), 'NoSuchVersion', 'never versioned');
    assert.equal(code(await s3('PUT', '/vers', { query: { versioning: '' }, body: '<VersioningConfiguration><Status>Maybe</Status></VersioningConfiguration>' })), 'MalformedXML');
    const enable = await s3('PUT', '/vers', { query: { versioning: '' }, body: '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>' });
    assert.equal(enable.status, 200, enable.text);
    assert.deepEqual(tag((await s3('GET', '/vers', { query: { versioning: '' } })).text, 'Status'), ['Enabled']);

    const v1 = (await s3('PUT', '/vers/k', { body: 'one' })).headers['x-amz-version-id']!;
    const v2 = (await s3('PUT', '/vers/k', { body: 'two!' })).headers['x-amz-version-id']!;
    assert.ok(v1 && v2 > v1);
    let r = await s3('GET', '/vers/k', { query: { versionId: v1 } });
    assert.equal(r.text, 'one');
    assert.equal(r.headers['x-amz-version-id'], v1);
    r = await s3('GET', '/vers/k');
    assert.equal(r.text, 'two!');
    assert.equal(r.headers['x-amz-version-id'], v2);
    assert.equal(code(await s3('GET', '/vers/k', { query: { versionId: 'bogus' } })), 'InvalidArgument');
    assert.equal(code(await s3('GET', '/vers/k', { query: { versionId: '1700000000.00000' } })), 'NoSuchVersion');

    r = await s3('DELETE', '/vers/k');
    assert.equal(r.status, 204);
    assert.equal(r.headers['x-amz-delete-marker'], 'true');
    const marker = r.headers['x-amz-version-id']!;
    assert.equal(code(await s3('GET', '/vers/k')), 'NoSuchKey');
    r = await s3('GET', '/vers', { query: { versions: '' } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /^<\?xml[^>]*>\s*<ListVersionsResult/);
    assert.deepEqual(tag(r.text, 'VersionId'), [marker, v2, v1]);
    assert.deepEqual(tag(r.text, 'IsLatest'), ['true', 'false', 'false']);
    assert.equal(tag(r.text, 'DeleteMarker').length, 1);
    assert.equal(tag(r.text, 'Version').length, 2);
    assert.deepEqual(tag(r.text, 'Size'), ['4', '3']);
    r = await s3('GET', '/vers', { query: { versions: '', 'max-keys': '1' } });
    assert.deepEqual([tag(r.text, 'IsTruncated')[0], tag(r.text, 'NextKeyMarker')[0], tag(r.text, 'NextVersionIdMarker')[0]], ['true', 'k', marker]);
    r = await s3('GET', '/vers', { query: { versions: '', 'key-marker': 'k', 'version-id-marker': marker } });
    assert.deepEqual(tag(r.text, 'VersionId'), [v2, v1]);
    assert.equal(code(await s3('GET', '/vers', { query: { versions: '', 'version-id-marker': marker } })), 'InvalidArgument');

    // deleting the delete marker brings the newest version back (s3api's restore on delete)
    r = await s3('DELETE', '/vers/k', { query: { versionId: marker } });
    assert.equal(r.status, 204);
    assert.equal(r.headers['x-amz-version-id'], marker);
    r = await s3('GET', '/vers/k');
    assert.equal(r.text, 'two!');
    assert.equal(r.headers['x-amz-version-id'], v2);

    // a copy of an older version
    r = await s3('PUT', '/vers/copy', { headers: { 'x-amz-copy-source': `/vers/k?versionId=${v1}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['x-amz-copy-source-version-id'], v1);
    assert.ok(r.headers['x-amz-version-id']);
    assert.equal((await s3('GET', '/vers/copy')).text, 'one');

    // suspended: the versions stay, the bucket empties only with them
    await s3('PUT', '/vers', { query: { versioning: '' }, body: '<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>' });
    assert.deepEqual(tag((await s3('GET', '/vers', { query: { versioning: '' } })).text, 'Status'), ['Suspended']);
    await s3('DELETE', '/vers/k');
    await s3('DELETE', '/vers/copy');
    assert.equal(code(await s3('DELETE', '/vers')), 'BucketNotEmpty');
    r = await s3('GET', '/vers', { query: { versions: '' } });
    const keys = tag(r.text, 'Key');
    const ids = tag(r.text, 'VersionId');
    for (let i = 0; i < keys.length; i++) assert.equal((await s3('DELETE', `/vers/${keys[i]}`, { query: { versionId: ids[i]! } })).status, 204);
    assert.equal((await s3('DELETE', '/vers')).status, 204);
  });
});
