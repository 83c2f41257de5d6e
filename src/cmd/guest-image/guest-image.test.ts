// The guest image builder: its pure parts (Depends fields, module load order, the MBR), and a
// whole build from the cached Debian packages when they and the host tools are there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { masterBootRecord } from './boot-disk.js';
import { buildGuestImage, defaultDebCache } from './build.js';
import { parseDepends } from './debs.js';
import { moduleLoadOrder, parseModulesDep } from './initramfs.js';
import { offlineBuildMissing } from './prerequisites.js';

test('Depends fields: the first alternative of each, without versions or architectures', () => {
  assert.deepEqual(parseDepends('libc6 (>= 2.34), libcrypt1 (>= 1:4.1.0), initramfs-tools (>= 0.120) | linux-initramfs-tool, zlib1g:amd64'),
    ['libc6', 'libcrypt1', 'initramfs-tools', 'zlib1g']);
  assert.deepEqual(parseDepends(''), []);
});

test('modules load after the ones they depend on, each once', () => {
  const deps = parseModulesDep([
    'kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko',
    'kernel/drivers/virtio/virtio_pci_modern_dev.ko:',
    'kernel/drivers/virtio/virtio.ko:',
    'kernel/drivers/virtio/virtio_ring.ko: kernel/drivers/virtio/virtio.ko',
    'kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko',
    '',
  ].join('\n'));
  const order = moduleLoadOrder(deps, ['virtio_pci', 'virtio_blk']).map((p) => p.slice(p.lastIndexOf('/') + 1));
  assert.deepEqual(order, ['virtio_pci_modern_dev.ko', 'virtio.ko', 'virtio_ring.ko', 'virtio_pci.ko', 'virtio_blk.ko']);
  assert.throws(() => moduleLoadOrder(deps, ['nosuch']), /no module nosuch/);
});

test('the MBR: boot code, one active FAT partition at the given sector, the signature', () => {
  const mbr = masterBootRecord(Buffer.from([0xfa, 0x31, 0xc0]), 2048, 40960);
  assert.equal(mbr.length, 512);
  assert.deepEqual([...mbr.subarray(0, 3)], [0xfa, 0x31, 0xc0]);
  assert.equal(mbr[446], 0x80);
  assert.equal(mbr[446 + 4], 0x0e);
  assert.equal(mbr.readUInt32LE(446 + 8), 2048);
  assert.equal(mbr.readUInt32LE(446 + 12), 40960);
  assert.equal(mbr.readUInt16LE(510), 0xaa55);
  assert.equal(mbr.readUInt32LE(462), 0, 'the second partition entry is empty');
  assert.throws(() => masterBootRecord(Buffer.alloc(441), 2048, 1), /does not fit/);
});

const cache = defaultDebCache();

test('a whole build from the cached packages: a qcow2 whose disk boots by SYSLINUX from one FAT partition', {
  skip: offlineBuildMissing(cache) ?? false,
  timeout: 300_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-image-test-'));
  try {
    const out = join(dir, 'guest.qcow2');
    const kernelOutput = join(dir, 'vmlinuz');
    const ramdiskOutput = join(dir, 'initrd.img');
    const image = await buildGuestImage({ output: out, cacheDir: cache, offline: true, kernelOutput, ramdiskOutput });
    assert.equal(readFileSync(kernelOutput).subarray(0x202, 0x206).toString('latin1'), 'HdrS', 'a bzImage');
    assert.deepEqual([...readFileSync(ramdiskOutput).subarray(0, 2)], [0x1f, 0x8b], 'a gzip\'d initramfs');
    const listing0 = execFileSync('sh', ['-c', `zcat '${ramdiskOutput}' | cpio -t 2>/dev/null || zcat '${ramdiskOutput}' | busybox cpio -t`], { encoding: 'utf8' });
    for (const f of ['init', 'bin/busybox', 'usr/sbin/dropbear', 'usr/bin/dropbearkey', 'lib64/ld-linux-x86-64.so.2', 'etc/nubo/cloud-init', 'etc/inittab']) assert.ok(listing0.split('\n').includes(f), `${f} in the initramfs`);
    assert.match(image.kernelVersion, /-cloud-amd64$/);
    assert.ok(image.bytes > 4 << 20 && image.bytes < 40 << 20, `about as small as CirrOS: ${image.bytes} bytes`);
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', out], { encoding: 'utf8' })) as { format: string };
    assert.equal(info.format, 'qcow2');
    const raw = join(dir, 'disk.raw');
    execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', out, raw]);
    const fd = openSync(raw, 'r');
    const sector = Buffer.alloc(512);
    readSync(fd, sector, 0, 512, 0);
    const boot = Buffer.alloc(512);
    readSync(fd, boot, 0, 512, 2048 * 512);
    closeSync(fd);
    assert.equal(sector.readUInt16LE(510), 0xaa55);
    assert.equal(sector[446], 0x80);
    assert.match(boot.toString('latin1'), /SYSLINUX/, 'the partition\'s boot sector is SYSLINUX\'s');
    const listing = execFileSync('mdir', ['-a', '-b', '-i', `${raw}@@${2048 * 512}`, '::/'], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    for (const file of ['VMLINUZ', 'INITRD.IMG', 'SYSLINUX.CFG', 'LDLINUX.SYS']) assert.match(listing.toUpperCase(), new RegExp(file.replace('.', '\\.')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
