// The qemu driver's parts that need no guest: the command line, the QMP client (against a
// socket that speaks QMP), QEMU's states as power states, tap and bridge names, the image
// cache (formats, a qcow2 with a backing file refused), and the host's memory.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { PowerState } from '../../compute/power-state.js';
import { ImageMeta, type VifInfo } from '../../objects/index.js';
import { createLogger } from '../../../../common/log/logger.js';
import { InsufficientFreeMemory } from '../../errors.js';
import { sampleInstance } from '../../testing/sample-metadata.js';
import { chooseAccel, probeKvm } from './accel.js';
import { qemuCommandLine, type GuestSpec } from './command-line.js';
import { parsePortRange } from '../../console/serial.js';
import { QemuDriver, serialListen } from './driver.js';
import { qemuNamespace } from './guest.js';
import { availableMemoryMb } from './memory.js';
import { ImageCache } from './image-cache.js';
import { guestPaths } from './paths.js';
import { eventToPowerState, runStateToPowerState } from './power-state.js';
import { QmpClient, QmpError } from './qmp.js';
import { bridgeName, hostNamespace, tapMac, tapName } from './vif.js';
import { blockdevAdd, volumeDisk } from './volumes.js';

const dir = mkdtempSync(join(tmpdir(), 'nubo-qemu-parts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const spec: GuestSpec = {
  name: 'instance-0000002a', uuid: 'u-1', vcpus: 2, memoryMb: 512, accel: 'tcg', machine: 'pc', disk: '/i/u-1/disk',
  nics: [{ tap: 'tap0b7e5d9c-81', mac: 'fa:16:3e:00:00:01' }], consoleLog: '/i/u-1/console.log', qmpSocket: '/i/u-1/qmp.sock', pidFile: '/i/u-1/qemu.pid',
};

function after2(args: string[], flag: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => { if (a === flag) out.push(args[i + 1]!); });
  return out;
}

test('the command line: flavor size, TCG, virtio disk and NIC on the tap, console to the log, QMP, daemonized', () => {
  const args = qemuCommandLine(spec);
  assert.deepEqual(after2(args, '-accel'), ['tcg']);
  assert.deepEqual(after2(args, '-m'), ['512']);
  assert.deepEqual(after2(args, '-smp'), ['2']);
  assert.deepEqual(after2(args, '-cpu'), [], 'TCG keeps QEMU\'s default CPU model');
  assert.ok(args.includes('-daemonize'));
  assert.deepEqual(after2(args, '-pidfile'), ['/i/u-1/qemu.pid']);
  assert.deepEqual(after2(args, '-qmp'), ['unix:/i/u-1/qmp.sock,server=on,wait=off']);
  assert.deepEqual(after2(args, '-chardev'), ['file,id=console0,path=/i/u-1/console.log,append=on']);
  assert.deepEqual(after2(args, '-serial'), ['chardev:console0']);
  assert.deepEqual(after2(args, '-drive'), ['file=/i/u-1/disk,format=qcow2,if=none,id=disk0,discard=unmap']);
  assert.deepEqual(after2(args, '-netdev'), ['tap,id=net0,ifname=tap0b7e5d9c-81,script=no,downscript=no']);
  assert.ok(after2(args, '-device').includes('virtio-net-pci,netdev=net0,id=nic-tap0b7e5d9c-81,mac=fa:16:3e:00:00:01'));
  assert.ok(!args.includes('-incoming'));
  assert.ok(!args.includes('-S'));
  assert.ok(qemuCommandLine({ ...spec, paused: true }).includes('-S'), 'paused while the ports are wired');

  assert.deepEqual(after2(args, '-kernel'), []);
  const direct = qemuCommandLine({ ...spec, kernel: { kernel: '/b/k', ramdisk: '/b/r', cmdline: 'root=/dev/vda console=ttyS0' } });
  assert.deepEqual([after2(direct, '-kernel'), after2(direct, '-initrd'), after2(direct, '-append')], [['/b/k'], ['/b/r'], ['root=/dev/vda console=ttyS0']]);
  const kvm = qemuCommandLine({ ...spec, accel: 'kvm', configDrive: '/i/u,1/disk.config', incoming: true, nics: [] });
  assert.deepEqual(after2(kvm, '-cpu'), ['host']);
  assert.deepEqual(after2(qemuCommandLine({ ...spec, tcgTbSizeMb: 32 }), '-accel'), ['tcg,tb-size=32'], '[qemu] tcg_tb_size_mb');
  assert.deepEqual(after2(qemuCommandLine({ ...spec, accel: 'kvm', tcgTbSizeMb: 32 }), '-accel'), ['kvm'], 'no translation buffer under KVM');
  assert.ok(after2(kvm, '-drive').includes('file=/i/u,,1/disk.config,format=raw,if=none,id=disk-config,readonly=on'), 'commas doubled');
  assert.deepEqual(after2(kvm, '-incoming'), ['defer']);
  assert.deepEqual(after2(kvm, '-netdev'), []);
});

test('consoles on the command line: the serial port on TCP in the port range and still logged, VGA on VNC; ports read back from QMP', () => {
  const args = qemuCommandLine({ ...spec, serial: { host: '127.0.0.1', portMin: 10000, portMax: 20000 }, vnc: { listen: '::1' } });
  assert.deepEqual(after2(args, '-chardev'), ['socket,id=console0,host=127.0.0.1,port=10000,to=20000,telnet=off,server=on,wait=off,logfile=/i/u-1/console.log,logappend=on']);
  assert.deepEqual(after2(args, '-serial'), ['chardev:console0']);
  assert.deepEqual(after2(args, '-vnc'), ['[::1]:0,to=59635'], 'displays from 5900 up to port 65535');
  assert.ok(after2(args, '-device').includes('VGA,id=video0'));
  assert.deepEqual(after2(qemuCommandLine(spec), '-vnc'), [], 'no VNC unless enabled');
  assert.deepEqual(serialListen('disconnected:tcp:127.0.0.1:10003,server=on'), { port: 10003 });
  assert.deepEqual(serialListen('tcp:127.0.0.1:10004,server=on <-> 127.0.0.1:51234'), { port: 10004 });
  assert.deepEqual(serialListen('tcp:[::1]:10005,server=on'), { port: 10005 });
  assert.equal(serialListen('file:/i/u-1/console.log'), null);
  assert.deepEqual(parsePortRange('10000:20000'), { min: 10000, max: 20000 });
  for (const bad of ['10000', '20000:10000', '0:10', '1:70000', 'a:b']) assert.throws(() => parsePortRange(bad), /port_range/, bad);
});

test('consoles of a QEMU in a network namespace: VNC and the serial port on UNIX sockets (the serial port still logged); sockets read back from QMP', () => {
  assert.equal(qemuNamespace(1, 'nubo-host-c1'), 'nubo-host-c1', 'a guest with NICs runs where its taps are');
  assert.equal(qemuNamespace(0, 'nubo-host-c1'), undefined, 'a guest without NICs runs in the process\'s namespace');
  assert.equal(qemuNamespace(2, undefined), undefined);
  const args = qemuCommandLine({ ...spec, serial: { socket: '/i/u,1/serial.sock' }, vnc: { socket: '/i/u,1/vnc.sock' } });
  assert.deepEqual(after2(args, '-chardev'), ['socket,id=console0,path=/i/u,,1/serial.sock,server=on,wait=off,logfile=/i/u-1/console.log,logappend=on']);
  assert.deepEqual(after2(args, '-serial'), ['chardev:console0']);
  assert.deepEqual(after2(args, '-vnc'), ['unix:/i/u,,1/vnc.sock']);
  assert.ok(after2(args, '-device').includes('VGA,id=video0'));
  // query-chardev's names of a UNIX socket server, before and while a client is connected
  assert.deepEqual(serialListen('disconnected:unix:/i/u-1/serial.sock,server=on'), { socket: '/i/u-1/serial.sock' });
  assert.deepEqual(serialListen('unix:/i/u-1/serial.sock,server=on'), { socket: '/i/u-1/serial.sock' });
  const uuid = '6f2b8a4e-2d1c-4b8e-9a57-0c4f1e2d3b4a';
  const paths = guestPaths('/var/lib/nubo/instances', uuid);
  assert.deepEqual([paths.vncSocket, paths.serialSocket], [`/var/lib/nubo/instances/${uuid}/vnc.sock`, `/var/lib/nubo/instances/${uuid}/serial.sock`]);
  assert.equal(guestPaths(`/${'d'.repeat(80)}`, uuid).vncSocket, join(tmpdir(), `nubo-vnc-${uuid}.sock`), 'too long for a unix socket');
});

test('file and local volumes: their disk from the connection info, on the command line and for blockdev-add', () => {
  const disk = volumeDisk({ driver_volume_type: 'file', data: { device_path: '/v/volume-1', format: 'qcow2', volume_id: 'v-1' } }, '/dev/vdc');
  assert.deepEqual(disk, { mountpoint: '/dev/vdc', path: '/v/volume-1', format: 'qcow2', volumeId: 'v-1' });
  assert.deepEqual(blockdevAdd(disk), { driver: 'qcow2', 'node-name': 'vol-vdc', file: { driver: 'file', filename: '/v/volume-1' } });
  const args = qemuCommandLine({ ...spec, volumes: [disk] });
  assert.deepEqual(after2(args, '-blockdev').map((a) => JSON.parse(a)), [blockdevAdd(disk)], 'the node blockdev-add makes');
  assert.ok(after2(args, '-device').includes('virtio-blk-pci,drive=vol-vdc,id=virtio-vol-vdc'));
  assert.equal(volumeDisk({ driver_volume_type: 'file', data: { device_path: '/v/2' } }, '/dev/vdd').format, 'raw');
  const lv = volumeDisk({ driver_volume_type: 'local', data: { device_path: '/dev/mapper/vg-volume--1', volume_id: 'v-2' } }, '/dev/vdd');
  assert.deepEqual(blockdevAdd(lv), { driver: 'raw', 'node-name': 'vol-vdd', file: { driver: 'host_device', filename: '/dev/mapper/vg-volume--1' } }, 'an LV is a host_device');
  assert.deepEqual(after2(qemuCommandLine({ ...spec, volumes: [lv] }), '-blockdev').map((a) => JSON.parse(a)), [blockdevAdd(lv)], 'on the command line too');
  assert.throws(() => volumeDisk({ driver_volume_type: 'local', data: { device_path: '/dev/x', format: 'qcow2' } }, '/dev/vdc'), /local volume format/);
  assert.throws(() => volumeDisk({ driver_volume_type: 'iscsi', data: {} }, '/dev/vdc'), /file and local volumes/);
  assert.throws(() => volumeDisk({ driver_volume_type: 'file', data: {} }, '/dev/vdc'), /device_path/);
  assert.throws(() => volumeDisk({ driver_volume_type: 'file', data: { device_path: '/v/3', format: 'vmdk' } }, '/dev/vdc'), /vmdk/);
});

test('the accelerator: as configured, or kvm only when the probe guest gets through its firmware', async () => {
  assert.equal(await chooseAccel('tcg', '/nonexistent/qemu'), 'tcg');
  assert.equal(await chooseAccel('kvm', '/nonexistent/qemu'), 'kvm');
  assert.equal(await probeKvm('/nonexistent/qemu', 2000), false, 'no QEMU, no KVM');
  assert.equal(await chooseAccel('probe', '/nonexistent/qemu'), 'tcg');
});

test('the QMP socket: in the guest\'s directory, or under the temporary directory when that path is too long for a unix socket', () => {
  const uuid = '6f2b8a4e-2d1c-4b8e-9a57-0c4f1e2d3b4a';
  assert.equal(guestPaths('/var/lib/nubo/instances', uuid).qmpSocket, `/var/lib/nubo/instances/${uuid}/qmp.sock`);
  const long = guestPaths(`/${'d'.repeat(80)}`, uuid).qmpSocket;
  assert.equal(long, join(tmpdir(), `nubo-qmp-${uuid}.sock`));
});

test('QEMU run states and events as power states', () => {
  assert.equal(runStateToPowerState('running'), PowerState.RUNNING);
  assert.equal(runStateToPowerState('paused'), PowerState.PAUSED);
  assert.equal(runStateToPowerState('postmigrate'), PowerState.PAUSED);
  assert.equal(runStateToPowerState('shutdown'), PowerState.SHUTDOWN);
  assert.equal(runStateToPowerState('suspended'), PowerState.SUSPENDED);
  assert.equal(runStateToPowerState('guest-panicked'), PowerState.CRASHED);
  assert.equal(eventToPowerState('STOP'), PowerState.PAUSED);
  assert.equal(eventToPowerState('RESUME'), PowerState.RUNNING);
  assert.equal(eventToPowerState('SHUTDOWN'), PowerState.SHUTDOWN);
  assert.equal(eventToPowerState('DEVICE_DELETED'), undefined);
});

test('QMP: greeting, capabilities, answers by id, errors, events, close', async () => {
  const path = join(dir, 'qmp.sock');
  const seen: Array<Record<string, unknown>> = [];
  const server = createServer((sock) => {
    sock.write('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}}, "capabilities": []}}\r\n');
    let buf = '';
    sock.on('data', (chunk) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as { execute: string; id: string; arguments?: unknown };
        buf = buf.slice(nl + 1);
        seen.push(msg);
        if (msg.execute === 'query-status') {
          sock.write('{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME"}\r\n');
          sock.write(`{"return": {"status": "running", "running": true}, "id": "${msg.id}"}\r\n`);
        } else if (msg.execute === 'nosuch') {
          sock.write(`{"error": {"class": "CommandNotFound", "desc": "The command nosuch has not been found"}, "id": "${msg.id}"}\r\n`);
        } else if (msg.execute === 'quit') {
          sock.write(`{"return": {}, "id": "${msg.id}"}\r\n`);
          sock.end();
        } else {
          sock.write(`{"return": {}, "id": "${msg.id}"}\r\n`);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  try {
    const qmp = await QmpClient.connect(path);
    assert.equal(seen[0]!['execute'], 'qmp_capabilities');
    const events: string[] = [];
    qmp.on('event', (e: { event: string }) => events.push(e.event));
    assert.deepEqual(await qmp.execute('query-status'), { status: 'running', running: true });
    assert.deepEqual(events, ['RESUME']);
    await assert.rejects(qmp.execute('nosuch'), (err: unknown) => err instanceof QmpError && err.errorClass === 'CommandNotFound');
    const closed = new Promise<void>((r) => qmp.once('close', () => r()));
    await qmp.execute('quit');
    await closed;
    assert.equal(qmp.isClosed, true);
    await assert.rejects(qmp.execute('cont'), /Disconnected/);
  } finally {
    server.close();
  }
});

test('taps, bridges and MACs as os-vif and libvirt name them', () => {
  const vif = { id: '0b7e5d9c-81f4-4a3e-b1d2-6c5a4f3e2d1b', devname: '', details: {}, network: { id: 'a1b2c3d4-e5f6-4a3e-b1d2-000000000000', bridge: null } } as unknown as VifInfo;
  assert.equal(tapName(vif), 'tap0b7e5d9c-81');
  assert.equal(bridgeName(vif), 'brqa1b2c3d4-e5');
  assert.equal(bridgeName({ ...vif, network: { ...vif.network, bridge: 'br-test' } } as VifInfo), 'br-test');
  assert.equal(bridgeName({ ...vif, details: { bridge_name: 'brq-detail' } } as unknown as VifInfo), 'brq-detail');
  assert.equal(tapMac('fa:16:3e:12:34:56'), 'fe:16:3e:12:34:56');
  // the host's namespace of its taps ([qemu] host_namespace, as Neutron's [data_plane] host_namespace)
  assert.equal(hostNamespace('nubo-host-{host}', 'compute1'), 'nubo-host-compute1');
  assert.equal(hostNamespace(' ', 'compute1'), undefined);
});

test('MemAvailable of /proc/meminfo in MiB', () => {
  assert.equal(availableMemoryMb('MemTotal:       24000000 kB\nMemFree:  1 kB\nMemAvailable:    2097152 kB\n'), 2048);
  assert.throws(() => availableMemoryMb('MemTotal: 1 kB\n'), /MemAvailable/);
  assert.ok(availableMemoryMb() > 0);
});

const noQemuImg = (() => { try { execFileSync('qemu-img', ['--version'], { stdio: 'ignore' }); return false; } catch { return true; } })();

test('the image cache: downloaded once (also by concurrent spawns), raw and qcow2 taken, other formats and backing files refused', { skip: noQemuImg ? 'qemu-img is not installed' : false }, async () => {
  const files = join(dir, 'src');
  execFileSync('mkdir', ['-p', files]);
  writeFileSync(join(files, 'raw'), Buffer.alloc(1 << 20));
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(files, 'q'), '64M']);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', '/etc/passwd', '-F', 'raw', join(files, 'evil')]);
  const fetched: string[] = [];
  const source: Record<string, string> = { 'a-raw': 'raw', 'a-q': 'q', 'a-evil': 'evil', 'a-kernel': 'raw' };
  const cache = new ImageCache(join(dir, '_base'), async (id) => { fetched.push(id); return createReadStream(join(files, source[id]!)) as Readable; });
  const meta = (id: string, disk_format: string) => new ImageMeta({ id, disk_format, properties: {} } as unknown as ImageMeta['data']);
  const raw = await cache.base(meta('a-raw', 'raw'));
  assert.deepEqual({ format: raw.format, size: raw.virtualSize }, { format: 'raw', size: 1 << 20 });
  const [q1, q2] = await Promise.all([cache.base(meta('a-q', 'qcow2')), cache.base(meta('a-q', 'qcow2'))]);
  assert.equal(q1.virtualSize, 64 << 20);
  assert.equal(q1.path, q2.path);
  await cache.base(meta('a-q', 'qcow2'));
  // a kernel (kernel_id) asked for by two spawns at once: one download, one file (not two racing on a .part)
  const [k1, k2] = await Promise.all([cache.file('a-kernel'), cache.file('a-kernel')]);
  assert.equal(k1, k2);
  assert.deepEqual(fetched, ['a-raw', 'a-q', 'a-kernel'], 'each image downloaded once');
  await assert.rejects(cache.base(meta('a-evil', 'qcow2')), /backing file/);
  assert.ok(!existsSync(join(dir, '_base', 'a-evil')) && !existsSync(join(dir, '_base', 'a-evil.part')));
  await assert.rejects(cache.base(meta('a-vmdk', 'vmdk')), /qcow2 and raw/);

  // cache_image (an aggregate's pre-caching): fetched when absent, its time touched when present
  source['a-pre'] = 'q';
  source['a-aki'] = 'raw';
  assert.equal(await cache.precache(meta('a-pre', 'qcow2')), true);
  const old = new Date('2020-01-01T00:00:00Z');
  utimesSync(join(dir, '_base', 'a-pre'), old, old);
  assert.equal(await cache.precache(meta('a-pre', 'qcow2')), false);
  assert.ok(statSync(join(dir, '_base', 'a-pre')).mtimeMs > old.getTime(), 'touched');
  assert.equal(await cache.precache(meta('a-aki', 'aki')), true, 'a kernel is kept as it comes');
  assert.deepEqual(fetched.slice(-2), ['a-pre', 'a-aki']);
  await assert.rejects(cache.precache(meta('../etc', 'raw')), /not an image id/);
  await assert.rejects(cache.precache(meta('a-iso', 'iso')), /qcow2 and raw/);
});

test('a guest larger than the host\'s available memory is refused before anything is made', async () => {
  const instancesPath = join(dir, 'instances-memory');
  const driver = new QemuDriver({
    host: 'h', instancesPath, binary: 'qemu-system-x86_64', accel: 'tcg', machine: 'pc', imageCacheDir: join(instancesPath, '_base'), shutdownTimeout: 1,
    spawnMemoryCheck: true, tcgTbSizeMb: 32, memoryOverheadMb: 64, images: async () => { throw new Error('not fetched'); }, vifs: { plug: async () => 'tap', unplug: async () => undefined },
    vifPluggingTimeout: 0, vifPluggingIsFatal: true, virtapi: { waitForInstanceEvents: async () => 'done' }, log: createLogger({ level: 'silent' }),
  });
  const huge = sampleInstance(null);
  huge.data.flavor.data.memory_mb = 64 * 1024 * 1024;
  const image = new ImageMeta({ id: 'i', disk_format: 'qcow2', properties: {} } as unknown as ImageMeta['data']);
  await assert.rejects(
    driver.spawn({ context: {} as never, instance: huge, image, injectedFiles: [], adminPassword: null, networkInfo: [], blockDevices: [] }),
    (err: unknown) => err instanceof InsufficientFreeMemory,
  );
  assert.equal(driver.instanceExists(huge), false);
  assert.ok(!existsSync(join(instancesPath, huge.uuid)));
});
