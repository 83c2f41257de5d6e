/**
 * The console proxy (nova/console/websocketproxy.py, a websockify server): a browser or client
 * opens a WebSocket with a console token (the `token` query parameter, noVNC's `path=?token=`
 * or a `token` cookie); the token is checked (ConnectInfoSource: console_auth_tokens, then the
 * instance's host), the Origin header must name this proxy's host (or [console]
 * allowed_origins) with the scheme of the token's access URL, and the proxy then connects to
 * the guest's console (VNC or serial: TCP on the compute host, or the UNIX socket the token
 * names, what a QEMU in the host's network namespace serves) and relays bytes both ways:
 * the client's messages to the guest, the guest's bytes as binary messages, with
 * back-pressure each way. Plain HTTP GETs get the web client's files (nova-novncproxy's
 * noVNC), when there are some.
 *
 * A token refused is answered before the upgrade, with 401 and Nova's message. The noVNC proxy
 * negotiates RFB security itself first (securityproxy/rfb.ts), as Nova's does.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isWebSocketRequest, refuseUpgrade, upgradeToWebSocket, WebSocketHandshakeError, type WebSocket } from '../../../common/http/websocket.js';
import type { Logger } from '../../../common/log/logger.js';
import { InvalidConnectionInfo, InvalidToken, SecurityProxyNegotiationFailed, ValidationError } from '../errors.js';
import type { ConnectInfo, ConnectInfoSource } from './connect-info.js';
import type { ByteStream, RfbSecurityProxy } from './securityproxy/rfb.js';
import type { WebFiles } from './web-files.js';

export interface WebSocketProxyOptions {
  /** nova-novncproxy or nova-serialproxy (for the logs). */
  name: string;
  connectInfo: ConnectInfoSource;
  /** [console] allowed_origins. */
  allowedOrigins: readonly string[];
  /** The web client's files (noVNC); none: plain GETs are 404. */
  web?: WebFiles;
  log: Logger;
  /** How long the connection to the guest's console may take. */
  connectTimeoutMs?: number;
  /** nova-novncproxy's RFB security negotiation before the relay (none: bytes relayed from the start). */
  securityProxy?: RfbSecurityProxy;
}

/** Bytes of one side gathered for reads of exact counts (the security negotiation), and what is left after it. */
class Gathered implements ByteStream {
  private chunks: Buffer[] = [];
  private length = 0;
  private wake: (() => void) | null = null;
  private ended = false;

  constructor(readonly write: (data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async read(n: number): Promise<Buffer> {
    while (this.length < n) {
      if (this.ended) throw new SecurityProxyNegotiationFailed(`the connection closed while ${n} bytes were awaited`);
      await new Promise<void>((ok) => { this.wake = ok; });
      this.wake = null;
    }
    const all = Buffer.concat(this.chunks, this.length);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length = all.length - n;
    return all.subarray(0, n);
  }

  /** What came after the last read. */
  rest(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

/** The token of a console request: `token` in the query, in a `path` parameter's query (noVNC's), or a `token` cookie. */
export function requestToken(req: Pick<IncomingMessage, 'url' | 'headers'>): string {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const direct = url.searchParams.get('token');
  if (direct) return direct;
  const path = url.searchParams.get('path');
  if (path) {
    const inPath = new URL(path, 'http://proxy').searchParams.get('token');
    if (inPath) return inPath;
  }
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === 'token') return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return '';
}

/** The host name of a Host header ("h:6080", "[::1]:6080"). */
function hostName(host: string): string {
  const m = /^\[([^\]]+)\]/.exec(host);
  if (m) return m[1]!;
  return host.split(':')[0] ?? '';
}

/**
 * Nova's Origin check: a browser's Origin must name the proxy's own host (from Host) or one of
 * `allowedOrigins`, with the scheme of the console URL (http for ws, https for wss too). No
 * Origin: not a browser, accepted. @throws ValidationError
 */
export function checkOrigin(req: Pick<IncomingMessage, 'headers'>, info: Pick<ConnectInfo, 'access_url_base'>, allowedOrigins: readonly string[]): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new ValidationError('Origin header not valid.');
  }
  const forwarded = req.headers['x-forwarded-proto'];
  const scheme = (typeof forwarded === 'string' ? forwarded : url.protocol.replace(/:$/, '')).toLowerCase();
  const originHost = url.hostname.replace(/^\[|\]$/g, '');
  if (!originHost || !scheme) throw new ValidationError('Origin header not valid.');
  const expected = [...allowedOrigins, hostName(String(req.headers.host ?? ''))];
  if (!expected.includes(originHost)) throw new ValidationError('Origin header does not match this host.');
  let base: string;
  try {
    base = new URL(info.access_url_base ?? '').protocol.replace(/:$/, '');
  } catch {
    throw new ValidationError('No access_url_base in connect_info. Cannot validate protocol');
  }
  const schemes = [base, ...(base === 'ws' ? ['http'] : []), ...(base === 'wss' ? ['https'] : [])];
  if (!schemes.includes(scheme)) throw new ValidationError('Origin header protocol does not match this host.');
}

export class WebSocketProxy {
  private server: Server | null = null;
  private readonly open = new Set<{ close(): void }>();

  constructor(private readonly o: WebSocketProxyOptions) {}

  /** Listen on host:port (0: a free port); the port listened on. */
  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => this.onRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(req, socket, head).catch((err: unknown) => {
        this.o.log.error({ err }, `${this.o.name}: a console connection failed`);
        socket.destroy();
      });
    });
    server.listen(port, host);
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => { throw err; })]);
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** Stop listening and end the consoles open through the proxy. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of this.open) c.close();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.o.web && (req.method === 'GET' || req.method === 'HEAD')) {
      this.o.web.serve(req, res);
      return;
    }
    res.writeHead(this.o.web ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(this.o.web ? 'Method Not Allowed\n' : 'Not Found: this proxy serves consoles over WebSocket\n');
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (!isWebSocketRequest(req)) {
      refuseUpgrade(socket, 400, 'not a WebSocket upgrade request');
      return;
    }
    let info: ConnectInfo;
    try {
      info = await this.o.connectInfo.connectInfo(requestToken(req));
      checkOrigin(req, info, this.o.allowedOrigins);
    } catch (err) {
      if (err instanceof InvalidToken) {
        this.o.log.info({ remote: req.socket.remoteAddress }, `${this.o.name}: ${err.message}`);
        refuseUpgrade(socket, 401, err.message);
        return;
      }
      if (err instanceof ValidationError) {
        refuseUpgrade(socket, 403, err.message);
        return;
      }
      throw err;
    }
    let target: Socket;
    try {
      target = await this.connectTarget(info);
    } catch (err) {
      this.o.log.warn({ err, instance: info.instance_uuid, host: info.host, port: info.port, unixSocket: info.unix_socket }, `${this.o.name}: the console cannot be reached`);
      refuseUpgrade(socket, 502, `the console of instance ${info.instance_uuid} cannot be reached`);
      return;
    }
    let ws: WebSocket;
    try {
      ws = upgradeToWebSocket(req, socket, head, { protocols: ['binary'] });
    } catch (err) {
      target.destroy();
      if (!(err instanceof WebSocketHandshakeError)) throw err;
      refuseUpgrade(socket, err.status, err.message);
      return;
    }
    this.o.log.info({ instance: info.instance_uuid, host: info.host, port: info.port, unixSocket: info.unix_socket, consoleType: info.console_type }, `${this.o.name}: console opened`);
    let early: { tenant: Buffer; compute: Buffer } = { tenant: Buffer.alloc(0), compute: Buffer.alloc(0) };
    if (this.o.securityProxy) {
      try {
        early = await this.negotiate(this.o.securityProxy, ws, target);
      } catch (err) {
        this.o.log.warn({ err, instance: info.instance_uuid }, `${this.o.name}: ${(err as Error).message}`);
        ws.close(1011, 'security negotiation failed');
        target.destroy();
        return;
      }
    }
    this.relay(ws, target, info);
    if (early.tenant.length > 0) target.write(early.tenant);
    if (early.compute.length > 0) ws.send(early.compute, true);
  }

  /** The security proxy's negotiation on both sides; the bytes each side sent beyond it. @throws SecurityProxyNegotiationFailed */
  private async negotiate(security: RfbSecurityProxy, ws: WebSocket, target: Socket): Promise<{ tenant: Buffer; compute: Buffer }> {
    const tenant = new Gathered((data) => { ws.send(data, true); });
    const compute = new Gathered((data) => { target.write(data); });
    const onMessage = (data: Buffer): void => tenant.push(data);
    const onTenantClose = (): void => tenant.end();
    const onData = (chunk: Buffer): void => compute.push(chunk);
    const onComputeClose = (): void => compute.end();
    ws.on('message', onMessage);
    ws.on('close', onTenantClose);
    target.on('data', onData);
    target.on('close', onComputeClose);
    try {
      await security.connect(tenant, compute);
    } finally {
      ws.off('message', onMessage);
      ws.off('close', onTenantClose);
      target.off('data', onData);
      target.off('close', onComputeClose);
    }
    return { tenant: tenant.rest(), compute: compute.rest() };
  }

  /** TCP to the console, or its UNIX socket; through the compute host's CONNECT when the console has an internal access path. */
  private async connectTarget(info: ConnectInfo): Promise<Socket> {
    const target = info.unix_socket ? connect({ path: info.unix_socket }) : connect({ host: info.host, port: info.port, noDelay: true });
    const timer = setTimeout(() => target.destroy(new Error('connect timed out')), this.o.connectTimeoutMs ?? 10_000);
    try {
      await Promise.race([once(target, 'connect'), once(target, 'error').then(([err]) => { throw err; })]);
      if (info.internal_access_path) await this.httpConnect(target, info.internal_access_path);
    } catch (err) {
      target.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return target;
  }

  /** `CONNECT path HTTP/1.1`, then a 200 and its headers before the console's bytes. @throws InvalidConnectionInfo */
  private async httpConnect(target: Socket, path: string): Promise<void> {
    target.write(`CONNECT ${path} HTTP/1.1\r\n\r\n`);
    let got = Buffer.alloc(0);
    for (;;) {
      const [chunk] = await Promise.race([once(target, 'data'), once(target, 'close').then(() => { throw new InvalidConnectionInfo(); })]) as [Buffer];
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) continue;
      if (!got.subarray(0, got.indexOf('\r\n')).includes('200')) throw new InvalidConnectionInfo();
      const rest = got.subarray(end + 4);
      if (rest.length > 0) target.unshift(rest);
      return;
    }
  }

  /** Bytes both ways until either side ends; each side paused while the other cannot take more. */
  private relay(ws: WebSocket, target: Socket, info: ConnectInfo): void {
    const entry = { close: () => { ws.close(1001, 'the proxy stops'); target.destroy(); } };
    this.open.add(entry);
    ws.on('message', (data: Buffer) => {
      if (!target.write(data)) ws.pause();
    });
    target.on('drain', () => ws.resume());
    target.on('data', (chunk: Buffer) => {
      if (!ws.send(chunk, true)) target.pause();
    });
    ws.on('drain', () => target.resume());
    target.on('error', (err) => this.o.log.info({ err, instance: info.instance_uuid }, `${this.o.name}: the console connection failed`));
    target.on('close', () => {
      this.open.delete(entry);
      ws.close(1000, 'the console closed');
    });
    ws.on('close', () => {
      this.open.delete(entry);
      target.end();
      this.o.log.info({ instance: info.instance_uuid }, `${this.o.name}: console closed`);
    });
  }
}
