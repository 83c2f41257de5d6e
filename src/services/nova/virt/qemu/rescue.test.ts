// Rescue's boot disks: the guest's own disk and kernel, or while rescued the rescue disk first
// (booted, vda), the own disk second (vdb) before the config drive, and the rescue image's kernel.
// A volume-backed guest boots its root volume instead of a local disk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qemuCommandLine, type GuestSpec } from './command-line.js';
import { guestPaths } from './paths.js';
import { bootDisks } from './rescue.js';

const paths = guestPaths('/i', 'u-1');
const own = { kernel: '/b/k', cmdline: 'root=/dev/vda' };
const rescueKernel = { kernel: '/b/rk', ramdisk: '/b/rr', cmdline: 'root=/dev/vda console=ttyS0' };

test('boot disks: the own disk and kernel, or the rescue disk first with the own disk second', () => {
  assert.deepEqual(bootDisks(paths, undefined), { disk: '/i/u-1/disk' });
  assert.deepEqual(bootDisks(paths, { kernel: own }), { disk: '/i/u-1/disk', kernel: own });
  assert.deepEqual(bootDisks(paths, { kernel: own, rescue: {} }), { disk: '/i/u-1/disk.rescue', originalDisk: '/i/u-1/disk' }, 'the rescue image boots from its disk');
  assert.deepEqual(bootDisks(paths, { kernel: own, rescue: { kernel: rescueKernel } }), { disk: '/i/u-1/disk.rescue', originalDisk: '/i/u-1/disk', kernel: rescueKernel });
});

test('the rescue command line: the rescue disk booted, the own disk the next virtio disk, then the config drive', () => {
  const spec: GuestSpec = {
    name: 'instance-0000002a', uuid: 'u-1', vcpus: 1, memoryMb: 256, accel: 'tcg', machine: 'pc', nics: [], consoleLog: paths.consoleLog,
    qmpSocket: paths.qmpSocket, pidFile: paths.pidFile, configDrive: paths.configDrive, ...bootDisks(paths, { rescue: {} }),
  };
  const args = qemuCommandLine(spec);
  const values = (flag: string): string[] => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
  assert.deepEqual(values('-drive').map((d) => /^file=([^,]*)/.exec(d)?.[1]), ['/i/u-1/disk.rescue', '/i/u-1/disk', '/i/u-1/disk.config']);
  assert.deepEqual(values('-device'), [
    'virtio-blk-pci,drive=disk0,id=virtio-disk0,bootindex=1', 'virtio-blk-pci,drive=disk1,id=virtio-disk1', 'virtio-blk-pci,drive=disk-config,id=virtio-disk-config',
  ]);
});

test('a volume-backed guest: its root volume is the first disk (vda, booted) in its own format, with the image\'s kernel if any', () => {
  const rootVolume = { mountpoint: '/dev/vda', path: '/v/volume-1', format: 'raw' as const, volumeId: 'v-1' };
  assert.deepEqual(bootDisks(paths, { rootVolume }), { disk: '/v/volume-1', diskFormat: 'raw' });
  assert.deepEqual(bootDisks(paths, { rootVolume, kernel: own }), { disk: '/v/volume-1', diskFormat: 'raw', kernel: own });
  const args = qemuCommandLine({
    name: 'instance-0000002a', uuid: 'u-1', vcpus: 1, memoryMb: 256, accel: 'tcg', machine: 'pc', nics: [], consoleLog: paths.consoleLog,
    qmpSocket: paths.qmpSocket, pidFile: paths.pidFile, ...bootDisks(paths, { rootVolume }),
  });
  assert.equal(args[args.indexOf('-drive') + 1], 'file=/v/volume-1,format=raw,if=none,id=disk0,discard=unmap');
  assert.equal(args[args.indexOf('-device') + 1], 'virtio-blk-pci,drive=disk0,id=virtio-disk0,bootindex=1');
});
