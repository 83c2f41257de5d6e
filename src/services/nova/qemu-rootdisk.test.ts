// The guest image's root file system is on its disk (partition 2, ext4), not in RAM: a file the
// guest writes in / survives a hard reboot and is in a server booted from a createImage snapshot,
// as on CirrOS (what Tempest's timestamp scenarios check). The guest's user data (run at each
// boot from the config drive) appends a line to /root/boots, syncs and prints the count and the
// device / is on. TCG, three boots from the disk's bootloader: slow, skipped without QEMU or the
// guest image.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { until } from '../../common/testing/until.js';
import { BootCloud } from './testing/boot-cloud.js';
import { guestImage } from './testing/guest-image.js';
import { QemuServers } from './testing/qemu-servers.js';

const work = mkdtempSync(join(tmpdir(), 'nubo-qemu-rootdisk-'));
after(() => rmSync(work, { recursive: true, force: true }));
const image = guestImage(work);
const USER_DATA = Buffer.from([
  '#!/bin/sh',
  'echo boot >> /root/boots',
  'sync',
  'echo "root-boots: $(grep -c boot /root/boots) on $(awk \'$2 == "/" { d = $1 } END { print d }\' /proc/mounts)"',
  '',
].join('\n')).toString('base64');

test('the guest\'s root file system is on its disk: a file written in / is kept over a hard reboot and in a snapshot', { skip: image.skip ?? false, timeout: 1_500_000 }, async (t) => {
  const b = await BootCloud.start({ 'DEFAULT.compute_driver': 'qemu', 'DEFAULT.shutdown_timeout': '60' });
  const servers = new QemuServers(b);
  const create = (name: string, imageRef: string) => servers.create({ name, imageRef, config_drive: true, user_data: USER_DATA });
  const booted = (id: string, n: number) => servers.booted(id, n);
  try {
    const imageId = await b.uploadImage('nubo-guest', image.path!);
    const t0 = Date.now();
    const id = await create('rootdisk', imageId);
    let log = await booted(id, 1);
    t.diagnostic(`server create to the guest's init done: ${Date.now() - t0} ms`);
    assert.match(log, /nubo-init: \[[\d.]+\] root file system \/dev\/vda2\r?\n/);
    assert.match(log, /root-boots: 1 on \/dev\/vda2\r?\n/, 'the first boot wrote /root/boots on the disk');

    assert.equal((await b.compute('POST', `/servers/${id}/action`, { reboot: { type: 'HARD' } })).status, 202);
    await b.waitFor(id, ['ACTIVE'], 120_000);
    log = await booted(id, 2);
    assert.match(log, /root-boots: 2 on \/dev\/vda2\r?\n/, 'the file kept over a hard reboot');

    const snap = await b.compute('POST', `/servers/${id}/action`, { createImage: { name: 'rootdisk-snap' } }, '2.45');
    assert.equal(snap.status, 202, JSON.stringify(snap.body));
    const snapId = snap.body.image_id as string;
    await until(async () => (await b.call('GET', `/image/v2/images/${snapId}`)).body.status === 'active', 'the snapshot active', 300_000);
    const id2 = await create('from-snapshot', snapId);
    assert.match(await booted(id2, 1), /root-boots: 3 on \/dev\/vda2\r?\n/, 'the snapshot holds the file: the new server\'s boot is its third line');

    for (const s of [id, id2]) assert.equal((await b.compute('DELETE', `/servers/${s}`)).status, 204);
    for (const s of [id, id2]) await b.waitFor(s, ['DELETED'], 120_000);
  } finally {
    servers.kill();
    await b.close();
  }
});
