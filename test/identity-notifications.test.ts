/**
 * The identity service as the launcher builds it sends its notifications on the cloud's bus:
 * publisher `identity.<[DEFAULT] host>`, [DEFAULT] notification_format honoured.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { getTransport, NotificationListener, type Transport } from '../src/common/messaging/index.js';
import { startTestCloud, type TestCloud } from './support/cloud.js';

let cloud: TestCloud;
let bus: Transport;
const received: Array<{ publisherId: string; eventType: string; payload: unknown }> = [];
let listener: NotificationListener;

before(async () => {
  cloud = await startTestCloud({ services: ['identity'], overrides: { 'DEFAULT.host': 'ctl1', 'DEFAULT.notification_format': 'basic' } });
  bus = await getTransport(`inproc://${cloud.dataDir}`);
  listener = new NotificationListener(bus, [{ topic: 'notifications' }], [{
    info: (_ctx, publisherId, eventType, payload) => { received.push({ publisherId, eventType, payload }); },
  }]);
  await listener.start();
});

after(async () => {
  await listener.stop();
  await bus.close();
  await cloud.close();
});

test('creating a project through the API sends identity.project.created from identity.<host>', async () => {
  const res = await request(`${cloud.identityUrl}/v3/projects`, {
    method: 'POST',
    headers: { 'x-auth-token': await cloud.adminToken(), 'content-type': 'application/json' },
    body: JSON.stringify({ project: { name: 'announced', domain_id: 'default' } }),
  });
  assert.equal(res.statusCode, 201);
  const id = ((await res.body.json()) as { project: { id: string } }).project.id;
  const deadline = Date.now() + 5000;
  const mine = () => received.find((n) => n.eventType === 'identity.project.created' && (n.payload as { resource_info?: string }).resource_info === id);
  while (!mine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(mine(), { publisherId: 'identity.ctl1', eventType: 'identity.project.created', payload: { resource_info: id } });
});
