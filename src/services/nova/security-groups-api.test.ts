// os-security-groups and os-security-group-rules proxied to Neutron: bodies in nova's view,
// nova's validation and messages, another project's groups invisible, all_tenants for the
// admin, and 404 from 2.36.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';

describe('os-security-groups and os-security-group-rules', () => {
  let b: BootCloud;
  let other: { token: string; projectId: string };
  let sg: any;

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1' });
    other = await b.projectUserToken('sg-other');
  });
  after(async () => { await b?.close(); });

  test('create, show, list, update', async () => {
    const res = await b.compute('POST', '/os-security-groups', { security_group: { name: 'web', description: 'web servers' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    sg = res.body.security_group;
    assert.deepEqual(Object.keys(sg).sort(), ['description', 'id', 'name', 'rules', 'tenant_id']);
    assert.equal(sg.name, 'web');
    assert.equal(sg.description, 'web servers');
    assert.deepEqual(sg.rules, []);
    const shown = await b.compute('GET', `/os-security-groups/${sg.id}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.security_group, sg);
    const list = await b.compute('GET', '/os-security-groups');
    assert.equal(list.status, 200);
    const names = list.body.security_groups.map((g: any) => g.name);
    assert.ok(names.includes('web') && names.includes('default'), names.join());
    assert.deepEqual(names, [...names].sort());
    assert.equal((await b.compute('GET', '/os-security-groups?limit=1')).body.security_groups.length, 1);
    assert.equal((await b.compute('GET', '/os-security-groups?limit=-1')).status, 400);
    const updated = await b.compute('PUT', `/os-security-groups/${sg.id}`, { security_group: { name: 'web2', description: 'changed' } });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.security_group.name, 'web2');
    assert.equal(updated.body.security_group.description, 'changed');
  });

  test('bad bodies and ids', async () => {
    const cases: Array<[string, string, unknown, number, string?]> = [
      ['POST', '/os-security-groups', {}, 400, "The request body can't be empty"],
      ['POST', '/os-security-groups', { other: 1 }, 400, 'Missing parameter security_group'],
      ['POST', '/os-security-groups', { security_group: { description: 'x' } }, 400, 'name is not a string or unicode'],
      ['POST', '/os-security-groups', { security_group: { name: 'x'.repeat(256), description: 'x' } }, 400, 'name has 256 characters, more than 255.'],
      ['POST', '/os-security-groups', { security_group: { name: 'x', description: 5 } }, 400, 'description is not a string or unicode'],
      ['GET', '/os-security-groups/not-a-uuid', undefined, 400, 'Security group id should be uuid'],
      ['GET', '/os-security-groups/00000000-0000-0000-0000-000000000000', undefined, 404],
      ['PUT', '/os-security-groups/00000000-0000-0000-0000-000000000000', { security_group: { name: 'a', description: 'b' } }, 404],
      ['DELETE', '/os-security-groups/00000000-0000-0000-0000-000000000000', undefined, 404],
      ['DELETE', '/os-security-groups/xyz', undefined, 400],
    ];
    for (const [method, path, body, status, message] of cases) {
      const res = await b.compute(method, path, body);
      assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      if (message) assert.equal(Object.values(res.body as Record<string, any>)[0].message, message);
    }
  });

  test('rules: cidr and group rules, nova checks, delete', async () => {
    const rule = await b.compute('POST', '/os-security-group-rules', {
      security_group_rule: { parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.0.0.0/8' },
    });
    assert.equal(rule.status, 200, JSON.stringify(rule.body));
    const r = rule.body.security_group_rule;
    assert.deepEqual(r, { id: r.id, parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 22, to_port: 22, group: {}, ip_range: { cidr: '10.0.0.0/8' } });
    const src = (await b.compute('POST', '/os-security-groups', { security_group: { name: 'src', description: '' } })).body.security_group;
    const byGroup = await b.compute('POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: sg.id, ip_protocol: 'icmp', group_id: src.id } });
    assert.equal(byGroup.status, 200, JSON.stringify(byGroup.body));
    assert.equal(byGroup.body.security_group_rule.from_port, -1);
    assert.deepEqual(byGroup.body.security_group_rule.group, { name: 'src', tenant_id: sg.tenant_id });
    assert.deepEqual(byGroup.body.security_group_rule.ip_range, {});
    const shown = (await b.compute('GET', `/os-security-groups/${sg.id}`)).body.security_group;
    assert.equal(shown.rules.length, 2);

    const base = { parent_group_id: sg.id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.0.0.0/8' };
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [base, 400, `This rule already exists in group ${sg.id}`],
      [{ ...base, from_port: 30, to_port: 20 }, 400, 'Invalid port range 30:20. Former value cannot be greater than the later'],
      [{ ...base, from_port: 0 }, 400, 'Invalid port range 0:22. Valid TCP ports should be between 1-65535'],
      [{ ...base, ip_protocol: 'icmp', from_port: 256, to_port: 0 }, 400, 'Invalid port range 256:0. For ICMP, the type:code must be valid'],
      [{ ...base, ip_protocol: 'foo' }, 400, 'Invalid IP protocol foo.'],
      [{ ...base, from_port: 'abc' }, 400, 'Invalid input received: To and From ports must be integers'],
      [{ ...base, cidr: '10.0.0.300/8' }, 400, '10.0.0.300/8 is not a valid IP network.'],
      [{ ...base, cidr: '10.0.0.1/0' }, 400, 'Bad prefix for network in cidr 10.0.0.1/0'],
      [{ parent_group_id: sg.id, ip_protocol: 'tcp' }, 400, 'Not enough parameters to build a valid rule.'],
      [{ ...base, parent_group_id: 'nope' }, 400, 'Security group id should be uuid'],
      [{ ...base, parent_group_id: '00000000-0000-0000-0000-000000000000' }, 404, ''],
      [{ ...base, group_id: '00000000-0000-0000-0000-000000000000' }, 404, ''],
    ];
    for (const [body, status, message] of cases) {
      const res = await b.compute('POST', '/os-security-group-rules', { security_group_rule: body });
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      if (message) assert.equal(Object.values(res.body as Record<string, any>)[0].message, message);
    }
    assert.equal((await b.compute('DELETE', `/os-security-group-rules/${r.id}`)).status, 202);
    assert.equal((await b.compute('DELETE', `/os-security-group-rules/${r.id}`)).status, 404);
    assert.equal((await b.compute('DELETE', '/os-security-group-rules/bad')).status, 400);
    assert.equal((await b.compute('GET', `/os-security-groups/${sg.id}`)).body.security_group.rules.length, 1);
  });

  test("another project's groups are invisible; an admin lists them with all_tenants", async () => {
    const mine = await b.computeAs(other.token, 'POST', '/os-security-groups', { security_group: { name: 'theirs', description: '' } });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.security_group.tenant_id, other.projectId);
    assert.equal((await b.computeAs(other.token, 'GET', `/os-security-groups/${sg.id}`)).status, 404);
    assert.equal((await b.computeAs(other.token, 'DELETE', `/os-security-groups/${sg.id}`)).status, 404);
    const theirList = (await b.computeAs(other.token, 'GET', '/os-security-groups')).body.security_groups;
    assert.ok(theirList.every((g: any) => g.tenant_id === other.projectId));
    const theirAll = (await b.computeAs(other.token, 'GET', '/os-security-groups?all_tenants=1')).body.security_groups;
    assert.ok(theirAll.every((g: any) => g.tenant_id === other.projectId));
    const adminList = (await b.compute('GET', '/os-security-groups')).body.security_groups;
    assert.ok(!adminList.some((g: any) => g.id === mine.body.security_group.id));
    const adminAll = (await b.compute('GET', '/os-security-groups?all_tenants=1')).body.security_groups;
    assert.ok(adminAll.some((g: any) => g.id === mine.body.security_group.id));
  });

  test("delete: 202, a member's default group is a 400; 404 from 2.36", async () => {
    assert.equal((await b.compute('GET', '/os-security-groups', undefined, '2.35')).status, 200);
    assert.equal((await b.compute('GET', '/os-security-groups', undefined, '2.36')).status, 404);
    assert.equal((await b.compute('POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: sg.id } }, '2.36')).status, 404);
    assert.equal((await b.compute('DELETE', `/os-security-groups/${sg.id}`, undefined, '2.36')).status, 404);
    const def = (await b.computeAs(other.token, 'GET', '/os-security-groups')).body.security_groups.find((g: any) => g.name === 'default');
    assert.equal((await b.computeAs(other.token, 'DELETE', `/os-security-groups/${def.id}`)).status, 400);
    assert.equal((await b.compute('DELETE', `/os-security-groups/${sg.id}`)).status, 202);
    assert.equal((await b.compute('GET', `/os-security-groups/${sg.id}`)).status, 404);
  });
});
