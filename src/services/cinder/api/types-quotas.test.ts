import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCinder, type CinderHarness } from '../testing/cinder-harness.js';

describe('cinder volume types, zones, quotas, limits, services and pools', () => {
  let h: CinderHarness;
  before(async () => { h = await startCinder({ 'DEFAULT.quota_volumes': '3', 'DEFAULT.quota_gigabytes': '5' }); });
  after(async () => { await h?.close(); });

  test('__DEFAULT__ exists and is the default type', async () => {
    const list = await h.as(h.member, 'GET', '/v3/p1/types');
    assert.deepEqual(list.body.volume_types.map((t: any) => t.name), ['__DEFAULT__']);
    const def = await h.as(h.member, 'GET', '/v3/p1/types/default');
    assert.equal(def.body.volume_type.name, '__DEFAULT__');
    assert.equal(def.body.volume_type['os-volume-type-access:is_public'], true);
    const del = await h.as(h.admin, 'DELETE', `/v3/p1/types/${def.body.volume_type.id}`);
    assert.equal(del.status, 400);
  });

  test('types: admin creates, members may not; extra specs; private access; in-use types cannot go', async () => {
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/types', { volume_type: { name: 'gold' } })).status, 403);
    const gold = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'gold', description: 'g', extra_specs: { volume_backend_name: 'file' } } })).body.volume_type;
    assert.deepEqual(gold.extra_specs, { volume_backend_name: 'file' });
    assert.equal((await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'gold' } })).status, 409);
    const specs = `/v3/p1/types/${gold.id}/extra_specs`;
    assert.deepEqual((await h.as(h.admin, 'POST', specs, { extra_specs: { a: '1' } })).body, { extra_specs: { a: '1' } });
    assert.deepEqual((await h.as(h.admin, 'GET', specs)).body, { extra_specs: { volume_backend_name: 'file', a: '1' } });
    assert.deepEqual((await h.as(h.member, 'GET', specs)).body, { extra_specs: {} }, 'only the user-visible specs without read_sensitive');
    assert.equal((await h.as(h.member, 'GET', `${specs}/a`)).status, 404);
    assert.deepEqual((await h.as(h.admin, 'PUT', `${specs}/a`, { a: '2' })).body, { a: '2' });
    assert.equal((await h.as(h.admin, 'DELETE', `${specs}/a`)).status, 202);
    assert.equal((await h.as(h.admin, 'GET', `${specs}/a`)).status, 404);
    const priv = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'secret', 'os-volume-type-access:is_public': false } })).body.volume_type;
    assert.equal(priv.is_public, false);
    assert.equal((await h.as(h.other, 'GET', `/v3/p2/types/${priv.id}`)).status, 404);
    assert.equal((await h.as(h.admin, 'POST', `/v3/p1/types/${priv.id}/action`, { addProjectAccess: { project: 'p2' } })).status, 202);
    assert.equal((await h.as(h.admin, 'POST', `/v3/p1/types/${priv.id}/action`, { addProjectAccess: { project: 'p2' } })).status, 409);
    assert.deepEqual((await h.as(h.admin, 'GET', `/v3/p1/types/${priv.id}/os-volume-type-access`)).body, { volume_type_access: [{ volume_type_id: priv.id, project_id: 'p2' }] });
    assert.equal((await h.as(h.other, 'GET', `/v3/p2/types/${priv.id}`)).status, 200);
    const otherTypes = (await h.as(h.other, 'GET', '/v3/p2/types')).body.volume_types.map((t: any) => t.name).sort();
    assert.deepEqual(otherTypes, ['__DEFAULT__', 'gold', 'secret']);
    const renamed = await h.as(h.admin, 'PUT', `/v3/p1/types/${gold.id}`, { volume_type: { description: 'shiny' } });
    assert.equal(renamed.body.volume_type.description, 'shiny');
    assert.equal(renamed.body.volume_type['os-volume-type-access:is_public'], undefined, 'the access extension does not extend update');
    const v = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, volume_type: 'gold' } })).body.volume;
    assert.equal(v.volume_type, 'gold');
    await h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'available');
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1/types/${gold.id}`)).status, 400);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, volume_type: 'nope' } })).status, 404);
    await h.as(h.member, 'DELETE', `/v3/p1/volumes/${v.id}`);
    await h.waitGone(`/v3/p1/volumes/${v.id}`);
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1/types/${gold.id}`)).status, 202);
  });

  test('a type whose specs no pool matches leaves the volume in error (CapabilitiesFilter)', async () => {
    const t = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'lvm', extra_specs: { volume_backend_name: 'lvmdriver-1' } } })).body.volume_type;
    const v = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, volume_type: t.id } })).body.volume;
    await h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'error');
    assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/volumes/${v.id}`)).status, 202);
    await h.waitGone(`/v3/p1/volumes/${v.id}`);
  });

  test('availability zones, and an unknown zone is a 400', async () => {
    const az = await h.as(h.member, 'GET', '/v3/p1/os-availability-zone');
    assert.deepEqual(az.body, { availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true } }] });
    const bad = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, availability_zone: 'mars' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.badRequest.message, /Availability zone 'mars' is invalid/);
  });

  test('quotas: defaults from the configuration, usage, enforcement (413), admin updates', async () => {
    const q = await h.as(h.member, 'GET', '/v3/p1/os-quota-sets/p1');
    assert.equal(q.body.quota_set.volumes, 3);
    assert.equal(q.body.quota_set.gigabytes, 5);
    assert.equal(q.body.quota_set.snapshots, 10);
    assert.equal(q.body.quota_set['volumes___DEFAULT__'], -1);
    const big = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 6 } });
    assert.equal(big.status, 413);
    assert.match(big.body.overLimit.message, /Requested volume or snapshot exceeds allowed gigabytes quota. Requested 6G, quota is 5G and 0G has been consumed./);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } })).body.volume.id);
    const fourth = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } });
    assert.equal(fourth.status, 413);
    assert.match(fourth.body.overLimit.message, /Maximum number of volumes allowed \(3\) exceeded for quota 'volumes'./);
    const usage = await h.as(h.member, 'GET', '/v3/p1/os-quota-sets/p1?usage=true');
    assert.deepEqual(usage.body.quota_set.volumes, { limit: 3, in_use: 3, reserved: 0, allocated: 0 });
    const limits = await h.as(h.member, 'GET', '/v3/p1/limits');
    assert.equal(limits.body.limits.absolute.maxTotalVolumes, 3);
    assert.equal(limits.body.limits.absolute.totalVolumesUsed, 3);
    assert.equal(limits.body.limits.absolute.totalGigabytesUsed, 3);
    assert.equal((await h.as(h.member, 'PUT', '/v3/p1/os-quota-sets/p1', { quota_set: { volumes: 10 } })).status, 403);
    const up = await h.as(h.admin, 'PUT', '/v3/p1/os-quota-sets/p1', { quota_set: { volumes: 10 } });
    assert.equal(up.body.quota_set.volumes, 10);
    assert.equal((await h.as(h.admin, 'PUT', '/v3/p1/os-quota-sets/p1', { quota_set: { bogus: 1 } })).status, 400);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } })).status, 202);
    assert.equal((await h.as(h.admin, 'DELETE', '/v3/p1/os-quota-sets/p1')).status, 200);
    assert.equal((await h.as(h.member, 'GET', '/v3/p1/os-quota-sets/p1')).body.quota_set.volumes, 3);
    const defaults = await h.as(h.member, 'GET', '/v3/p1/os-quota-sets/p1/defaults');
    assert.equal(defaults.body.quota_set.gigabytes, 5);
  });

  test('os-services and scheduler-stats/get_pools (admin only)', async () => {
    assert.equal((await h.as(h.member, 'GET', '/v3/p1/os-services')).status, 403);
    const services = (await h.as(h.admin, 'GET', '/v3/p1/os-services')).body.services;
    const byBinary = Object.fromEntries(services.map((s: any) => [s.binary, s]));
    assert.equal(byBinary['cinder-volume'].host, 'testhost@file');
    assert.equal(byBinary['cinder-volume'].state, 'up');
    assert.equal(byBinary['cinder-scheduler'].status, 'enabled');
    const pools = await h.as(h.admin, 'GET', '/v3/p1/scheduler-stats/get_pools?detail=true');
    assert.equal(pools.body.pools.length, 1);
    assert.equal(pools.body.pools[0].name, 'testhost@file#file');
    assert.equal(pools.body.pools[0].capabilities.volume_backend_name, 'file');
    assert.equal(pools.body.pools[0].capabilities.thin_provisioning_support, true);
    assert.ok(pools.body.pools[0].capabilities.total_capacity_gb > 0);
    const off = await h.as(h.admin, 'PUT', '/v3/p1/os-services/disable', { host: 'testhost@file', binary: 'cinder-volume' });
    assert.equal(off.body.status, 'disabled');
    const p3 = h.tokens.persona('p3-admin', { project: 'p3', roles: ['admin', 'member', 'reader'] });
    const v = (await h.as(p3, 'POST', '/v3/p3/volumes', { volume: { size: 1 } })).body.volume;
    await h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'error');
    await h.as(h.admin, 'PUT', '/v3/p1/os-services/enable', { host: 'testhost@file', binary: 'cinder-volume' });
    const v2 = (await h.as(p3, 'POST', '/v3/p3/volumes', { volume: { size: 1 } })).body.volume;
    await h.waitFor(`/v3/p1/volumes/${v2.id}`, 'volume', 'available');
  });
});
