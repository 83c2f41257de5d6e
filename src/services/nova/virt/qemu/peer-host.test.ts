// Where a move's disks go: another host's instances path on this machine, or a clear error;
// and [qemu] live_migration_inbound_addr per host.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inboundAddress } from '../../roles/virt-driver.js';
import { peerInstancesPath } from './peer-host.js';

const work = mkdtempSync(join(tmpdir(), 'nubo-peer-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the destination\'s instances path: on this machine, its own, or refused with the reason', () => {
  mkdirSync(join(work, 'b'));
  const o = { host: 'a', instancesPath: join(work, 'a'), peerInstancesPath: (h: string) => join(work, h) };
  assert.equal(peerInstancesPath(o, 'b'), join(work, 'b'));
  assert.throws(() => peerInstancesPath(o, 'c'), /instances path of c .* is not on this machine.*ssh is not done/);
  assert.throws(() => peerInstancesPath({ ...o, peerInstancesPath: () => o.instancesPath }, 'b'), /share the instances path/);
  assert.throws(() => peerInstancesPath({ host: 'a', instancesPath: o.instancesPath }, 'b'), /does not know where b keeps its guests/);
});

test('live_migration_inbound_addr: one address, a host=address list, or the host\'s name', () => {
  assert.equal(inboundAddress('', 'c1'), 'c1');
  assert.equal(inboundAddress('192.0.2.7', 'c1'), '192.0.2.7');
  assert.equal(inboundAddress('c1=198.51.100.1, c2=198.51.100.2', 'c2'), '198.51.100.2');
  assert.equal(inboundAddress('c1=198.51.100.1', 'c3'), 'c3');
  assert.equal(inboundAddress('c1=fd00::1', 'c1'), 'fd00::1');
});
