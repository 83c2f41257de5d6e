// The boot flow as one trace: the spans of compute-api, conductor, scheduler, Placement, the
// compute host, Glance and Neutron in one trace with the seed's boot steps, and what `nubo
// trace` prints for it (by the caller's request id, and by the server id) in order.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { flushTracing, tracesDir } from '../../common/tracing/tracing.js';
import { readSpans, spansOfTrace, traceOfRequest, traceOfServer, traceReport } from '../../common/tracing/trace-reader.js';
import { BootCloud } from './testing/boot-cloud.js';

describe('boot flow trace', () => {
  let b: BootCloud;
  before(async () => { b = await BootCloud.start({ 'DEFAULT.hosts': 'c1' }); });
  after(async () => { await b?.close(); });

  test('one trace crosses compute-api, conductor, scheduler, placement, compute, glance and neutron, with the boot steps', async () => {
    const globalId = `req-${randomUUID()}`;
    const created = await b.call('POST', '/compute/v2.1/servers', {
      server: { name: 'traced', imageRef: b.imageId, flavorRef: '1', networks: [{ uuid: b.networkId }] },
    }, { 'x-openstack-request-id': globalId });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    const server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 30_000);
    assert.equal(server.status, 'ACTIVE');
    await flushTracing();

    const spans = readSpans(tracesDir(b.cloud.dataDir));
    const traceId = traceOfServer(spans, id);
    assert.ok(traceId, 'a span names the server');
    assert.equal(traceOfRequest(spans, globalId), traceId, 'the caller\'s request id finds the same trace');
    const trace = spansOfTrace(spans, traceId);
    const one = (service: string, name: string) => {
      const s = trace.find((x) => x.service === service && x.name === name);
      assert.ok(s, `${service}: ${name} in ${trace.map((x) => `${x.service}:${x.name}`).join(', ')}`);
      return s;
    };
    const api = one('nova', 'POST /v2.1/servers');
    assert.equal(api.kind, 'SERVER');
    assert.equal(api.parent_span_id, undefined, 'the boot request is the root');
    assert.equal(api.attributes['http.response.status_code'], 202);
    assert.equal(api.attributes['nubo.global_request_id'], globalId);
    const steps: Array<[string, string, number]> = [
      ['nova', 'POST /v2.1/servers', 3],
      ['nova', 'compute_api.create', 7],
      ['nova', 'cast conductor.schedule_and_build_instances', 8],
      ['nova', 'handle conductor.schedule_and_build_instances', 8],
      ['nova', 'handle scheduler.select_destinations', 9],
      ['placement', 'GET /allocation_candidates', 10],
      ['placement', 'PUT /allocations/{consumer_uuid}', 11],
      ['nova', 'cast compute.build_and_run_instance', 12],
      ['nova', 'handle compute.build_and_run_instance', 13],
      ['nova', 'GET image /v2/images/{id}', 20],
      ['glance', 'GET /v2/images/{image_id}', 22],
      ['nova', 'POST network /v2.0/ports', 23],
      ['neutron', 'POST /v2.0/ports', 25],
      ['neutron', 'PUT /v2.0/ports/{id}', 25],
      ['nova', 'driver.spawn', 29],
      ['nova', 'wait network-vif-plugged', 29],
    ];
    for (const [service, name, step] of steps) {
      const s = one(service, name);
      assert.equal(s.attributes['nubo.boot.step'], step, `${service} ${name}`);
      assert.equal(typeof s.attributes['nubo.boot.step_name'], 'string');
    }
    // the flow's order: each of these starts after the one before
    const order = ['POST /v2.1/servers', 'compute_api.create', 'handle conductor.schedule_and_build_instances', 'handle scheduler.select_destinations',
      'GET /allocation_candidates', 'PUT /allocations/{consumer_uuid}', 'handle compute.build_and_run_instance', 'POST /v2.0/ports', 'driver.spawn'];
    const starts = order.map((n) => trace.find((s) => s.name === n)!.start_us);
    assert.deepEqual([...starts].sort((x, y) => x - y), starts, order.join(' < '));
    // services and hosts: the compute host's spans are c1's; each side of a message in its own service
    // Keystone shows only when a service user's session gets its first token during this boot.
    assert.deepEqual([...new Set(trace.map((s) => s.service))].filter((x) => x !== 'keystone').sort(), ['glance', 'neutron', 'nova', 'placement']);
    assert.ok(trace.filter((s) => s.service === 'keystone').every((s) => s.name === 'POST /v3/auth/tokens'));
    assert.equal(one('nova', 'handle compute.build_and_run_instance').host, 'c1');
    assert.equal(one('nova', 'driver.spawn').host, 'c1');
    assert.equal(one('nova', 'handle compute.build_and_run_instance').kind, 'CONSUMER');
    assert.equal(one('nova', 'handle scheduler.select_destinations').kind, 'SERVER');
    assert.equal(one('nova', 'call scheduler.select_destinations').kind, 'CLIENT');
    assert.equal(one('nova', 'wait network-vif-plugged').attributes['nova.wait_outcome'], 'done'); // the simulated L2 agent reports the port up
    // parents: the Glance request's parent is Nova's REST call, the scheduler's span the conductor's call
    assert.equal(one('glance', 'GET /v2/images/{image_id}').parent_span_id, one('nova', 'GET image /v2/images/{id}').span_id);
    assert.equal(one('nova', 'handle scheduler.select_destinations').parent_span_id, one('nova', 'call scheduler.select_destinations').span_id);

    // `nubo trace --server ID` and `nubo trace REQUEST_ID`: the steps in order, then the tree
    const report = traceReport(tracesDir(b.cloud.dataDir), { serverId: id });
    assert.equal(traceReport(tracesDir(b.cloud.dataDir), { requestId: globalId }), report);
    const lines = report.split('\n');
    const table = lines.slice(lines.findIndex((l) => l.startsWith('boot steps')) + 2, lines.findIndex((l) => l.startsWith('seed steps seen')));
    const numbers = table.map((l) => Number(l.split(/\s+/)[0]));
    assert.ok(numbers.length >= steps.length, report);
    for (const n of [3, 7, 8, 9, 10, 11, 12, 13, 20, 22, 23, 25, 29]) assert.ok(numbers.includes(n), `step ${n} listed`);
    assert.ok(numbers.indexOf(3) < numbers.indexOf(8) && numbers.indexOf(8) < numbers.indexOf(13) && numbers.indexOf(13) < numbers.indexOf(29), numbers.join(','));
    assert.match(report, /29\. nova-compute calls the configured virt driver to create the instance \/ nova-compute根据instance的信息调用配置的虚拟化驱动来创建虚拟机。/);
    assert.match(report, /14\. .*folded into steps 12-13/);
    assert.match(report, /nova@c1\s+CONSUMER\s+handle compute\.build_and_run_instance \[step 13\]/);
    assert.throws(() => traceReport(tracesDir(b.cloud.dataDir), { serverId: randomUUID() }), /no spans of the boot of server/);
  });
});
