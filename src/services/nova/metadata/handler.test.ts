/**
 * The handler's choice of the requester's address without the metadata proxy: the peer's
 * address, or X-Forwarded-For only with [api] use_forwarded_for.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { createLogger } from '../../../common/log/logger.js';
import type { Instance } from '../objects/index.js';
import type { InstanceMetadata } from './base.js';
import { metadataHandlerRoutes } from './handler.js';

async function addressSeen(useForwardedFor: boolean): Promise<{ status: number; addresses: string[] }> {
  const addresses: string[] = [];
  const app = Fastify();
  await app.register(metadataHandlerRoutes({
    log: createLogger({ level: 'silent' }), serviceMetadataProxy: false, sharedSecret: '', useForwardedFor,
    instanceById: async () => undefined,
    instanceIdByAddress: async (a) => { addresses.push(a); return undefined; },
    metadataOf: async () => { throw new Error('no instance here'); },
    savePassword: async () => undefined,
  }));
  const res = await app.inject({ method: 'GET', url: '/latest/meta-data/', headers: { 'x-forwarded-for': '10.0.0.5' }, remoteAddress: '192.0.2.9' });
  await app.close();
  return { status: res.statusCode, addresses };
}

test('X-Forwarded-For is the address only with use_forwarded_for', async () => {
  assert.deepEqual(await addressSeen(false), { status: 404, addresses: ['192.0.2.9'] });
  assert.deepEqual(await addressSeen(true), { status: 404, addresses: ['10.0.0.5'] });
});

test('a posted password is the raw body whatever its content type', async () => {
  const saved: Array<[string, Record<string, string>]> = [];
  const app = Fastify();
  const metadata = { mimetype: 'text/plain', lookup: async () => ({ kind: 'password', current: undefined, instanceUuid: 'u-1' }) } as unknown as InstanceMetadata;
  await app.register(metadataHandlerRoutes({
    log: createLogger({ level: 'silent' }), serviceMetadataProxy: false, sharedSecret: '', useForwardedFor: false,
    instanceById: async () => ({ data: {} }) as unknown as Instance,
    instanceIdByAddress: async () => 'u-1',
    metadataOf: async () => metadata,
    savePassword: async (uuid, entries) => { saved.push([uuid, entries]); },
  }));
  for (const headers of [{}, { 'content-type': 'application/json' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
    const res = await app.inject({ method: 'POST', url: '/openstack/latest/password', headers, payload: '{"not":"parsed"}' });
    assert.equal(res.statusCode, 200, res.body);
  }
  await app.close();
  assert.deepEqual(saved.map(([u, e]) => [u, e.password_0]), [['u-1', '{"not":"parsed"}'], ['u-1', '{"not":"parsed"}'], ['u-1', '{"not":"parsed"}']]);
});
