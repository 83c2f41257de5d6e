/**
 * Live migration with the qemu driver, as libvirt does it for guests on non-shared storage
 * (VIR_MIGRATE_NON_SHARED_INC), driven over QMP:
 *  prepareDestination (pre_live_migration, destination): the guest's overlay is made on the same
 *    base image (cached from Glance here), the config drive copied, the taps plugged on this
 *    host's bridges, and QEMU started with `-incoming defer` and its CPUs stopped, in this host's
 *    network namespace. It exports the empty overlay over NBD (nbd-server-start, nbd-server-add)
 *    and waits for the migration stream (migrate-incoming), both on [qemu]
 *    live_migration_inbound_addr, on the first free ports of live_migration_port_range; it
 *    writes where it listens to incoming.json in the guest's directory, where the source reads it
 *    (the hosts share this machine's filesystem: see peer-host.ts; libvirt's migration cookie).
 *  migrate (live_migration, source): the disk is always copied (a block migration, whatever the
 *    request's block_migration: no two hosts share an instances path, peer-host.ts); drive-mirror with sync=top copies the overlay's own data to
 *    the NBD export (the base image is the same on both sides); once the mirror is ready, QMP
 *    `migrate` sends RAM and devices to the destination's address, from the source's namespace
 *    to the destination's over their underlay; when it completed (the source paused), the
 *    mirror is ended in step (block-job-cancel of a ready job), and this host's QEMU, taps and
 *    files go. Whether the guest ran is written back to incoming.json for the destination.
 *  forceComplete: the source guest is paused so the copy converges (libvirt's force complete
 *    without post-copy); abort: migrate_cancel (and the mirror cancelled), the guest runs on here
 *    and migrate fails with LiveMigrationAborted.
 *  finishAtDestination (post_live_migration_at_destination): the NBD server stops and the guest
 *    runs (unless it was paused on the source). rollbackAtDestination: the destination's QEMU,
 *    taps and files go.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PowerState } from '../../compute/power-state.js';
import { InstanceNotFound, InstanceNotRunning, LiveMigrationAborted, MigrationError, MigrationPreCheckError } from '../../errors.js';
import type { Instance, VifInfo } from '../../objects/index.js';
import type { PortRange } from '../../console/serial.js';
import type { GuestRecord, QemuDriverState } from './driver-state.js';
import type { Guest } from './guest.js';
import { guestPaths } from './paths.js';
import { peerInstancesPath } from './peer-host.js';
import { createOverlay, diskInfo } from './qemu-img.js';
import { QmpError } from './qmp.js';

/** [qemu] live_migration_inbound_addr (for this host) and live_migration_port_range. */
export interface LiveMigrationOptions {
  inboundAddr: string;
  ports: PortRange;
}

/** What the destination writes to <its guest dir>/incoming.json for the source (and the source writes back). */
interface Incoming {
  address: string;
  port: number;
  nbdPort: number;
  export: string;
  /** Written by the source once the copy completed: whether the guest ran (it runs on at the destination). */
  resume?: boolean;
}

const INCOMING = 'incoming.json';
/** The root disk's drive (command-line.ts) and the mirror job copying it. */
const DISK = 'disk0';
const MIRROR_JOB = 'migrate-disk0';
/** How long the destination waits for the end of the incoming stream once the source says it completed. */
const INCOMING_END_MS = 60_000;

/** The source's copy of one guest while it runs. */
interface Running {
  guest: Guest;
  aborted: boolean;
}

/** An address in a QEMU URI (an IPv6 address in brackets). */
function uriHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

export class LiveMigration {
  private readonly running = new Map<string, Running>();

  constructor(private readonly d: QemuDriverState) {}

  // --- destination -----------------------------------------------------------------------------

  async prepareDestination(instance: Instance, networkInfo: readonly VifInfo[]): Promise<void> {
    const lm = this.d.o.liveMigration;
    if (!lm) throw new MigrationPreCheckError(`${this.d.o.host} does not receive live migrations ([qemu] live_migration_inbound_addr)`);
    const uuid = instance.uuid;
    if (this.d.guests.has(uuid)) throw new MigrationPreCheckError(`${this.d.o.host} already has instance ${uuid}`);
    const source = guestPaths(peerInstancesPath(this.d.o, instance.data.host ?? ''), uuid);
    if (!existsSync(source.record)) throw new MigrationPreCheckError(`instance ${uuid} has no guest on ${instance.data.host}`);
    const paths = guestPaths(this.d.o.instancesPath, uuid);
    if (paths.qmpSocket === source.qmpSocket) throw new MigrationPreCheckError(`the instances paths are too long for the guest's sockets to be apart (${paths.qmpSocket})`);
    const sourceRecord = JSON.parse(readFileSync(source.record, 'utf8')) as GuestRecord;
    const disk = await diskInfo(source.disk, 'qcow2', true);
    if (!disk.backingFile) throw new MigrationPreCheckError(`the disk of ${uuid} has no base image`);

    await mkdir(paths.dir, { recursive: true });
    const guest = this.d.newGuest(uuid);
    try {
      const base = await this.d.cache.baseOf(basename(disk.backingFile), disk.backingFormat ?? 'qcow2');
      await createOverlay(paths.disk, base.path, base.format, disk.virtualSize);
      // the config drive is read-only: a copy, as the disk's base
      if (existsSync(source.configDrive)) await copyFile(source.configDrive, paths.configDrive);
      const { kernel, ...rest } = sourceRecord;
      const record: GuestRecord = {
        ...rest, macs: networkInfo.map((v) => v.address),
        ...(kernel ? { kernel: { ...kernel, kernel: await this.d.cache.sameAs(kernel.kernel), ...(kernel.ramdisk ? { ramdisk: await this.d.cache.sameAs(kernel.ramdisk) } : {}) } } : {}),
      };
      writeFileSync(paths.record, JSON.stringify(record));
      this.d.guests.set(uuid, guest);
      this.d.records.set(uuid, record);
      const spec = await this.d.plugAndSpec(instance, networkInfo);
      await guest.start(this.d.o.binary, { ...spec, incoming: true, paused: true });
      const host = uriHost(lm.inboundAddr);
      const nbdPort = await firstFreePort(lm.ports, (port) => guest.command('nbd-server-start', { addr: { type: 'inet', data: { host: lm.inboundAddr, port: String(port) } } }));
      await guest.command('nbd-server-add', { device: DISK, writable: true });
      const port = await firstFreePort(lm.ports, (p) => guest.command('migrate-incoming', { uri: `tcp:${host}:${p}` }));
      writeFileSync(join(paths.dir, INCOMING), JSON.stringify({ address: lm.inboundAddr, port, nbdPort, export: DISK } satisfies Incoming));
    } catch (err) {
      await this.d.cleanup(instance, networkInfo);
      throw err;
    }
  }

  async finishAtDestination(instance: Instance): Promise<void> {
    const g = this.d.guests.get(instance.uuid);
    if (!g) throw new InstanceNotFound(instance.uuid);
    const file = join(g.paths.dir, INCOMING);
    const incoming = JSON.parse(readFileSync(file, 'utf8')) as Incoming;
    const deadline = Date.now() + INCOMING_END_MS;
    for (;;) {
      const m = await g.command<{ status?: string }>('query-migrate');
      if (m.status === 'completed') break;
      if (m.status === 'failed' || Date.now() > deadline) throw new MigrationError(`the incoming migration of ${instance.uuid} did not complete (${m.status ?? 'no status'})`);
      await sleep(100);
    }
    await g.command('nbd-server-stop');
    if (incoming.resume !== false) {
      await g.command('cont');
      g.state = PowerState.RUNNING;
    } else {
      g.state = PowerState.PAUSED;
    }
    rmSync(file, { force: true });
  }

  async rollbackAtDestination(instance: Instance): Promise<void> {
    if (this.d.guests.has(instance.uuid)) await this.d.cleanup(instance, instance.data.network_info);
  }

  // --- source ----------------------------------------------------------------------------------

  async migrate(instance: Instance, destHost: string): Promise<void> {
    const uuid = instance.uuid;
    const g = this.d.guests.get(uuid);
    if (!g) throw new InstanceNotFound(uuid);
    if (!g.running) throw new InstanceNotRunning(uuid);
    const file = join(peerInstancesPath(this.d.o, destHost), uuid, INCOMING);
    if (!existsSync(file)) throw new MigrationError(`${destHost} is not ready to receive instance ${uuid} (no ${file})`);
    const incoming = JSON.parse(readFileSync(file, 'utf8')) as Incoming;
    const wasRunning = g.state === PowerState.RUNNING;
    const job: Running = { guest: g, aborted: false };
    this.running.set(uuid, job);
    try {
      await g.command('drive-mirror', {
        device: DISK, 'job-id': MIRROR_JOB, target: `nbd:${uriHost(incoming.address)}:${incoming.nbdPort}:exportname=${incoming.export}`,
        format: 'raw', sync: 'top', mode: 'existing',
      });
      await this.mirrorReady(job);
      await g.command('migrate', { uri: `tcp:${uriHost(incoming.address)}:${incoming.port}` });
      await this.migrationDone(job);
      // the source is paused now: the mirror has the last writes; a ready job cancelled ends in step
      await g.command('block-job-cancel', { device: MIRROR_JOB });
      await this.mirrorGone(g);
    } catch (err) {
      await g.command('migrate_cancel').catch(() => undefined);
      await g.command('block-job-cancel', { device: MIRROR_JOB, force: true }).catch(() => undefined);
      if (wasRunning && g.running) {
        await g.command('cont').catch(() => undefined);
        g.state = PowerState.RUNNING;
      }
      if (job.aborted) throw new LiveMigrationAborted(uuid);
      throw err instanceof QmpError ? new MigrationError(err.message) : err;
    } finally {
      this.running.delete(uuid);
    }
    writeFileSync(file, JSON.stringify({ ...incoming, resume: wasRunning } satisfies Incoming));
    // the guest runs on the destination: it leaves this host
    await this.d.cleanup(instance, instance.data.network_info);
  }

  async forceComplete(instance: Instance): Promise<void> {
    const job = this.runningJob(instance);
    await job.guest.command('stop');
    job.guest.state = PowerState.PAUSED;
  }

  async abort(instance: Instance): Promise<void> {
    const job = this.runningJob(instance);
    job.aborted = true;
    await job.guest.command('migrate_cancel').catch(() => undefined);
    await job.guest.command('block-job-cancel', { device: MIRROR_JOB, force: true }).catch(() => undefined);
  }

  private runningJob(instance: Instance): Running {
    const job = this.running.get(instance.uuid);
    if (!job) throw new MigrationError(`no live migration of instance ${instance.uuid} runs on ${this.d.o.host}`);
    return job;
  }

  /** Until the mirror copied the disk (and follows its writes). @throws MigrationError when the job ended */
  private async mirrorReady(job: Running): Promise<void> {
    for (;;) {
      if (job.aborted) throw new LiveMigrationAborted(job.guest.uuid);
      const jobs = await job.guest.command<Array<{ device: string; ready: boolean }>>('query-block-jobs');
      const mirror = jobs.find((j) => j.device === MIRROR_JOB);
      if (!mirror) throw new MigrationError(`the copy of the disk of ${job.guest.uuid} to the destination ended early`);
      if (mirror.ready) return;
      await sleep(200);
    }
  }

  /** Until QEMU's migration completed. @throws MigrationError when it failed or was cancelled */
  private async migrationDone(job: Running): Promise<void> {
    for (;;) {
      const m = await job.guest.command<{ status?: string; 'error-desc'?: string }>('query-migrate');
      if (m.status === 'completed') return;
      if (m.status === 'failed' || m.status === 'cancelled') throw new MigrationError(`QEMU's migration of ${job.guest.uuid}: ${m['error-desc'] ?? m.status}`);
      await sleep(200);
    }
  }

  private async mirrorGone(g: Guest): Promise<void> {
    while ((await g.command<Array<{ device: string }>>('query-block-jobs')).some((j) => j.device === MIRROR_JOB)) await sleep(100);
  }
}

/** Try `listen` on each port of `range` until one is free. @throws MigrationError when none is */
async function firstFreePort(range: PortRange, listen: (port: number) => Promise<unknown>): Promise<number> {
  for (let port = range.min; port <= range.max; port++) {
    try {
      await listen(port);
      return port;
    } catch (err) {
      if (!(err instanceof QmpError) || !/in use|bind/i.test(err.message)) throw err;
    }
  }
  throw new MigrationError(`no free port in ${range.min}:${range.max} to receive a live migration`);
}
