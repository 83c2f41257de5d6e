// The boot flow end to end, in one process with every role: API -> conductor -> scheduler
// (Placement candidates, claim) -> compute host (claim, ports from Neutron bound to the host,
// network-vif-plugged, spawn) -> ACTIVE; then delete frees the allocation and the ports.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';

describe('boot flow', () => {
  let b: BootCloud;
  before(async () => { b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2' }); });
  after(async () => { await b?.close(); });

  test('a server reaches ACTIVE with a bound port, an allocation and the create notifications', async () => {
    const created = await b.boot({ name: 'web-1' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    assert.equal(typeof created.body.server.adminPass, 'string');
    assert.deepEqual(created.body.server.security_groups, [{ name: 'default' }]);
    // the port exists once the host bound it; Neutron's agent would now report it up
    const deadline = Date.now() + 10_000;
    while ((await b.ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const plugged = await b.plugVifs(id);
    assert.equal(plugged.status, 200, JSON.stringify(plugged.body));
    const server = await b.waitFor(id, ['ACTIVE', 'ERROR']);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server));
    assert.equal(server['OS-EXT-STS:power_state'], 1);
    assert.equal(server['OS-EXT-STS:task_state'], null);
    const host = server['OS-EXT-SRV-ATTR:host'];
    assert.ok(['c1', 'c2'].includes(host));
    const [port] = await b.ports(id);
    assert.equal(port['binding:host_id'], host);
    assert.equal(port.device_owner, 'compute:nova');
    assert.equal(server.addresses.private[0].addr, port.fixed_ips[0].ip_address);
    const alloc = await b.allocations(id);
    assert.deepEqual(Object.values(alloc).map((a) => a.resources), [{ VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 }]);
    const events = b.notifications.filter((n) => n.payload?.['nova_object.data']?.uuid === id).map((n) => n.eventType);
    assert.ok(events.includes('instance.create.start') && events.includes('instance.create.end'), events.join(','));

    const del = await b.compute('DELETE', `/servers/${id}`);
    assert.equal(del.status, 204);
    await b.waitFor(id, ['DELETED']);
    assert.deepEqual(await b.allocations(id), {});
    assert.deepEqual(await b.ports(id), []);
  });
});
