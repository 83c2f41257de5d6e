import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageUndeliverable } from '../errors.js';
import type { BusLogger } from '../logger.js';
import type { Delivery, ExchangeDecl } from './broker.js';
import { InprocBroker } from './inproc.js';

const quiet: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };
const ex: ExchangeDecl = { name: 'x', type: 'topic', durable: false, autoDelete: false };
let n = 0;
const bus = (): string => `inproc-test-${process.pid}-${++n}`;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('prefetch bounds unsettled deliveries; requeued messages come back first', async () => {
  const b = InprocBroker.open(bus(), quiet);
  const got: Delivery[] = [];
  await b.consume({ queues: [{ queue: { name: 'q', durable: false, autoDelete: false }, bindings: [{ exchange: ex, routingKey: 'k' }] }], prefetch: 2, noAck: false, onMessage: (d) => got.push(d) });
  for (const body of ['1', '2', '3']) await b.publish(ex, 'k', body);
  await tick();
  assert.deepEqual(got.map((d) => d.body), ['1', '2']);
  got[0]!.requeue();
  await tick();
  assert.deepEqual(got.map((d) => d.body), ['1', '2', '1']);
  got[1]!.ack();
  got[2]!.ack();
  await tick();
  assert.deepEqual(got.map((d) => d.body), ['1', '2', '1', '3']);
  await b.close();
});

test('expired messages and overflow are dropped; mandatory unroutable messages are refused', async () => {
  const b = InprocBroker.open(bus(), quiet);
  const q = { queue: { name: 'q', durable: false, autoDelete: false, maxLength: 2 }, bindings: [{ exchange: ex, routingKey: 'k' }] };
  await b.publish(ex, 'k', 'expired', { ensureQueue: q, expirationMs: 0 });
  for (const body of ['a', 'b', 'c']) await b.publish(ex, 'k', body);
  const got: string[] = [];
  await b.consume({ queues: [q], prefetch: 0, noAck: true, onMessage: (d) => got.push(d.body) });
  await tick();
  assert.deepEqual(got, ['b', 'c']);
  await assert.rejects(b.publish(ex, 'nobody', 'm', { mandatory: true }), MessageUndeliverable);
  await b.close();
});

test('a full queue is a warning when its consumers fall behind, not when nobody consumes it', async () => {
  const said: Array<{ level: string; msg: string | undefined }> = [];
  const log: BusLogger = {
    debug() {}, error() {},
    info: (_o, msg) => said.push({ level: 'info', msg }),
    warn: (_o, msg) => said.push({ level: 'warn', msg }),
  };
  const b = InprocBroker.open(bus(), log);
  const kept = { queue: { name: 'kept', durable: false, autoDelete: false, maxLength: 2 }, bindings: [{ exchange: ex, routingKey: 'n' }] };
  for (const body of ['a', 'b', 'c', 'd']) await b.publish(ex, 'n', body, { ensureQueue: kept });
  assert.deepEqual(said.map((s) => s.level), ['info'], 'said once, as information');
  assert.match(said[0]!.msg!, /kept has no consumer/);

  const slow = { queue: { name: 'slow', durable: false, autoDelete: false, maxLength: 2 }, bindings: [{ exchange: ex, routingKey: 's' }] };
  const held: Delivery[] = [];
  await b.consume({ queues: [slow], prefetch: 1, noAck: false, onMessage: (d) => held.push(d) });
  for (const body of ['1', '2', '3', '4', '5']) await b.publish(ex, 's', body);
  await tick();
  assert.equal(said.length, 2);
  assert.equal(said[1]!.level, 'warn');
  assert.match(said[1]!.msg!, /slow is full .*consumers fall behind/);
  held[0]!.ack();
  await b.close();
});

test('cancelling a consumer requeues its unsettled messages for the others; auto-delete queues go', async () => {
  const b = InprocBroker.open(bus(), quiet);
  const spec = { queue: { name: 'shared', durable: false, autoDelete: false }, bindings: [{ exchange: ex, routingKey: 'k' }] };
  const first: Delivery[] = [];
  const second: string[] = [];
  const h1 = await b.consume({ queues: [spec], prefetch: 1, noAck: false, onMessage: (d) => first.push(d) });
  await b.publish(ex, 'k', 'm1');
  await tick();
  assert.equal(first.length, 1);
  await b.consume({ queues: [spec], prefetch: 0, noAck: true, onMessage: (d) => second.push(d.body) });
  await h1.cancel();
  await tick();
  assert.deepEqual(second, ['m1']);
  first[0]!.ack(); // settling after the cancel is a no-op
  const auto = { queue: { name: 'auto', durable: false, autoDelete: true }, bindings: [{ exchange: ex, routingKey: 'a' }] };
  const h3 = await b.consume({ queues: [auto], prefetch: 0, noAck: true, onMessage: () => {} });
  await h3.cancel();
  await assert.rejects(b.publish(ex, 'a', 'm', { mandatory: true }), MessageUndeliverable);
  await b.close();
});
