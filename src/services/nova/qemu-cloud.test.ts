// The qemu driver in a running cloud (compute_driver = qemu): the guest image uploaded to
// Glance, a server booted from it (the compute host fetches the image with its own token),
// its console log through os-getConsoleOutput, stop (ACPI) and start, a guest that stops by
// itself (SHUTOFF at once, by the driver's lifecycle event), the real host's size in
// the hypervisor record, and delete leaving no guest behind. One guest, TCG: slow, and skipped
// without QEMU or the guest image.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BootCloud } from './testing/boot-cloud.js';
import { guestImage } from './testing/guest-image.js';

const work = mkdtempSync(join(tmpdir(), 'nubo-qemu-cloud-'));
after(() => rmSync(work, { recursive: true, force: true }));
const image = guestImage(work);

test('a server on the qemu driver: boot from Glance, console log, stop and start, stopped behind Nova\'s back, delete', { skip: image.skip ?? false, timeout: 600_000 }, async (t) => {
  // the noVNC proxy (run with the qemu driver) on a free port, not on 6080
  const b = await BootCloud.start({ 'DEFAULT.compute_driver': 'qemu', 'DEFAULT.shutdown_timeout': '60', 'vnc.novncproxy_host': '127.0.0.1', 'vnc.novncproxy_port': '0' });
  try {
    const imageId = await b.uploadImage('nubo-guest', image.path!);

    const hypervisors = (await b.compute('GET', '/os-hypervisors/detail', undefined, '2.27')).body.hypervisors;
    assert.equal(hypervisors[0].hypervisor_type, 'QEMU');
    assert.equal(hypervisors[0].vcpus, cpus().length, 'the real host\'s CPUs');

    const t0 = Date.now();
    const created = await b.boot({ imageRef: imageId, networks: 'none' }, {}, '2.37');
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    const server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 120_000);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    const consoleLog = async () => (await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).body.output as string;
    const deadline = Date.now() + 180_000;
    while (!/nubo-init: \[[\d.]+\] up: /.test(await consoleLog())) {
      assert.ok(Date.now() < deadline, 'the guest\'s init finished');
      await new Promise((r) => setTimeout(r, 500));
    }
    t.diagnostic(`server create to the guest's init done: ${Date.now() - t0} ms`);
    assert.match(await consoleLog(), /userspace started/);

    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-stop': null })).status, 202);
    await b.waitFor(id, ['SHUTOFF'], 90_000);
    assert.match(await consoleLog(), /power button pressed/, 'stopped by ACPI');
    assert.equal((await b.compute('POST', `/servers/${id}/action`, { 'os-start': null })).status, 202);
    const started = await b.waitFor(id, ['ACTIVE'], 60_000);
    assert.equal(started['OS-EXT-STS:power_state'], 1);

    // The guest's QEMU ends behind Nova's back: the lifecycle event syncs the power state at
    // once (the periodic sync is 600 s away) and the server is stopped through the stop path.
    const pidFile = readdirSync(join(b.cloud.dataDir, 'nova'), { recursive: true }).map(String).find((f) => f.endsWith(join(id, 'qemu.pid')))!;
    process.kill(Number(readFileSync(join(b.cloud.dataDir, 'nova', pidFile), 'utf8')), 'SIGTERM');
    const stopped = await b.waitFor(id, ['SHUTOFF'], 30_000);
    assert.equal(stopped['OS-EXT-STS:power_state'], 4);

    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED'], 60_000);
    const instances = join(b.cloud.dataDir, 'nova');
    const left = readdirSync(instances, { recursive: true }).map(String).filter((f) => f.includes(id));
    assert.deepEqual(left, [], 'the guest\'s directory is gone');
  } finally {
    await b.close();
  }
});
