import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { readJson, sendJson, StubCloud } from '../../../common/clients/testing/stub-cloud.js';
import { startCinder, type CinderHarness } from '../testing/cinder-harness.js';

const MiB = 1024 * 1024;
const SLOW = 60_000;

async function sha256Of(path: string): Promise<string> {
  const fh = await open(path, 'r');
  const hash = createHash('sha256');
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: 4 * MiB })) hash.update(chunk as Buffer);
  } finally { await fh.close().catch(() => undefined); }
  return hash.digest('hex');
}

/** A Glance of images in memory, their data in files of `dir`. */
async function fakeGlance(dir: string): Promise<{ cloud: StubCloud; images: Map<string, Record<string, unknown>>; deleted: string[] }> {
  const cloud = await StubCloud.start(['image']);
  const images = new Map<string, Record<string, unknown>>();
  const deleted: string[] = [];
  cloud.route('POST', '/image/v2/images', async (req, res) => {
    const body = await readJson(req) as Record<string, unknown>;
    if (body['name'] === 'refused') return sendJson(res, 403, { message: 'not you' });
    const image = { visibility: 'shared', protected: false, ...body, id: randomUUID(), status: 'queued', user_token: req.headers['x-auth-token'] };
    images.set(image.id, image);
    sendJson(res, 201, image);
  });
  cloud.route('PUT', /^\/image\/v2\/images\/[^/]+\/file$/, async (req, res, url) => {
    const id = url.pathname.split('/')[4]!;
    const image = images.get(id);
    if (!image || image['name'] === 'broken') {
      req.resume();
      return sendJson(res, 500, { message: 'store failed' });
    }
    const file = join(dir, id);
    await pipeline(req, createWriteStream(file));
    Object.assign(image, { status: 'active', file, content_length: Number(req.headers['content-length']) });
    res.writeHead(204).end();
  });
  cloud.route('DELETE', /^\/image\/v2\/images\/[^/]+$/, (_req, res, url) => {
    const id = url.pathname.split('/')[4]!;
    deleted.push(id);
    images.delete(id);
    res.writeHead(204).end();
  });
  return { cloud, images, deleted };
}

describe('cinder volumes and Glance: os-volume_upload_image, image metadata', () => {
  let h: CinderHarness;
  let glance: Awaited<ReturnType<typeof fakeGlance>>;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nubo-glance-'));
    glance = await fakeGlance(dir);
    h = await startCinder({}, { session: glance.cloud.session() });
  });
  after(async () => {
    await h?.close();
    await glance?.cloud.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function newVolume(): Promise<string> {
    const res = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } });
    await h.waitFor(`/v3/p1/volumes/${res.body.volume.id}`, 'volume', 'available');
    return res.body.volume.id;
  }

  test('upload as raw and as qcow2: the image gets the volume\'s data, the volume is available again', async () => {
    const vol = await newVolume();
    const path = h.volumeService.driver.volumePath(vol);
    const fh = await open(path, 'r+');
    await fh.write(Buffer.alloc(MiB, 0x5a), 0, MiB, 3 * MiB);
    await fh.close();
    const act = `/v3/p1/volumes/${vol}/action`;

    const raw = await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'as-raw' } });
    assert.equal(raw.status, 202, JSON.stringify(raw.body));
    const r = raw.body['os-volume_upload_image'];
    assert.equal(r.status, 'uploading');
    assert.equal(r.id, vol);
    assert.equal(r.image_name, 'as-raw');
    assert.equal(r.disk_format, 'raw');
    assert.equal(r.container_format, 'bare');
    assert.equal(r.size, 1);
    assert.equal(r.volume_type.name, '__DEFAULT__');
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${vol}`)).body.volume.status, 'uploading');
    await h.waitFor(`/v3/p1/volumes/${vol}`, 'volume', 'available', SLOW);
    const rawImage = glance.images.get(r.image_id)!;
    assert.equal(rawImage['status'], 'active');
    assert.equal(rawImage['user_token'], 'member-token', 'made and uploaded as the caller');
    assert.equal(rawImage['content_length'], 1024 ** 3);
    assert.equal(await sha256Of(rawImage['file'] as string), await sha256Of(path));

    const q = await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'as-qcow2', disk_format: 'qcow2', visibility: 'private', protected: true } }, '3.1');
    assert.equal(q.status, 202);
    assert.equal(q.body['os-volume_upload_image'].visibility, 'private');
    assert.equal(q.body['os-volume_upload_image'].protected, true);
    await h.waitFor(`/v3/p1/volumes/${vol}`, 'volume', 'available', SLOW);
    const qImage = glance.images.get(q.body['os-volume_upload_image'].image_id)!;
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', 'qcow2', qImage['file'] as string], { encoding: 'utf8' }));
    assert.equal(info['virtual-size'], 1024 ** 3);
    assert.ok((qImage['content_length'] as number) < 16 * MiB, 'a sparse volume makes a small qcow2 image');
    const back = join(dir, 'back.raw');
    execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qImage['file'] as string, back]);
    assert.equal(await sha256Of(back), await sha256Of(path));
  });

  test('upload rules: schema, status, force, public needs the admin, Glance failures', async () => {
    const vol = await newVolume();
    const act = `/v3/p1/volumes/${vol}/action`;
    assert.equal((await h.as(h.member, 'POST', act, { 'os-volume_upload_image': {} })).status, 400);
    assert.equal((await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'x', disk_format: 'iso' } })).status, 400);
    assert.equal((await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'x', visibility: 'private' } })).status, 400, 'visibility from 3.1');
    assert.equal((await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'x', visibility: 'public' } }, '3.1')).status, 403);

    const refused = await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'refused' } });
    assert.equal(refused.status, 400);
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${vol}`)).body.volume.status, 'available');

    const broken = await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'broken', disk_format: 'qcow2' } });
    assert.equal(broken.status, 202);
    await h.waitFor(`/v3/p1/volumes/${vol}`, 'volume', 'available', SLOW);
    assert.ok(glance.deleted.includes(broken.body['os-volume_upload_image'].image_id), 'the image of a failed upload is deleted');

    await h.as(h.admin, 'POST', act, { 'os-reset_status': { status: 'in-use' } });
    const inUse = await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'x', disk_format: 'qcow2' } });
    assert.equal(inUse.status, 400);
    assert.match(inUse.body.badRequest.message, /must be available/);
    const forced = await h.as(h.member, 'POST', act, { 'os-volume_upload_image': { image_name: 'forced', disk_format: 'vmdk', force: true } });
    assert.equal(forced.status, 202);
    await h.waitFor(`/v3/p1/volumes/${vol}`, 'volume', 'in-use', SLOW);
    assert.equal(glance.images.get(forced.body['os-volume_upload_image'].image_id)!['status'], 'active');
  });

  test('os-set_image_metadata, os-show_image_metadata, os-unset_image_metadata', async () => {
    const vol = await newVolume();
    const act = `/v3/p1/volumes/${vol}/action`;
    const set = await h.as(h.member, 'POST', act, { 'os-set_image_metadata': { metadata: { hw_disk_bus: 'scsi', os_distro: 'debian' } } });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.metadata, { hw_disk_bus: 'scsi', os_distro: 'debian' });
    const more = await h.as(h.member, 'POST', act, { 'os-set_image_metadata': { metadata: { os_distro: 'ubuntu' } } });
    assert.deepEqual(more.body.metadata, { hw_disk_bus: 'scsi', os_distro: 'ubuntu' });
    const shown = await h.as(h.member, 'POST', act, { 'os-show_image_metadata': null });
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.metadata, { hw_disk_bus: 'scsi', os_distro: 'ubuntu' });
    assert.deepEqual((await h.as(h.member, 'GET', `/v3/p1/volumes/${vol}`)).body.volume.volume_image_metadata, { hw_disk_bus: 'scsi', os_distro: 'ubuntu' });
    assert.equal((await h.as(h.member, 'POST', act, { 'os-set_image_metadata': { metadata: 'x' } })).status, 400);
    assert.equal((await h.as(h.member, 'POST', act, { 'os-unset_image_metadata': { key: 'hw_disk_bus' } })).status, 200);
    const missing = await h.as(h.member, 'POST', act, { 'os-unset_image_metadata': { key: 'hw_disk_bus' } });
    assert.equal(missing.status, 404);
    assert.match(missing.body.itemNotFound.message, /Glance metadata for volume\/snapshot .* cannot be found/);
    assert.deepEqual((await h.as(h.member, 'POST', act, { 'os-show_image_metadata': {} })).body.metadata, { os_distro: 'ubuntu' });
    assert.equal((await h.as(h.other, 'POST', `/v3/p2/volumes/${vol}/action`, { 'os-show_image_metadata': {} })).status, 404);
  });
});
