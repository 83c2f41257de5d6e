// Image pre-caching (2.81, POST /os-aggregates/{id}/images) on a cloud with three fake hosts,
// one forced down: the API's checks and errors, then the conductor asking each host that is up
// to cache the images, its notifications host by host, and the hosts' caches afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RequestContext } from '../../common/context.js';
import { BootCloud } from './testing/boot-cloud.js';
import { Member } from './testing/member.js';
import { fakeHypervisor } from './virt/fake/driver.js';
import { ImageMeta } from './objects/index.js';

describe('image pre-caching on an aggregate', () => {
  let b: BootCloud;
  let member: Member;
  let aggregateId: number;
  let secondImage: string;
  const V = '2.81';

  async function until(pred: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  before(async () => {
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1,c2,c3' });
    member = await Member.create(b);
    const agg = await b.compute('POST', '/os-aggregates', { aggregate: { name: 'cache-rack' } });
    aggregateId = agg.body.aggregate.id;
    for (const host of ['c1', 'c2', 'c3']) {
      const added = await b.compute('POST', `/os-aggregates/${aggregateId}/action`, { add_host: { host } });
      assert.equal(added.status, 200, JSON.stringify(added.body));
    }
    const c3 = (await b.compute('GET', '/os-services?host=c3&binary=nova-compute', undefined, '2.53')).body.services[0];
    assert.equal((await b.compute('PUT', `/os-services/${c3.id}`, { forced_down: true }, '2.53')).status, 200);
    const image = await b.call('POST', '/image/v2/images', { name: 'second', disk_format: 'qcow2', container_format: 'bare', visibility: 'public' });
    secondImage = image.body.id;
  });
  after(async () => { await b?.close(); });

  test('the API: microversion, policy, body, aggregate and images checked before anything is cast', async () => {
    const path = `/os-aggregates/${aggregateId}/images`;
    const body = { cache: [{ id: b.imageId }] };
    assert.equal((await b.compute('POST', path, body, '2.80')).status, 404);
    assert.equal((await member.compute('POST', path, body, V)).status, 403);
    for (const bad of [{}, { cache: [] }, { cache: [{ id: 'not-a-uuid' }] }, { cache: [{ id: b.imageId, name: 'x' }] }, { cache: [{ id: b.imageId }], more: 1 }, { cache: {} }]) {
      const res = await b.compute('POST', path, bad, V);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.ok(res.body.badRequest?.message, JSON.stringify(res.body));
    }
    const dup = await b.compute('POST', path, { cache: [{ id: b.imageId }, { id: b.imageId }] }, V);
    assert.equal(dup.status, 400);
    assert.equal(dup.body.badRequest.message, 'Duplicate images in request');
    const missing = await b.compute('POST', '/os-aggregates/9999/images', body, V);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, 'Aggregate 9999 could not be found.');
    assert.equal((await b.compute('POST', '/os-aggregates/abc/images', body, V)).status, 400);
    const unknown = '11111111-2222-3333-4444-555555555555';
    const noImage = await b.compute('POST', path, { cache: [{ id: unknown }] }, V);
    assert.equal(noImage.status, 400);
    assert.equal(noImage.body.badRequest.message, `Image ${unknown} could not be found.`);
    assert.ok(!b.notifications.some((n) => n.eventType.startsWith('aggregate.cache_images')), 'a refused request is not cast');
  });

  test('each host that is up caches the images; the host forced down is skipped; progress host by host', async () => {
    const ctx = RequestContext.internal('req-test');
    const meta = (id: string): ImageMeta => new ImageMeta({ id, disk_format: 'raw' } as never);
    // c2 holds the first image already (as after a boot from it): it reports it existing, not fetched.
    assert.equal(await fakeHypervisor('c2')!.cacheImage(ctx, meta(b.imageId)), true);

    const res = await b.compute('POST', `/os-aggregates/${aggregateId}/images`, { cache: [{ id: b.imageId }, { id: secondImage }] }, V);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body, undefined, 'no body');
    await until(() => b.notifications.some((n) => n.eventType === 'aggregate.cache_images.end'), 'aggregate.cache_images.end');

    const seen = b.notifications.filter((n) => n.eventType.startsWith('aggregate.cache_images'));
    assert.deepEqual(seen.map((n) => n.eventType), [
      'aggregate.cache_images.start', 'aggregate.cache_images.progress', 'aggregate.cache_images.progress', 'aggregate.cache_images.progress',
      'aggregate.cache_images.end',
    ]);
    for (const n of seen) assert.equal(n.publisherId.split(':')[0], 'nova-conductor');
    const start = seen[0]!.payload;
    assert.equal(start['nova_object.name'], 'AggregatePayload');
    assert.equal(start['nova_object.data'].id, aggregateId);
    assert.deepEqual([...start['nova_object.data'].hosts].sort(), ['c1', 'c2', 'c3']);

    const progress = seen.slice(1, 4).map((n) => n.payload);
    assert.ok(progress.every((p) => p['nova_object.name'] === 'AggregateCachePayload' && p['nova_object.version'] === '1.0'));
    const data = progress.map((p) => p['nova_object.data']);
    assert.deepEqual(data.map((d) => d.index), [1, 2, 3]);
    assert.ok(data.every((d) => d.total === 3 && d.id === aggregateId && d.name === 'cache-rack'));
    const byHost = Object.fromEntries(data.map((d) => [d.host, d]));
    for (const host of ['c1', 'c2']) {
      assert.deepEqual([...byHost[host].images_cached].sort(), [b.imageId, secondImage].sort(), host);
      assert.deepEqual(byHost[host].images_failed, [], host);
    }
    assert.deepEqual(byHost['c3'].images_cached, []);
    assert.deepEqual([...byHost['c3'].images_failed].sort(), [b.imageId, secondImage].sort());

    // The hosts that were up hold both images now; the skipped one holds neither.
    for (const host of ['c1', 'c2']) {
      for (const id of [b.imageId, secondImage]) assert.equal(await fakeHypervisor(host)!.cacheImage(ctx, meta(id)), false, `${host} ${id}`);
    }
    assert.equal(await fakeHypervisor('c3')!.cacheImage(ctx, meta(secondImage)), true);
  });
});
