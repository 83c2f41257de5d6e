/**
 * The QEMU command line of a guest, from what the driver decided about it (GuestSpec): the
 * flavor's vCPUs and RAM, the accelerator (TCG with its translation buffer's size), the root
 * disk (while rescued: the rescue disk, then the root disk) and config drive on virtio-blk,
 * one virtio-net NIC per port on its tap, the first serial port to the console log (and to a
 * TCP or UNIX socket server when serial consoles are enabled), a VGA display on VNC (TCP or a
 * UNIX socket) when VNC is, the QMP
 * socket, the Cinder volumes attached, and daemonized with a pidfile so guests outlive the compute service.
 */
import { blockdevAdd, nodeOf, volumeIds, type VolumeDisk } from './volumes.js';

export interface NicSpec {
  /** The host's tap device (see vif.ts). */
  tap: string;
  /** The port's MAC, as the guest sees it. */
  mac: string;
}

export interface KernelBoot {
  kernel: string;
  ramdisk?: string;
  /** The kernel's command line (the image's os_command_line, or nova's default). */
  cmdline: string;
}

export interface GuestSpec {
  /** The libvirt-style name (instance-0000002a). */
  name: string;
  uuid: string;
  vcpus: number;
  memoryMb: number;
  accel: 'tcg' | 'kvm';
  /** TCG's translation buffer in MiB (-accel tcg,tb-size); 0 or absent: QEMU's default (1 GiB). */
  tcgTbSizeMb?: number;
  machine: string;
  /** The disk booted first: the root disk (a qcow2 overlay, or a volume-backed guest's root volume), or the rescue disk while rescued. */
  disk: string;
  /** The first disk's format: qcow2 (an overlay) unless a root volume says raw. */
  diskFormat?: 'raw' | 'qcow2';
  /** While rescued: the guest's own root disk, the second disk (rescue.ts). */
  originalDisk?: string;
  /** A direct kernel boot (the image's kernel_id/ramdisk_id), instead of the disk's bootloader. */
  kernel?: KernelBoot;
  /** The config drive (an ISO 9660 image), when the instance has one. */
  configDrive?: string;
  nics: NicSpec[];
  /** Cinder volumes attached (see volumes.ts). */
  volumes?: VolumeDisk[];
  consoleLog: string;
  /**
   * The first serial port as an interactive console ([serial_console] enabled), still logged to
   * consoleLog: a TCP server on `host`, on the first free port of `portMin`..`portMax` (QEMU
   * binds it), or a UNIX socket server at `socket` (a QEMU in a network namespace: a path is
   * reached from every namespace). Without it the serial port writes to consoleLog only.
   */
  serial?: SerialListen;
  /**
   * A VGA display served by VNC ([vnc] enabled): on `listen`, on the first free port from 5900
   * (QEMU binds it), or on the UNIX socket `socket` (a QEMU in a network namespace).
   */
  vnc?: VncListen;
  qmpSocket: string;
  pidFile: string;
  /** Wait for a migration stream (resume from a saved state): -incoming defer, then migrate-incoming over QMP. */
  incoming?: boolean;
  /** Start with the CPUs stopped (-S) until a QMP `cont`: libvirt's paused start while Neutron wires the ports. */
  paused?: boolean;
}

export type SerialListen = { host: string; portMin: number; portMax: number } | { socket: string };
export type VncListen = { listen: string } | { socket: string };

/** The QEMU device id of the NIC on `tap` (hot-plug and unplug find it by this id, interfaces.ts). */
export function nicDeviceId(tap: string): string {
  return `nic-${tap}`;
}

/** A value inside QEMU's comma-separated options (a comma is written twice). */
export function optionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

/** The arguments of qemu-system-x86_64 for `spec` (no shell: one argument each). */
export function qemuCommandLine(spec: GuestSpec): string[] {
  const args = [
    '-name', `guest=${spec.name},process=qemu:${spec.name}`,
    '-uuid', spec.uuid,
    '-machine', spec.machine,
    '-accel', accelOption(spec),
    ...(spec.accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-m', String(spec.memoryMb),
    '-smp', String(spec.vcpus),
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-chardev', consoleChardev(spec),
    '-serial', 'chardev:console0',
    '-qmp', `unix:${optionValue(spec.qmpSocket)},server=on,wait=off`,
    '-pidfile', spec.pidFile,
    '-daemonize',
    '-drive', `file=${optionValue(spec.disk)},format=${spec.diskFormat ?? 'qcow2'},if=none,id=disk0,discard=unmap`,
    '-device', 'virtio-blk-pci,drive=disk0,id=virtio-disk0,bootindex=1',
  ];
  if (spec.originalDisk) {
    args.push('-drive', `file=${optionValue(spec.originalDisk)},format=qcow2,if=none,id=disk1,discard=unmap`, '-device', 'virtio-blk-pci,drive=disk1,id=virtio-disk1');
  }
  if (spec.kernel) {
    args.push('-kernel', spec.kernel.kernel, '-append', spec.kernel.cmdline);
    if (spec.kernel.ramdisk) args.push('-initrd', spec.kernel.ramdisk);
  }
  if (spec.configDrive) {
    args.push('-drive', `file=${optionValue(spec.configDrive)},format=raw,if=none,id=disk-config,readonly=on`,
      '-device', 'virtio-blk-pci,drive=disk-config,id=virtio-disk-config');
  }
  spec.nics.forEach((nic, i) => {
    args.push('-netdev', `tap,id=net${i},ifname=${nic.tap},script=no,downscript=no`,
      '-device', `virtio-net-pci,netdev=net${i},id=${nicDeviceId(nic.tap)},mac=${nic.mac}`);
  });
  // the node a hot-plug makes (blockdev-add), so that a detach's blockdev-del finds it after a restart too
  for (const v of spec.volumes ?? []) {
    args.push('-blockdev', JSON.stringify(blockdevAdd(v)), '-device', `virtio-blk-pci,drive=${nodeOf(v)},id=${volumeIds(v.mountpoint).device}`);
  }
  if (spec.vnc) args.push('-device', 'VGA,id=video0', '-vnc', vncOption(spec.vnc));
  if (spec.incoming) args.push('-incoming', 'defer');
  if (spec.paused) args.push('-S');
  return args;
}

/** -accel: kvm, or tcg with its translation buffer's size when one is set. */
function accelOption(spec: GuestSpec): string {
  return spec.accel === 'tcg' && spec.tcgTbSizeMb ? `tcg,tb-size=${spec.tcgTbSizeMb}` : spec.accel;
}

/** VNC display N is TCP port 5900 + N; QEMU tries them in order up to the last port. */
const VNC_LAST_DISPLAY = 65535 - 5900;

/** -vnc's display: TCP from display 0 up, or a UNIX socket. */
function vncOption(vnc: VncListen): string {
  return 'socket' in vnc ? `unix:${optionValue(vnc.socket)}` : `${hostOption(vnc.listen)}:0,to=${VNC_LAST_DISPLAY}`;
}

/** An address in QEMU's host:port options (an IPv6 address in brackets). */
function hostOption(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The first serial port's backend: a TCP or UNIX socket server logged to the console log
 * (libvirt's <serial type='tcp'> or <serial type='unix'> with <log>), or the log file alone.
 */
function consoleChardev(spec: GuestSpec): string {
  const log = optionValue(spec.consoleLog);
  if (!spec.serial) return `file,id=console0,path=${log},append=on`;
  const listen = 'socket' in spec.serial
    ? `path=${optionValue(spec.serial.socket)}`
    : `host=${spec.serial.host},port=${spec.serial.portMin},to=${spec.serial.portMax},telnet=off`;
  return `socket,id=console0,${listen},server=on,wait=off,logfile=${log},logappend=on`;
}
