// The WebSocket server side against an independent client (undici's WebSocket) and against
// hand-made frames: handshake and subprotocol, binary and text messages both ways, large and
// fragmented messages, ping, the close handshake, unmasked frames and bad handshakes refused.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocket as ClientSocket } from 'undici';
import { until } from '../testing/until.js';
import { acceptKey, CloseCode, encodeFrame, refuseUpgrade, upgradeToWebSocket, WebSocketHandshakeError, type WebSocket } from './websocket.js';

let server: Server;
let port = 0;
const opened: WebSocket[] = [];

before(async () => {
  server = createServer((_req, res) => res.end('plain'));
  server.on('upgrade', (req, socket, head) => {
    try {
      const ws = upgradeToWebSocket(req, socket, head, { protocols: ['binary'], maxMessageBytes: 1 << 20 });
      opened.push(ws);
      // an echo server: every message back, as it came (binary or text)
      ws.on('message', (data: Buffer, binary: boolean) => ws.send(binary ? data : data.toString('utf8'), binary));
    } catch (err) {
      if (!(err instanceof WebSocketHandshakeError)) throw err;
      refuseUpgrade(socket, err.status, err.message);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }));

function open(protocols?: string[]): Promise<ClientSocket> {
  const ws = new ClientSocket(`ws://127.0.0.1:${port}/x`, protocols);
  ws.binaryType = 'arraybuffer';
  return new Promise((ok, fail) => {
    ws.addEventListener('open', () => ok(ws));
    ws.addEventListener('error', (e) => fail(new Error(`websocket error: ${String((e as { message?: string }).message)}`)));
  });
}

function next(ws: ClientSocket): Promise<string | Buffer> {
  return new Promise((ok) => ws.addEventListener('message', (e) => ok(typeof e.data === 'string' ? e.data : Buffer.from(e.data as ArrayBuffer)), { once: true }));
}

test('the accept key of RFC 6455\'s example', () => {
  assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('binary and text messages both ways, the subprotocol chosen, small and large', async () => {
  const before = opened.length;
  const ws = await open(['base64', 'binary']);
  await until(() => opened.length > before, 'the server saw the connection');
  const serverSide = opened[opened.length - 1]!;
  const serverClosed = once(serverSide, 'close');
  assert.equal(ws.protocol, 'binary');
  ws.send(new Uint8Array([0, 1, 2, 255]));
  assert.deepEqual(await next(ws), Buffer.from([0, 1, 2, 255]));
  ws.send('héllo');
  assert.equal(await next(ws), 'héllo');
  const big = Buffer.alloc(200_000, 7); // a 64-bit length
  ws.send(big);
  assert.deepEqual(await next(ws), big);
  const mid = Buffer.alloc(1000, 3); // a 16-bit length
  ws.send(mid);
  assert.deepEqual(await next(ws), mid);
  const closed = once(ws, 'close');
  ws.close(1000, 'bye');
  const [event] = await closed as [{ code: number; reason: string }];
  assert.equal(event.code, 1000, 'the server answered the close');
  assert.deepEqual(await serverClosed, [1000, 'bye'], 'the server heard the client\'s code and reason');
});

test('no subprotocol when the client offers none the server speaks', async () => {
  const ws = await open();
  assert.equal(ws.protocol, '');
  ws.close();
});

test('the server closes: the client sees the code and reason', async () => {
  const before = opened.length;
  const ws = await open();
  await until(() => opened.length > before, 'the server saw the connection');
  const closed = once(ws, 'close');
  opened[opened.length - 1]!.close(CloseCode.POLICY_VIOLATION, 'token expired');
  const [event] = await closed as [{ code: number; reason: string }];
  assert.equal(event.code, 1008);
  assert.equal(event.reason, 'token expired');
});

/** A raw client: the handshake by hand, then frames as written. */
async function raw(): Promise<{ sock: Socket; read(n: number): Promise<Buffer> }> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let buf = Buffer.alloc(0);
  sock.on('data', (c: Buffer) => { buf = Buffer.concat([buf, c]); });
  await until(() => buf.includes('\r\n\r\n'), 'the handshake answer');
  assert.match(buf.toString('latin1'), /^HTTP\/1.1 101 [^]*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4);
  return {
    sock,
    async read(n: number) {
      await until(() => buf.length >= n, `${n} bytes from the server`);
      const out = buf.subarray(0, n);
      buf = buf.subarray(n);
      return out;
    },
  };
}

function masked(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const frame = encodeFrame(opcode, Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!)), fin);
  const headerLen = frame.length - payload.length;
  frame[1]! |= 0x80;
  return Buffer.concat([frame.subarray(0, headerLen), mask, frame.subarray(headerLen)]);
}

test('fragments are joined into one message, a ping is answered between them', async () => {
  const c = await raw();
  c.sock.write(Buffer.concat([masked(2, Buffer.from('ab'), false), masked(9, Buffer.from('p')), masked(0, Buffer.from('cd'))]));
  assert.deepEqual(await c.read(3), Buffer.from([0x8a, 1, 0x70]), 'pong with the ping\'s data');
  assert.deepEqual(await c.read(6), Buffer.concat([Buffer.from([0x82, 4]), Buffer.from('abcd')]));
  c.sock.destroy();
});

test('an unmasked client frame closes the connection with 1002', async () => {
  const c = await raw();
  c.sock.write(encodeFrame(2, Buffer.from('x')));
  const frame = await c.read(4);
  assert.equal(frame[0], 0x88);
  assert.equal(frame.readUInt16BE(2), CloseCode.PROTOCOL_ERROR);
  c.sock.destroy();
});

test('a text message that is not UTF-8 closes with 1007; a message over the limit with 1009', async () => {
  const c = await raw();
  c.sock.write(masked(1, Buffer.from([0xc3, 0x28])));
  assert.equal((await c.read(4)).readUInt16BE(2), CloseCode.INVALID_DATA);
  c.sock.destroy();
  const d = await raw();
  d.sock.write(masked(2, Buffer.alloc((1 << 20) + 1)));
  assert.equal((await d.read(4)).readUInt16BE(2), CloseCode.TOO_BIG);
  d.sock.destroy();
});

test('a request that is not a version 13 handshake is refused with an HTTP status', async () => {
  for (const [headers, status] of [
    ['Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13', 400],
    ['Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8', 426],
  ] as const) {
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    sock.write(`GET / HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n`);
    let text = '';
    sock.on('data', (c: Buffer) => { text += c.toString('latin1'); });
    await once(sock, 'end');
    assert.match(text, new RegExp(`^HTTP/1.1 ${status} `));
    sock.destroy();
  }
});
