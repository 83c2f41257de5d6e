// The images proxy and image metadata over Glance: nova's image view (status, progress, minRam,
// minDisk, metadata, server link, size, alternate link), the filters and paging, show/delete
// with the caller's token (another project's private image is 404, deleting it 404/403), the
// metadata calls, and the microversion gates (images until 2.35, metadata until 2.38).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';
import { Member, untilBuilt } from './testing/member.js';

describe('images proxy', () => {
  let b: BootCloud;
  let member: Member;
  const ids: Record<string, string> = {};

  async function glanceImage(name: string, fields: Record<string, unknown> = {}): Promise<string> {
    const res = await b.call('POST', '/image/v2/images', { name, disk_format: 'raw', container_format: 'bare', ...fields });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id;
  }

  before(async () => {
    b = await BootCloud.start();
    member = await Member.create(b);
    ids['queued'] = await glanceImage('queued-one', { min_ram: 512, min_disk: 2, hw_disk_bus: 'virtio', auto_disk_config: 'true' });
    ids['private'] = await glanceImage('admin-private', { visibility: 'private' });
  });
  after(async () => { await b?.close(); });

  test('show: nova\'s view of a queued image and of the seeded active one', async () => {
    const res = await b.compute('GET', `/images/${ids['queued']}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const image = res.body.image;
    assert.equal(image.status, 'SAVING');
    assert.equal(image.progress, 25);
    assert.equal(image.minRam, 512);
    assert.equal(image.minDisk, 2);
    assert.equal(image.metadata.hw_disk_bus, 'virtio');
    assert.equal(image['OS-DCF:diskConfig'], 'AUTO');
    assert.equal(image['OS-EXT-IMG-SIZE:size'], 0);
    assert.match(image.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(image.links.map((l: any) => l.rel), ['self', 'bookmark', 'alternate']);
    assert.match(image.links[0].href, new RegExp(`/compute/v2.1/images/${ids['queued']}$`));
    assert.match(image.links[2].href, new RegExp(`/image/images/${ids['queued']}$`));
    assert.equal(image.links[2].type, 'application/vnd.openstack.image');
    assert.ok(!('server' in image));
    const active = (await b.compute('GET', `/images/${b.imageId}`)).body.image;
    assert.equal(active.status, 'ACTIVE');
    assert.equal(active.progress, 100);
    assert.ok(active['OS-EXT-IMG-SIZE:size'] > 0);
    assert.ok(!('OS-DCF:diskConfig' in active));
  });

  test('show/delete: unknown images 404, another project\'s private image invisible, the gate at 2.36', async () => {
    const missing = await b.compute('GET', '/images/00000000-0000-0000-0000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.itemNotFound.message, 'Image not found.');
    assert.equal((await b.compute('GET', '/images/not-a-uuid')).status, 404);
    assert.equal((await member.compute('GET', `/images/${ids['private']}`)).status, 404);
    assert.equal((await member.compute('GET', `/images/${b.imageId}`)).status, 200, 'a public image is visible');
    assert.equal((await member.compute('DELETE', `/images/${ids['private']}`)).status, 404);
    assert.equal((await member.compute('DELETE', `/images/${b.imageId}`)).status, 403, 'a public image of another project');
    assert.equal((await b.compute('DELETE', '/images/00000000-0000-0000-0000-000000000000')).status, 404);
    assert.equal((await b.compute('GET', `/images/${b.imageId}`, undefined, '2.35')).status, 200);
    for (const [method, path] of [['GET', `/images/${b.imageId}`], ['GET', '/images'], ['GET', '/images/detail'], ['DELETE', `/images/${ids['private']}`]]) {
      assert.equal((await b.compute(method!, path!, undefined, '2.36')).status, 404, `${method} ${path} at 2.36`);
    }
  });

  test('list and detail: filters, limit and marker with a next link', async () => {
    const all = (await b.compute('GET', '/images')).body;
    assert.ok(!('images_links' in all));
    assert.deepEqual(Object.keys(all.images[0]).sort(), ['id', 'links', 'name']);
    assert.ok(all.images.some((i: any) => i.id === ids['private']));
    const memberIds = (await member.compute('GET', '/images/detail')).body.images.map((i: any) => i.id);
    assert.ok(memberIds.includes(b.imageId));
    assert.ok(!memberIds.includes(ids['private']));
    const byName = (await b.compute('GET', '/images/detail?name=queued-one')).body.images;
    assert.deepEqual(byName.map((i: any) => i.id), [ids['queued']]);
    assert.equal(byName[0].minRam, 512);
    const active = (await b.compute('GET', '/images?status=ACTIVE')).body.images.map((i: any) => i.id);
    assert.deepEqual(active, [b.imageId]);
    const queued = (await b.compute('GET', '/images?status=queued')).body.images.map((i: any) => i.id).sort();
    assert.deepEqual(queued, [ids['queued'], ids['private']].sort());
    // passed to Glance as min_ram, which Glance v2 matches exactly
    assert.deepEqual((await b.compute('GET', '/images?minRam=512&minDisk=2')).body.images.map((i: any) => i.id), [ids['queued']]);
    assert.deepEqual((await b.compute('GET', '/images?minRam=256')).body.images, []);
    assert.equal((await b.compute('GET', '/images?changes-since=2000-01-01T00:00:00Z')).body.images.length, 3);
    assert.equal((await b.compute('GET', '/images?changes-since=2999-01-01T00:00:00Z')).body.images.length, 0);

    const page = (await b.compute('GET', '/images/detail?limit=2&name=queued-one&status=queued')).body;
    assert.equal(page.images.length, 1);
    assert.ok(!('images_links' in page), 'a page that is not full has no next link');
    const first = (await b.compute('GET', '/images?limit=2')).body;
    assert.equal(first.images.length, 2);
    const next = new URL(first.images_links[0].href);
    assert.equal(first.images_links[0].rel, 'next');
    assert.match(next.pathname, /\/compute\/v2.1\/images$/);
    assert.equal(next.searchParams.get('marker'), first.images[1].id);
    assert.equal(next.searchParams.get('limit'), '2');
    const rest = (await b.compute('GET', `/images?limit=2&marker=${first.images[1].id}`)).body.images;
    assert.equal(rest.length, 1);
    assert.equal(new Set([...first.images, ...rest].map((i: any) => i.id)).size, 3);
    assert.equal((await b.compute('GET', '/images?limit=0')).body.images.length, 3, 'a limit of 0 is no limit');

    const badLimit = await b.compute('GET', '/images?limit=abc');
    assert.equal(badLimit.status, 400);
    assert.match(badLimit.body.badRequest.message, /limit must be an integer/);
    assert.equal((await b.compute('GET', '/images/detail?limit=-1')).status, 400);
    assert.equal((await b.compute('GET', '/images?marker=00000000-0000-0000-0000-000000000000')).status, 400);
  });

  test('metadata: index, show, create, update, update_all, delete, quota and the gate at 2.39', async () => {
    const id = ids['queued']!;
    const path = `/images/${id}/metadata`;
    const index = await b.compute('GET', path);
    assert.equal(index.status, 200);
    assert.equal(index.body.metadata.hw_disk_bus, 'virtio');
    assert.deepEqual((await b.compute('GET', `${path}/hw_disk_bus`)).body, { meta: { hw_disk_bus: 'virtio' } });
    assert.equal((await b.compute('GET', `${path}/nope`)).status, 404);

    const created = await b.compute('POST', path, { metadata: { color: 'red', hw_disk_bus: 'scsi' } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.metadata.color, 'red');
    assert.equal(created.body.metadata.hw_disk_bus, 'scsi');
    assert.equal(created.body.metadata.auto_disk_config, 'true', 'create merges');

    const one = await b.compute('PUT', `${path}/color`, { meta: { color: 'blue' } });
    assert.deepEqual(one.body, { meta: { color: 'blue' } });
    assert.equal((await b.call('GET', `/image/v2/images/${id}`)).body.color, 'blue');
    const mismatch = await b.compute('PUT', `${path}/color`, { meta: { other: 'x' } });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.badRequest.message, 'Request body and URI mismatch');
    assert.equal((await b.compute('PUT', `${path}/color`, { meta: { color: 'a', b: 'c' } })).status, 400);

    const all = await b.compute('PUT', path, { metadata: { only: 'this' } });
    assert.deepEqual(all.body, { metadata: { only: 'this' } });
    const glance = (await b.call('GET', `/image/v2/images/${id}`)).body;
    assert.equal(glance.only, 'this');
    assert.ok(!('color' in glance) && !('hw_disk_bus' in glance), 'update_all purges the other properties');
    assert.equal(glance.min_ram, 512, 'core attributes stay');

    assert.equal((await b.compute('DELETE', `${path}/only`)).status, 204);
    assert.deepEqual((await b.compute('GET', path)).body, { metadata: {} });
    const gone = await b.compute('DELETE', `${path}/only`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.itemNotFound.message, 'Invalid metadata key');

    assert.equal((await b.compute('POST', path, { metadata: 'x' })).status, 400);
    assert.equal((await b.compute('POST', path, {})).status, 400);
    assert.equal((await b.compute('POST', path, { metadata: { ['k'.repeat(256)]: 'v' } })).status, 400);
    const tooMany = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
    const over = await b.compute('PUT', path, { metadata: tooMany });
    assert.equal(over.status, 403);
    assert.equal(over.body.forbidden.message, 'Image metadata limit exceeded');
    assert.equal((await b.compute('GET', '/images/00000000-0000-0000-0000-000000000000/metadata')).status, 404);
    assert.equal((await member.compute('GET', `/images/${ids['private']}/metadata`)).status, 404);
    assert.equal((await member.compute('POST', `/images/${b.imageId}/metadata`, { metadata: { a: 'b' } })).status, 403);

    assert.equal((await b.compute('GET', path, undefined, '2.38')).status, 200);
    assert.equal((await b.compute('GET', path, undefined, '2.39')).status, 404);
    assert.equal((await b.compute('PUT', `${path}/x`, { meta: { x: 'y' } }, '2.39')).status, 404);
  });

  test('a server snapshot: SAVING then ACTIVE with the server linked, found with server= and type=', async () => {
    const created = await b.boot({ name: 'snapped' });
    const serverId = created.body.server.id;
    assert.equal((await untilBuilt(b, serverId)).status, 'ACTIVE');
    const res = await b.compute('POST', `/servers/${serverId}/action`, { createImage: { name: 'snap' } }, '2.45');
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const imageId = res.body.image_id;
    let image: any;
    const deadline = Date.now() + 20_000;
    do {
      image = (await b.compute('GET', `/images/${imageId}`)).body.image;
      if (image.status === 'ACTIVE') break;
      assert.equal(image.status, 'SAVING');
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < deadline);
    assert.equal(image.status, 'ACTIVE');
    assert.equal(image.server.id, serverId);
    assert.deepEqual(image.server.links.map((l: any) => l.rel), ['self', 'bookmark']);
    assert.equal(image.metadata.image_type, 'snapshot');
    const byServer = (await b.compute('GET', `/images?server=${encodeURIComponent(`http://x/servers/${serverId}`)}`)).body.images;
    assert.deepEqual(byServer.map((i: any) => i.id), [imageId]);
    assert.deepEqual((await b.compute('GET', '/images?type=snapshot')).body.images.map((i: any) => i.id), [imageId]);
    assert.equal((await b.compute('DELETE', `/images/${imageId}`)).status, 204);
    assert.equal((await b.compute('GET', `/images/${imageId}`)).status, 404);
  });
});
