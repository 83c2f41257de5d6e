/**
 * The object auditor (swift/obj/auditor.py): reads every object's .data file on the local
 * devices again, md5 and length against the ETag and Content-Length its metadata recorded when
 * it was written, and checks that the metadata is readable and names an object that hashes to
 * the directory it is in. A file that fails is quarantined (quarantine.ts), so the replicator
 * restores it from another replica (the reconstructor rebuilds an EC archive). files_per_second and bytes_per_second pace the reads
 * (0: as fast as the disk goes).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashPath, type HashConf } from '../ring/hash.js';
import { readTrailer } from './diskfile.js';
import { classifyECFiles } from './ec-diskfile.js';
import { cleanupOnDisk } from './ondisk.js';
import { quarantineHashDir } from './quarantine.js';
import { splitObjectName } from './ssync.js';
import { listDir } from '../utils/list-dir.js';

export interface ObjectAuditorOptions {
  devicesRoot: string;
  hash: HashConf;
  /** Only these devices (empty: every device directory under the root). */
  devices?: readonly string[];
  filesPerSecond: number;
  bytesPerSecond: number;
  log: { info(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
  /** The erasure-coded policies' indexes: their objects-<index>/ are audited too (each archive against its own ETag). */
  ecPolicies?: readonly number[];
}

export interface AuditStats {
  checked: number;
  bytes: number;
  quarantined: number;
  errors: number;
}


export class ObjectAuditor {
  constructor(private readonly opts: ObjectAuditorOptions) {}

  /** One sweep of every object of the local devices (audit_all_objects, once). */
  async auditOnce(only: { devices?: readonly string[] } = {}): Promise<AuditStats> {
    const stats: AuditStats = { checked: 0, bytes: 0, quarantined: 0, errors: 0 };
    const started = performance.now();
    const filter = only.devices?.length ? only.devices : this.opts.devices;
    for (const device of listDir(this.opts.devicesRoot).sort()) {
      if (filter?.length && !filter.includes(device)) continue;
      const deviceDir = join(this.opts.devicesRoot, device);
      await this.auditDataDir(deviceDir, 'objects', stats, started);
      for (const index of this.opts.ecPolicies ?? []) await this.auditDataDir(deviceDir, `objects-${index}`, stats, started);
    }
    this.opts.log.info({ ...stats }, 'object audit pass done');
    return stats;
  }

  /** The objects of one data directory of a device (objects/, or an EC policy's objects-<index>/ whose every durable archive is checked). */
  private async auditDataDir(deviceDir: string, dirName: string, stats: AuditStats, started: number): Promise<void> {
    const objects = join(deviceDir, dirName);
    const ec = dirName !== 'objects';
    for (const part of listDir(objects).sort()) {
      if (!/^\d+$/.test(part)) continue;
      for (const suffix of listDir(join(objects, part)).sort()) {
        if (!/^[0-9a-f]{3}$/.test(suffix)) continue;
        for (const hash of listDir(join(objects, part, suffix)).sort()) {
          const hashDir = join(objects, part, suffix, hash);
          const datas = ec ? [...classifyECFiles(listDir(hashDir)).frags.values()] : [cleanupOnDisk(hashDir)?.data].filter((d): d is string => d !== undefined);
          for (const data of datas) {
            const problem = await this.check(hashDir, hash, data, stats);
            stats.checked++;
            if (problem) {
              try {
                const to = quarantineHashDir(deviceDir, hashDir, dirName);
                stats.quarantined++;
                this.opts.log.error({ device: basename(deviceDir), path: hashDir, quarantined: to, problem }, 'object auditor: quarantined an object');
              } catch (err) {
                stats.errors++;
                this.opts.log.warn({ path: hashDir, err: (err as Error).message }, 'object auditor: could not quarantine');
              }
              await this.pace(started, stats);
              break;
            }
            await this.pace(started, stats);
          }
        }
      }
    }
  }

  /** What is wrong with one .data file, or undefined when it is sound. */
  private async check(hashDir: string, hash: string, dataFile: string, stats: AuditStats): Promise<string | undefined> {
    let fh;
    try {
      fh = await open(join(hashDir, dataFile), 'r');
    } catch {
      return undefined; // replaced or removed since it was listed
    }
    try {
      let metadata: Record<string, string>;
      let bodySize: number;
      try {
        ({ metadata, bodySize } = await readTrailer(fh));
      } catch (err) {
        return `unreadable metadata: ${(err as Error).message}`;
      }
      const name = splitObjectName(metadata.name ?? '');
      if (!name || hashPath(this.opts.hash, name.account, name.container, name.object) !== hash) return `metadata name ${JSON.stringify(metadata.name)} does not belong in ${hash}`;
      if (metadata['Content-Length'] !== String(bodySize)) return `size ${bodySize} != Content-Length ${metadata['Content-Length']}`;
      const md5 = createHash('md5');
      const chunk = Buffer.alloc(1 << 16);
      let pos = 0;
      while (pos < bodySize) {
        const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, bodySize - pos), pos);
        if (bytesRead === 0) return `short read at ${pos} of ${bodySize}`;
        md5.update(chunk.subarray(0, bytesRead));
        pos += bytesRead;
      }
      stats.bytes += bodySize;
      const etag = md5.digest('hex');
      if (etag !== (metadata.ETag ?? '').toLowerCase()) return `md5 ${etag} != ETag ${metadata.ETag}`;
      return undefined;
    } finally {
      await fh.close();
    }
  }

  /** Sleeps as long as the files and bytes so far are ahead of the configured rates. */
  private async pace(started: number, stats: AuditStats): Promise<void> {
    const elapsed = (performance.now() - started) / 1000;
    const due = Math.max(
      this.opts.filesPerSecond > 0 ? stats.checked / this.opts.filesPerSecond : 0,
      this.opts.bytesPerSecond > 0 ? stats.bytes / this.opts.bytesPerSecond : 0,
    );
    if (due > elapsed) await sleep((due - elapsed) * 1000);
  }
}
