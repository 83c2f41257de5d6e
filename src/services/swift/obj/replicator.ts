/**
 * The object replicator (swift/obj/replicator.py): for every partition of every local device,
 *
 * - a partition this device is a primary of (an update job): its suffix hashes are compared
 *   with each other primary's (REPLICATE); the suffixes that differ are pushed to that node
 *   (ssync-sender.ts, where upstream rsyncs). A primary that cannot be reached is replaced by
 *   the partition's next handoff, so a copy is kept while it is down;
 * - a partition this device is not a primary of (a handoff job, left by a write while a
 *   primary was down, or by a rebalance): all of it is pushed to every primary, and once every
 *   primary holds it, the files that were sent or found there are removed, then the partition.
 *
 * Hashing the suffixes also reclaims tombstones older than reclaim_age.
 */
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Ring } from '../ring/ring.js';
import type { RingDevice } from '../ring/ring-data.js';
import { eachLimited } from '../daemons/each-limited.js';
import { localDevices, type Locality } from '../daemons/local-devices.js';
import { getHashes, HASHES_FILE, INVALID_FILE, invalidateSuffix } from './hashes.js';
import { remoteHashes, ReplicationFailed, syncSuffixes, type Timeouts } from './ssync-sender.js';

export interface ObjectReplicatorOptions {
  ring: () => Ring;
  locality: Locality;
  reclaimAgeS: number;
  /** Partitions replicated at once. */
  concurrency: number;
  timeouts: Timeouts;
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

export interface ReplicationStats {
  partitions: number;
  /** Suffixes found different and pushed. */
  suffixesSynced: number;
  /** Files (.data, .ts, .meta) sent. */
  filesSent: number;
  /** Handoff partitions emptied and removed. */
  handoffsRemoved: number;
  /** Node attempts that failed (unreachable, 507, a file not placed). */
  failures: number;
}

export interface ReplicateOnceOptions {
  /** Only these devices (upstream's --devices). */
  devices?: readonly string[];
  /** Only these partitions (upstream's --partitions). */
  partitions?: readonly number[];
}

const objectsDir = (root: string, device: string) => join(root, device, 'objects');

export class ObjectReplicator {
  constructor(private readonly opts: ObjectReplicatorOptions) {}

  /** One pass over the local devices (replicate(once=True)). */
  async replicateOnce(only: ReplicateOnceOptions = {}): Promise<ReplicationStats> {
    const stats: ReplicationStats = { partitions: 0, suffixesSynced: 0, filesSent: 0, handoffsRemoved: 0, failures: 0 };
    const ring = this.opts.ring();
    const locals = localDevices(ring.devs, this.opts.locality).filter((d) => !only.devices?.length || only.devices.includes(d.device));
    const jobs: Array<{ dev: RingDevice; part: number }> = [];
    for (const dev of locals) {
      let parts: string[];
      try {
        parts = readdirSync(objectsDir(this.opts.locality.devicesRoot, dev.device));
      } catch {
        continue;
      }
      for (const p of parts) {
        if (!/^\d+$/.test(p)) continue;
        const part = Number(p);
        if (only.partitions?.length && !only.partitions.includes(part)) continue;
        if (part >= ring.partitionCount) {
          this.opts.log.warn({ device: dev.device, partition: part }, 'object replicator: partition beyond the ring, left alone');
          continue;
        }
        jobs.push({ dev, part });
      }
    }
    // handoffs first (handoffs_first): they free space and bring primaries up to date
    const isPrimary = (j: { dev: RingDevice; part: number }) => ring.getPartNodes(j.part).some((n) => n.id === j.dev.id);
    jobs.sort((a, b) => Number(isPrimary(a)) - Number(isPrimary(b)));
    await eachLimited(jobs, this.opts.concurrency, async ({ dev, part }) => {
      stats.partitions++;
      try {
        if (isPrimary({ dev, part })) await this.update(ring, dev, part, stats);
        else await this.revert(ring, dev, part, stats);
      } catch (err) {
        stats.failures++;
        this.opts.log.warn({ device: dev.device, partition: part, err: (err as Error).message }, 'object replicator: partition failed');
      }
    });
    this.opts.log.info({ ...stats }, 'object replication pass done');
    return stats;
  }

  private partitionDir(dev: RingDevice, part: number): string {
    return join(objectsDir(this.opts.locality.devicesRoot, dev.device), String(part));
  }

  /** update(): bring the other primaries of a partition up to date with this one. */
  private async update(ring: Ring, dev: RingDevice, part: number, stats: ReplicationStats): Promise<void> {
    const dir = this.partitionDir(dev, part);
    const hashOpts = { reclaimAgeS: this.opts.reclaimAgeS };
    let local = getHashes(dir, hashOpts);
    const others = ring.getPartNodes(part).filter((n) => n.id !== dev.id);
    const handoffs = ring.getMoreNodes(part);
    const targets: RingDevice[] = [...others];
    let spare = others.length;
    for (let i = 0; i < targets.length; i++) {
      const node = targets[i]!;
      try {
        const remote = await remoteHashes(node, part, this.opts.timeouts);
        let differ = Object.keys(local).filter((s) => local[s] !== remote[s]);
        if (differ.length === 0) continue;
        // look again at those suffixes before moving them (a write may have landed since)
        local = getHashes(dir, { ...hashOpts, recalculate: differ });
        differ = differ.filter((s) => local[s] !== undefined && local[s] !== remote[s]);
        if (differ.length === 0) continue;
        const r = await syncSuffixes(dir, part, node, differ, this.opts.timeouts);
        stats.suffixesSynced += differ.length;
        stats.filesSent += r.sent;
        if (!r.ok) stats.failures++;
      } catch (err) {
        if (!(err instanceof ReplicationFailed)) throw err;
        stats.failures++;
        this.opts.log.warn({ partition: part, err: err.message }, 'object replicator: node failed');
        // keep a copy on the next handoff while this primary is away
        if (spare-- > 0) {
          for (let h = handoffs.next(); !h.done; h = handoffs.next()) {
            if (h.value.id === dev.id) continue;
            targets.push(h.value);
            break;
          }
        }
      }
    }
  }

  /** A handoff partition: pushed whole to every primary, then removed as far as every primary holds it. */
  private async revert(ring: Ring, dev: RingDevice, part: number, stats: ReplicationStats): Promise<void> {
    const dir = this.partitionDir(dev, part);
    const local = getHashes(dir, { reclaimAgeS: this.opts.reclaimAgeS });
    const suffixes = Object.keys(local);
    const primaries = ring.getPartNodes(part);
    const synced = new Map<string, { dir: string; files: string[]; count: number }>();
    let allOk = true;
    for (const node of primaries) {
      try {
        const r = await syncSuffixes(dir, part, node, suffixes, this.opts.timeouts);
        stats.filesSent += r.sent;
        if (!r.ok) allOk = false;
        for (const o of r.inSync) {
          const key = o.dir;
          const entry = synced.get(key) ?? { dir: o.dir, files: [o.dataFile, ...(o.metaFile ? [o.metaFile] : [])], count: 0 };
          entry.count++;
          synced.set(key, entry);
        }
      } catch (err) {
        if (!(err instanceof ReplicationFailed)) throw err;
        allOk = false;
        this.opts.log.warn({ partition: part, err: err.message }, 'object replicator: primary failed; the handoff partition is kept');
      }
    }
    stats.suffixesSynced += suffixes.length;
    if (!allOk) {
      stats.failures++;
      return;
    }
    // every primary has these objects: remove the files that were offered (not anything written since)
    const touched = new Set<string>();
    for (const { dir: hashDir, files, count } of synced.values()) {
      if (count < primaries.length) continue;
      for (const f of files) rmSync(join(hashDir, f), { force: true });
      try {
        rmdirSync(hashDir);
      } catch {
        // a newer file arrived: kept for the next pass
      }
      touched.add(hashDir.slice(dir.length + 1, dir.length + 4));
    }
    for (const s of touched) invalidateSuffix(dir, s);
    const left = getHashes(dir, { reclaimAgeS: this.opts.reclaimAgeS });
    if (Object.keys(left).length === 0) {
      for (const f of [HASHES_FILE, INVALID_FILE]) rmSync(join(dir, f), { force: true });
      try {
        rmdirSync(dir);
        stats.handoffsRemoved++;
      } catch {
        // something arrived meanwhile
      }
    }
  }
}
