/**
 * A hash of a large stream computed on a worker thread, off the event loop.
 *
 * A 256 MiB object PUT with three replicas in one process is three MD5s of 256 MiB, about 1.2 s
 * of one core, and on the event loop they stall everything else the process serves (the
 * proxy's and the object servers' HTTP, the other requests). Here the bytes go to one worker
 * thread per process, which keeps each stream's hash state between messages, so the hashing
 * of one part runs on the other core while the loop receives and writes the next.
 *
 * The bytes travel through shared memory: each stream has a few fixed slots in a
 * SharedArrayBuffer (kept in a small pool for the next streams); `update` copies its bytes into
 * the current slot, a full slot is handed to the thread, and the thread gives it back once
 * hashed. A stream that is received faster than it is hashed waits in `update` for a free slot:
 * memory stays at the slots whatever the body's size, and no garbage is made per part.
 *
 * Written by hand: worker pools such as piscina run stateless tasks, and an incremental hash
 * needs its state kept per stream, in order, on one thread.
 */
import { Worker } from 'node:worker_threads';

export type OffloadedAlgorithm = 'md5' | 'sha256' | 'sha512';

/** Bytes per slot, and slots per stream (what a stream may have given the thread and not had hashed). */
export const SLOT_BYTES = 256 * 1024;
export const SLOTS = 4;

type Request =
  | { op: 'open'; id: number; algorithm: OffloadedAlgorithm; memory: SharedArrayBuffer }
  | { op: 'update'; id: number; slot: number; length: number }
  | { op: 'digest' | 'drop'; id: number };
type Reply = { id: number; slot?: number; hex?: string; error?: string };

// The worker's code, evaluated as CommonJS (eval: true), so it runs the same from the sources and the bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const SLOT = ${SLOT_BYTES};
const streams = new Map();
parentPort.on('message', (m) => {
  const s = streams.get(m.id);
  try {
    if (m.op === 'open') streams.set(m.id, { hash: createHash(m.algorithm), memory: new Uint8Array(m.memory) });
    else if (m.op === 'update') {
      if (s) s.hash.update(s.memory.subarray(m.slot * SLOT, m.slot * SLOT + m.length));
      parentPort.postMessage({ id: m.id, slot: m.slot });
    } else if (m.op === 'digest') {
      streams.delete(m.id);
      parentPort.postMessage({ id: m.id, hex: s.hash.digest('hex') });
    } else streams.delete(m.id);
  } catch (err) {
    streams.delete(m.id);
    if (m.op === 'digest') parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

interface StreamEnd {
  slotFreed(slot: number): void;
  digested(hex: string): void;
  failed(err: Error): void;
}

/** The process's hashing thread, its streams by id. */
class HashWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly streams = new Map<number, StreamEnd>();
  /** Slots given to the thread and digests asked of it, not answered yet: while any are, the thread keeps the process alive. */
  private awaited = 0;

  open(end: StreamEnd, algorithm: OffloadedAlgorithm, memory: SharedArrayBuffer): number {
    const id = this.nextId++;
    this.streams.set(id, end);
    this.ensure().postMessage({ op: 'open', id, algorithm, memory } satisfies Request);
    return id;
  }

  update(id: number, slot: number, length: number): void {
    this.await().postMessage({ op: 'update', id, slot, length } satisfies Request);
  }

  digest(id: number): void {
    this.await().postMessage({ op: 'digest', id } satisfies Request);
  }

  private await(): Worker {
    const w = this.ensure();
    if (this.awaited++ === 0) w.ref();
    return w;
  }

  private answered(w: Worker): void {
    if (--this.awaited === 0) w.unref();
  }

  drop(id: number): void {
    this.streams.delete(id);
    this.worker?.postMessage({ op: 'drop', id } satisfies Request);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true, name: 'nubo-hash' });
    w.unref();
    w.on('message', (r: Reply) => {
      const end = this.streams.get(r.id);
      this.answered(w);
      if (r.slot !== undefined) return end?.slotFreed(r.slot);
      this.streams.delete(r.id);
      if (r.error !== undefined || r.hex === undefined) end?.failed(new Error(r.error ?? 'no digest'));
      else end?.digested(r.hex);
    });
    // A thread that died fails its streams; the next stream starts a new one.
    const fail = (err: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      const ends = [...this.streams.values()];
      this.streams.clear();
      this.awaited = 0;
      for (const end of ends) end.failed(err);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the hashing thread exited (code ${code})`)));
    this.worker = w;
    return w;
  }
}

const shared = new HashWorker();

/** Slot memory of finished streams, for the next ones. */
const memoryPool: SharedArrayBuffer[] = [];
const POOLED = 8;

/** One stream's hash, computed on the hashing thread. Calls are not concurrent: await each update. */
export class OffloadedHash {
  private readonly memory: SharedArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly id: number;
  private readonly free: number[] = [];
  private current: number | undefined;
  private filled = 0;
  private waiter: (() => void) | undefined;
  private result: { resolve(hex: string): void; reject(err: Error): void } | undefined;
  private error: Error | undefined;
  private finished = false;

  constructor(algorithm: OffloadedAlgorithm) {
    this.memory = memoryPool.pop() ?? new SharedArrayBuffer(SLOT_BYTES * SLOTS);
    this.bytes = new Uint8Array(this.memory);
    for (let i = 0; i < SLOTS; i++) this.free.push(i);
    this.id = shared.open({
      slotFreed: (slot) => {
        this.free.push(slot);
        this.wake();
      },
      digested: (hex) => {
        if (memoryPool.length < POOLED) memoryPool.push(this.memory);
        this.result?.resolve(hex);
      },
      failed: (err) => {
        this.error = err;
        this.wake();
        this.result?.reject(err);
      },
    }, algorithm, this.memory);
  }

  /** Copies `buf`'s bytes for hashing; a promise when it had to wait for a free slot (await it before the next call). */
  update(buf: Uint8Array): Promise<void> | undefined {
    if (this.finished) throw new Error('digest already called');
    let offset = 0;
    while (offset < buf.length) {
      if (this.current === undefined) {
        const slot = this.free.pop();
        if (slot === undefined) return this.waitAndUpdate(buf.subarray(offset));
        this.current = slot;
        this.filled = 0;
      }
      const n = Math.min(buf.length - offset, SLOT_BYTES - this.filled);
      this.bytes.set(buf.subarray(offset, offset + n), this.current * SLOT_BYTES + this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === SLOT_BYTES) this.send();
    }
    return undefined;
  }

  /** The hex digest of everything updated. */
  digest(): Promise<string> {
    if (this.finished) throw new Error('digest already called');
    this.finished = true;
    if (this.error) return Promise.reject(this.error);
    if (this.current !== undefined && this.filled > 0) this.send();
    return new Promise((resolve, reject) => {
      this.result = { resolve, reject };
      shared.digest(this.id);
    });
  }

  /** Frees the stream without a digest (a failed write); its slot memory is not reused. */
  drop(): void {
    if (this.finished) return;
    this.finished = true;
    shared.drop(this.id);
  }

  private send(): void {
    shared.update(this.id, this.current!, this.filled);
    this.current = undefined;
    this.filled = 0;
  }

  private async waitAndUpdate(rest: Uint8Array): Promise<void> {
    while (this.free.length === 0) {
      if (this.error) throw this.error;
      await new Promise<void>((resolve) => { this.waiter = resolve; });
    }
    if (this.error) throw this.error;
    await this.update(rest);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
