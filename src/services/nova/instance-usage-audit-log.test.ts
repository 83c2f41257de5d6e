// os-instance_usage_audit_log: the last completed month (utils.last_completed_audit_period),
// the timestamps strptime takes, and the report on a cloud whose two compute hosts ran no
// usage audit: every compute host counted and not run; 400 for a bad time, 403 for a member.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lastCompletedMonth, parseBeforeTimestamp } from './api/instance-usage-audit-log.js';
import { BootCloud } from './testing/boot-cloud.js';
import { Member } from './testing/member.js';

const iso = (d: Date): string => d.toISOString();

describe('instance usage audit periods', () => {
  test('the month completed before a time', () => {
    const mid = lastCompletedMonth(new Date('2026-12-03T09:13:36Z'));
    assert.deepEqual([iso(mid.begin), iso(mid.end)], ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
    const first = lastCompletedMonth(new Date('2026-12-01T00:00:00Z'));
    assert.deepEqual([iso(first.begin), iso(first.end)], ['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'], 'a period ending at the time is not completed before it');
    const january = lastCompletedMonth(new Date('2027-01-15T00:00:00Z'));
    assert.deepEqual([iso(january.begin), iso(january.end)], ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    const early = lastCompletedMonth(new Date('2027-01-01T00:00:00Z'));
    assert.deepEqual([iso(early.begin), iso(early.end)], ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
  });

  test('timestamps as strptime reads them', () => {
    assert.equal(parseBeforeTimestamp('2026-12-03 09:13:36')?.toISOString(), '2026-12-03T09:13:36.000Z');
    assert.equal(parseBeforeTimestamp('2026-1-3 9:3:6.5')?.toISOString(), '2026-01-03T09:03:06.500Z');
    for (const bad of ['invalid_time', '2026-12-03', '2026-13-01 00:00:00', '2026-02-30 00:00:00', '2026-12-03 24:00:00',
      '2026-12-03 00:00:60', '2026-12-03T00:00:00', '2026-12-03 00:00:00.', '2026-12-03 00:00:00.1234567', '0000-01-01 00:00:00']) {
      assert.equal(parseBeforeTimestamp(bad), undefined, bad);
    }
  });
});

describe('os-instance_usage_audit_log', () => {
  let b: BootCloud;
  let member: Member;

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2' });
    member = await Member.create(b);
  });
  after(async () => { await b?.close(); });

  const expected = (begin: string, end: string): Record<string, unknown> => ({
    period_beginning: begin, period_ending: end, num_hosts: 2, num_hosts_done: 0, num_hosts_running: 0, num_hosts_not_run: 2,
    hosts_not_run: ['c1', 'c2'], total_instances: 0, total_errors: 0, overall_status: '0 of 2 hosts done. 0 errors.', log: {},
  });

  test('list: the last completed month, every compute host not run', async () => {
    const res = await b.compute('GET', '/os-instance_usage_audit_log');
    assert.equal(res.status, 200);
    const log = res.body.instance_usage_audit_logs;
    const { begin, end } = lastCompletedMonth(new Date());
    const py = (d: Date): string => d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
    assert.deepEqual({ ...log, hosts_not_run: [...log.hosts_not_run].sort() }, expected(py(begin), py(end)));
  });

  test('show: before a time; 400 for a bad one', async () => {
    const res = await b.compute('GET', `/os-instance_usage_audit_log/${encodeURIComponent('2012-12-24 12:00:00')}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const log = res.body.instance_usage_audit_log;
    assert.deepEqual({ ...log, hosts_not_run: [...log.hosts_not_run].sort() }, expected('2012-11-01 00:00:00', '2012-12-01 00:00:00'));
    const bad = await b.compute('GET', '/os-instance_usage_audit_log/invalid_time');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.badRequest.message, 'Invalid timestamp for date invalid_time');
  });

  test('policies: admin only; disabled compute services still count', async () => {
    assert.equal((await member.compute('GET', '/os-instance_usage_audit_log')).status, 403);
    assert.equal((await member.compute('GET', '/os-instance_usage_audit_log/invalid_time')).status, 403);
    assert.equal((await b.compute('PUT', '/os-services/disable', { host: 'c2', binary: 'nova-compute' })).status, 200);
    assert.equal((await b.compute('GET', '/os-instance_usage_audit_log')).body.instance_usage_audit_logs.num_hosts, 2);
  });
});
