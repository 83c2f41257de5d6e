import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidTransportUrl } from './errors.js';
import { parseTransportUrl } from './transport-url.js';

test('inproc and fake URLs name an in-process bus', () => {
  assert.deepEqual(parseTransportUrl('inproc://'), { kind: 'inproc', name: 'default', redacted: 'inproc://' });
  assert.equal(parseTransportUrl('inproc://cells').kind, 'inproc');
  assert.equal((parseTransportUrl('inproc://cells') as { name: string }).name, 'cells');
  assert.equal((parseTransportUrl('fake:///') as { name: string }).name, 'default');
});

test('rabbit URLs: credentials, port, vhost, several hosts, TLS', () => {
  const u = parseTransportUrl('rabbit://nova:p%40ss@rabbit1:5673,nova:p%40ss@rabbit2/nova%2Fvh?ssl=1&heartbeat=10');
  assert.equal(u.kind, 'amqp');
  if (u.kind !== 'amqp') return;
  assert.deepEqual(u.hosts, [
    { username: 'nova', password: 'p@ss', hostname: 'rabbit1', port: 5673 },
    { username: 'nova', password: 'p@ss', hostname: 'rabbit2', port: undefined },
  ]);
  assert.equal(u.vhost, 'nova/vh');
  assert.equal(u.tls, true);
  assert.equal(u.query.get('heartbeat'), '10');
  assert.equal(u.redacted, 'rabbit://nova:***@rabbit1:5673,nova:***@rabbit2/nova%2Fvh?ssl=1&heartbeat=10');
});

test('the vhost defaults to /, IPv6 hosts and amqps are understood', () => {
  const u = parseTransportUrl('amqps://guest:guest@[::1]:5671/');
  assert.ok(u.kind === 'amqp');
  assert.equal(u.vhost, '/');
  assert.equal(u.tls, true);
  assert.deepEqual(u.hosts[0], { username: 'guest', password: 'guest', hostname: '::1', port: 5671 });
  const bare = parseTransportUrl('amqp://broker');
  assert.ok(bare.kind === 'amqp');
  assert.equal(bare.vhost, '/');
  assert.equal(bare.tls, false);
  assert.equal(bare.hosts[0]?.username, undefined);
});

test('bad URLs say what is wrong without the password', () => {
  assert.throws(() => parseTransportUrl('kafka://u:secret@h/'), (e: unknown) => e instanceof InvalidTransportUrl && /kafka/.test(e.message) && !/secret/.test(e.message));
  assert.throws(() => parseTransportUrl('rabbit://u:pw@h:99999/'), InvalidTransportUrl);
  assert.throws(() => parseTransportUrl('localhost:5672'), InvalidTransportUrl);
});
