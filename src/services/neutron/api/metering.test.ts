/**
 * The metering API (metering, metering_source_and_destination_fields) through app.inject:
 * labels and rules created, shown, listed (filters, fields, sorting, paging) and deleted; Zed's
 * policies (admin-only writes, readers see their own project's); upstream's 400/404/409 answers;
 * on SQLite, and on PostgreSQL and MySQL/MariaDB when their test servers are given.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ADMIN, type Harness, startHarness, tokenFor } from '../testing/harness.js';

let h: Harness;
const A = tokenFor('proj-a');
const B = tokenFor('proj-b');
const LABELS = '/v2.0/metering/metering-labels';
const RULES = '/v2.0/metering/metering-label-rules';


type Body = Record<string, any>;

async function ok(method: string, url: string, token: string, body?: unknown, status = 200): Promise<Body> {
  const r = await h.request(method, url, token, body);
  assert.equal(r.status, status, `${method} ${url}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function fails(method: string, url: string, token: string, body: unknown, status: number, type?: string): Promise<Body> {
  const r = await h.request(method, url, token, body);
  assert.equal(r.status, status, `${method} ${url}: ${JSON.stringify(r.body)}`);
  if (type) assert.equal(r.body.NeutronError.type, type, JSON.stringify(r.body));
  return r.body.NeutronError;
}

async function label(body: Body = {}): Promise<Body> {
  return (await ok('POST', LABELS, ADMIN, { metering_label: { name: 'l', ...body } }, 201)).metering_label;
}

async function rule(body: Body): Promise<Body> {
  return (await ok('POST', RULES, ADMIN, { metering_label_rule: body }, 201)).metering_label_rule;
}

/** SQLite always; PostgreSQL and MySQL/MariaDB when NUBO_TEST_POSTGRES_URL / NUBO_TEST_MYSQL_URL are set (a fresh database each). */
const DATABASES: Array<{ name: string; serverUrl?: string; skip: string | false }> = [
  { name: 'sqlite', skip: false },
  ...(['postgres', 'mysql'] as const).map((name) => {
    const env = name === 'postgres' ? 'NUBO_TEST_POSTGRES_URL' : 'NUBO_TEST_MYSQL_URL';
    const url = process.env[env];
    return url ? { name, serverUrl: url, skip: false as const } : { name, skip: `${env} not set` };
  }),
];

for (const db of DATABASES) describe(`metering API on ${db.name}`, { skip: db.skip }, () => {
  before(async () => {
    h = await startHarness(db.serverUrl ? { serverUrl: db.serverUrl } : {});
  });
  after(() => h.close());

  describe('metering labels', () => {
    test('create, show, list and delete; the extensions are listed', async () => {
      const aliases = (await ok('GET', '/v2.0/extensions', A)).extensions.map((e: Body) => e.alias);
      assert.ok(aliases.includes('metering') && aliases.includes('metering_source_and_destination_fields'));
      const l = await label({ name: 'x'.repeat(255), description: 'made by the test', tenant_id: 'proj-a' });
      assert.deepEqual(Object.keys(l).sort(), ['description', 'id', 'name', 'project_id', 'shared', 'tenant_id']);
      assert.equal(l.project_id, 'proj-a');
      assert.equal(l.shared, false);
      assert.deepEqual((await ok('GET', `${LABELS}/${l.id}`, ADMIN)).metering_label, l);
      assert.deepEqual((await ok('GET', `${LABELS}?id=${l.id}`, ADMIN)).metering_labels, [l]);
      assert.deepEqual((await ok('GET', `${LABELS}?id=33`, ADMIN)).metering_labels, []);
      await ok('DELETE', `${LABELS}/${l.id}`, ADMIN, undefined, 204);
      await fails('GET', `${LABELS}/${l.id}`, ADMIN, undefined, 404, 'MeteringLabelNotFound');
      await fails('DELETE', `${LABELS}/${l.id}`, ADMIN, undefined, 404, 'MeteringLabelNotFound');
    });

    test('bad input: 400', async () => {
      await fails('POST', LABELS, ADMIN, { metering_label: { name: 'x'.repeat(256) } }, 400);
      await fails('POST', LABELS, ADMIN, { metering_label: { shared: 'maybe' } }, 400);
      await fails('POST', LABELS, ADMIN, { metering_label: { bogus: 1 } }, 400);
      const l = await label();
      await fails('PUT', `${LABELS}/${l.id}`, ADMIN, { metering_label: { name: 'y' } }, 400);
    });

    test('policies: only admins create and delete; readers see their own project\'s labels, others get 404', async () => {
      const r = await h.request('POST', LABELS, A, { metering_label: { name: 'mine' } });
      assert.equal(r.status, 403, JSON.stringify(r.body));
      const mine = await label({ tenant_id: 'proj-a', name: 'a-label' });
      const shared = await label({ tenant_id: 'proj-b', shared: true });
      assert.equal((await ok('GET', `${LABELS}/${mine.id}`, A)).metering_label.id, mine.id);
      const seen = (await ok('GET', LABELS, A)).metering_labels.map((x: Body) => x.id);
      assert.ok(seen.includes(mine.id));
      assert.ok(!seen.includes(shared.id));
      await fails('GET', `${LABELS}/${mine.id}`, B, undefined, 404);
      await fails('DELETE', `${LABELS}/${mine.id}`, B, undefined, 404);
      assert.equal((await h.request('DELETE', `${LABELS}/${mine.id}`, A)).status, 403);
      assert.equal((await ok('GET', `${LABELS}/${mine.id}`, ADMIN)).metering_label.id, mine.id);
    });

    test('fields, sorting, paging and filters', async () => {
      const project = `p-${randomUUID()}`;
      const made = [await label({ tenant_id: project, name: 'c' }), await label({ tenant_id: project, name: 'a', shared: true }), await label({ tenant_id: project, name: 'b' })];
      const names = (await ok('GET', `${LABELS}?project_id=${project}&sort_key=name&sort_dir=desc&fields=name`, ADMIN)).metering_labels;
      assert.deepEqual(names, [{ name: 'c' }, { name: 'b' }, { name: 'a' }]);
      assert.deepEqual((await ok('GET', `${LABELS}?project_id=${project}&shared=true&fields=id`, ADMIN)).metering_labels, [{ id: made[1]!.id }]);
      const page = await ok('GET', `${LABELS}?project_id=${project}&sort_key=name&sort_dir=asc&limit=2`, ADMIN);
      assert.deepEqual(page.metering_labels.map((x: Body) => x.name), ['a', 'b']);
      const next = page.metering_labels_links.find((x: Body) => x.rel === 'next');
      assert.ok(next);
      const rest = await ok('GET', `${LABELS}?${new URL(next.href).searchParams}`, ADMIN);
      assert.deepEqual(rest.metering_labels.map((x: Body) => x.name), ['c']);
    });
  });

  describe('metering label rules', () => {
    test('create, show, list, delete; the label\'s deletion takes its rules', async () => {
      const l = await label({ tenant_id: 'proj-a' });
      const r = await rule({ metering_label_id: l.id, direction: 'ingress', remote_ip_prefix: '10.0.0.0/24' });
      assert.deepEqual(r, {
        id: r.id, metering_label_id: l.id, direction: 'ingress', remote_ip_prefix: '10.0.0.0/24', source_ip_prefix: null, destination_ip_prefix: null, excluded: false,
      });
      assert.deepEqual((await ok('GET', `${RULES}/${r.id}`, ADMIN)).metering_label_rule, r);
      assert.deepEqual((await ok('GET', `${RULES}?id=${r.id}`, ADMIN)).metering_label_rules, [r]);
      assert.deepEqual((await ok('GET', `${RULES}?id=33`, ADMIN)).metering_label_rules, []);
      const v6 = await rule({ metering_label_id: l.id, direction: 'egress', source_ip_prefix: 'fd02::1', destination_ip_prefix: '203.0.113.0/24', excluded: true });
      assert.equal(v6.source_ip_prefix, 'fd02::1/128');
      assert.equal(v6.destination_ip_prefix, '203.0.113.0/24');
      assert.equal(v6.remote_ip_prefix, null);
      assert.deepEqual((await ok('GET', `${RULES}?metering_label_id=${l.id}&direction=egress&fields=id`, ADMIN)).metering_label_rules, [{ id: v6.id }]);
      assert.deepEqual((await ok('GET', `${RULES}?metering_label_id=${l.id}&sort_key=direction&sort_dir=asc&fields=direction`, ADMIN)).metering_label_rules,
        [{ direction: 'egress' }, { direction: 'ingress' }]);
      await ok('DELETE', `${RULES}/${v6.id}`, ADMIN, undefined, 204);
      await fails('GET', `${RULES}/${v6.id}`, ADMIN, undefined, 404, 'MeteringLabelRuleNotFound');
      await fails('DELETE', `${RULES}/${v6.id}`, ADMIN, undefined, 404, 'MeteringLabelRuleNotFound');
      await ok('DELETE', `${LABELS}/${l.id}`, ADMIN, undefined, 204);
      await fails('GET', `${RULES}/${r.id}`, ADMIN, undefined, 404, 'MeteringLabelRuleNotFound');
    });

    test('overlapping remote_ip_prefix in the same label, direction and excluded: 409; otherwise allowed', async () => {
      const l = await label();
      await rule({ metering_label_id: l.id, direction: 'ingress', remote_ip_prefix: '10.1.0.0/16' });
      const e = await fails('POST', RULES, ADMIN, { metering_label_rule: { metering_label_id: l.id, direction: 'ingress', remote_ip_prefix: '10.1.2.0/24' } }, 409, 'MeteringLabelRuleOverlaps');
      assert.equal(e.message, "Metering label rule with remote_ip_prefix '10.1.2.0/24' overlaps another.");
      await fails('POST', RULES, ADMIN, { metering_label_rule: { metering_label_id: l.id, direction: 'ingress', remote_ip_prefix: '10.1.0.0/16' } }, 409, 'MeteringLabelRuleOverlaps');
      await rule({ metering_label_id: l.id, direction: 'egress', remote_ip_prefix: '10.1.2.0/24' });
      await rule({ metering_label_id: l.id, direction: 'ingress', remote_ip_prefix: '10.1.2.0/24', excluded: true });
      await rule({ metering_label_id: l.id, direction: 'ingress', remote_ip_prefix: '10.2.0.0/16' });
      await rule({ metering_label_id: (await label()).id, direction: 'ingress', remote_ip_prefix: '10.1.0.0/16' });
    });

    test('bad input: 400; unknown or other project\'s label: 404', async () => {
      const l = await label({ tenant_id: 'proj-a' });
      const bad = async (body: Body, message?: RegExp) => {
        const e = await fails('POST', RULES, ADMIN, { metering_label_rule: { metering_label_id: l.id, direction: 'ingress', ...body } }, 400);
        if (message) assert.match(e.message, message);
      };
      await bad({ remote_ip_prefix: 'not-a-cidr' });
      await bad({ remote_ip_prefix: '10.0.0.0/24', direction: 'sideways' });
      await bad({ remote_ip_prefix: '10.0.0.0/24', direction: undefined });
      await bad({}, /You must define at least one of the following parameters/);
      await bad({ remote_ip_prefix: '10.0.0.0/24', source_ip_prefix: '10.0.0.1' }, /Cannot use 'remote-ip-prefix' in conjunction/);
      await bad({ source_ip_prefix: '10.0.0.300' }, /source_ip_prefix: 10\.0\.0\.300 is invalid/);
      await bad({ destination_ip_prefix: 'x/8' }, /destination_ip_prefix: x\/8 is invalid/);
      await bad({ remote_ip_prefix: '10.0.0.0/24', excluded: 'perhaps' });
      await fails('POST', RULES, ADMIN, { metering_label_rule: { direction: 'ingress', remote_ip_prefix: '10.0.0.0/24' } }, 400);
      await fails('POST', RULES, ADMIN, { metering_label_rule: { metering_label_id: 'nope', direction: 'ingress', remote_ip_prefix: '10.0.0.0/24' } }, 400);
      await fails('POST', RULES, ADMIN, { metering_label_rule: { metering_label_id: randomUUID(), direction: 'ingress', remote_ip_prefix: '10.0.0.0/24' } }, 404, 'MeteringLabelNotFound');
      await fails('GET', `${RULES}/${randomUUID()}`, ADMIN, undefined, 404, 'MeteringLabelRuleNotFound');
    });

    test('policies: only admins create and delete; readers see the rules of their project\'s labels only', async () => {
      const mine = await label({ tenant_id: 'proj-a' });
      const theirs = await label({ tenant_id: 'proj-b' });
      const r = await h.request('POST', RULES, A, { metering_label_rule: { metering_label_id: mine.id, direction: 'ingress', remote_ip_prefix: '10.0.0.0/24' } });
      assert.equal(r.status, 403, JSON.stringify(r.body));
      const a = await rule({ metering_label_id: mine.id, direction: 'ingress', remote_ip_prefix: '10.9.0.0/24' });
      const b = await rule({ metering_label_id: theirs.id, direction: 'ingress', remote_ip_prefix: '10.9.0.0/24' });
      const seen = (await ok('GET', RULES, A)).metering_label_rules.map((x: Body) => x.id);
      assert.ok(seen.includes(a.id));
      assert.ok(!seen.includes(b.id));
      assert.equal((await ok('GET', `${RULES}/${a.id}`, A)).metering_label_rule.id, a.id);
      await fails('GET', `${RULES}/${b.id}`, A, undefined, 404);
      await fails('DELETE', `${RULES}/${b.id}`, A, undefined, 404);
      assert.equal((await h.request('DELETE', `${RULES}/${a.id}`, A)).status, 403);
    });
  });
});
