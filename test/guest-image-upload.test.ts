/**
 * [bootstrap] guest_image: the guest image built (offline, from the cached packages) and
 * uploaded to a running cloud's Image service as its admin, public, with its kernel and
 * initramfs for a direct kernel boot; a second start finds it and uploads nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultDebCache } from '../src/cmd/guest-image/build.js';
import { offlineBuildMissing } from '../src/cmd/guest-image/prerequisites.js';
import { provideGuestImage, type GuestImageProvision } from '../src/cmd/guest-image/provide.js';
import { startTestCloud, type TestCloud } from './support/cloud.js';

const missing = offlineBuildMissing(defaultDebCache());
let cloud: TestCloud;

before(async () => {
  if (!missing) cloud = await startTestCloud({ services: ['identity', 'image'] });
});
after(async () => { await cloud?.close(); });

test('the guest image is uploaded once, public, booting by its kernel_id and ramdisk_id', { skip: missing ?? false, timeout: 300_000 }, async () => {
  const p: GuestImageProvision = {
    identityUrl: cloud.identityUrl, region: 'RegionOne', dataDir: cloud.dataDir, name: 'nubo-guest', offline: true,
    admin: { username: 'admin', password: cloud.adminPassword, projectName: 'admin' },
  };
  const first = await provideGuestImage(p);
  assert.ok(first.uploaded);
  const token = await cloud.adminToken();
  const get = async (id: string) => (await fetch(`${cloud.url}/image/v2/images/${id}`, { headers: { 'x-auth-token': token } })).json() as Promise<Record<string, any>>;
  const image = await get(first.imageId);
  assert.equal(image['status'], 'active');
  assert.equal(image['visibility'], 'public');
  assert.equal(image['disk_format'], 'qcow2');
  assert.equal(image['kernel_id'], first.kernelId);
  assert.equal(image['ramdisk_id'], first.ramdiskId);
  assert.match(String(image['os_command_line']), /console=ttyS0/);
  const kernel = await get(first.kernelId);
  assert.deepEqual([kernel['name'], kernel['disk_format'], kernel['status'], kernel['visibility']], ['nubo-guest-kernel', 'aki', 'active', 'public']);
  const ramdisk = await get(first.ramdiskId);
  assert.deepEqual([ramdisk['name'], ramdisk['disk_format'], ramdisk['status']], ['nubo-guest-ramdisk', 'ari', 'active']);

  const second = await provideGuestImage(p);
  assert.deepEqual(second, { uploaded: false, existing: first.imageId });
});
