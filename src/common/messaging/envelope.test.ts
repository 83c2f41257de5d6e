import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFound } from '../errors.js';
import {
  deserializeMsg,
  deserializeRemoteException,
  packContext,
  serializeMsg,
  serializeRemoteException,
  unpackContext,
} from './envelope.js';
import { MessagingError, RemoteError } from './errors.js';

test('messages travel in the oslo 2.0 envelope', () => {
  const body = serializeMsg({ method: 'ping', args: { a: [1, { b: null }] } });
  const outer = JSON.parse(body) as Record<string, unknown>;
  assert.equal(outer['oslo.version'], '2.0');
  assert.equal(typeof outer['oslo.message'], 'string');
  assert.deepEqual(deserializeMsg(body), { method: 'ping', args: { a: [1, { b: null }] } });
});

test('bare (1.0) messages are accepted, other envelope majors refused', () => {
  assert.deepEqual(deserializeMsg('{"event_type":"x"}'), { event_type: 'x' });
  assert.throws(() => deserializeMsg('{"oslo.version":"3.0","oslo.message":"{}"}'), MessagingError);
  assert.throws(() => deserializeMsg('[1]'), MessagingError);
});

test('the context is packed as _context_ keys and unpacked back', () => {
  const msg: Record<string, unknown> = { method: 'm' };
  packContext(msg, { request_id: 'req-1', roles: ['admin'] });
  assert.deepEqual(msg, { method: 'm', _context_request_id: 'req-1', _context_roles: ['admin'] });
  assert.deepEqual(unpackContext(msg), { request_id: 'req-1', roles: ['admin'] });
  assert.deepEqual(msg, { method: 'm' });
});

test('a remote exception keeps class, message, traceback and numeric status/code', () => {
  const failure = serializeRemoteException(new NotFound('no such thing'));
  const data = JSON.parse(failure) as Record<string, unknown>;
  assert.equal(data['class'], 'NotFound');
  assert.equal(data['message'], 'no such thing');
  assert.deepEqual(data['kwargs'], { status: 404 });
  const remote = deserializeRemoteException(failure);
  assert.ok(remote instanceof RemoteError);
  assert.equal(remote.excType, 'NotFound');
  assert.equal(remote.value, 'no such thing');
  assert.equal(remote.status, 404);
  assert.match(remote.traceback, /NotFound: no such thing/);
  // A RemoteError raised again on another hop keeps the original class.
  assert.equal(JSON.parse(serializeRemoteException(remote))['class'], 'NotFound');
  // oslo (Python) failures: nova's exceptions carry the HTTP code in kwargs.code.
  const py = deserializeRemoteException(JSON.stringify({ class: 'InstanceNotFound', module: 'nova.exception', message: 'gone', tb: ['Traceback', '  ...'], kwargs: { code: 404 } }));
  assert.equal(py.status, 404);
  assert.equal(py.traceback, 'Traceback\n  ...');
});
