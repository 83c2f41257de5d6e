// A volume-backed server on the qemu driver with the real Cinder file driver: Nova has Cinder
// make the root volume from the Glance image (source image, destination volume), the guest
// boots from that volume as vda with no local disk (its user data counts its boots on vda),
// stop/start and hard reboot boot it again, delete leaves the volume; a second server boots
// from that volume (source volume) and its delete, with delete_on_termination, takes it.
// TCG, several boots: slow, skipped without QEMU or the guest image.
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';
import { guestImage } from './testing/guest-image.js';
import { QemuServers } from './testing/qemu-servers.js';

const work = mkdtempSync(join(tmpdir(), 'nubo-qemu-bfv-'));
after(() => rmSync(work, { recursive: true, force: true }));
const image = guestImage(work);
const V = { 'openstack-api-version': 'volume 3.67' };
/**
 * The guest's user data (run at each boot from the config drive): a boot count kept on vda
 * itself, in the unpartitioned gap at 512 KiB (read back from the volume's file), printed.
 */
const MARK_OFFSET = 1024 * 512;
const USER_DATA = Buffer.from([
  '#!/bin/sh',
  'n=$(dd if=/dev/vda bs=512 skip=1024 count=1 2>/dev/null | tr -dc 0-9)',
  'n=$((${n:-0} + 1))',
  'printf "%d." "$n" | dd of=/dev/vda bs=512 seek=1024 conv=notrunc 2>/dev/null && sync',
  'echo "bfv-boots: $n"',
  '',
].join('\n')).toString('base64');

/** What the guest wrote at MARK_OFFSET of a raw volume file. */
function mark(path: string): string {
  const buf = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try { readSync(fd, buf, 0, 16, MARK_OFFSET); } finally { closeSync(fd); }
  return buf.toString('latin1').replace(/\0+$/, '');
}

test('a volume-backed server on the qemu driver: boots from its Cinder volume, stop/start, hard reboot, delete keeps or takes the volume', { skip: image.skip ?? false, timeout: 1_500_000 }, async (t) => {
  const b = await BootCloud.start({
    'DEFAULT.compute_driver': 'qemu', 'DEFAULT.shutdown_timeout': '60', 'DEFAULT.enabled_services': 'identity,image,network,placement,compute,volume',
    'vnc.novncproxy_host': '127.0.0.1', 'vnc.novncproxy_port': '0',
  });
  const servers = new QemuServers(b);
  const volume = async (id: string) => b.call('GET', `/volume/v3/volumes/${id}`, undefined, V);
  const instanceFile = (id: string, name: string) => servers.instanceFile(id, name);
  const booted = (id: string, n: number) => servers.booted(id, n, 300_000);
  const create = (name: string, bdm: Record<string, unknown>) =>
    servers.create({ name, config_drive: true, user_data: USER_DATA, block_device_mapping_v2: [{ boot_index: 0, ...bdm }] });
  try {
    const imageId = await b.uploadImage('nubo-guest', image.path!);

    const t0 = Date.now();
    const id = await create('bfv', { uuid: imageId, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: false });
    const attached = (await b.compute('GET', `/servers/${id}/os-volume_attachments`)).body.volumeAttachments;
    assert.equal(attached.length, 1);
    assert.equal(attached[0].device, '/dev/vda');
    const vid = attached[0].volumeId as string;
    assert.equal((await volume(vid)).body.volume.status, 'in-use');
    const connection = JSON.parse((await b.repos.bdms.byVolumeAndInstance(vid, id)).data.connection_info!).data as { device_path: string; format?: string };
    const path = connection.device_path;
    const pid = Number(readFileSync(instanceFile(id, 'qemu.pid')!, 'utf8'));
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.some((a) => a.startsWith(`file=${path},`) && a.includes('id=disk0')), `QEMU's first disk is the volume: ${argv.join(' ')}`);
    assert.equal(instanceFile(id, 'disk'), undefined, 'no local root disk');
    const record = JSON.parse(readFileSync(instanceFile(id, 'guest.json')!, 'utf8'));
    assert.equal(record.rootVolume.path, path, 'the guest\'s record (what adoption after a restart reads) names its root volume');

    let log = await booted(id, 1);
    t.diagnostic(`server create to the guest's init done: ${Date.now() - t0} ms`);
    assert.match(log, /bfv-boots: 1\r?\n/, 'the guest counted its first boot on vda');

    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-stop': null })).status, 202);
    await b.waitFor(id, ['SHUTOFF'], 120_000);
    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-start': null })).status, 202);
    await b.waitFor(id, ['ACTIVE'], 120_000);
    await booted(id, 2);

    assert.equal((await b.compute('POST', `/servers/${id}/action`, { reboot: { type: 'HARD' } })).status, 202);
    await b.waitFor(id, ['ACTIVE'], 120_000);
    log = await booted(id, 3);
    assert.match(log, /bfv-boots: 3\r?\n/, 'the count kept on vda across stop/start and hard reboot');

    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED'], 120_000);
    const deadline = Date.now() + 60_000;
    while ((await volume(vid)).body.volume.status !== 'available') {
      assert.ok(Date.now() < deadline, 'the volume is available again');
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(existsSync(path), 'the volume\'s file stays');
    if (connection.format !== 'qcow2') assert.equal(mark(path), '3.', 'the guest wrote its count into the volume\'s file');

    // booted from the existing volume; delete_on_termination takes it with the server
    const id2 = await create('bfv-volume', { uuid: vid, source_type: 'volume', destination_type: 'volume', delete_on_termination: true });
    assert.match(await booted(id2, 1), /bfv-boots: 4\r?\n/, 'the same disk: its fourth boot');
    assert.equal((await b.compute('DELETE', `/servers/${id2}`)).status, 204);
    await b.waitFor(id2, ['DELETED'], 120_000);
    const gone = Date.now() + 60_000;
    while ((await volume(vid)).status !== 404) {
      assert.ok(Date.now() < gone, 'the volume deleted with the server');
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    servers.kill();
    await b.close();
  }
});
