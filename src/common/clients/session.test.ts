/**
 * ServiceSession against a stand-in cloud on loopback: 64 MiB streamed both ways with bounded
 * memory (the producer never gets far ahead of a slow consumer), error mapping, the caller
 * stopping a stream, and keystoneauth's re-login on 401 (JSON bodies only).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ServiceUnavailable } from '../errors.js';
import { runInScope } from '../log/request-scope.js';
import { until } from '../testing/until.js';
import { ServiceClientError, type ServiceSession } from './session.js';
import { readText, sendJson, StubCloud } from './testing/stub-cloud.js';

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
const CHUNK = 64 * 1024;
/**
 * How far a producer may run ahead of the consumer: the kernel's loopback socket buffers (a few
 * MiB, autotuned) and the streams' high-water marks. Without backpressure it is over 50 MiB.
 */
const MAX_LAG = 24 * MiB;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Take about 1 ms per 64 KiB handled (≈ 64 MB/s): far slower than loopback. */
const slowly = (bytes: number) => sleep(Math.max(1, Math.round(bytes / CHUNK)));

/** A chunk whose bytes depend on its index, so a reordering or loss changes the hash. */
function chunkAt(i: number): Buffer {
  const b = Buffer.allocUnsafe(CHUNK);
  b.fill(i % 251);
  b.writeUInt32BE(i, 0);
  return b;
}

function expectedHash(): string {
  const h = createHash('sha256');
  for (let i = 0; i < TOTAL / CHUNK; i++) h.update(chunkAt(i));
  return h.digest('hex');
}

let cloud: StubCloud;
let session: ServiceSession;
before(async () => {
  cloud = await StubCloud.start(['image', 'object-store', 'unreachable']);
  cloud.endpoints.set('unreachable', 'http://127.0.0.1:9/x'); // nobody listens on the discard port
  session = cloud.session();
});
after(() => cloud.close());

describe('streaming through the session', () => {
  test('a 64 MiB upload is read from the caller as the server takes it', async () => {
    let produced = 0;
    let received = 0;
    let maxLag = 0;
    const serverHash = createHash('sha256');
    cloud.route('PUT', '/image/v2/images/i1/file', async (req, res) => {
      for await (const chunk of req) {
        serverHash.update(chunk as Buffer);
        received += (chunk as Buffer).length;
        await slowly((chunk as Buffer).length); // a slow store
      }
      res.writeHead(204);
      res.end();
    });
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < TOTAL / CHUNK; i++) {
        maxLag = Math.max(maxLag, produced - received);
        produced += CHUNK;
        yield chunkAt(i);
      }
    }
    const res = await session.request('image', 'PUT', '/v2/images/i1/file', { data: source() });
    assert.equal(res.status, 204);
    assert.equal(received, TOTAL);
    assert.equal(serverHash.digest('hex'), expectedHash());
    assert.ok(maxLag < MAX_LAG, `the producer ran ${Math.round(maxLag / MiB)} MiB ahead of the server`);
    const put = cloud.requests('/image/v2/images/i1/file').at(-1)!;
    assert.equal(put.headers['content-type'], 'application/octet-stream');
    assert.equal(put.headers['transfer-encoding'], 'chunked', 'sent as it was read, not buffered to learn its length');
  });

  test('a 64 MiB download is returned as a stream read only as fast as the caller consumes it', async () => {
    let sent = 0;
    let consumed = 0;
    let maxLag = 0;
    cloud.route('GET', '/image/v2/images/i1/file', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(TOTAL) });
      for (let i = 0; i < TOTAL / CHUNK; i++) {
        sent += CHUNK;
        if (!res.write(chunkAt(i))) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
    const res = await session.request('image', 'GET', '/v2/images/i1/file', { stream: true });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(TOTAL));
    const hash = createHash('sha256');
    for await (const chunk of res.body) {
      maxLag = Math.max(maxLag, sent - consumed); // sent but not yet handed to the consumer
      hash.update(chunk as Buffer);
      consumed += (chunk as Buffer).length;
      await slowly((chunk as Buffer).length); // a slow consumer
    }
    assert.equal(consumed, TOTAL);
    assert.equal(hash.digest('hex'), expectedHash());
    assert.ok(maxLag < MAX_LAG, `the server ran ${Math.round(maxLag / MiB)} MiB ahead of the consumer`);
  });

  test('a caller that stops reading closes the response', async () => {
    let closed = false;
    let sent = 0;
    cloud.route('GET', '/object-store/c/endless', async (_req, res) => {
      res.on('close', () => { closed = true; });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      while (!closed) {
        sent += CHUNK;
        if (!res.write(chunkAt(0))) {
          await new Promise<void>((resolve) => {
            const done = (): void => { res.off('drain', done); res.off('close', done); resolve(); };
            res.on('drain', done);
            res.on('close', done);
          });
        }
      }
    });
    const res = await session.request('object-store', 'GET', '/c/endless', { stream: true });
    for await (const _chunk of res.body) break; // destroys the body
    await until(() => closed, 'the server to see the connection close');
    assert.ok(sent < MAX_LAG, 'the server never sent much');
  });

  test('dump() discards a streamed body', async () => {
    cloud.route('GET', '/object-store/c/small', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    const res = await session.request('object-store', 'GET', '/c/small', { stream: true });
    await res.dump();
    assert.ok(res.body.destroyed);
    const again = await session.request('object-store', 'GET', '/c/small', { stream: true });
    assert.equal(await readText(again.body), 'hello');
  });

  test('streamed requests carry the flow request id, and act for a user with X-Service-Token', async () => {
    cloud.route('PUT', '/object-store/c/o', async (req, res) => {
      for await (const _ of req);
      res.writeHead(201, { etag: 'x' });
      res.end();
    });
    const flow = 'req-11111111-2222-3333-4444-555555555555';
    await runInScope({ requestId: 'req-00000000-0000-0000-0000-000000000000', globalRequestId: flow }, () =>
      session.request('object-store', 'PUT', '/c/o', { data: Readable.from([Buffer.from('abc')]), userToken: 'user-tok', stream: true }).then((r) => r.dump()));
    const put = cloud.requests('/object-store/c/o').at(-1)!;
    assert.equal(put.headers['x-openstack-request-id'], flow);
    assert.equal(put.headers['x-auth-token'], 'user-tok');
    assert.match(String(put.headers['x-service-token']), /^svc-token-/);
  });
});

describe('errors', () => {
  test('a non-2xx streamed answer is read (bounded) and thrown as ServiceClientError', async () => {
    cloud.route('GET', '/image/v2/images/gone/file', (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('x'.repeat(4 * MiB));
    });
    const err = await session.request('image', 'GET', '/v2/images/gone/file', { stream: true }).then(() => assert.fail('expected an error'), (e: unknown) => e);
    assert.ok(err instanceof ServiceClientError);
    assert.equal(err.status, 404);
    assert.equal(err.serviceType, 'image');
    assert.ok(err.responseBody.length <= 64 * 1024, `read ${err.responseBody.length} bytes of the error body`);
  });

  test('a non-2xx JSON answer is thrown as ServiceClientError unless accepted', async () => {
    cloud.route('GET', '/image/v2/images/conflict', (_req, res) => sendJson(res, 409, { message: 'busy' }));
    await assert.rejects(session.request('image', 'GET', '/v2/images/conflict'), (e: unknown) => e instanceof ServiceClientError && e.status === 409 && /busy/.test(e.responseBody));
    const res = await session.request<{ message: string }>('image', 'GET', '/v2/images/conflict', { accept: [409] });
    assert.equal(res.body.message, 'busy');
  });

  test('an unreachable service is ServiceUnavailable, streamed or not', async () => {
    await assert.rejects(session.request('unreachable', 'GET', '/y'), ServiceUnavailable);
    await assert.rejects(session.request('unreachable', 'GET', '/y', { stream: true }), ServiceUnavailable);
    await assert.rejects(session.request('unreachable', 'PUT', '/y', { data: Readable.from([Buffer.from('a')]) }), ServiceUnavailable);
    await assert.rejects(session.request('compute', 'GET', '/servers'), (e: unknown) => e instanceof ServiceUnavailable && /no public endpoint for service type compute/.test(e.message));
  });

  test('a connection lost while the caller reads the stream is ServiceUnavailable', async () => {
    cloud.route('GET', '/image/v2/images/cut/file', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(10 * MiB) });
      res.write(chunkAt(1), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const res = await session.request('image', 'GET', '/v2/images/cut/file', { stream: true });
    await assert.rejects(async () => {
      for await (const _chunk of res.body);
    }, ServiceUnavailable);
  });

  test('a connection lost during an upload is ServiceUnavailable and destroys the caller\'s stream', async () => {
    cloud.route('PUT', '/image/v2/images/lost/file', (req) => {
      req.once('data', () => req.socket.destroy());
    });
    let i = 0;
    const source = new Readable({
      read() {
        this.push(chunkAt(i++));
      },
    });
    await assert.rejects(session.request('image', 'PUT', '/v2/images/lost/file', { data: source }), ServiceUnavailable);
    await until(() => source.destroyed, 'the source to be destroyed');
    assert.ok(i * CHUNK < MAX_LAG, 'and not read on');
  });

  test('a caller aborting a download gets its abort, and the response is closed', async () => {
    let closed = false;
    cloud.route('GET', '/image/v2/images/slow/file', (_req, res) => {
      res.on('close', () => { closed = true; });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(chunkAt(0));
    });
    const ac = new AbortController();
    const res = await session.request('image', 'GET', '/v2/images/slow/file', { stream: true, signal: ac.signal });
    const reading = (async () => {
      for await (const _chunk of res.body) ac.abort();
    })();
    await assert.rejects(reading, (e: unknown) => !(e instanceof ServiceUnavailable) && (e as Error).name === 'AbortError');
    await until(() => closed, 'the server to see the connection close');
  });

  test('a failing upload source rejects with its own error and the upload stops', async () => {
    let got = 0;
    cloud.route('PUT', '/image/v2/images/bad/file', async (req, res) => {
      req.on('data', (c: Buffer) => { got += c.length; });
      req.on('error', () => undefined);
      req.on('end', () => { res.writeHead(204); res.end(); });
    });
    const boom = new Error('disk read failed');
    async function* source(): AsyncGenerator<Uint8Array> {
      yield chunkAt(0);
      await sleep(10);
      throw boom;
    }
    await assert.rejects(session.request('image', 'PUT', '/v2/images/bad/file', { data: source() }), (e: unknown) => e === boom);
    assert.ok(got <= CHUNK);
  });
});

describe('re-login on 401', () => {
  test('a JSON request whose service token was revoked logs in again and is sent once more', async () => {
    let bodies: unknown[] = [];
    cloud.route('POST', '/image/v2/echo', async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      sendJson(res, 200, { ok: true });
    });
    await session.request('image', 'POST', '/v2/echo', { body: { n: 0 } });
    const logins = cloud.logins;
    cloud.revokeServiceTokens();
    bodies = [];
    const res = await session.request<{ ok: boolean }>('image', 'POST', '/v2/echo', { body: { n: 1 } });
    assert.deepEqual(res.body, { ok: true });
    assert.equal(cloud.logins, logins + 1, 'logged in once more');
    assert.deepEqual(bodies, [{ n: 1 }], 'the server got the body once, from the retry');
    const attempts = cloud.requests('/image/v2/echo').slice(-2);
    assert.notEqual(attempts[0]!.headers['x-auth-token'], attempts[1]!.headers['x-auth-token']);
  });

  test('a streamed download is sent again after a 401 (its request has no body to replay)', async () => {
    cloud.route('GET', '/image/v2/images/again/file', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end('data');
    });
    cloud.revokeServiceTokens();
    const res = await session.request('image', 'GET', '/v2/images/again/file', { stream: true });
    assert.equal(await readText(res.body), 'data');
  });

  test('a streamed upload is not replayed: the 401 is thrown and the next request logs in again', async () => {
    cloud.route('PUT', '/image/v2/images/u401/file', async (req, res) => {
      for await (const _ of req);
      res.writeHead(204);
      res.end();
    });
    await session.request('image', 'PUT', '/v2/images/u401/file', { data: Buffer.from('warm-up') });
    cloud.revokeServiceTokens();
    const logins = cloud.logins;
    await assert.rejects(
      session.request('image', 'PUT', '/v2/images/u401/file', { data: Readable.from([Buffer.from('once')]) }),
      (e: unknown) => e instanceof ServiceClientError && e.status === 401,
    );
    assert.equal(cloud.logins, logins, 'no retry');
    const res = await session.request('image', 'PUT', '/v2/images/u401/file', { data: Readable.from([Buffer.from('next')]) });
    assert.equal(res.status, 204);
    assert.equal(cloud.logins, logins + 1, 'the next request logged in again');
  });

  test('bytes are replayable: a Buffer upload is sent again after a 401', async () => {
    cloud.revokeServiceTokens();
    const res = await session.request('image', 'PUT', '/v2/images/u401/file', { data: Buffer.from('bytes') });
    assert.equal(res.status, 204);
  });
});

test("an id of '.' or '..' never leaves the session: URL parsing would turn it into another resource", async () => {
  for (const path of ['/v2/images/..', '/v2/images/.', '/v2/images/%2E%2e?x=1', '/v2/images/../members']) {
    await assert.rejects(session.request('image', 'GET', path), (err: unknown) => err instanceof ServiceClientError && err.status === 404);
  }
});
