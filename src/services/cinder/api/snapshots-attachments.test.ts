import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { qemuImgAvailable, imageInfo } from '../volume/drivers/qemu-img.js';
import { startCinder, type CinderHarness } from '../testing/cinder-harness.js';

const SERVER = '11111111-2222-3333-4444-555555555555';
const SERVER2 = '11111111-2222-3333-4444-666666666666';
const connector = { host: 'compute1', ip: '127.0.0.1', initiator: 'iqn.test', multipath: false, platform: 'x86_64', os_type: 'linux' };

for (const format of ['raw', 'qcow2'] as const) {
  describe(`cinder snapshots and attachments (${format} files)`, async () => {
    const skip = format === 'qcow2' && !(await qemuImgAvailable()) ? 'qemu-img is not installed (Debian: qemu-utils)' : false;
    let h: CinderHarness;
    before(async () => { if (!skip) h = await startCinder({ 'backend_defaults.file_volume_format': format }); });
    after(async () => { await h?.close(); });

    test('snapshots: create, volume from snapshot, clone, metadata, delete rules, cascade', { skip }, async () => {
      const v = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, name: 'src' } })).body.volume;
      await h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'available');
      if (format === 'qcow2') assert.equal((await imageInfo(h.volumeService.driver.volumePath(v.id))).format, 'qcow2');
      const snapRes = await h.as(h.member, 'POST', '/v3/p1/snapshots', { snapshot: { volume_id: v.id, name: 's1', metadata: { k: 'v' } } });
      assert.equal(snapRes.status, 202);
      assert.equal(snapRes.body.snapshot.status, 'creating');
      const snap = await h.waitFor(`/v3/p1/snapshots/${snapRes.body.snapshot.id}`, 'snapshot', 'available');
      assert.equal(snap.size, 1);
      assert.deepEqual(snap.metadata, { k: 'v' });
      assert.ok(existsSync(h.volumeService.driver.snapshotPath(snap.id)));
      const list = await h.as(h.member, 'GET', `/v3/p1/snapshots/detail?volume_id=${v.id}`);
      assert.deepEqual(list.body.snapshots.map((s: any) => s.id), [snap.id]);
      assert.equal(list.body.snapshots[0]['os-extended-snapshot-attributes:progress'], '100%');
      const upd = await h.as(h.member, 'PUT', `/v3/p1/snapshots/${snap.id}`, { snapshot: { name: 's1b' } });
      assert.equal(upd.body.snapshot.name, 's1b');
      assert.deepEqual((await h.as(h.member, 'POST', `/v3/p1/snapshots/${snap.id}/metadata`, { metadata: { x: 'y' } })).body, { metadata: { k: 'v', x: 'y' } });

      const fromSnap = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { snapshot_id: snap.id, size: 2 } })).body.volume;
      assert.equal(fromSnap.snapshot_id, snap.id);
      const made = await h.waitFor(`/v3/p1/volumes/${fromSnap.id}`, 'volume', 'available');
      assert.equal(made.size, 2);
      const path = h.volumeService.driver.volumePath(fromSnap.id);
      if (format === 'raw') assert.equal(statSync(path).size, 2 * 1024 ** 3);
      else assert.equal((await imageInfo(path)).virtualSize, 2 * 1024 ** 3);
      const tooSmall = await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { snapshot_id: snap.id, size: 0 } });
      assert.equal(tooSmall.status, 400);

      const clone = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { source_volid: v.id } })).body.volume;
      assert.equal(clone.size, 1);
      await h.waitFor(`/v3/p1/volumes/${clone.id}`, 'volume', 'available');
      assert.ok(existsSync(h.volumeService.driver.volumePath(clone.id)));

      const blocked = await h.as(h.member, 'DELETE', `/v3/p1/volumes/${v.id}`);
      assert.equal(blocked.status, 400);
      assert.match(blocked.body.badRequest.message, /dependent snapshots/);
      assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/volumes/${v.id}?cascade=true`)).status, 202);
      await h.waitGone(`/v3/p1/volumes/${v.id}`);
      await h.waitGone(`/v3/p1/snapshots/${snap.id}`);
      assert.ok(!existsSync(h.volumeService.driver.snapshotPath(snap.id)));
      for (const id of [fromSnap.id, clone.id]) await h.as(h.member, 'DELETE', `/v3/p1/volumes/${id}`);
      for (const id of [fromSnap.id, clone.id]) await h.waitGone(`/v3/p1/volumes/${id}`);
    });

    test('attachments: reserve, connector, complete, detach; states of the volume; multiattach', { skip }, async () => {
      const v = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1 } })).body.volume;
      await h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'available');
      assert.equal((await h.as(h.member, 'POST', '/v3/p1/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER } }, '3.26')).status, 404);
      const reserved = await h.as(h.member, 'POST', '/v3/p1/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER } }, '3.27');
      assert.equal(reserved.status, 200);
      const a = reserved.body.attachment;
      assert.equal(a.status, 'reserved');
      assert.equal(a.instance, SERVER);
      assert.equal(a.connection_info, null);
      assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${v.id}`)).body.volume.status, 'reserved');
      const second = await h.as(h.member, 'POST', '/v3/p1/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER2 } }, '3.27');
      assert.equal(second.status, 400, 'not multiattach');
      const updated = await h.as(h.member, 'PUT', `/v3/p1/attachments/${a.id}`, { attachment: { connector } }, '3.27');
      assert.equal(updated.status, 200);
      const info = updated.body.attachment.connection_info;
      assert.equal(info.driver_volume_type, 'file');
      assert.equal(info.data.device_path, h.volumeService.driver.volumePath(v.id));
      assert.equal(info.data.format, format);
      assert.equal(info.data.access_mode, 'rw');
      assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${v.id}`)).body.volume.status, 'attaching');
      assert.equal((await h.as(h.member, 'POST', `/v3/p1/attachments/${a.id}/action`, { 'os-complete': null }, '3.27')).status, 404, 'os-complete is 3.44');
      assert.equal((await h.as(h.member, 'POST', `/v3/p1/attachments/${a.id}/action`, { 'os-complete': null }, '3.44')).status, 204);
      const inUse = (await h.as(h.admin, 'GET', `/v3/p1/volumes/${v.id}`)).body.volume;
      assert.equal(inUse.status, 'in-use');
      assert.equal(inUse.attachments.length, 1);
      assert.equal(inUse.attachments[0].server_id, SERVER);
      assert.equal(inUse.attachments[0].attachment_id, a.id);
      assert.equal(inUse.attachments[0].host_name, 'compute1');
      const listed = await h.as(h.member, 'GET', `/v3/p1/attachments?volume_id=${v.id}`, undefined, '3.27');
      assert.deepEqual(listed.body.attachments, [{ id: a.id, status: 'attached', instance: SERVER, volume_id: v.id }]);
      assert.equal((await h.as(h.member, 'DELETE', `/v3/p1/volumes/${v.id}`)).status, 400, 'attached volumes cannot be deleted');
      assert.equal((await h.as(h.member, 'POST', `/v3/p1/volumes/${v.id}/action`, { 'os-extend': { new_size: 2 } }, '3.41')).status, 400);
      assert.equal((await h.as(h.member, 'POST', `/v3/p1/volumes/${v.id}/action`, { 'os-extend': { new_size: 2 } }, '3.42')).status, 202);
      const grown = await h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'in-use');
      assert.equal(grown.size, 2);
      const removed = await h.as(h.member, 'DELETE', `/v3/p1/attachments/${a.id}`, undefined, '3.27');
      assert.deepEqual(removed.body, { attachments: [] });
      const back = (await h.as(h.member, 'GET', `/v3/p1/volumes/${v.id}`)).body.volume;
      assert.equal(back.status, 'available');
      assert.deepEqual(back.attachments, []);

      // with a connector at create, and a read-only mode (3.54)
      const ro = await h.as(h.member, 'POST', '/v3/p1/attachments', { attachment: { volume_uuid: v.id, instance_uuid: SERVER, connector, mode: 'ro' } }, '3.54');
      assert.equal(ro.body.attachment.attach_mode, 'ro');
      assert.equal(ro.body.attachment.connection_info.data.access_mode, 'ro');
      assert.equal(ro.body.attachment.status, 'attaching');
      await h.as(h.member, 'DELETE', `/v3/p1/attachments/${ro.body.attachment.id}`, undefined, '3.27');

      const multi = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, multiattach: true } }, '3.50')).body.volume;
      assert.equal(multi.multiattach, true);
      await h.waitFor(`/v3/p1/volumes/${multi.id}`, 'volume', 'available');
      const m1 = (await h.as(h.member, 'POST', '/v3/p1/attachments', { attachment: { volume_uuid: multi.id, instance_uuid: SERVER, connector } }, '3.44')).body.attachment;
      await h.as(h.member, 'POST', `/v3/p1/attachments/${m1.id}/action`, { 'os-complete': null }, '3.44');
      const m2 = await h.as(h.member, 'POST', '/v3/p1/attachments', { attachment: { volume_uuid: multi.id, instance_uuid: SERVER2, connector } }, '3.44');
      assert.equal(m2.status, 200);
      await h.as(h.member, 'POST', `/v3/p1/attachments/${m2.body.attachment.id}/action`, { 'os-complete': null }, '3.44');
      assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${multi.id}`)).body.volume.attachments.length, 2);
      await h.as(h.member, 'DELETE', `/v3/p1/attachments/${m1.id}`, undefined, '3.27');
      assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${multi.id}`)).body.volume.status, 'in-use');
      await h.as(h.member, 'DELETE', `/v3/p1/attachments/${m2.body.attachment.id}`, undefined, '3.27');
      assert.equal((await h.as(h.member, 'GET', `/v3/p1/volumes/${multi.id}`)).body.volume.status, 'available');
      assert.equal((await h.as(h.other, 'GET', `/v3/p2/attachments/${m1.id}`, undefined, '3.27')).status, 404);
    });
  });
}
