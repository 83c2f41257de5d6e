/**
 * A network delete that the database refuses because a row made meanwhile still refers to the
 * network (a DHCP agent's port or binding committed between the port check and the delete) is
 * run again from the start; if the network stays referenced it is in use (409), never a 500.
 * The refusal is the database's foreign-key error, raised here from the delete's own
 * transaction (PRECOMMIT_DELETE) so that the race is met every time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';

let h: Harness;
/** Networks whose delete is refused this many more times. */
const refusals = new Map<string, number>();

before(async () => {
  h = await startHarness();
  h.service.events.subscribe('network', 'precommit_delete', ({ network }) => {
    const left = refusals.get(network.id) ?? 0;
    if (left === 0) return;
    refusals.set(network.id, left - 1);
    throw Object.assign(new Error('FOREIGN KEY constraint failed'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
  });
});
after(() => h.close());

async function network(name: string): Promise<string> {
  const net = await h.request('POST', '/v2.0/networks', ADMIN, { network: { name } });
  assert.equal(net.status, 201);
  await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.body.network.id, cidr: '10.81.0.0/24', ip_version: 4 } });
  return net.body.network.id as string;
}

test('a delete refused once by a reference made meanwhile is run again and succeeds', async () => {
  const id = await network('raced-once');
  refusals.set(id, 1);
  assert.equal((await h.request('DELETE', `/v2.0/networks/${id}`, ADMIN)).status, 204);
  assert.equal((await h.request('GET', `/v2.0/networks/${id}`, ADMIN)).status, 404);
});

test('a network that stays referenced is in use (409), and is still there', async () => {
  const id = await network('raced-always');
  refusals.set(id, 100);
  const del = await h.request('DELETE', `/v2.0/networks/${id}`, ADMIN);
  assert.equal(del.status, 409);
  assert.equal(del.body.NeutronError.type, 'NetworkInUse');
  assert.equal((await h.request('GET', `/v2.0/networks/${id}`, ADMIN)).status, 200);
  refusals.set(id, 0);
  assert.equal((await h.request('DELETE', `/v2.0/networks/${id}`, ADMIN)).status, 204);
});
