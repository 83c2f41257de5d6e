/**
 * The caller's side of RPC calls (oslo's ReplyWaiter in amqpdriver.py): one `reply_<uuid>`
 * queue per transport, declared on the first call, and a map of the calls waiting for a reply
 * by `_msg_id`. Accepts oslo's single-message replies (`ending: true`) and the older two-message
 * form (result, then an `ending` marker).
 */
import type { Broker, ConsumerHandle, Delivery } from './drivers/broker.js';
import { deserializeMsg, deserializeRemoteException, newHexId } from './envelope.js';
import { MessageDeliveryFailure } from './errors.js';
import type { BusLogger } from './logger.js';

/** Unused reply queues expire after this long, as oslo's rabbit_transient_queues_ttl. */
const REPLY_QUEUE_TTL_MS = 1_800_000;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  result: unknown;
}

export interface Expectation {
  promise: Promise<unknown>;
  cancel(): void;
}

export class ReplyWaiter {
  private readonly pending = new Map<string, Pending>();
  private queue: Promise<{ name: string; handle: ConsumerHandle }> | undefined;
  private closed = false;

  constructor(
    private readonly broker: Broker,
    private readonly log: BusLogger,
  ) {}

  /** The name of this transport's reply queue, declared and consumed on first use. */
  async replyQueue(): Promise<string> {
    if (!this.queue) {
      const name = `reply_${newHexId()}`;
      this.queue = this.broker
        .consume({
          queues: [{ queue: { name, durable: false, autoDelete: false, expiresMs: REPLY_QUEUE_TTL_MS }, bindings: [] }],
          prefetch: 0,
          noAck: true,
          onMessage: (d) => this.onReply(d),
        })
        .then((handle) => ({ name, handle }));
      this.queue.catch(() => {
        this.queue = undefined;
      });
    }
    return (await this.queue).name;
  }

  /** Register a call before publishing it; the promise settles with the reply or `onTimeout()`. */
  expect(msgId: string, timeoutMs: number, onTimeout: () => Error): Expectation {
    let pending: Pending | undefined;
    const promise = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(onTimeout());
      }, timeoutMs);
      pending = { resolve, reject, timer, result: null };
      this.pending.set(msgId, pending);
    });
    return {
      promise,
      cancel: () => {
        if (pending) clearTimeout(pending.timer);
        this.pending.delete(msgId);
      },
    };
  }

  private onReply(delivery: Delivery): void {
    let msg: Record<string, unknown>;
    try {
      msg = deserializeMsg(delivery.body);
    } catch (err) {
      this.log.warn({ err }, 'dropping an unreadable RPC reply');
      return;
    }
    const msgId = msg['_msg_id'];
    const pending = typeof msgId === 'string' ? this.pending.get(msgId) : undefined;
    if (!pending) {
      this.log.info({ msg_id: msgId }, 'No calling threads waiting for msg_id');
      return;
    }
    const done = (): void => {
      clearTimeout(pending.timer);
      this.pending.delete(msgId as string);
    };
    if (msg['failure'] !== null && msg['failure'] !== undefined) {
      done();
      pending.reject(deserializeRemoteException(msg['failure']));
      return;
    }
    if (msg['result'] !== null && msg['result'] !== undefined) pending.result = msg['result'];
    // Old oslo servers send the result, then a separate `ending` message; new ones send one.
    if (msg['ending'] === true || !('ending' in msg)) {
      if (msg['ending'] === true || pending.result !== null) {
        done();
        pending.resolve(pending.result);
      }
    }
  }

  /** Fail the calls still waiting and delete the reply queue. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [msgId, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new MessageDeliveryFailure(`transport closed while waiting for a reply to message ID ${msgId}`));
    }
    this.pending.clear();
    const q = await this.queue?.catch(() => undefined);
    await q?.handle.cancel({ deleteQueues: true });
  }
}
