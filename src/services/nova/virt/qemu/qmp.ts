/**
 * A QMP client (the QEMU Machine Protocol, JSON over the guest's unix socket): the greeting,
 * qmp_capabilities, commands matched to their answers by id, and the asynchronous events
 * (STOP, RESUME, SHUTDOWN, ...). Hand-written: npm has no maintained QMP client, and the
 * protocol is a line of JSON each way.
 */
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';

export class QmpError extends Error {
  constructor(readonly errorClass: string, desc: string, readonly command: string) {
    super(`QMP ${command}: ${errorClass}: ${desc}`);
    this.name = 'QmpError';
  }
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

interface Pending {
  command: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** Events: 'event' (QmpEvent) for every asynchronous event, 'close' once when the socket closes (QEMU exited). */
export class QmpClient extends EventEmitter {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  private constructor(private readonly socket: Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new QmpError('Disconnected', 'QEMU closed the monitor', p.command));
      this.pending.clear();
      this.emit('close');
    });
  }

  /** Connect to the socket at `path`, read the greeting and leave capabilities negotiation mode. */
  static async connect(path: string, timeoutMs = 5000): Promise<QmpClient> {
    const socket = createConnection(path);
    const greeting = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`QMP ${path}: no greeting within ${timeoutMs} ms`)); }, timeoutMs);
      let data = '';
      const onData = (chunk: Buffer): void => {
        data += chunk.toString('utf8');
        const nl = data.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        socket.off('data', onData);
        if (data.length > nl + 1) socket.unshift(Buffer.from(data.slice(nl + 1)));
        resolve(data.slice(0, nl));
      };
      socket.on('data', onData);
      socket.once('error', (err) => { clearTimeout(timer); reject(err); });
    });
    if (!('QMP' in (JSON.parse(greeting) as object))) throw new Error(`QMP ${path}: unexpected greeting ${greeting}`);
    socket.removeAllListeners('error');
    const client = new QmpClient(socket);
    await client.execute('qmp_capabilities');
    return client;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Run `command`; its `return` value. @throws QmpError (QEMU's error, or the monitor closed before the answer) */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new QmpError('Disconnected', 'the monitor is closed', command));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.dispatch(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private dispatch(msg: Record<string, unknown>): void {
    if (typeof msg['event'] === 'string') {
      this.emit('event', { event: msg['event'], data: msg['data'] as Record<string, unknown> | undefined } satisfies QmpEvent);
      return;
    }
    const id = msg['id'] === undefined ? undefined : String(msg['id']);
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) return;
    this.pending.delete(id!);
    const error = msg['error'] as { class: string; desc: string } | undefined;
    if (error) p.reject(new QmpError(error.class, error.desc, p.command));
    else p.resolve(msg['return']);
  }
}
