import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IdentityClient } from '../../../common/clients/identity.js';
import type { ServiceSession } from '../../../common/clients/session.js';
import { ServiceClientError } from '../../../common/clients/session.js';
import { raw } from '../format/test-images.js';
import { startTestGlance, type TestGlance } from '../testing/harness.js';
import { KeystoneLimitSource } from './quota.js';

/** An IdentityClient over a session answering `routes` by path prefix (404 otherwise). */
function fakeIdentity(routes: Record<string, unknown>, calls: string[]): IdentityClient {
  return new IdentityClient({
    async request(_type: string, _method: string, path: string) {
      calls.push(path);
      const key = Object.keys(routes).find((k) => path.startsWith(k));
      if (!key) throw new ServiceClientError(404, 'identity', 'not found');
      return { status: 200, headers: {}, body: routes[key] };
    },
  } as unknown as ServiceSession);
}

describe('Keystone unified limits', () => {
  test('project limits override registered defaults; other regions and resources are ignored', async () => {
    const calls: string[] = [];
    const source = new KeystoneLimitSource(fakeIdentity({
      '/services?type=image': { services: [{ id: 'svc-glance' }] },
      '/registered_limits': { registered_limits: [
        { service_id: 'svc-glance', region_id: 'RegionOne', resource_name: 'image_count_total', default_limit: 10 },
        { service_id: 'svc-glance', region_id: 'RegionOne', resource_name: 'image_size_total', default_limit: 1000 },
        { service_id: 'svc-glance', region_id: 'Other', resource_name: 'image_stage_total', default_limit: 5 },
        { service_id: 'svc-glance', region_id: 'RegionOne', resource_name: 'cores', default_limit: 5 },
      ] },
      '/limits?project_id=p1': { limits: [{ project_id: 'p1', service_id: 'svc-glance', region_id: 'RegionOne', resource_name: 'image_count_total', resource_limit: 2 }] },
    }, calls), 'RegionOne', 60_000);
    assert.deepEqual(await source.limitsFor('p1'), { image_count_total: 2, image_size_total: 1000 });
    await source.limitsFor('p1');
    assert.equal(calls.filter((c) => c.startsWith('/limits')).length, 1, 'cached');
    assert.ok(calls.some((c) => c === '/limits?project_id=p1&service_id=svc-glance'));
  });

  test('an identity without the limits API means no limits (configured defaults apply)', async () => {
    const warnings: string[] = [];
    const source = new KeystoneLimitSource(fakeIdentity({ '/services?type=image': { services: [{ id: 's' }] } }, []), 'RegionOne', 0, (m) => warnings.push(m));
    assert.deepEqual(await source.limitsFor('p1'), {});
    assert.ok(warnings.length > 0);
  });
});

describe('quota enforcement through the API', () => {
  let g: TestGlance;
  before(async () => {
    g = await startTestGlance({ 'image_quota.image_count_total': '2', 'image_quota.image_size_total': '1' });
    g.token('u', { project: 'p-q', roles: ['member', 'reader'] });
  });
  after(() => g.close());

  const call = async (method: string, url: string, json?: unknown, data?: Buffer) => {
    const res = await g.app.inject({
      method: method as 'GET', url: `/image${url}`,
      headers: { 'x-auth-token': 'u', ...(json ? { 'content-type': 'application/json' } : {}), ...(data ? { 'content-type': 'application/octet-stream' } : {}) },
      ...(json ? { payload: JSON.stringify(json) } : data ? { payload: data } : {}),
    });
    return { status: res.statusCode, body: res.body };
  };

  test('image_count_total and image_size_total answer 413; usage is reported', async () => {
    const a = JSON.parse((await call('POST', '/v2/images', { disk_format: 'raw', container_format: 'bare' })).body).id;
    const b = JSON.parse((await call('POST', '/v2/images', { disk_format: 'raw', container_format: 'bare' })).body).id;
    const third = await call('POST', '/v2/images', {});
    assert.equal(third.status, 413);
    assert.match(third.body, /Resource image_count_total is over limit of 2 due to current usage 2 and delta 1/);
    assert.equal((await call('PUT', `/v2/images/${a}/file`, undefined, raw(900_000))).status, 204);
    const over = await call('PUT', `/v2/images/${b}/file`, undefined, raw(900_000));
    assert.equal(over.status, 413, over.body);
    const usage = JSON.parse((await call('GET', '/v2/info/usage')).body).usage;
    assert.deepEqual(usage.image_count_total, { usage: 2, limit: 2 });
    assert.deepEqual(usage.image_size_total, { usage: 0, limit: 1 });
    assert.deepEqual(usage.image_count_uploading, { usage: 0, limit: -1 });
  });
});
