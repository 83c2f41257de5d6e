/**
 * Metering labels and rules through app.inject (API only): admin-only writes and Zed's reads,
 * the plugin's prefix checks and overlaps, and the 404s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('meter-a');

before(async () => {
  h = await startHarness();
});
after(() => h.close());

const LABELS = '/v2.0/metering/metering-labels';
const RULES = '/v2.0/metering/metering-label-rules';

async function call(method: string, url: string, token: string, body?: unknown) {
  return h.request(method, url, token, body);
}

describe('metering', () => {
  test('labels: admins create and delete them; the project reads its own; others get 404', async () => {
    let r = await call('POST', LABELS, ADMIN, { metering_label: { name: 'm', description: 'd', project_id: 'meter-a' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const label = r.body.metering_label;
    assert.deepEqual(label, { id: label.id, name: 'm', description: 'd', shared: false, tenant_id: 'meter-a', project_id: 'meter-a' });
    r = await call('POST', LABELS, A, { metering_label: { name: 'x' } });
    assert.equal(r.status, 403);
    assert.equal((await call('GET', `${LABELS}/${label.id}`, A)).body.metering_label.id, label.id);
    r = await call('GET', `${LABELS}/${label.id}`, tokenFor('meter-b'));
    assert.equal(r.status, 404);
    assert.equal(r.body.NeutronError.type, 'MeteringLabelNotFound');
    assert.equal((await call('GET', `${LABELS}?name=m`, ADMIN)).body.metering_labels.length, 1);
    assert.equal((await call('PUT', `${LABELS}/${label.id}`, ADMIN, { metering_label: { name: 'n' } })).status, 400);
    assert.equal((await call('DELETE', `${LABELS}/${label.id}`, A)).status, 403);
    assert.equal((await call('DELETE', `${LABELS}/${label.id}`, ADMIN)).status, 204);
    assert.equal((await call('GET', `${LABELS}/${label.id}`, ADMIN)).status, 404);
  });

  test('rules: prefixes checked as the plugin does, overlapping remote prefixes refused, gone with their label', async () => {
    const label = (await call('POST', LABELS, ADMIN, { metering_label: { name: 'r' } })).body.metering_label;
    const rule = async (body: Record<string, unknown>) => call('POST', RULES, ADMIN, { metering_label_rule: { metering_label_id: label.id, direction: 'ingress', ...body } });
    let r = await rule({ remote_ip_prefix: '10.0.0.0/24' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const first = r.body.metering_label_rule;
    assert.deepEqual(first, {
      id: first.id, metering_label_id: label.id, direction: 'ingress', excluded: false, remote_ip_prefix: '10.0.0.0/24', source_ip_prefix: null, destination_ip_prefix: null,
    });
    r = await rule({ remote_ip_prefix: '10.0.0.128/25' });
    assert.equal(r.status, 409);
    assert.equal(r.body.NeutronError.message, "Metering label rule with remote_ip_prefix '10.0.0.128/25' overlaps another.");
    assert.equal((await rule({ remote_ip_prefix: '10.0.0.128/25', excluded: true })).status, 201);
    r = await rule({});
    assert.equal(r.status, 400);
    assert.match(r.body.NeutronError.message, /You must define at least one of the following parameters/);
    r = await rule({ remote_ip_prefix: '10.1.0.0/24', source_ip_prefix: '10.2.0.0/24' });
    assert.equal(r.status, 400);
    assert.equal((await rule({ source_ip_prefix: 'nonsense' })).status, 400);
    assert.equal((await rule({ source_ip_prefix: '192.0.2.0/24', destination_ip_prefix: '198.51.100.7' })).status, 201);
    assert.equal((await rule({ direction: 'sideways', remote_ip_prefix: '10.9.0.0/24' })).status, 400);
    r = await call('POST', RULES, ADMIN, { metering_label_rule: { metering_label_id: '9efe63d0-836f-4cc2-b00c-468e63aa614e', direction: 'egress', remote_ip_prefix: '10.0.0.0/24' } });
    assert.equal(r.status, 404);
    assert.equal(r.body.NeutronError.type, 'MeteringLabelNotFound');
    assert.equal((await call('GET', `${RULES}?metering_label_id=${label.id}`, ADMIN)).body.metering_label_rules.length, 3);
    assert.equal((await call('GET', `${RULES}/${first.id}`, A)).status, 404);
    assert.equal((await call('DELETE', `${RULES}/${first.id}`, ADMIN)).status, 204);
    assert.equal((await call('GET', `${RULES}/${first.id}`, ADMIN)).body.NeutronError.type, 'MeteringLabelRuleNotFound');
    assert.equal((await call('DELETE', `${LABELS}/${label.id}`, ADMIN)).status, 204);
    assert.equal((await call('GET', `${RULES}?metering_label_id=${label.id}`, ADMIN)).body.metering_label_rules.length, 0);
  });
});
