/**
 * The server side of a WebSocket (RFC 6455), what a console proxy needs (nova-novncproxy and
 * nova-serialproxy are websockify servers): the opening handshake on an HTTP upgrade request
 * (Sec-WebSocket-Accept, a subprotocol chosen from the ones the client offers), then messages
 * in frames both ways with the client's masking checked, fragmented messages joined, ping
 * answered by pong, the close handshake, and back-pressure (send() says when the socket's
 * buffer is full; pause()/resume() stop and restart reading). Hand-written: the project has no
 * WebSocket server package, and the server side of the protocol is these frames.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Close codes of RFC 6455 section 7.4.1. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  INVALID_DATA: 1007,
  POLICY_VIOLATION: 1008,
  TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
} as const;

const Opcode = { CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;

/** A request that is not a valid WebSocket opening handshake (answered with `status`). */
export class WebSocketHandshakeError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'WebSocketHandshakeError';
  }
}

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** Whether an HTTP request asks for a WebSocket (Upgrade: websocket). */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export interface UpgradeOptions {
  /** Subprotocols this server speaks, in its order of preference; the first one the client offers is chosen. */
  protocols?: readonly string[];
  /** A message larger than this closes the connection with 1009 (default 16 MiB). */
  maxMessageBytes?: number;
}

/**
 * Answer an upgrade request with 101 and return the connection. @throws WebSocketHandshakeError
 * (the caller answers it with refuseUpgrade) when the request is not a version-13 handshake.
 */
export function upgradeToWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, opts: UpgradeOptions = {}): WebSocket {
  if (req.method !== 'GET') throw new WebSocketHandshakeError(405, 'a WebSocket handshake is a GET');
  if (!isWebSocketRequest(req) || !/\bupgrade\b/i.test(req.headers.connection ?? '')) throw new WebSocketHandshakeError(400, 'not a WebSocket upgrade request');
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) throw new WebSocketHandshakeError(400, 'missing or malformed Sec-WebSocket-Key');
  if (req.headers['sec-websocket-version'] !== '13') throw new WebSocketHandshakeError(426, 'only WebSocket version 13 is spoken');
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const protocol = (opts.protocols ?? []).find((p) => offered.includes(p));
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(key)}`];
  if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new WebSocket(socket, head, protocol ?? null, opts.maxMessageBytes ?? 16 * 1024 * 1024);
}

/** Answer a refused upgrade request with a plain HTTP status and close the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = STATUS_TEXT[status] ?? 'Error';
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
    + `${status === 426 ? 'Sec-WebSocket-Version: 13\r\n' : ''}\r\n${body}`);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 426: 'Upgrade Required', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** One frame as the server writes it (unmasked). */
export function encodeFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const headerLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const header = Buffer.alloc(headerLen);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) {
    header[1] = len;
  } else if (len < 65536) {
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

class ProtocolError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * An open WebSocket. Events: 'message' (data: Buffer, isBinary: boolean), 'drain' (the socket
 * can take more after send() returned false), 'close' (code: number, reason: string) once.
 */
export class WebSocket extends EventEmitter {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private fragments: Buffer[] = [];
  private fragmentsBytes = 0;
  private fragmentOpcode: number | null = null;
  private closeSent = false;
  private closed = false;
  /** The code and reason of the close frame sent first (ours or the client's). */
  private closeCode: number = CloseCode.GOING_AWAY;
  private closeReason = '';

  constructor(private readonly socket: Duplex, head: Buffer, readonly protocol: string | null, private readonly maxMessageBytes: number) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => this.finish(CloseCode.GOING_AWAY, 'connection lost'));
    if (head.length > 0) queueMicrotask(() => this.receive(head));
  }

  get isOpen(): boolean {
    return !this.closed && !this.closeSent;
  }

  /** Send one message; false when the socket's buffer is full (wait for 'drain'). */
  send(data: Buffer | string, binary = typeof data !== 'string'): boolean {
    if (!this.isOpen) return false;
    const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return this.socket.write(encodeFrame(binary ? Opcode.BINARY : Opcode.TEXT, payload));
  }

  /** Start the close handshake; the socket ends when the client answers (or after 5 s). */
  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.closed || this.closeSent) return;
    this.closeSent = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2, 'utf8');
    this.socket.write(encodeFrame(Opcode.CLOSE, payload.subarray(0, Math.min(payload.length, 125))));
    const timer = setTimeout(() => this.socket.destroy(), 5000);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
    this.closeCode = code;
    this.closeReason = reason;
  }

  /** Stop reading the client (back-pressure towards it). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** The connection is over: the socket goes (at once, or once its last bytes are written when `graceful`). */
  private finish(code: number, reason: string, graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    if (graceful) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 5000).unref();
    } else {
      this.socket.destroy();
    }
    this.emit('close', this.closeSent ? this.closeCode : code, this.closeSent ? this.closeReason : reason);
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    try {
      while (this.parseFrame());
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.close(err.code, err.message);
      this.buffered = [];
      this.bufferedBytes = 0;
    }
  }

  /** Parse one complete frame from the buffer; whether one was there. */
  private parseFrame(): boolean {
    if (this.bufferedBytes < 2) return false;
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered, this.bufferedBytes)];
    const buf = this.buffered[0]!;
    const fin = (buf[0]! & 0x80) !== 0;
    if ((buf[0]! & 0x70) !== 0) throw new ProtocolError(CloseCode.PROTOCOL_ERROR, 'reserved bits set without an extension');
    const opcode = buf[0]! & 0x0f;
    const masked = (buf[1]! & 0x80) !== 0;
    let len = buf[1]! & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (buf.length < 4) return false;
      len = buf.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (buf.length < 10) return false;
      const big = buf.readBigUInt64BE(2);
      if (big > BigInt(this.maxMessageBytes)) throw new ProtocolError(CloseCode.TOO_BIG, 'message too big');
      len = Number(big);
      offset = 10;
    }
    if (!masked) throw new ProtocolError(CloseCode.PROTOCOL_ERROR, 'client frames must be masked');
    if (len > this.maxMessageBytes) throw new ProtocolError(CloseCode.TOO_BIG, 'message too big');
    if (buf.length < offset + 4 + len) return false;
    const mask = buf.subarray(offset, offset + 4);
    const payload = Buffer.from(buf.subarray(offset + 4, offset + 4 + len));
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
    const rest = buf.subarray(offset + 4 + len);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    this.onFrame(fin, opcode, payload);
    return !this.closed;
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode >= 8) {
      if (!fin || payload.length > 125) throw new ProtocolError(CloseCode.PROTOCOL_ERROR, 'a control frame must be whole and at most 125 bytes');
      if (opcode === Opcode.CLOSE) this.onClose(payload);
      else if (opcode === Opcode.PING) { if (this.isOpen) this.socket.write(encodeFrame(Opcode.PONG, payload)); }
      else if (opcode !== Opcode.PONG) throw new ProtocolError(CloseCode.PROTOCOL_ERROR, `unknown opcode ${opcode}`);
      return;
    }
    if (opcode === Opcode.CONTINUATION) {
      if (this.fragmentOpcode === null) throw new ProtocolError(CloseCode.PROTOCOL_ERROR, 'a continuation frame without a message');
    } else if (opcode === Opcode.TEXT || opcode === Opcode.BINARY) {
      if (this.fragmentOpcode !== null) throw new ProtocolError(CloseCode.PROTOCOL_ERROR, 'a new message inside a fragmented one');
      this.fragmentOpcode = opcode;
    } else {
      throw new ProtocolError(CloseCode.PROTOCOL_ERROR, `unknown opcode ${opcode}`);
    }
    this.fragmentsBytes += payload.length;
    if (this.fragmentsBytes > this.maxMessageBytes) throw new ProtocolError(CloseCode.TOO_BIG, 'message too big');
    this.fragments.push(payload);
    if (!fin) return;
    const data = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments, this.fragmentsBytes);
    const binary = this.fragmentOpcode === Opcode.BINARY;
    this.fragments = [];
    this.fragmentsBytes = 0;
    this.fragmentOpcode = null;
    if (!binary && !validUtf8(data)) throw new ProtocolError(CloseCode.INVALID_DATA, 'a text message that is not UTF-8');
    if (this.isOpen) this.emit('message', data, binary);
  }

  private onClose(payload: Buffer): void {
    if (payload.length === 1) throw new ProtocolError(CloseCode.PROTOCOL_ERROR, 'a close frame of one byte');
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
    if (!this.closeSent) {
      this.closeSent = true;
      this.closeCode = code;
      this.closeReason = reason;
      this.socket.write(encodeFrame(Opcode.CLOSE, payload.length >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0)));
    }
    this.finish(code, reason, true);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function validUtf8(data: Buffer): boolean {
  try {
    utf8.decode(data);
    return true;
  } catch {
    return false;
  }
}
