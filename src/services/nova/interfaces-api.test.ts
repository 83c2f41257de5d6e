// Interface attachments and a server's security groups, on a cloud that boots for real: ports
// attached from a network, with a fixed IP, or given by the user, plugged by the host's driver
// (seen in the console log), device tags (2.49 in, 2.70 out), detach (a port Nova made is
// deleted, the user's is unbound), the security group actions; bad input as nova answers it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';

describe('os-interface and per-server security groups', () => {
  let b: BootCloud;
  let id = '';
  let net2 = '';

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1', 'DEFAULT.vif_plugging_timeout': '0' });
    const created = await b.boot({ name: 'nics' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    id = created.body.server.id;
    await b.waitFor(id, ['ACTIVE']);
    const net = await b.call('POST', '/network/v2.0/networks', { network: { name: 'second' } });
    net2 = net.body.network.id;
    const sub = await b.call('POST', '/network/v2.0/subnets', { subnet: { network_id: net2, cidr: '10.1.0.0/24', ip_version: 4 } });
    assert.equal(sub.status, 201);
  });
  after(async () => { await b?.close(); });

  test('list and show the boot port', async () => {
    const list = await b.compute('GET', `/servers/${id}/os-interface`);
    assert.equal(list.status, 200);
    assert.equal(list.body.interfaceAttachments.length, 1);
    const a = list.body.interfaceAttachments[0];
    assert.deepEqual(Object.keys(a).sort(), ['fixed_ips', 'mac_addr', 'net_id', 'port_id', 'port_state']);
    assert.equal(a.net_id, b.networkId);
    const shown = await b.compute('GET', `/servers/${id}/os-interface/${a.port_id}`, undefined, '2.70');
    assert.equal(shown.status, 200);
    assert.equal(shown.body.interfaceAttachment.tag, null);
    const missing = await b.compute('GET', `/servers/${id}/os-interface/00000000-0000-0000-0000-000000000000`);
    assert.equal(missing.status, 404);
  });

  test('attach from a network with a fixed IP and a tag; the host plugs it; detach deletes the port', async () => {
    const res = await b.compute('POST', `/servers/${id}/os-interface`, {
      interfaceAttachment: { net_id: net2, fixed_ips: [{ ip_address: '10.1.0.50' }], tag: 'data' },
    }, '2.70');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const att = res.body.interfaceAttachment;
    assert.equal(att.net_id, net2);
    assert.deepEqual(att.fixed_ips.map((f: any) => f.ip_address), ['10.1.0.50']);
    assert.equal(att.tag, 'data');
    const port = (await b.call('GET', `/network/v2.0/ports/${att.port_id}`)).body.port;
    assert.equal(port.device_id, id);
    assert.equal(port['binding:host_id'], 'c1');
    const console = await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} });
    assert.match(console.body.output, new RegExp(`eth hot-plugged: ${port.mac_address} 10\\.1\\.0\\.50`));
    const tags = (await b.compute('GET', `/servers/${id}/os-interface`, undefined, '2.70')).body.interfaceAttachments.map((a: any) => a.tag).sort();
    assert.deepEqual(tags, ['data', null].sort());
    assert.equal((await b.compute('GET', `/servers/${id}/os-interface`, undefined, '2.69')).body.interfaceAttachments[0].tag, undefined);
    const server = (await b.compute('GET', `/servers/${id}`)).body.server;
    assert.ok(server.addresses.second.some((a: any) => a.addr === '10.1.0.50'), JSON.stringify(server.addresses));
    const clash = await b.compute('POST', `/servers/${id}/os-interface`, { interfaceAttachment: { net_id: net2, fixed_ips: [{ ip_address: '10.1.0.50' }] } });
    assert.equal(clash.status, 409, JSON.stringify(clash.body));

    const del = await b.compute('DELETE', `/servers/${id}/os-interface/${att.port_id}`);
    assert.equal(del.status, 202);
    await until('the port to go', async () => (await b.call('GET', `/network/v2.0/ports/${att.port_id}`)).status === 404);
    await until('the cache to forget it', async () => (await b.repos.instances.get(id)).data.network_info.every((v) => v.id !== att.port_id));
    assert.equal((await b.compute('GET', `/servers/${id}/os-interface`)).body.interfaceAttachments.length, 1);
    const actions = (await b.repos.db.selectFrom('instance_actions').select('action').where('instance_uuid', '=', id).execute()).map((a) => a.action);
    assert.ok(actions.includes('attach_interface') && actions.includes('detach_interface'), actions.join());
  });

  test("attach the user's port; detach unbinds it and keeps it", async () => {
    const own = (await b.call('POST', '/network/v2.0/ports', { port: { network_id: net2, name: 'mine' } })).body.port;
    const res = await b.compute('POST', `/servers/${id}/os-interface`, { interfaceAttachment: { port_id: own.id } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.interfaceAttachment.port_id, own.id);
    assert.equal(res.body.interfaceAttachment.tag, undefined);
    const again = await b.compute('POST', `/servers/${id}/os-interface`, { interfaceAttachment: { port_id: own.id } });
    assert.equal(again.status, 409, 'a port in use');
    assert.equal((await b.compute('DELETE', `/servers/${id}/os-interface/${own.id}`)).status, 202);
    await until('the port to be unbound', async () => (await b.call('GET', `/network/v2.0/ports/${own.id}`)).body.port.device_id === '');
  });

  test('bad input, unknown things, locked and unsettled servers', async () => {
    const cases: Array<[unknown, number, string, RegExp?]> = [
      [{ interfaceAttachment: { net_id: net2, port_id: b.networkId } }, 400, '2.1', /^Must not input both network_id and port_id$/],
      [{ interfaceAttachment: { fixed_ips: [{ ip_address: '10.1.0.9' }] } }, 400, '2.1', /^Must input network_id when request IP address$/],
      [{ interfaceAttachment: { net_id: 'not-a-uuid' } }, 400, '2.1'],
      [{ interfaceAttachment: { net_id: net2, fixed_ips: [{ ip_address: 'x' }] } }, 400, '2.1'],
      [{ interfaceAttachment: { net_id: net2, tag: 'x' } }, 400, '2.48'],
      [{ interfaceAttachment: { net_id: net2, tag: 'a/b' } }, 400, '2.49'],
      [{ interfaceAttachment: { net_id: net2 }, extra: 1 }, 400, '2.1'],
      [{ interfaceAttachment: { net_id: '00000000-0000-0000-0000-000000000000' } }, 404, '2.1', /Network 00000000-0000-0000-0000-000000000000 could not be found/],
      [{ interfaceAttachment: { port_id: '00000000-0000-0000-0000-000000000000' } }, 404, '2.1'],
      [{}, 400, '2.1', /More than one possible network found/],
    ];
    for (const [body, status, version, message] of cases) {
      const res = await b.compute('POST', `/servers/${id}/os-interface`, body, version);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      if (message) assert.match(Object.values(res.body as Record<string, { message: string }>)[0]!.message, message);
    }
    const unknown = await b.compute('DELETE', `/servers/${id}/os-interface/00000000-0000-0000-0000-000000000000`);
    assert.equal(unknown.status, 404);
    const member = await b.projectUserToken('nicowner');
    const mine = await b.computeAs(member.token, 'POST', '/servers', { server: { name: 'm', imageRef: b.imageId, flavorRef: '1', networks: 'none' } }, '2.37');
    const mid = mine.body.server.id;
    await b.waitFor(mid, ['ACTIVE']);
    assert.equal((await b.computeAs(member.token, 'GET', `/servers/${id}/os-interface`)).status, 404, "another project's server");
    assert.equal((await b.computeAs(member.token, 'POST', `/servers/${id}/os-interface`, { interfaceAttachment: { net_id: net2 } })).status, 404);
    assert.equal((await b.computeAs(member.token, 'POST', `/servers/${mid}/os-interface`, { interfaceAttachment: { net_id: net2 } })).status, 404,
      "the admin's network is not the member's");
    await b.repos.instances.save(mid, { locked: true });
    const locked = await b.computeAs(member.token, 'POST', `/servers/${mid}/os-interface`, { interfaceAttachment: {} });
    assert.equal(locked.status, 409);
    assert.equal(locked.body.conflictingRequest.message, `Instance ${mid} is locked`);
    await b.repos.instances.save(mid, { locked: false, task_state: 'rebooting' });
    const busy = await b.computeAs(member.token, 'POST', `/servers/${mid}/os-interface`, { interfaceAttachment: {} });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.conflictingRequest.message, `Cannot 'attach_interface' instance ${mid} while it is in task_state rebooting`);
    await b.repos.instances.save(mid, { task_state: null });
    const none = await b.computeAs(member.token, 'POST', `/servers/${mid}/os-interface`, { interfaceAttachment: {} });
    assert.equal(none.status, 400, JSON.stringify(none.body));
    assert.match(none.body.badRequest.message, /No specific network was requested and none are available for project/);
  });

  describe('security groups of a server', () => {
    test('list: the default group with its ingress rules', async () => {
      const res = await b.compute('GET', `/servers/${id}/os-security-groups`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.security_groups.map((g: any) => g.name), ['default']);
      const g = res.body.security_groups[0];
      assert.deepEqual(Object.keys(g).sort(), ['description', 'id', 'name', 'rules', 'tenant_id']);
      for (const r of g.rules) assert.deepEqual(Object.keys(r).sort(), ['from_port', 'group', 'id', 'ip_protocol', 'ip_range', 'parent_group_id', 'to_port']);
    });

    test('addSecurityGroup / removeSecurityGroup change the ports in Neutron', async () => {
      const web = (await b.call('POST', '/network/v2.0/security-groups', { security_group: { name: 'web' } })).body.security_group;
      const add = await b.compute('POST', `/servers/${id}/action`, { addSecurityGroup: { name: 'web' } });
      assert.equal(add.status, 202, JSON.stringify(add.body));
      const ports = await b.ports(id);
      assert.ok(ports.every((p) => p.security_groups.includes(web.id)));
      assert.deepEqual((await b.compute('GET', `/servers/${id}/os-security-groups`)).body.security_groups.map((g: any) => g.name), ['default', 'web']);
      assert.equal((await b.compute('POST', `/servers/${id}/action`, { removeSecurityGroup: { name: web.id } })).status, 202, 'by id');
      assert.ok((await b.ports(id)).every((p) => !p.security_groups.includes(web.id)));
      const notThere = await b.compute('POST', `/servers/${id}/action`, { removeSecurityGroup: { name: 'web' } });
      assert.equal(notThere.status, 404);
      assert.equal(notThere.body.itemNotFound.message, `Security group web not associated with the instance ${id}`);
    });

    test('the server shows the groups its ports have: none at all (no key) once the last is removed', async () => {
      const groups = async () => (await b.compute('GET', `/servers/${id}`)).body.server.security_groups;
      assert.deepEqual(await groups(), [{ name: 'default' }]);
      const extra = (await b.call('POST', '/network/v2.0/security-groups', { security_group: { name: 'extra' } })).body.security_group;
      assert.equal((await b.compute('POST', `/servers/${id}/action`, { addSecurityGroup: { name: 'extra' } })).status, 202);
      assert.deepEqual(await groups(), [{ name: 'default' }, { name: 'extra' }]);
      assert.equal((await b.compute('POST', `/servers/${id}/action`, { removeSecurityGroup: { name: 'default' } })).status, 202);
      assert.equal((await b.compute('POST', `/servers/${id}/action`, { removeSecurityGroup: { name: extra.id } })).status, 202);
      const server = (await b.compute('GET', `/servers/${id}`)).body.server;
      assert.ok(!('security_groups' in server), JSON.stringify(server.security_groups));
      assert.ok((await b.ports(id)).every((p) => p.security_groups.length === 0));
      assert.equal((await b.compute('POST', `/servers/${id}/action`, { addSecurityGroup: { name: 'default' } })).status, 202);
      assert.deepEqual(await groups(), [{ name: 'default' }]);
    });

    test('bad input and unknown groups', async () => {
      const cases: Array<[unknown, number, string?]> = [
        [{ addSecurityGroup: { name: 'nope' } }, 404],
        [{ addSecurityGroup: {} }, 400, 'Security group not specified'],
        [{ addSecurityGroup: { name: '  ' } }, 400, 'Security group name cannot be empty'],
        [{ addSecurityGroup: 'web' }, 400, 'Missing parameter dict'],
        [{ removeSecurityGroup: null }, 400, 'Missing parameter dict'],
        [{ removeSecurityGroup: { name: 'nope' } }, 404],
      ];
      for (const [body, status, message] of cases) {
        const res = await b.compute('POST', `/servers/${id}/action`, body);
        assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        if (message) assert.equal(res.body.badRequest.message, message);
      }
      const other = await b.projectUserToken('sgother');
      assert.equal((await b.computeAs(other.token, 'GET', `/servers/${id}/os-security-groups`)).status, 404);
      assert.equal((await b.computeAs(other.token, 'POST', `/servers/${id}/action`, { addSecurityGroup: { name: 'default' } })).status, 404);
    });
  });
});
