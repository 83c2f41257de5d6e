/**
 * The nova notifier against a stub HTTP receiver standing in for Keystone (token + catalog)
 * and Nova (os-server-external-events): real ServiceSession, real HTTP, batching.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ServiceSession } from '../../../common/clients/session.js';
import { createLogger } from '../../../common/log/logger.js';
import { NovaNotifier, VIF_DELETED, VIF_PLUGGED } from './nova.js';

interface Posted {
  path: string;
  headers: IncomingMessage['headers'];
  body: { events: Array<Record<string, string>> };
}

let server: Server;
let base: string;
const posted: Posted[] = [];
let withCompute = true;

before(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      if (req.url === '/identity/v3/auth/tokens') {
        const catalog = withCompute ? [{ type: 'compute', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `${base}/compute/v2.1` }] }] : [];
        res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': 'svc-token' });
        res.end(JSON.stringify({ token: { expires_at: new Date(Date.now() + 3600_000).toISOString(), catalog } }));
        return;
      }
      if (req.url === '/compute/v2.1/os-server-external-events' && req.method === 'POST') {
        const body = JSON.parse(data) as Posted['body'];
        posted.push({ path: req.url, headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ events: body.events.map((e) => ({ ...e, code: 200, status: 'completed' })) }));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((ok) => server.close(() => ok())));

function notifier(intervalSeconds = 1): NovaNotifier {
  const session = new ServiceSession({
    authUrl: `${base}/identity`,
    credentials: { username: 'neutron', password: 'x', projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default' },
    region: 'RegionOne',
  });
  return new NovaNotifier({
    session, log: createLogger({ level: 'silent' }), intervalSeconds, notifyStatusChanges: true, notifyDataChanges: true, getPort: async () => undefined,
  });
}

const server1 = '8f2a1c8e-0d5c-4b0a-9f36-3b7e4f9a1d10';
const port = (status: string) => ({ id: 'a3a1b5c2-1111-2222-3333-444455556666', device_id: server1, device_owner: 'compute:nova', status });

describe('nova notifier', () => {
  test('status transitions and deletes become external events, batched', async () => {
    posted.length = 0;
    const n = notifier(1);
    n.portStatusChanged(port('ACTIVE'), 'DOWN');
    n.portDeleted(port('ACTIVE'));
    n.portStatusChanged(port('DOWN'), 'ACTIVE');
    // not a compute port: nothing
    n.portStatusChanged({ ...port('ACTIVE'), device_owner: 'network:dhcp' }, 'DOWN');
    await n.close();
    const events = posted.flatMap((p) => p.body.events);
    assert.deepEqual(events.map((e) => e.name), [VIF_PLUGGED, VIF_DELETED, 'network-vif-unplugged']);
    assert.deepEqual(events[0], { server_uuid: server1, name: VIF_PLUGGED, status: 'completed', tag: port('x').id });
    // the first event goes out at once, the ones queued while waiting go together
    assert.equal(posted.length, 2);
    assert.equal(posted[0]!.body.events.length, 1);
    assert.equal(posted[1]!.body.events.length, 2);
    assert.equal(posted[0]!.headers['x-auth-token'], 'svc-token');
    assert.equal(posted[0]!.headers['x-openstack-nova-api-version'], '2.1');
  });

  test('ERROR becomes a failed vif-plugged; other transitions are ignored', () => {
    assert.equal(NovaNotifier.statusEvent(port('ERROR'), 'DOWN', 'ERROR')?.status, 'failed');
    assert.equal(NovaNotifier.statusEvent(port('BUILD'), 'DOWN', 'BUILD'), undefined);
    assert.equal(NovaNotifier.statusEvent({ ...port('ACTIVE'), device_id: 'not-a-uuid' }, 'DOWN', 'ACTIVE'), undefined);
  });

  test('no compute endpoint in the catalog: events are dropped, nothing is sent', async () => {
    posted.length = 0;
    withCompute = false;
    try {
      const n = notifier(1);
      n.portDeleted(port('ACTIVE'));
      await n.close();
      assert.equal(posted.length, 0);
    } finally {
      withCompute = true;
    }
  });
});
