// Rescue and interface attach/detach through the Compute API on the qemu driver (TCG): a server
// with a config drive whose user_data (testing/guest-probe.ts) reports on the console log what
// the guest sees. os-interface attaches a second port (the guest reports the NIC with the port's
// MAC) and detaches it (the NIC and the tap gone, the port deleted); rescue makes the server
// RESCUED booted from a fresh disk with its own disk second; unrescue makes it ACTIVE on its own
// disk. The compute host's taps are in a namespace of the test's own ([qemu] host_namespace),
// removed at the end. Skipped without QEMU, the guest image, root or iproute2.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { until } from '../src/common/testing/until.js';
import { deleteNamespace, listNamespaces, namespacePids } from '../src/services/neutron/agent/linux/netns.js';
import { BootCloud } from '../src/services/nova/testing/boot-cloud.js';
import { guestImage, has } from '../src/services/nova/testing/guest-image.js';
import { diskMark, PROBE_MARK, PROBE_USER_DATA, reportedNics } from '../src/services/nova/testing/guest-probe.js';

const work = mkdtempSync(join(tmpdir(), 'nubo-qemu-ops-cloud-'));
const tag = randomBytes(3).toString('hex');
const host = `qc${tag}`;
const hostNs = `qc${tag}-${host}`;
const problem = process.getuid?.() !== 0 ? 'needs root (network namespaces, bridges, taps)' : !has('ip') ? 'iproute2 (ip) is not installed' : undefined;
const image = problem ? { skip: problem } : guestImage(work);

after(async () => {
  if ((await listNamespaces().catch(() => [] as string[])).includes(hostNs)) {
    for (const pid of await namespacePids(hostNs)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await deleteNamespace(hostNs);
  }
  rmSync(work, { recursive: true, force: true });
});

test('os-interface attach and detach, rescue and unrescue of a QEMU guest through the API', { skip: image.skip ?? false, timeout: 900_000 }, async (t) => {
  // the noVNC proxy (run with the qemu driver) on a free port, not on 6080
  const b = await BootCloud.start({
    'DEFAULT.compute_driver': 'qemu', 'DEFAULT.host': host, 'qemu.host_namespace': `qc${tag}-{host}`, 'DEFAULT.shutdown_timeout': '60',
    'vnc.novncproxy_host': '127.0.0.1', 'vnc.novncproxy_port': '0',
  });
  try {
    const imageId = await b.uploadImage('nubo-guest', image.path!);
    const created = await b.boot({ imageRef: imageId, config_drive: true, user_data: Buffer.from(PROBE_USER_DATA).toString('base64') });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.server.id;
    const server = await b.waitFor(id, ['ACTIVE', 'ERROR'], 180_000);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    const consoleLog = async (): Promise<string> => (await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).body.output as string;
    const ups = async (): Promise<number> => (await consoleLog()).match(/nubo-init: \[[\d.]+\] up: /g)?.length ?? 0;
    const [first] = await b.ports(id);
    await until(async () => (await ups()) === 1 && reportedNics(await consoleLog()) === `eth0=${first.mac_address}`, 'the first boot with its NIC', 240_000);

    // --- os-interface ---
    const attachAt = Date.now();
    const attached = await b.compute('POST', `/servers/${id}/os-interface`, { interfaceAttachment: { net_id: b.networkId } });
    assert.equal(attached.status, 200, JSON.stringify(attached.body));
    const port = attached.body.interfaceAttachment;
    await until(async () => reportedNics(await consoleLog()) === `eth0=${first.mac_address} eth1=${port.mac_addr}`, 'the guest to see the attached port', 60_000);
    t.diagnostic(`os-interface POST to the NIC in the guest ${Date.now() - attachAt} ms`);
    const tap = `tap${port.port_id.slice(0, 11)}`;
    assert.match(execFileSync('ip', ['-n', hostNs, '-o', 'link', 'show', 'dev', tap], { encoding: 'utf8' }), /master brq/, 'the tap on the network\'s bridge');
    assert.equal((await b.compute('GET', `/servers/${id}/os-interface`)).body.interfaceAttachments.length, 2);

    assert.equal((await b.compute('DELETE', `/servers/${id}/os-interface/${port.port_id}`)).status, 202);
    await until(async () => reportedNics(await consoleLog()) === `eth0=${first.mac_address}`, 'the guest to lose the NIC', 90_000);
    await until(async () => (await b.ports(id)).length === 1, 'the port deleted', 60_000);
    assert.throws(() => execFileSync('ip', ['-n', hostNs, 'link', 'show', 'dev', tap], { stdio: 'ignore' }), 'the tap is removed');

    // --- rescue ---
    const rescueAt = Date.now();
    const rescued = await b.compute('POST', `/servers/${id}/action`, { rescue: {} });
    assert.equal(rescued.status, 200, JSON.stringify(rescued.body));
    assert.equal((await b.waitFor(id, ['RESCUE', 'ERROR'], 180_000)).status, 'RESCUE');
    await until(async () => (await ups()) === 2, 'the rescue boot', 240_000);
    t.diagnostic(`rescue to the rescue guest's init end ${Date.now() - rescueAt} ms`);
    const log = await consoleLog();
    assert.equal(diskMark(log, 'vda')?.mark, '', 'booted from a fresh rescue disk');
    assert.equal(diskMark(log, 'vdb')?.mark, PROBE_MARK, 'the server\'s own disk is the second disk');

    assert.equal((await b.compute('POST', `/servers/${id}/action`, { unrescue: null })).status, 202);
    const back = await b.waitFor(id, ['ACTIVE', 'ERROR'], 180_000);
    assert.equal(back.status, 'ACTIVE', JSON.stringify(back.fault));
    await until(async () => (await ups()) === 3, 'the boot after unrescue', 240_000);
    assert.equal(diskMark(await consoleLog(), 'vda')?.mark, PROBE_MARK, 'booted from its own disk again');

    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await b.waitFor(id, ['DELETED'], 120_000);
    assert.deepEqual(readdirSync(join(b.cloud.dataDir, 'nova'), { recursive: true }).map(String).filter((f) => f.includes(id)), [], 'no disk.rescue or other file left');
  } finally {
    await b.close();
  }
});
