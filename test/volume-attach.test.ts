/**
 * Nova's volume attachments against the real Block Storage in the all-in-one cloud: a volume
 * made through /volume is attached to a server through os-volume_attachments (Nova reserves it
 * with Cinder's attachments API, the compute host gives its connector and completes), shows as
 * in-use with the server in Cinder, and is back to available after the detach; a server
 * deleted with a delete_on_termination volume takes the volume with it; a server booted from an
 * image onto a new volume has the compute host create it in Cinder from the Glance image.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BootCloud } from '../src/services/nova/testing/boot-cloud.js';

describe('Nova volume attachments with the real Cinder (all-in-one)', () => {
  let b: BootCloud;
  let serverId = '';

  async function volume(id: string): Promise<any> {
    return (await b.call('GET', `/volume/v3/volumes/${id}`, undefined, { 'openstack-api-version': 'volume 3.67' })).body.volume;
  }

  async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await get();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function newVolume(): Promise<string> {
    const res = await b.call('POST', '/volume/v3/volumes', { volume: { size: 1 } }, { 'openstack-api-version': 'volume 3.67' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await until('the volume available', () => volume(res.body.volume.id), (v) => v.status === 'available');
    return res.body.volume.id;
  }

  before(async () => {
    b = await BootCloud.start({
      'DEFAULT.enabled_services': 'identity,image,network,placement,compute,volume', 'DEFAULT.hosts': 'c1', 'DEFAULT.vif_plugging_timeout': '0',
    });
    const created = await b.boot({ name: 'with-disks' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    serverId = created.body.server.id;
    await b.waitFor(serverId, ['ACTIVE']);
  });
  after(async () => { await b?.close(); });

  test('attach: reserved, then in-use with the server; the host got file connection info; detach makes it available', async () => {
    const vid = await newVolume();
    const res = await b.compute('POST', `/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.volumeAttachment.device, '/dev/vdb');
    const used = await until('the volume in-use', () => volume(vid), (v) => v.status === 'in-use');
    assert.equal(used.attachments.length, 1);
    assert.equal(used.attachments[0].server_id, serverId);
    assert.equal(used.attachments[0].host_name, 'c1');
    assert.equal(used.attachments[0].device, '/dev/vdb', 'Nova gives the device as the connector\'s mountpoint');
    const bdm = await until('the connection info saved', () => b.repos.bdms.byVolumeAndInstance(vid, serverId), (x) => x.data.connection_info !== null);
    const info = JSON.parse(bdm.data.connection_info!);
    assert.equal(info.driver_volume_type, 'file');
    assert.match(info.data.device_path, new RegExp(`volume-${vid}$`));
    const attachment = (await b.call('GET', `/volume/v3/attachments/${bdm.data.attachment_id}`, undefined, { 'openstack-api-version': 'volume 3.44' })).body.attachment;
    assert.equal(attachment.status, 'attached');
    assert.equal(attachment.instance, serverId);
    const busy = await b.call('DELETE', `/volume/v3/volumes/${vid}`, undefined, { 'openstack-api-version': 'volume 3.67' });
    assert.equal(busy.status, 400);

    const det = await b.compute('DELETE', `/servers/${serverId}/os-volume_attachments/${vid}`);
    assert.equal(det.status, 202, JSON.stringify(det.body));
    const free = await until('the volume available', () => volume(vid), (v) => v.status === 'available');
    assert.deepEqual(free.attachments, []);
    assert.equal((await b.call('DELETE', `/volume/v3/volumes/${vid}`, undefined, { 'openstack-api-version': 'volume 3.67' })).status, 202);
  });

  test('a volume in use elsewhere is refused by Cinder (400), a missing one is a 404', async () => {
    const vid = await newVolume();
    await b.compute('POST', `/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } });
    await until('the volume in-use', () => volume(vid), (v) => v.status === 'in-use');
    const other = await b.boot({ name: 'second' });
    await b.waitFor(other.body.server.id, ['ACTIVE']);
    const again = await b.compute('POST', `/servers/${other.body.server.id}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } });
    assert.equal(again.status, 400, JSON.stringify(again.body));
    const missing = await b.compute('POST', `/servers/${serverId}/os-volume_attachments`, { volumeAttachment: { volumeId: '00000000-0000-0000-0000-000000000001' } });
    assert.equal(missing.status, 404, JSON.stringify(missing.body));
  });

  test('a volume made from a Glance image: its bytes, bootable, volume_image_metadata; a missing image is a 404', async () => {
    const res = await b.call('POST', '/volume/v3/volumes', { volume: { size: 1, imageRef: b.imageId } }, { 'openstack-api-version': 'volume 3.67' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const v = await until('the volume available', () => volume(res.body.volume.id), (x) => x.status === 'available' || x.status === 'error');
    assert.equal(v.status, 'available');
    assert.equal(v.bootable, 'true');
    assert.equal(v.volume_image_metadata.image_id, b.imageId);
    assert.equal(v.volume_image_metadata.image_name, 'cirros');
    assert.equal(v.volume_image_metadata.disk_format, 'raw');
    const file = join(b.cloud.dataDir, 'volumes', 'c1', `volume-${v.id}`);
    assert.equal(statSync(file).size, 1024 ** 3);
    const head = Buffer.alloc(1025);
    const fd = openSync(file, 'r');
    readSync(fd, head, 0, 1025, 0);
    closeSync(fd);
    assert.ok(head.subarray(0, 1024).every((x) => x === 1), 'the image bytes lead the volume');
    assert.equal(head[1024], 0);
    const filtered = await b.call('GET', `/volume/v3/volumes/detail?glance_metadata=${encodeURIComponent(JSON.stringify({ image_name: 'cirros' }))}`, undefined, { 'openstack-api-version': 'volume 3.67' });
    assert.deepEqual(filtered.body.volumes.map((x: any) => x.id), [v.id]);
    const missing = await b.call('POST', '/volume/v3/volumes', { volume: { size: 1, imageRef: '00000000-0000-0000-0000-00000000000a' } }, { 'openstack-api-version': 'volume 3.67' });
    assert.equal(missing.status, 404, JSON.stringify(missing.body));
  });

  test('delete_on_termination: deleting the server detaches and deletes the volume', async () => {
    const vid = await newVolume();
    const s = await b.boot({ name: 'ephemeral-disk' });
    await b.waitFor(s.body.server.id, ['ACTIVE']);
    const res = await b.compute('POST', `/servers/${s.body.server.id}/os-volume_attachments`, { volumeAttachment: { volumeId: vid, delete_on_termination: true } }, '2.79');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await until('the volume in-use', () => volume(vid), (v) => v.status === 'in-use');
    assert.equal((await b.compute('DELETE', `/servers/${s.body.server.id}`)).status, 204);
    await until('the volume gone', () => b.call('GET', `/volume/v3/volumes/${vid}`, undefined, { 'openstack-api-version': 'volume 3.67' }), (r) => r.status === 404);
  });

  test('boot from an image onto a new volume: Cinder makes it from Glance, the server boots from it, the delete takes it', async () => {
    const created = await b.compute('POST', '/servers', { server: {
      name: 'bfv-image', flavorRef: '1', networks: 'none',
      block_device_mapping_v2: [{ boot_index: 0, uuid: b.imageId, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true }],
    } }, '2.67');
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const sid = created.body.server.id;
    const server = await b.waitFor(sid, ['ACTIVE', 'ERROR'], 30_000);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    const attached = (await b.compute('GET', `/servers/${sid}/os-volume_attachments`)).body.volumeAttachments;
    assert.equal(attached.length, 1);
    assert.equal(attached[0].device, '/dev/vda');
    const root = await volume(attached[0].volumeId);
    assert.equal(root.status, 'in-use');
    assert.equal(root.bootable, 'true');
    assert.equal(root.volume_image_metadata.image_id, b.imageId);
    assert.equal(root.attachments[0].server_id, sid);
    assert.equal((await b.compute('DELETE', `/servers/${sid}`)).status, 204);
    await until('the root volume deleted with the server', () => b.call('GET', `/volume/v3/volumes/${root.id}`, undefined, { 'openstack-api-version': 'volume 3.67' }), (r) => r.status === 404);
  });

  test('createImage of a volume-backed server: a forced Cinder snapshot of its root volume and an image mapping it; a server booted from that image gets a volume made of the snapshot', async () => {
    const created = await b.compute('POST', '/servers', { server: {
      name: 'bfv-origin', flavorRef: '1', networks: 'none',
      block_device_mapping_v2: [{ boot_index: 0, uuid: b.imageId, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true }],
    } }, '2.67');
    const origin = created.body.server.id;
    assert.equal((await b.waitFor(origin, ['ACTIVE', 'ERROR'], 30_000)).status, 'ACTIVE');
    const rootVolume = (await b.compute('GET', `/servers/${origin}/os-volume_attachments`)).body.volumeAttachments[0].volumeId;

    const snap = await b.compute('POST', `/servers/${origin}/action`, { createImage: { name: 'bfv-snap', metadata: { purpose: 'ebs' } } }, '2.45');
    assert.equal(snap.status, 202, JSON.stringify(snap.body));
    const imageId = snap.body.image_id;
    const image = (await b.call('GET', `/image/v2/images/${imageId}`)).body;
    assert.equal(image.status, 'active', 'an image without data, active at once');
    assert.equal(image.size, 0);
    assert.equal(image.bdm_v2, 'True');
    assert.equal(image.purpose, 'ebs');
    assert.equal(image.image_type, 'snapshot');
    const mapping = JSON.parse(image.block_device_mapping);
    assert.equal(mapping.length, 1);
    assert.deepEqual(
      { source: mapping[0].source_type, destination: mapping[0].destination_type, boot: mapping[0].boot_index, device: mapping[0].device_name },
      { source: 'snapshot', destination: 'volume', boot: 0, device: '/dev/vda' },
    );
    const snapshot = await until('the snapshot available', async () => (await b.call('GET', `/volume/v3/snapshots/${mapping[0].snapshot_id}`, undefined, { 'openstack-api-version': 'volume 3.67' })).body.snapshot, (x) => x?.status === 'available');
    assert.equal(snapshot.volume_id, rootVolume);
    assert.equal(snapshot.name, 'snapshot for bfv-snap');
    const actions = (await b.compute('GET', `/servers/${origin}/os-instance-actions`)).body.instanceActions;
    assert.ok(actions.some((a: any) => a.action === 'createImage'));

    // a server booted from that image: its root is a new volume made from the snapshot
    const clone = await b.compute('POST', '/servers', { server: { name: 'bfv-clone', flavorRef: '1', networks: 'none', imageRef: imageId } }, '2.67');
    assert.equal(clone.status, 202, JSON.stringify(clone.body));
    const cloneId = clone.body.server.id;
    const server = await b.waitFor(cloneId, ['ACTIVE', 'ERROR'], 30_000);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    assert.equal(server.image.id, imageId);
    const attached = (await b.compute('GET', `/servers/${cloneId}/os-volume_attachments`)).body.volumeAttachments;
    assert.equal(attached.length, 1);
    assert.equal(attached[0].device, '/dev/vda');
    assert.notEqual(attached[0].volumeId, rootVolume);
    const cloneRoot = await volume(attached[0].volumeId);
    assert.equal(cloneRoot.snapshot_id, snapshot.id);
    assert.equal(cloneRoot.size, snapshot.size);
    assert.equal(cloneRoot.bootable, 'true', 'bootable as the volume the snapshot is of');
    assert.equal(cloneRoot.volume_image_metadata?.image_id, b.imageId, 'the image metadata of the volume the snapshot is of');

    // a snapshot of the clone is volume-backed too; backups of volume-backed servers are refused as Nova does
    const backup = await b.compute('POST', `/servers/${cloneId}/action`, { createBackup: { name: 'b', backup_type: 'daily', rotation: 1 } }, '2.45');
    assert.equal(backup.status, 400, JSON.stringify(backup.body));

    for (const id of [cloneId, origin]) assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await until('the clone\'s root volume deleted', () => b.call('GET', `/volume/v3/volumes/${cloneRoot.id}`, undefined, { 'openstack-api-version': 'volume 3.67' }), (r) => r.status === 404, 30_000);
    assert.equal((await b.call('DELETE', `/volume/v3/snapshots/${snapshot.id}`, undefined, { 'openstack-api-version': 'volume 3.67' })).status, 202);
  });

  test('a shelved-offloaded server (2.20): a volume attached is in-use at once, connected by the unshelve; another detached while offloaded is freed at once', async () => {
    const created = await b.boot({ name: 'shelved' });
    const sid = created.body.server.id;
    await b.waitFor(sid, ['ACTIVE']);
    assert.equal((await b.compute('POST', `/servers/${sid}/action`, { shelve: null }, '2.20')).status, 202);
    await b.waitFor(sid, ['SHELVED_OFFLOADED'], 30_000);
    const vid = await newVolume();
    const old = await b.compute('POST', `/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } }, '2.19');
    assert.equal(old.status, 409, 'before 2.20 a shelved server takes no volume');
    const res = await b.compute('POST', `/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } }, '2.20');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.volumeAttachment.device, null, 'the unshelve names the device');
    const inUse = await volume(vid);
    assert.equal(inUse.status, 'in-use');
    assert.equal(inUse.attachments[0].server_id, sid);
    const tagged = await b.compute('POST', `/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: await newVolume(), tag: 't' } }, '2.49');
    assert.equal(tagged.status, 400, JSON.stringify(tagged.body));

    const other = await newVolume();
    assert.equal((await b.compute('POST', `/servers/${sid}/os-volume_attachments`, { volumeAttachment: { volumeId: other } }, '2.20')).status, 200);
    assert.equal((await b.compute('DELETE', `/servers/${sid}/os-volume_attachments/${other}`, undefined, '2.20')).status, 202);
    assert.equal((await volume(other)).status, 'available', 'freed at once: no host holds it');

    assert.equal((await b.compute('POST', `/servers/${sid}/action`, { unshelve: null }, '2.20')).status, 202);
    const back = await b.waitFor(sid, ['ACTIVE', 'ERROR'], 30_000);
    assert.equal(back.status, 'ACTIVE', JSON.stringify(back.fault));
    const attached = (await b.compute('GET', `/servers/${sid}/os-volume_attachments`)).body.volumeAttachments;
    assert.deepEqual(attached.map((x: any) => x.volumeId), [vid]);
    assert.match(String(attached[0].device), /^\/dev\/vd[b-z]$/, JSON.stringify(attached));
    const connected = await until('the volume connected on the unshelving host', () => volume(vid), (v) => v.attachments[0]?.host_name === 'c1');
    assert.equal(connected.status, 'in-use');
    assert.equal((await b.compute('DELETE', `/servers/${sid}`)).status, 204);
    await until('the volume available again', () => volume(vid), (v) => v.status === 'available');
  });

  test('os-volumes and os-snapshots, Nova\'s proxies to Cinder up to 2.35: create, show, list with offset/limit, snapshot, delete; bad sizes are 400; 404 from 2.36', async () => {
    const bad = await b.compute('POST', '/os-volumes', { volume: { size: '#$%' } });
    assert.equal(bad.status, 400);
    assert.equal((await b.compute('POST', '/os-volumes', { volume: { display_name: 'no-size' } })).status, 400);
    assert.equal((await b.compute('POST', '/os-volumes', { volume: { size: 0 } })).status, 400);
    const res = await b.compute('POST', '/os-volumes', { volume: { size: 1, display_name: 'proxied', display_description: 'via nova', metadata: { k: 'v' } } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const v = res.body.volume;
    assert.deepEqual({ name: v.displayName, description: v.displayDescription, size: v.size, metadata: v.metadata, attachments: v.attachments },
      { name: 'proxied', description: 'via nova', size: 1, metadata: { k: 'v' }, attachments: [{}] });
    await until('the volume available', async () => (await b.compute('GET', `/os-volumes/${v.id}`)).body.volume, (x) => x.status === 'available');
    const listed = (await b.compute('GET', '/os-volumes/detail')).body.volumes;
    assert.ok(listed.some((x: any) => x.id === v.id));
    assert.equal((await b.compute('GET', '/os-volumes?limit=1')).body.volumes.length, 1);
    assert.equal((await b.compute('GET', '/os-volumes?offset=-1')).status, 400);
    assert.equal((await b.compute('GET', '/os-volumes', undefined, '2.36')).status, 404);

    const snap = await b.compute('POST', '/os-snapshots', { snapshot: { volume_id: v.id, display_name: 's1', force: 'true' } });
    assert.equal(snap.status, 200, JSON.stringify(snap.body));
    assert.equal(snap.body.snapshot.volumeId, v.id);
    assert.equal(snap.body.snapshot.displayName, 's1');
    await until('the snapshot available', async () => (await b.compute('GET', `/os-snapshots/${snap.body.snapshot.id}`)).body.snapshot, (x) => x.status === 'available');
    assert.ok((await b.compute('GET', '/os-snapshots/detail')).body.snapshots.some((x: any) => x.id === snap.body.snapshot.id));
    assert.equal((await b.compute('DELETE', `/os-snapshots/${snap.body.snapshot.id}`)).status, 202);
    await until('the snapshot gone', () => b.compute('GET', `/os-snapshots/${snap.body.snapshot.id}`), (r) => r.status === 404);
    assert.equal((await b.compute('DELETE', `/os-volumes/${v.id}`)).status, 202);
    await until('the volume gone', () => b.compute('GET', `/os-volumes/${v.id}`), (r) => r.status === 404);
    assert.equal((await b.compute('POST', '/os-snapshots', { snapshot: { volume_id: v.id } })).status, 404);
  });

  test('a volume Cinder marks not bootable is no root disk: 400, as Nova\'s get_bdm_image_metadata', async () => {
    const vid = await newVolume();
    assert.equal((await volume(vid)).bootable, 'false');
    const res = await b.compute('POST', '/servers', { server: {
      name: 'not-bootable', flavorRef: '1', networks: 'none',
      block_device_mapping_v2: [{ boot_index: 0, uuid: vid, source_type: 'volume', destination_type: 'volume' }],
    } }, '2.67');
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.badRequest.message, `Block Device ${vid} is not bootable.`);
    assert.equal((await volume(vid)).status, 'available', 'nothing reserved');
  });
});
