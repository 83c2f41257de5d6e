import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { decode } from '@msgpack/msgpack';
import {
  PAYLOAD_VERSION, PayloadError, intToMethods, methodsToInt, packPayload, payloadVersion, unpackPayload, type TokenPayload,
} from './payload.js';

const hex = (): string => randomUUID().replaceAll('-', '');
const audit = (): string => Buffer.from(hex(), 'hex').toString('base64url');
const base = (): TokenPayload => ({ userId: hex(), methods: ['password'], auditIds: [audit()], expiresAt: 1893456000 });

describe('token payloads', () => {
  const cases: Array<[string, number, TokenPayload]> = [
    ['unscoped', PAYLOAD_VERSION.unscoped, base()],
    ['domain', PAYLOAD_VERSION.domain, { ...base(), domainId: hex() }],
    ['default domain', PAYLOAD_VERSION.domain, { ...base(), domainId: 'default' }],
    ['project', PAYLOAD_VERSION.project, { ...base(), projectId: hex() }],
    ['trust', PAYLOAD_VERSION.trust, { ...base(), projectId: hex(), trustId: hex() }],
    ['trust without project', PAYLOAD_VERSION.trust, { ...base(), trustId: hex() }],
    ['system', PAYLOAD_VERSION.system, { ...base(), system: 'all' }],
    ['application credential', PAYLOAD_VERSION.applicationCredential, { ...base(), methods: ['application_credential'], projectId: hex(), appCredId: hex() }],
    ['non-uuid user and project ids', PAYLOAD_VERSION.project, { ...base(), userId: 'admin-user', projectId: 'some-project' }],
    ['rescoped (two audit ids, token+password)', PAYLOAD_VERSION.project, { ...base(), methods: ['token', 'password'], auditIds: [audit(), audit()], projectId: hex() }],
  ];
  for (const [name, version, p] of cases) {
    test(`${name} round-trips as version ${version}`, () => {
      assert.equal(payloadVersion(p), version);
      const bytes = packPayload(p);
      assert.equal((decode(bytes) as unknown[])[0], version);
      assert.deepEqual(unpackPayload(bytes), p);
    });
  }

  test('uuid ids travel as (true, 16 bytes), others as (false, text), as upstream', () => {
    const p = { ...base(), projectId: hex() };
    const raw = decode(packPayload(p)) as unknown[];
    const user = raw[1] as [boolean, Uint8Array];
    assert.equal(user[0], true);
    assert.equal(Buffer.from(user[1]).toString('hex'), p.userId);
    assert.equal(raw[2], 2); // password = 2
    const named = decode(packPayload({ ...base(), userId: 'not-a-uuid' })) as unknown[];
    assert.deepEqual(named[1], [false, 'not-a-uuid']);
  });

  test('method bits follow the default [auth] methods order', () => {
    assert.equal(methodsToInt(['password']), 2);
    assert.equal(methodsToInt(['token', 'password']), 6);
    assert.equal(methodsToInt(['application_credential']), 32);
    assert.deepEqual(intToMethods(6), ['token', 'password']);
    assert.deepEqual(intToMethods(0), []);
  });

  test('unknown versions and garbage are PayloadErrors', () => {
    assert.throws(() => unpackPayload(Uint8Array.from([0x92, 0x04, 0x00])), PayloadError);
    assert.throws(() => unpackPayload(Uint8Array.from([0xc1])), PayloadError);
    assert.throws(() => unpackPayload(Uint8Array.from([0x93, 0x02, 0x01, 0x02])), PayloadError);
  });
});
