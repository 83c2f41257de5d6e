/**
 * The handler's choice of the requester's address without the metadata proxy: the peer's
 * address, or X-Forwarded-For only with [api] use_forwarded_for.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { createLogger } from '../../../common/log/logger.js';
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
