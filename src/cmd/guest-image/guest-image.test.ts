// The guest image builder: its pure parts (Depends fields, module load order, the MBR), and a
// whole build from the cached Debian packages when they and the host tools are there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, closeSync, lchownSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildRootPartition, FAT_LBA_TYPE, LINUX_TYPE, masterBootRecord } from './boot-disk.js';
import { buildGuestImage, defaultDebCache } from './build.js';
import { parseDepends } from './debs.js';
import { moduleLoadOrder, parseModulesDep } from './initramfs.js';
import { offlineBuildMissing } from './prerequisites.js';

function hasTool(tool: string): boolean {
  try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

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

test('the MBR: boot code, an active FAT partition and a Linux one at the given sectors, the signature', () => {
  const mbr = masterBootRecord(Buffer.from([0xfa, 0x31, 0xc0]), [
    { startSector: 2048, sectors: 40960, type: FAT_LBA_TYPE, active: true },
    { startSector: 43008, sectors: 114688, type: LINUX_TYPE },
  ]);
  assert.equal(mbr.length, 512);
  assert.deepEqual([...mbr.subarray(0, 3)], [0xfa, 0x31, 0xc0]);
  assert.equal(mbr[446], 0x80);
  assert.equal(mbr[446 + 4], 0x0e);
  assert.equal(mbr.readUInt32LE(446 + 8), 2048);
  assert.equal(mbr.readUInt32LE(446 + 12), 40960);
  assert.equal(mbr[462], 0, 'the root partition is not the active one');
  assert.equal(mbr[462 + 4], 0x83);
  assert.equal(mbr.readUInt32LE(462 + 8), 43008);
  assert.equal(mbr.readUInt32LE(462 + 12), 114688);
  assert.equal(mbr.readUInt32LE(478 + 8), 0, 'the third partition entry is empty');
  assert.equal(mbr.readUInt16LE(510), 0xaa55);
  assert.throws(() => masterBootRecord(Buffer.alloc(441), []), /does not fit/);
});

/** `debugfs -R REQUEST` on a file system image; its output. */
function debugfs(fsImage: string, request: string): string {
  return execFileSync('debugfs', ['-R', request, fsImage], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

test('the root partition: an ext4 labelled nubo-root holding the tree, every file root\'s whoever built it', {
  skip: ['mke2fs', 'debugfs', 'e2fsck'].some((t) => !hasTool(t)) ? 'e2fsprogs is not installed' : false,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-rootfs-test-'));
  try {
    const tree = join(dir, 'root');
    mkdirSync(join(tree, 'root/.ssh'), { recursive: true });
    mkdirSync(join(tree, 'bin'));
    writeFileSync(join(tree, 'bin/hello'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
    symlinkSync('../run', join(tree, 'run-link'));
    // as root, the tree is made someone else's: mke2fs -d copies the owners a builder without privileges has
    if (process.getuid?.() === 0) for (const p of ['root', 'root/.ssh', 'bin', 'bin/hello']) chownSync(join(tree, p), 1234, 1234);
    if (process.getuid?.() === 0) lchownSync(join(tree, 'run-link'), 1234, 1234);
    const ext = join(dir, 'root.ext4');
    await buildRootPartition(tree, ext, dir);
    execFileSync('e2fsck', ['-fn', ext], { stdio: 'ignore' });
    assert.match(execFileSync('dumpe2fs', ['-h', ext], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), /volume name:\s+nubo-root\n[\s\S]*has_journal[\s\S]*Block size:\s+4096/);
    for (const p of ['/', '/root', '/root/.ssh', '/bin', '/bin/hello', '/run-link']) {
      assert.match(debugfs(ext, `stat "${p}"`), /User:\s+0\s+Group:\s+0\s/, `${p} is root's`);
    }
    assert.match(debugfs(ext, 'cat /bin/hello'), /echo hello/);
    assert.match(debugfs(ext, 'stat /run-link'), /Type: symlink/);
    assert.ok(statSync(ext).size >= 48 << 20, 'room for what users write');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const cache = defaultDebCache();

test('a whole build from the cached packages: a qcow2 whose disk boots by SYSLINUX from its FAT partition, the root file system on the second', {
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
    // the root partition: right after the boot partition, to the disk's end, the same tree as the initramfs
    assert.equal(sector[462 + 4], 0x83);
    const rootStart = sector.readUInt32LE(462 + 8);
    assert.equal(rootStart, 2048 + sector.readUInt32LE(446 + 12));
    assert.equal((rootStart + sector.readUInt32LE(462 + 12)) * 512, statSync(raw).size);
    const ext = join(dir, 'root.ext4');
    execFileSync('dd', [`if=${raw}`, `of=${ext}`, 'bs=512', `skip=${rootStart}`], { stdio: 'ignore' });
    execFileSync('e2fsck', ['-fn', ext], { stdio: 'ignore' });
    for (const f of ['init', 'bin/busybox', 'usr/sbin/dropbear', 'usr/bin/dropbearkey', 'lib64/ld-linux-x86-64.so.2', 'etc/nubo/cloud-init', 'etc/inittab', 'etc/nubo/modules']) {
      assert.match(debugfs(ext, `stat "/${f}"`), /User:\s+0\s+Group:\s+0\s/, `/${f} on the root partition, root's`);
    }
    assert.equal(debugfs(ext, 'cat /init'), execFileSync('sh', ['-c', `zcat '${ramdiskOutput}' | busybox cpio -i --to-stdout init 2>/dev/null`], { encoding: 'utf8' }), 'the same /init');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
