/**
 * The PUT fan-out's backpressure and quorum, against three stand-in object nodes: a slow node
 * holds the client's body back (the proxy reads no further ahead than the slowest node takes),
 * a node refusing before a large body (409) gets none of it, a small body is sent whole with
 * its headers and a node that is down is replaced by a handoff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RingNode } from '../ring/ring.js';
import { putToReplicas, SMALL_BODY } from './put-stream.js';

const log = { warn: () => undefined, debug: () => undefined };
const timeouts = { connMs: 500, nodeMs: 5000 };

async function node(onPut: (req: IncomingMessage, res: ServerResponse) => void, refuse?: number): Promise<{ server: Server; node: RingNode }> {
  const refused = (res: ServerResponse): void => {
    res.writeHead(refuse!, { 'Content-Length': 0 });
    res.end();
  };
  // as the object server: a refusal before the body when asked to continue, else without reading it
  const server = createServer((req, res) => (refuse ? refused(res) : onPut(req, res)));
  server.on('checkContinue', (req, res) => {
    if (refuse) return refused(res);
    res.writeContinue();
    onPut(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, node: { id: port, region: 1, zone: 1, ip: '127.0.0.1', port, replication_ip: '127.0.0.1', replication_port: port, device: 'd', weight: 1, meta: '', index: 0, handoff: false } };
}

function drainTo(counter: { n: number }, delayEveryMiB = 0) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      let sinceDelay = 0;
      for await (const c of req) {
        counter.n += (c as Buffer).length;
        sinceDelay += (c as Buffer).length;
        if (delayEveryMiB && sinceDelay >= delayEveryMiB * 1048576) {
          sinceDelay = 0;
          await sleep(200);
        }
      }
      res.writeHead(201, { ETag: 'e', 'Content-Length': 0 });
      res.end();
    })().catch(() => res.destroy()); // the proxy aborted the upload
  };
}

test('the slowest node sets the pace: the source is read only as fast as every node takes it', async () => {
  const fast1 = { n: 0 };
  const fast2 = { n: 0 };
  const slow = { n: 0 };
  const nodes = await Promise.all([node(drainTo(fast1)), node(drainTo(fast2)), node(drainTo(slow, 1))]);
  const size = 16 * 1048576;
  let pulled = 0;
  const source = new Readable({
    highWaterMark: 65536,
    read() {
      if (pulled >= size) return this.push(null);
      pulled += 65536;
      this.push(Buffer.alloc(65536, 1));
    },
  });
  try {
    const done = putToReplicas(nodes.map((n) => n.node), [][Symbol.iterator](), '/0/a/c/o', () => ({ 'Content-Length': String(size) }), source, size, timeouts, log);
    await sleep(700);
    // the slow node took about 3-4 MiB in 700 ms; the proxy may be a few socket buffers ahead of it, no more
    assert.ok(pulled - slow.n < 8 * 1048576, `pulled ${pulled >> 20} MiB while the slow node had ${slow.n >> 20} MiB`);
    assert.ok(pulled < 12 * 1048576, `pulled ${pulled >> 20} MiB of 16 after 700 ms`);
    const out = await done;
    assert.deepEqual(out.statuses, [201, 201, 201]);
    assert.equal(slow.n, size);
  } finally {
    for (const n of nodes) n.server.close();
  }
});

test('a large body: refusals before the body count as answers and get none of it', async () => {
  const got = { n: 0 };
  const ok1 = await node(drainTo(got));
  const ok2 = await node(drainTo(got));
  const conflict = await node(drainTo(got), 409);
  const size = SMALL_BODY + 1;
  try {
    const out = await putToReplicas([ok1.node, conflict.node, ok2.node], [][Symbol.iterator](), '/0/a/c/o', () => ({ 'Content-Length': String(size) }),
      Readable.from([Buffer.alloc(size, 1)]), size, timeouts, log);
    assert.deepEqual(out.statuses.sort(), [201, 201, 409]);
    assert.equal(out.connected, 2, 'two connections took the body');
    assert.equal(got.n, 2 * size, 'the refusing node got no byte');
  } finally {
    for (const n of [ok1, ok2, conflict]) n.server.close();
  }
});

test('a small body, sent whole: refusals count as answers; a node that is down is replaced by a handoff', async () => {
  const got = { n: 0 };
  const ok1 = await node(drainTo(got));
  const conflict = await node(drainTo(got), 409);
  const handoff = await node(drainTo(got));
  const down = { ...ok1.node, port: 1, id: 99 };
  try {
    const out = await putToReplicas([ok1.node, conflict.node, down], [handoff.node][Symbol.iterator](), '/0/a/c/o', () => ({ 'Content-Length': '5' }),
      Readable.from([Buffer.from('hello')]), 5, timeouts, log);
    assert.deepEqual(out.statuses.sort(), [201, 201, 409]);
    assert.equal(out.connected, 2);
    assert.equal(got.n, 10, 'two nodes received the body');

    const short = await putToReplicas([ok1.node, handoff.node], [][Symbol.iterator](), '/0/a/c/o', () => ({ 'Content-Length': '10' }),
      Readable.from([Buffer.from('hello')]), 10, timeouts, log);
    assert.equal(short.clientDisconnected, true, 'less than announced is a client disconnect');
  } finally {
    for (const n of [ok1, conflict, handoff]) n.server.close();
  }
});

test('nodes failing in the middle of the body are a 503, not the client\'s fault', async () => {
  const got = { n: 0 };
  const dying = (req: IncomingMessage, res: ServerResponse): void => {
    req.once('data', () => res.destroy());
  };
  const a = await node(dying);
  const b = await node(dying);
  const c = await node(drainTo(got));
  try {
    async function* body(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 64; i++) {
        yield Buffer.alloc(64 * 1024, i);
        await sleep(5);
      }
    }
    const out = await putToReplicas([a.node, b.node, c.node], [][Symbol.iterator](), '/0/a/c/o', () => ({ 'Content-Length': String(64 * 64 * 1024) }),
      Readable.from(body()), 64 * 64 * 1024, timeouts, log);
    assert.equal(out.clientDisconnected, false);
    assert.ok(out.statuses.every((s) => s === 503), String(out.statuses));
  } finally {
    for (const n of [a, b, c]) n.server.close();
  }
});
