import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCinder, type CinderHarness } from '../testing/cinder-harness.js';

describe('cinder transfers, QoS specs, encryption types, quota classes, user messages, quota race', () => {
  let h: CinderHarness;
  before(async () => { h = await startCinder(); });
  after(async () => { await h?.close(); });

  const newVolume = async (token: string, project: string, size = 1): Promise<any> => {
    const v = (await h.as(token, 'POST', `/v3/${project}/volumes`, { volume: { size } })).body.volume;
    return h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'available');
  };

  test('transfer: create (auth key once), list, show, accept by another project with its snapshot', async () => {
    const v = await newVolume(h.member, 'p1');
    const snap = (await h.as(h.member, 'POST', '/v3/p1/snapshots', { snapshot: { volume_id: v.id } })).body.snapshot;
    await h.waitFor(`/v3/p1/snapshots/${snap.id}`, 'snapshot', 'available');
    const created = await h.as(h.member, 'POST', '/v3/p1/volume-transfers', { transfer: { volume_id: v.id, name: ' t1 ' } }, '3.57');
    assert.equal(created.status, 202);
    const t = created.body.transfer;
    assert.equal(t.name, 't1');
    assert.match(t.auth_key, /^[0-9a-f]{16}$/);
    assert.equal(t.no_snapshots, false);
    assert.equal(t.source_project_id, 'p1');
    assert.equal(t.accepted, false);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${v.id}`)).body.volume.status, 'awaiting-transfer');
    const shown = (await h.as(h.member, 'GET', `/v3/p1/os-volume-transfer/${t.id}`)).body.transfer;
    assert.deepEqual(Object.keys(shown).sort(), ['created_at', 'id', 'links', 'name', 'volume_id'], '3.0 shows no 3.55/3.57 fields');
    assert.equal(shown.auth_key, undefined);
    assert.deepEqual((await h.as(h.member, 'GET', '/v3/p1/os-volume-transfer')).body.transfers.map((x: any) => x.id), [t.id]);
    assert.equal((await h.as(h.other, 'GET', `/v3/p2/os-volume-transfer/${t.id}`)).status, 404, 'another project cannot see it');
    assert.deepEqual((await h.as(h.other, 'GET', '/v3/p2/os-volume-transfer')).body.transfers, []);
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/volumes/${v.id}`)).status, 400, 'a volume awaiting transfer cannot be deleted');
    const wrong = await h.as(h.other, 'POST', `/v3/p2/os-volume-transfer/${t.id}/accept`, { accept: { auth_key: 'nope' } });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.badRequest.message, /invalid auth key/);
    const ok = await h.as(h.other, 'POST', `/v3/p2/os-volume-transfer/${t.id}/accept`, { accept: { auth_key: t.auth_key } });
    assert.equal(ok.status, 202);
    assert.deepEqual(Object.keys(ok.body.transfer).sort(), ['id', 'links', 'name', 'volume_id']);
    const moved = (await h.as(h.other, 'GET', `/v3/p2/volumes/${v.id}`)).body.volume;
    assert.equal(moved.status, 'available');
    assert.equal(moved['os-vol-tenant-attr:tenant_id'], 'p2');
    assert.equal((await h.as(h.other, 'GET', `/v3/p2/snapshots/${snap.id}`)).status, 200, 'the snapshot went along');
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${v.id}`)).status, 404);
    assert.equal((await h.as(h.other, 'POST', `/v3/p2/os-volume-transfer/${t.id}/accept`, { accept: { auth_key: t.auth_key } })).status, 404, 'a transfer is accepted once');
    const usage = (await h.as(h.admin, 'GET', '/v3/p1/os-quota-sets/p2?usage=true')).body.quota_set;
    assert.equal(usage.volumes.in_use, 1);
    assert.equal(usage.snapshots.in_use, 1);
  });

  test('transfer: no_snapshots needs 3.55 and volume-transfers; deleting the offer frees the volume', async () => {
    const v = await newVolume(h.member, 'p1');
    const legacy = await h.as(h.member, 'POST', '/v3/p1/os-volume-transfer', { transfer: { volume_id: v.id, no_snapshots: true } }, '3.55');
    assert.equal(legacy.status, 400);
    const old = await h.as(h.member, 'POST', '/v3/p1/volume-transfers', { transfer: { volume_id: v.id, no_snapshots: true } }, '3.54');
    assert.equal(old.status, 400);
    const t = (await h.as(h.member, 'POST', '/v3/p1/volume-transfers', { transfer: { volume_id: v.id, no_snapshots: true } }, '3.55')).body.transfer;
    assert.equal(t.no_snapshots, true);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/volume-transfers', { transfer: { volume_id: v.id } }, '3.55')).status, 400, 'one offer per volume');
    const detail = (await h.as(h.member, 'GET', '/v3/p1/volume-transfers/detail', undefined, '3.57')).body.transfers;
    assert.deepEqual(detail.map((x: any) => [x.id, x.no_snapshots, x.accepted]), [[t.id, true, false]]);
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/volume-transfers/${t.id}`)).status, 202);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${v.id}`)).body.volume.status, 'available');
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volume-transfers/${t.id}`)).status, 404);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/volume-transfers', { transfer: { volume_id: 'not-a-uuid' } })).status, 400);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/volume-transfers', { transfer: { volume_id: '8f1b5a4e-2b1c-4d3a-9e7f-0a1b2c3d4e5f' } })).status, 404);
  });

  test('transfer: accepting beyond the recipient quota is a 413 and leaves the offer', async () => {
    const v = await newVolume(h.member, 'p1', 2);
    const t = (await h.as(h.member, 'POST', '/v3/p1/os-volume-transfer', { transfer: { volume_id: v.id } })).body.transfer;
    const p4 = h.tokens.persona('p4-member', { project: 'p4', roles: ['member', 'reader'] });
    assert.equal((await h.as(h.admin, 'PUT', '/v3/p1/os-quota-sets/p4', { quota_set: { gigabytes: 1 } })).status, 200);
    const over = await h.as(p4, 'POST', `/v3/p4/os-volume-transfer/${t.id}/accept`, { accept: { auth_key: t.auth_key } });
    assert.equal(over.status, 413);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${v.id}`)).body.volume.status, 'awaiting-transfer');
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/os-volume-transfer/${t.id}`)).status, 202);
  });

  test('QoS specs: create, list, show, set and unset keys, associate, delete in use', async () => {
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/qos-specs', { qos_specs: { name: 'q' } })).status, 403);
    const created = await h.as(h.admin, 'POST', '/v3/p1/qos-specs', { qos_specs: { name: 'gold', consumer: 'front-end', read_iops_sec: '100' } });
    assert.equal(created.status, 200);
    const q = created.body.qos_specs;
    assert.deepEqual({ name: q.name, consumer: q.consumer, specs: q.specs }, { name: 'gold', consumer: 'front-end', specs: { read_iops_sec: '100' } });
    assert.equal(created.body.links[0].rel, 'self');
    assert.equal((await h.as(h.admin, 'POST', '/v3/p1/qos-specs', { qos_specs: { name: 'gold' } })).status, 409);
    assert.equal((await h.as(h.admin, 'POST', '/v3/p1/qos-specs', { qos_specs: { name: 'bad', consumer: 'nowhere' } })).status, 400);
    assert.equal((await h.as(h.admin, 'POST', '/v3/p1/qos-specs', { qos_specs: { consumer: 'both' } })).status, 400);
    const plain = (await h.as(h.admin, 'POST', '/v3/p1/qos-specs', { qos_specs: { name: 'plain' } })).body.qos_specs;
    assert.equal(plain.consumer, 'back-end');
    assert.deepEqual((await h.as(h.admin, 'PUT', `/v3/p1/qos-specs/${q.id}`, { qos_specs: { write_iops_sec: '5', consumer: 'both' } })).body, { qos_specs: { write_iops_sec: '5', consumer: 'both' } });
    let shown = (await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}`)).body.qos_specs;
    assert.deepEqual(shown.specs, { read_iops_sec: '100', write_iops_sec: '5' });
    assert.equal(shown.consumer, 'both');
    assert.equal((await h.as(h.admin, 'PUT', `/v3/p1/qos-specs/${q.id}/delete_keys`, { keys: ['read_iops_sec'] })).status, 202);
    assert.equal((await h.as(h.admin, 'PUT', `/v3/p1/qos-specs/${q.id}/delete_keys`, { keys: ['missing'] })).status, 404);
    shown = (await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}`)).body.qos_specs;
    assert.deepEqual(shown.specs, { write_iops_sec: '5' });
    const names = (await h.as(h.admin, 'GET', '/v3/p1/qos-specs?sort=name:asc')).body.qos_specs.map((x: any) => x.name);
    assert.deepEqual(names, ['gold', 'plain']);
    const type = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'qostype' } })).body.volume_type;
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}/associate`)).status, 400, 'vol_type_id is required');
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}/associate?vol_type_id=${type.id}`)).status, 202);
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${plain.id}/associate?vol_type_id=${type.id}`)).status, 400, 'a type has one QoS specs');
    assert.deepEqual((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}/associations`)).body, { qos_associations: [{ association_type: 'volume_type', name: 'qostype', id: type.id }] });
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1/qos-specs/${q.id}`)).status, 400, 'in use');
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}/disassociate?vol_type_id=${type.id}`)).status, 202);
    assert.deepEqual((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}/associations`)).body, { qos_associations: [] });
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}/associate?vol_type_id=${type.id}`)).status, 202);
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}/disassociate_all`)).status, 202);
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}/associate?vol_type_id=${type.id}`)).status, 202);
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1/qos-specs/${q.id}?force=true`)).status, 202);
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${q.id}`)).status, 404);
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/qos-specs/${plain.id}/associate?vol_type_id=${type.id}`)).status, 202, 'force delete dropped the association');
  });

  test('encryption types: stored and returned, one per type, not while the type has volumes', async () => {
    const type = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'luks' } })).body.volume_type;
    const path = `/v3/p1/types/${type.id}/encryption`;
    assert.deepEqual((await h.as(h.admin, 'GET', path)).body, {});
    assert.equal((await h.as(h.admin, 'POST', path, { encryption: { provider: 'luks' } })).status, 400, 'control_location is required');
    const created = await h.as(h.admin, 'POST', path, { encryption: { provider: 'luks', control_location: 'front-end', cipher: 'aes-xts-plain64', key_size: 256 } });
    assert.equal(created.status, 200);
    assert.equal(created.body.encryption.volume_type_id, type.id);
    assert.equal((await h.as(h.admin, 'POST', path, { encryption: { provider: 'luks', control_location: 'front-end' } })).status, 400);
    const row = (await h.as(h.admin, 'GET', path)).body;
    assert.equal(row.key_size, 256);
    assert.equal(row.encryption_id, created.body.encryption.encryption_id);
    assert.equal((await h.as(h.member, 'GET', path)).status, 403);
    assert.equal((await h.as(h.admin, 'PUT', `${path}/${row.encryption_id}`, { encryption: { key_size: 128, control_location: 'back-end' } })).status, 200);
    assert.deepEqual((await h.as(h.admin, 'GET', `${path}/key_size`)).body, { key_size: 128 });
    assert.equal((await h.as(h.admin, 'GET', `${path}/nope`)).status, 404);
    const v = await newVolume(h.admin, 'p1');
    await h.as(h.admin, 'DELETE', `/v3/p1/volumes/${v.id}`);
    await h.waitGone(`/v3/p1/volumes/${v.id}`);
    const typed = (await h.as(h.admin, 'POST', '/v3/p1/volumes', { volume: { size: 1, volume_type: type.id } })).body.volume;
    assert.equal((await h.as(h.admin, 'DELETE', `${path}/${row.encryption_id}`)).status, 400, 'type in use');
    await h.waitFor(`/v3/p1/volumes/${typed.id}`, 'volume', 'available');
    await h.as(h.admin, 'DELETE', `/v3/p1/volumes/${typed.id}`);
    await h.waitGone(`/v3/p1/volumes/${typed.id}`);
    assert.equal((await h.as(h.admin, 'DELETE', `${path}/${row.encryption_id}`)).status, 202);
    assert.deepEqual((await h.as(h.admin, 'GET', path)).body, {});
  });

  test('quota classes: the default class sets what projects get by default', async () => {
    const shown = (await h.as(h.admin, 'GET', '/v3/p1/os-quota-class-sets/default')).body.quota_class_set;
    assert.equal(shown.id, 'default');
    assert.equal(shown.volumes, 10);
    assert.equal((await h.as(h.member, 'GET', '/v3/p1/os-quota-class-sets/default')).status, 403);
    assert.equal((await h.as(h.admin, 'PUT', '/v3/p1/os-quota-class-sets/default', { quota_class_set: { bogus: 1 } })).status, 400);
    assert.equal((await h.as(h.admin, 'PUT', '/v3/p1/os-quota-class-sets/default', { quota_class_set: { volumes: -2 } })).status, 400);
    const up = (await h.as(h.admin, 'PUT', '/v3/p1/os-quota-class-sets/default', { quota_class_set: { volumes: 12, snapshots: '11' } })).body.quota_class_set;
    assert.equal(up.volumes, 12);
    assert.equal(up.snapshots, 11);
    assert.equal(up.id, undefined);
    assert.equal((await h.as(h.admin, 'GET', '/v3/p1/os-quota-sets/p9/defaults')).body.quota_set.volumes, 12);
    assert.equal((await h.as(h.admin, 'GET', '/v3/p1/os-quota-sets/p9')).body.quota_set.snapshots, 11);
    await h.as(h.admin, 'PUT', '/v3/p1/os-quota-class-sets/default', { quota_class_set: { volumes: 10, snapshots: 10 } });
  });

  test('user messages: a volume no backend takes leaves an ERROR message for its project (3.3+)', async () => {
    const t = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'nowhere', extra_specs: { volume_backend_name: 'none' } } })).body.volume_type;
    const v = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, volume_type: t.id } })).body.volume;
    await h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'error');
    assert.equal((await h.as(h.member, 'GET', '/v3/p1/messages', undefined, '3.2')).status, 404);
    const list = (await h.as(h.member, 'GET', '/v3/p1/messages', undefined, '3.3')).body.messages;
    const m = list.find((x: any) => x.resource_uuid === v.id);
    assert.ok(m, JSON.stringify(list));
    assert.equal(m.event_id, 'VOLUME_VOLUME_001_003');
    assert.equal(m.user_message, 'schedule allocate volume: Could not find any available weighted backend.');
    assert.equal(m.message_level, 'ERROR');
    assert.equal(m.resource_type, 'VOLUME');
    assert.ok(m.guaranteed_until > m.created_at);
    assert.deepEqual((await h.as(h.other, 'GET', '/v3/p2/messages', undefined, '3.3')).body.messages.filter((x: any) => x.id === m.id), []);
    assert.equal((await h.as(h.other, 'GET', `/v3/p2/messages/${m.id}`, undefined, '3.3')).status, 404);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/messages/${m.id}`, undefined, '3.3')).body.message.id, m.id);
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/messages/${m.id}`, undefined, '3.3')).status, 204);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/messages/${m.id}`, undefined, '3.3')).status, 404);
  });

  test('quota race: concurrent creates never pass the volumes quota', async () => {
    const p5 = h.tokens.persona('p5-member', { project: 'p5', roles: ['member', 'reader'] });
    await h.as(h.admin, 'PUT', '/v3/p1/os-quota-sets/p5', { quota_set: { volumes: 2, gigabytes: 100 } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.as(p5, 'POST', '/v3/p5/volumes', { volume: { size: 1 } })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [202, 202, 413, 413, 413, 413, 413, 413]);
    const usage = (await h.as(h.admin, 'GET', '/v3/p1/os-quota-sets/p5?usage=true')).body.quota_set;
    assert.equal(usage.volumes.in_use, 2);
    await h.as(h.admin, 'PUT', '/v3/p1/os-quota-sets/p5', { quota_set: { volumes: 10, gigabytes: 3 } });
    const sized = await Promise.all(Array.from({ length: 4 }, () => h.as(p5, 'POST', '/v3/p5/volumes', { volume: { size: 1 } })));
    assert.deepEqual(sized.map((a) => a.status).sort(), [202, 413, 413, 413], 'gigabytes: 2 used of 3');
  });
});
