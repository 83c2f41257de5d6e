/**
 * QoS through app.inject: policies (Zed policy: admins write, owners and sharees read), their
 * rules and the rule aliases, rule types, qos_policy_id on networks and ports (a port's own
 * policy wins over its network's, a project's default policy on new networks), RBAC sharing,
 * and Neutron's 404s and 409s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('qos-a');
const B = tokenFor('qos-b');

before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function ok(method: string, url: string, token: string, body?: unknown, status = method === 'POST' ? 201 : 200) {
  const r = await h.request(method, url, token, body);
  assert.equal(r.status, status, `${method} ${url}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function policy(body: Record<string, unknown> = {}) {
  return (await ok('POST', '/v2.0/qos/policies', ADMIN, { policy: { name: 'p', ...body } })).policy;
}

async function fault(method: string, url: string, token: string, status: number, type: string, body?: unknown) {
  const r = await h.request(method, url, token, body);
  assert.equal(r.status, status, `${method} ${url}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.NeutronError.type, type, JSON.stringify(r.body));
  return r.body.NeutronError.message as string;
}

describe('QoS policies', () => {
  test('admins create policies with Neutron\'s attributes; members may not (Zed policy)', async () => {
    const p = await policy({ name: 'shape', description: 'd', tags: ['t1'] });
    for (const k of ['id', 'name', 'description', 'shared', 'is_default', 'rules', 'tags', 'tenant_id', 'project_id', 'revision_number', 'created_at', 'updated_at']) {
      assert.ok(k in p, k);
    }
    assert.deepEqual([p.shared, p.is_default, p.rules, p.tags, p.project_id], [false, false, [], ['t1'], 'admin-proj']);
    await fault('POST', '/v2.0/qos/policies', A, 403, 'PolicyNotAuthorized', { policy: { name: 'x' } });
    const own = await policy({ project_id: 'qos-a' });
    await fault('PUT', `/v2.0/qos/policies/${own.id}`, A, 403, 'PolicyNotAuthorized', { policy: { name: 'y' } });
    assert.equal((await ok('GET', `/v2.0/qos/policies/${own.id}`, A)).policy.id, own.id);
  });

  test('another project\'s policy is a 404 until it is shared; filters, sorting and tags work', async () => {
    const p = await policy({ name: 'hidden', project_id: 'qos-b' });
    await fault('GET', `/v2.0/qos/policies/${p.id}`, A, 404, 'QosPolicyNotFound');
    await fault('PUT', `/v2.0/qos/policies/${p.id}`, A, 404, 'QosPolicyNotFound', { policy: { name: 'z' } });
    const shared = await policy({ name: 'everyone', shared: true });
    const seen = (await ok('GET', `/v2.0/qos/policies/${shared.id}`, A)).policy;
    assert.deepEqual(seen, shared);
    const names = (await ok('GET', '/v2.0/qos/policies?shared=true&sort_key=name&sort_dir=asc', A)).policies.map((x: { name: string }) => x.name);
    assert.ok(names.includes('everyone') && !names.includes('hidden'));
    assert.equal((await ok('GET', '/v2.0/qos/policies?name=everyone', ADMIN)).policies.length, 1);
    // the tag extension names the collection: /v2.0/policies/{id}/tags, as neutron-tempest-plugin calls it
    await ok('PUT', `/v2.0/policies/${shared.id}/tags/blue`, ADMIN, undefined, 201);
    assert.deepEqual((await ok('GET', `/v2.0/policies/${shared.id}/tags`, A)).tags, ['blue']);
    assert.equal((await h.request('PUT', `/v2.0/policies/${shared.id}/tags/red`, A)).status, 403);
    // a member tags a policy of its own project (the tag rules of the other resources)
    const own = await policy({ name: 'mine', project_id: 'qos-a' });
    await ok('PUT', `/v2.0/policies/${own.id}/tags/green`, A, undefined, 201);
    assert.deepEqual((await ok('GET', `/v2.0/policies/${own.id}/tags`, A)).tags, ['green']);
    const unshared = (await ok('PUT', `/v2.0/qos/policies/${shared.id}`, ADMIN, { policy: { shared: false, description: 'd2' } })).policy;
    assert.deepEqual([unshared.shared, unshared.description], [false, 'd2']);
    await fault('GET', `/v2.0/qos/policies/${shared.id}`, A, 404, 'QosPolicyNotFound');
  });

  test('one default policy per project; a new network of the project takes it', async () => {
    const def = await policy({ project_id: 'qos-d', is_default: true });
    assert.equal(def.is_default, true);
    await fault('POST', '/v2.0/qos/policies', ADMIN, 409, 'QoSPolicyDefaultAlreadyExists', { policy: { project_id: 'qos-d', is_default: true } });
    const net = (await ok('POST', '/v2.0/networks', ADMIN, { network: { name: 'n', project_id: 'qos-d' } })).network;
    assert.equal(net.qos_policy_id, def.id);
    const other = await policy({ project_id: 'qos-d' });
    const net2 = (await ok('POST', '/v2.0/networks', ADMIN, { network: { name: 'n2', project_id: 'qos-d', qos_policy_id: other.id } })).network;
    assert.equal(net2.qos_policy_id, other.id);
    assert.equal((await ok('GET', '/v2.0/qos/policies?is_default=true', ADMIN)).policies.filter((x: { id: string }) => x.id === def.id).length, 1);
  });
});

describe('QoS rules', () => {
  test('bandwidth limit rules: create, show, list, update, delete; one per direction', async () => {
    const p = await policy();
    const base = `/v2.0/qos/policies/${p.id}/bandwidth_limit_rules`;
    const r = (await ok('POST', base, ADMIN, { bandwidth_limit_rule: { max_kbps: 200, max_burst_kbps: 1337 } })).bandwidth_limit_rule;
    assert.deepEqual(r, { id: r.id, max_kbps: 200, max_burst_kbps: 1337, direction: 'egress' });
    const msg = await fault('POST', base, ADMIN, 409, 'QoSRulesConflict', { bandwidth_limit_rule: { max_kbps: 1 } });
    assert.equal(msg, `Rule bandwidth_limit conflicts with rule ${r.id} which already exists in QoS Policy ${p.id}.`);
    const ing = (await ok('POST', base, ADMIN, { bandwidth_limit_rule: { max_kbps: 300, direction: 'ingress' } })).bandwidth_limit_rule;
    await fault('PUT', `${base}/${ing.id}`, ADMIN, 409, 'QoSRulesConflict', { bandwidth_limit_rule: { direction: 'egress' } });
    assert.equal((await ok('PUT', `${base}/${ing.id}`, ADMIN, { bandwidth_limit_rule: { max_kbps: 400 } })).bandwidth_limit_rule.max_kbps, 400);
    const shown = (await ok('GET', `/v2.0/qos/policies/${p.id}`, ADMIN)).policy.rules;
    assert.deepEqual(shown.map((x: { type: string; direction: string; qos_policy_id: string }) => [x.type, x.direction, x.qos_policy_id]).sort(),
      [['bandwidth_limit', 'egress', p.id], ['bandwidth_limit', 'ingress', p.id]]);
    assert.equal((await ok('GET', `${base}?direction=ingress`, ADMIN)).bandwidth_limit_rules.length, 1);
    await fault('POST', base, ADMIN, 400, 'HTTPBadRequest', { bandwidth_limit_rule: { max_kbps: -1 } });
    await fault('POST', base, ADMIN, 400, 'HTTPBadRequest', { bandwidth_limit_rule: { max_kbps: 1, direction: 'sideways' } });
    await fault('POST', base, A, 403, 'PolicyNotAuthorized', { bandwidth_limit_rule: { max_kbps: 1, direction: 'ingress' } });
    await ok('DELETE', `${base}/${ing.id}`, ADMIN, undefined, 204);
    await fault('GET', `${base}/${ing.id}`, ADMIN, 404, 'QosRuleNotFound');
    await fault('POST', '/v2.0/qos/policies/9efe63d0-836f-4cc2-b00c-468e63aa614e/bandwidth_limit_rules', ADMIN, 404, 'QosPolicyNotFound', { bandwidth_limit_rule: { max_kbps: 1 } });
    // a policy with rules can be deleted
    await ok('DELETE', `/v2.0/qos/policies/${p.id}`, ADMIN, undefined, 204);
  });

  test('DSCP marking and minimum bandwidth rules; a limit under the minimum conflicts', async () => {
    const p = await policy({ project_id: 'qos-a' });
    const dscp = `/v2.0/qos/policies/${p.id}/dscp_marking_rules`;
    const d = (await ok('POST', dscp, ADMIN, { dscp_marking_rule: { dscp_mark: 16 } })).dscp_marking_rule;
    assert.deepEqual(d, { id: d.id, dscp_mark: 16 });
    await fault('POST', dscp, ADMIN, 409, 'QoSRulesConflict', { dscp_marking_rule: { dscp_mark: 8 } });
    await fault('PUT', `${dscp}/${d.id}`, ADMIN, 400, 'HTTPBadRequest', { dscp_marking_rule: { dscp_mark: 7 } });
    const min = `/v2.0/qos/policies/${p.id}/minimum_bandwidth_rules`;
    await fault('POST', min, ADMIN, 400, 'HTTPBadRequest', { minimum_bandwidth_rule: {} });
    const m = (await ok('POST', min, ADMIN, { minimum_bandwidth_rule: { min_kbps: 1000 } })).minimum_bandwidth_rule;
    assert.deepEqual(m, { id: m.id, min_kbps: 1000, direction: 'egress' });
    assert.equal((await ok('POST', min, ADMIN, { minimum_bandwidth_rule: { min_kbps: 10, direction: 'ingress' } })).minimum_bandwidth_rule.direction, 'ingress');
    const msg = await fault('POST', `/v2.0/qos/policies/${p.id}/bandwidth_limit_rules`, ADMIN, 409, 'QoSRuleParameterConflict', { bandwidth_limit_rule: { max_kbps: 500 } });
    assert.equal(msg, `Unable to add the rule with value 500 to the policy ${p.id} as the existing rule of type minimum_bandwidth has value 1000.`);
    // the policy's owner reads its rules; another project sees no policy
    assert.equal((await ok('GET', dscp, A)).dscp_marking_rules.length, 1);
    await fault('GET', dscp, B, 404, 'QosPolicyNotFound');
  });

  test('rule aliases: GET, PUT and DELETE by rule id alone', async () => {
    const p = await policy({ project_id: 'qos-a' });
    const r = (await ok('POST', `/v2.0/qos/policies/${p.id}/bandwidth_limit_rules`, ADMIN, { bandwidth_limit_rule: { max_kbps: 100 } })).bandwidth_limit_rule;
    const url = `/v2.0/qos/alias_bandwidth_limit_rules/${r.id}`;
    assert.equal((await ok('GET', url, A)).alias_bandwidth_limit_rule.max_kbps, 100);
    await fault('GET', url, B, 404, 'QosPolicyNotFound');
    await fault('PUT', url, A, 403, 'PolicyNotAuthorized', { alias_bandwidth_limit_rule: { max_kbps: 5 } });
    assert.equal((await ok('PUT', url, ADMIN, { alias_bandwidth_limit_rule: { max_kbps: 5 } })).alias_bandwidth_limit_rule.max_kbps, 5);
    await ok('DELETE', url, ADMIN, undefined, 204);
    await fault('GET', url, ADMIN, 404, 'QosRuleNotFound');
  });

  test('rule types: what the Linux bridge driver supports; details for admins only', async () => {
    assert.deepEqual((await ok('GET', '/v2.0/qos/rule-types', A)).rule_types, [{ type: 'bandwidth_limit' }, { type: 'dscp_marking' }]);
    await fault('GET', '/v2.0/qos/rule-types/bandwidth_limit', A, 403, 'NotAuthorized');
    const t = (await ok('GET', '/v2.0/qos/rule-types/bandwidth_limit', ADMIN)).rule_type;
    assert.deepEqual(Object.keys(t).sort(), ['drivers', 'type']);
    assert.equal(t.drivers[0].name, 'linuxbridge');
    assert.deepEqual(t.drivers[0].supported_parameters.find((x: { parameter_name: string }) => x.parameter_name === 'direction'),
      { parameter_name: 'direction', parameter_values: ['ingress', 'egress'], parameter_type: 'choices' });
    assert.deepEqual((await ok('GET', '/v2.0/qos/rule-types/minimum_bandwidth', ADMIN)).rule_type.drivers, []);
  });
});

describe('QoS on networks and ports', () => {
  test('a port\'s own policy wins over its network\'s; unknown and unshared policies are 404s', async () => {
    const netPolicy = await policy({ shared: true });
    const portPolicy = await policy({ shared: true });
    const hidden = await policy();
    const net = (await ok('POST', '/v2.0/networks', A, { network: { name: 'q', qos_policy_id: netPolicy.id } })).network;
    assert.equal(net.qos_policy_id, netPolicy.id);
    await fault('POST', '/v2.0/networks', A, 404, 'QosPolicyNotFound', { network: { name: 'q', qos_policy_id: hidden.id } });
    await fault('POST', '/v2.0/networks', A, 404, 'QosPolicyNotFound', { network: { name: 'q', qos_policy_id: '9efe63d0-836f-4cc2-b00c-468e63aa614e' } });
    const port = (await ok('POST', '/v2.0/ports', A, { port: { network_id: net.id } })).port;
    assert.deepEqual([port.qos_policy_id, port.qos_network_policy_id], [null, netPolicy.id]);
    await fault('POST', '/v2.0/ports', A, 404, 'QosPolicyNotFound', { port: { network_id: net.id, qos_policy_id: hidden.id } });
    const updated = (await ok('PUT', `/v2.0/ports/${port.id}`, A, { port: { qos_policy_id: portPolicy.id } })).port;
    assert.deepEqual([updated.qos_policy_id, updated.qos_network_policy_id], [portPolicy.id, netPolicy.id]);
    await fault('DELETE', `/v2.0/qos/policies/${portPolicy.id}`, ADMIN, 409, 'QosPolicyInUse');
    const msg = await fault('DELETE', `/v2.0/qos/policies/${netPolicy.id}`, ADMIN, 409, 'QosPolicyInUse');
    assert.equal(msg, `QoS Policy ${netPolicy.id} is used by network ${net.id}.`);
    assert.equal((await ok('PUT', `/v2.0/ports/${port.id}`, A, { port: { qos_policy_id: null } })).port.qos_policy_id, null);
    await ok('DELETE', `/v2.0/qos/policies/${portPolicy.id}`, ADMIN, undefined, 204);
    assert.equal((await ok('PUT', `/v2.0/networks/${net.id}`, A, { network: { qos_policy_id: null } })).network.qos_policy_id, null);
    assert.equal((await ok('GET', `/v2.0/ports/${port.id}`, A)).port.qos_network_policy_id, null);
  });

  test('a rule the bound driver does not support is a 409 once the policy is on a port', async () => {
    const p = await policy({ shared: true });
    const net = (await ok('POST', '/v2.0/networks', A, { network: { name: 'm' } })).network;
    await ok('POST', '/v2.0/ports', A, { port: { network_id: net.id, qos_policy_id: p.id } });
    const msg = await fault('POST', `/v2.0/qos/policies/${p.id}/minimum_bandwidth_rules`, ADMIN, 409, 'QosRuleNotSupported', { minimum_bandwidth_rule: { min_kbps: 10 } });
    assert.match(msg, /^Rule minimum_bandwidth is not supported by port /);
    assert.deepEqual((await ok('GET', `/v2.0/qos/policies/${p.id}`, ADMIN)).policy.rules, []);
    const withMin = await policy({ shared: true });
    await ok('POST', `/v2.0/qos/policies/${withMin.id}/minimum_bandwidth_rules`, ADMIN, { minimum_bandwidth_rule: { min_kbps: 10 } });
    await fault('PUT', `/v2.0/networks/${net.id}`, A, 409, 'QosRuleNotSupportedByNetwork', { network: { qos_policy_id: withMin.id } });
  });

  test('RBAC shares a policy with one project; the grant cannot go while that project uses it', async () => {
    const p = await policy();
    await fault('POST', '/v2.0/networks', A, 404, 'QosPolicyNotFound', { network: { name: 'r', qos_policy_id: p.id } });
    const grant = (await ok('POST', '/v2.0/rbac-policies', ADMIN, { rbac_policy: { object_type: 'qos_policy', object_id: p.id, action: 'access_as_shared', target_tenant: 'qos-a' } })).rbac_policy;
    assert.equal((await ok('GET', `/v2.0/qos/policies/${p.id}`, A)).policy.shared, true);
    await fault('GET', `/v2.0/qos/policies/${p.id}`, B, 404, 'QosPolicyNotFound');
    const net = (await ok('POST', '/v2.0/networks', A, { network: { name: 'r', qos_policy_id: p.id } })).network;
    await fault('DELETE', `/v2.0/rbac-policies/${grant.id}`, ADMIN, 409, 'RbacPolicyInUse');
    await ok('DELETE', `/v2.0/networks/${net.id}`, A, undefined, 204);
    await ok('DELETE', `/v2.0/rbac-policies/${grant.id}`, ADMIN, undefined, 204);
    await fault('GET', `/v2.0/qos/policies/${p.id}`, A, 404, 'QosPolicyNotFound');
    // the binding went with the network
    await ok('DELETE', `/v2.0/qos/policies/${p.id}`, ADMIN, undefined, 204);
  });

  test('sharing cannot be withdrawn while a project uses the policy without a grant of its own, its owner included', async () => {
    const p = await policy({ shared: true });
    const net = (await ok('POST', '/v2.0/networks', ADMIN, { network: { name: 'own' } })).network;
    await ok('PUT', `/v2.0/networks/${net.id}`, ADMIN, { network: { qos_policy_id: p.id } });
    await fault('PUT', `/v2.0/qos/policies/${p.id}`, ADMIN, 409, 'RbacPolicyInUse', { policy: { shared: false } });
    await ok('DELETE', `/v2.0/networks/${net.id}`, ADMIN, undefined, 204);
    assert.equal((await ok('PUT', `/v2.0/qos/policies/${p.id}`, ADMIN, { policy: { shared: false } })).policy.shared, false);
    // a grant to B and a wildcard; B's network keeps the wildcard once B's grant is gone, and a retarget is a removal
    const grant = (await ok('POST', '/v2.0/rbac-policies', ADMIN, { rbac_policy: { object_type: 'qos_policy', object_id: p.id, action: 'access_as_shared', target_tenant: 'qos-b' } })).rbac_policy;
    const bNet = (await ok('POST', '/v2.0/networks', B, { network: { name: 'b', qos_policy_id: p.id } })).network;
    await fault('DELETE', `/v2.0/rbac-policies/${grant.id}`, ADMIN, 409, 'RbacPolicyInUse');
    const wild = (await ok('POST', '/v2.0/rbac-policies', ADMIN, { rbac_policy: { object_type: 'qos_policy', object_id: p.id, action: 'access_as_shared', target_tenant: '*' } })).rbac_policy;
    await ok('DELETE', `/v2.0/rbac-policies/${grant.id}`, ADMIN, undefined, 204);
    await fault('DELETE', `/v2.0/rbac-policies/${wild.id}`, ADMIN, 409, 'RbacPolicyInUse');
    await fault('PUT', `/v2.0/rbac-policies/${wild.id}`, ADMIN, 409, 'RbacPolicyInUse', { rbac_policy: { target_tenant: 'qos-b' } });
    await ok('DELETE', `/v2.0/networks/${bNet.id}`, B, undefined, 204);
    await ok('DELETE', `/v2.0/rbac-policies/${wild.id}`, ADMIN, undefined, 204);
  });
});
