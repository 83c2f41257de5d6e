/**
 * The metadata agent over its unix socket, with Neutron's server behind the bus and a stand-in
 * of Nova's metadata API (no namespaces needed): a request naming a router and a guest address
 * reaches Nova with X-Instance-ID (the port's device), X-Tenant-ID and a signature Nova's check
 * accepts; by network too; unknown addresses are 404, missing headers 400, Nova down 500.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../../common/log/logger.js';
import { PeriodicTasks } from '../../../../common/service/periodic.js';
import { ADMIN, type Harness, startHarness } from '../../testing/harness.js';
import { MetadataAgent } from './metadata-agent.js';

const SECRET = 'sharedsecret';
const silent = createLogger({ level: 'silent' });
let h: Harness;
let dir: string;
let agent: MetadataAgent;
let nova: Server;
let saw: { url?: string; headers?: IncomingHttpHeaders } = {};
const ids: Record<string, string> = {};

function viaSocket(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(dir, 'mp.sock'), path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function startAgent(novaUrl: string): Promise<void> {
  agent = new MetadataAgent({
    transport: h.transport, host: 'mdhost', log: silent, periodic: new PeriodicTasks(silent), reportInterval: 30,
    socketPath: join(dir, 'mp.sock'), novaMetadataUrl: novaUrl, sharedSecret: SECRET,
  });
  return agent.start();
}

describe('metadata agent', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nubo-md-'));
    h = await startHarness({ overrides: { 'default_networks.create_public_network': 'false', 'default_networks.create_private_network': 'false', 'default_networks.create_router': 'false' } });
    nova = createServer((req, res) => {
      saw = { url: req.url, headers: req.headers };
      const id = String(req.headers['x-instance-id']);
      const ok = req.headers['x-instance-id-signature'] === createHmac('sha256', SECRET).update(id).digest('hex');
      res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' }).end(ok ? `instance ${id}` : 'bad signature');
    });
    await new Promise<void>((r) => nova.listen(0, '127.0.0.1', () => r()));
    await startAgent(`http://127.0.0.1:${(nova.address() as AddressInfo).port}/compute-metadata`);
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'md' } })).body.network;
    const subnet = (await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.60.0.0/24', ip_version: 4 } })).body.subnet;
    const router = (await h.request('POST', '/v2.0/routers', ADMIN, { router: { name: 'mdr' } })).body.router;
    await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, ADMIN, { subnet_id: subnet.id });
    ids.server = randomUUID();
    const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, device_id: ids.server, device_owner: 'compute:nova', fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.60.0.10' }] } })).body.port;
    Object.assign(ids, { network: net.id, router: router.id, project: port.project_id });
  });

  after(async () => {
    await agent?.stop();
    await new Promise<void>((r) => (nova ? nova.close(() => r()) : r()));
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a guest behind a router: Nova gets the instance, its project and a valid signature', async () => {
    const res = await viaSocket('/latest/meta-data/instance-id?x=1', { 'X-Forwarded-For': '10.60.0.10', 'X-Neutron-Router-ID': ids.router! });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.body, `instance ${ids.server}`);
    assert.equal(saw.url, '/compute-metadata/latest/meta-data/instance-id?x=1');
    assert.equal(saw.headers?.['x-tenant-id'], ids.project);
    assert.equal(saw.headers?.['x-forwarded-for'], '10.60.0.10');
  });

  test('a guest on an isolated network (the DHCP namespace proxy names the network)', async () => {
    const res = await viaSocket('/openstack', { 'X-Forwarded-For': '10.60.0.10', 'X-Neutron-Network-ID': ids.network! });
    assert.equal(res.status, 200);
    assert.equal(saw.headers?.['x-instance-id'], ids.server);
  });

  test('an address no port of the router\'s networks holds is 404; missing headers are 400', async () => {
    assert.equal((await viaSocket('/', { 'X-Forwarded-For': '10.60.0.99', 'X-Neutron-Router-ID': ids.router! })).status, 404);
    assert.equal((await viaSocket('/', { 'X-Forwarded-For': '10.60.0.10', 'X-Neutron-Router-ID': randomUUID() })).status, 404);
    assert.equal((await viaSocket('/', { 'X-Neutron-Router-ID': ids.router! })).status, 400);
    assert.equal((await viaSocket('/', { 'X-Forwarded-For': '10.60.0.10' })).status, 400);
  });

  test('Nova unreachable: 500', async () => {
    await agent.stop();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await startAgent(`http://127.0.0.1:${port}/compute-metadata`);
    assert.equal((await viaSocket('/latest', { 'X-Forwarded-For': '10.60.0.10', 'X-Neutron-Router-ID': ids.router! })).status, 500);
  });
});
