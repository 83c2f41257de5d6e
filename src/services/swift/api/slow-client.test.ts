/**
 * A client that pauses longer than node_timeout while it sends or reads a body is still served
 * (the storage nodes wait up to client_timeout), as Swift's proxy does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { startTestSwift } from '../testing/harness.js';

test('pauses longer than node_timeout in an upload and a download', { timeout: 60_000 }, async () => {
  const sw = await startTestSwift({ 'proxy_server.node_timeout': '1', 'proxy_server.client_timeout': '30' });
  try {
    const base = await sw.listen();
    const headers = { 'x-auth-token': 'slow:member' };
    assert.equal((await request(`${base}/v1/AUTH_slow/c`, { method: 'PUT', headers })).statusCode, 201);
    const chunk = Buffer.alloc(256 * 1024, 1);
    async function* slowly(): AsyncGenerator<Buffer> {
      yield chunk;
      await sleep(2500);
      yield chunk;
    }
    const put = await request(`${base}/v1/AUTH_slow/c/o`, { method: 'PUT', headers: { ...headers, 'content-length': String(chunk.length * 2) }, body: Readable.from(slowly()) });
    await put.body.dump();
    assert.equal(put.statusCode, 201);

    const big = Buffer.alloc(8 * 1024 * 1024, 2);
    const put2 = await request(`${base}/v1/AUTH_slow/c/big`, { method: 'PUT', headers: { ...headers, 'content-length': String(big.length) }, body: big });
    await put2.body.dump();
    assert.equal(put2.statusCode, 201);
    const get = await request(`${base}/v1/AUTH_slow/c/big`, { headers });
    let n = 0;
    let paused = false;
    for await (const c of get.body) {
      n += (c as Buffer).length;
      if (!paused && n > 1024 * 1024) {
        paused = true;
        await sleep(2500); // the proxy stops reading from its node meanwhile
      }
    }
    assert.equal(n, big.length);
  } finally {
    await sw.close();
  }
});
