/** For tests of the console proxies: the HTTP status a WebSocket upgrade request gets (101 when the console opens), a console's WebSocket. */
import { once } from 'node:events';
import { connect } from 'node:net';
import { WebSocket } from 'undici';
import { until } from '../../../common/testing/until.js';

/** A WebSocket to `url` with what it receives as text; rejects when it does not open. */
export function openConsole(url: string): Promise<{ ws: WebSocket; output: () => string }> {
  const ws = new WebSocket(url, ['binary']);
  ws.binaryType = 'arraybuffer';
  const chunks: Buffer[] = [];
  ws.addEventListener('message', (e) => chunks.push(Buffer.from(e.data as ArrayBuffer)));
  return new Promise((ok, fail) => {
    ws.addEventListener('open', () => ok({ ws, output: () => Buffer.concat(chunks).toString('latin1') }));
    ws.addEventListener('error', () => fail(new Error(`the console WebSocket ${url.replace(/token=[^&]*/, 'token=***')} did not open`)));
  });
}

export async function upgradeStatus(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
    + `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
  let text = '';
  sock.on('data', (c: Buffer) => { text += c.toString('latin1'); });
  sock.on('error', () => undefined);
  await until(() => text.includes('\r\n'), 'the proxy\'s answer');
  sock.destroy();
  return Number(/^HTTP\/1.1 (\d+)/.exec(text)?.[1]);
}
