/**
 * A GET whose node dies mid-body is finished from the next node, from the next byte on, and
 * only with the same object (If-Match); without a next node the client's stream errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RingNode } from '../ring/ring.js';
import { backendRequest } from '../utils/backend-client.js';
import { resumableBody } from './resume.js';

const BODY = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
const log = { warn: () => undefined, debug: () => undefined };
const timeouts = { connMs: 500, nodeMs: 2000 };
const seen: Array<Record<string, unknown>> = [];

async function serve(kind: 'dies' | 'good' | 'other-etag'): Promise<{ server: Server; node: RingNode }> {
  const server = createServer((req, res) => {
    seen.push({ kind, range: req.headers.range, ifMatch: req.headers['if-match'] });
    const etag = kind === 'other-etag' ? 'different' : 'etag-1';
    const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? ''));
    if (req.headers['if-match'] && req.headers['if-match'] !== etag) {
      res.writeHead(412, { 'Content-Length': 0 });
      return res.end();
    }
    if (m) {
      const part = BODY.subarray(Number(m[1]), Number(m[2]) + 1);
      res.writeHead(206, { 'Content-Length': part.length, 'Content-Range': `bytes ${m[1]}-${m[2]}/${BODY.length}`, ETag: etag });
      return res.end(part);
    }
    res.writeHead(200, { 'Content-Length': BODY.length, ETag: etag });
    if (kind === 'dies') {
      res.write(BODY.subarray(0, 10));
      setTimeout(() => res.destroy(), 50);
      return;
    }
    res.end(BODY);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, node: { id: port, region: 1, zone: 1, ip: '127.0.0.1', port, replication_ip: '127.0.0.1', replication_port: port, device: 'd', weight: 1, meta: '', index: 0, handoff: false } };
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of stream) out.push(c as Buffer);
  return Buffer.concat(out);
}

test('the rest of the body comes from the next node holding the same object', async () => {
  const dies = await serve('dies');
  const other = await serve('other-etag');
  const good = await serve('good');
  try {
    seen.length = 0;
    const first = await backendRequest(dies.node, 'GET', '/d/0/a/c/o', {}, undefined, timeouts);
    const body = resumableBody(first, [other.node, good.node][Symbol.iterator](), '/0/a/c/o', {}, timeouts, log);
    assert.deepEqual(await collect(body), BODY);
    assert.deepEqual(seen.slice(1), [
      { kind: 'other-etag', range: 'bytes=10-35', ifMatch: 'etag-1' },
      { kind: 'good', range: 'bytes=10-35', ifMatch: 'etag-1' },
    ]);

    const again = await backendRequest(dies.node, 'GET', '/d/0/a/c/o', {}, undefined, timeouts);
    const cut = resumableBody(again, [other.node][Symbol.iterator](), '/0/a/c/o', {}, timeouts, log);
    await assert.rejects(collect(cut));
  } finally {
    for (const s of [dies, other, good]) s.server.close();
  }
});
