/**
 * The runtime ring (swift/common/ring/ring.py): a .ring.gz loaded from disk and read again when
 * the file changes (its mtime or size, checked at most every `reloadMs`), mapping
 * /account[/container[/object]] to a partition (the top part_power bits of hash_path) and a
 * partition to its primary devices and its handoffs (get_more_nodes, as upstream walks them).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hashPathRaw, type HashConf } from './hash.js';
import { deserializeRing, type RingData, type RingDevice } from './ring-data.js';

export interface RingNode extends RingDevice {
  /** Position among the replicas (primaries) or among the handoffs. */
  index: number;
  handoff: boolean;
}

export class RingNotFound extends Error {}

export class Ring {
  private data!: RingData;
  private stamp = '';
  private checkedAt = 0;
  private numRegions = 0;
  private numZones = 0;
  private numIps = 0;
  private numAssignedDevs = 0;

  constructor(
    readonly path: string,
    private readonly hash: HashConf,
    private readonly reloadMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.load();
  }

  private fileStamp(): string {
    const st = statSync(this.path, { throwIfNoEntry: false });
    if (!st) throw new RingNotFound(`no ring at ${this.path}`);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  }

  private load(): void {
    const stamp = this.fileStamp();
    this.setData(deserializeRing(readFileSync(this.path)));
    this.stamp = stamp;
  }

  private setData(data: RingData): void {
    this.data = data;
    const withParts = new Set<number>();
    for (const t of data.replica2part2dev) for (const id of t) withParts.add(id);
    const regions = new Set<string>();
    const zones = new Set<string>();
    const ips = new Set<string>();
    this.numAssignedDevs = 0;
    for (const d of data.devs) {
      if (!d || !withParts.has(d.id)) continue;
      regions.add(`${d.region}`);
      zones.add(`${d.region}/${d.zone}`);
      ips.add(`${d.region}/${d.zone}/${d.ip}`);
      this.numAssignedDevs++;
    }
    this.numRegions = regions.size;
    this.numZones = zones.size;
    this.numIps = ips.size;
  }

  /** Re-reads the file when it changed (at most every reloadMs). */
  private maybeReload(): void {
    const now = this.now();
    if (now - this.checkedAt < this.reloadMs) return;
    this.checkedAt = now;
    try {
      if (this.fileStamp() !== this.stamp) this.load();
    } catch {
      // a ring being rewritten or gone: keep serving the one in memory
    }
  }

  get partPower(): number {
    return 32 - this.data.partShift;
  }

  get replicaCount(): number {
    this.maybeReload();
    return this.data.replica2part2dev.length;
  }

  get partitionCount(): number {
    return this.data.replica2part2dev[0]?.length ?? 0;
  }

  get devs(): ReadonlyArray<RingDevice | null> {
    this.maybeReload();
    return this.data.devs;
  }

  getPart(account: string, container?: string, object?: string): number {
    this.maybeReload();
    const key = hashPathRaw(this.hash, account, container, object);
    // the digest's first 32 bits shifted right (>>> takes the shift modulo 32: a ring of one partition shifts all out)
    const shift = this.data.partShift;
    return shift >= 32 ? 0 : key.readUInt32BE(0) >>> shift;
  }

  /** The primary devices of a partition (distinct devices, replica order). */
  getPartNodes(part: number): RingNode[] {
    this.maybeReload();
    const seen = new Set<number>();
    const out: RingNode[] = [];
    for (const t of this.data.replica2part2dev) {
      if (part >= t.length) continue;
      const id = t[part]!;
      if (seen.has(id)) continue;
      seen.add(id);
      const dev = this.data.devs[id];
      if (dev) out.push({ ...dev, index: out.length, handoff: false });
    }
    return out;
  }

  getNodes(account: string, container?: string, object?: string): { part: number; nodes: RingNode[] } {
    const part = this.getPart(account, container, object);
    return { part, nodes: this.getPartNodes(part) };
  }

  /** Handoff devices of a partition, in upstream's order (unused regions, zones, hosts, then any device). */
  *getMoreNodes(part: number): Generator<RingNode> {
    this.maybeReload();
    const data = this.data;
    const primaries = this.getPartNodes(part);
    const used = new Set(primaries.map((d) => d.id));
    const sameRegions = new Set(primaries.map((d) => `${d.region}`));
    const sameZones = new Set(primaries.map((d) => `${d.region}/${d.zone}`));
    const sameIps = new Set(primaries.map((d) => `${d.region}/${d.zone}/${d.ip}`));
    const parts = this.partitionCount;
    const start = Number(BigInt(createHash('md5').update(String(part), 'ascii').digest().readUInt32BE(0)) >> BigInt(data.partShift));
    const inc = Math.floor(parts / 65536) || 1;
    const order = (): number[] => {
      const out: number[] = [];
      for (let p = start; p < parts; p += inc) out.push(p);
      for (let p = inc - ((parts - start) % inc); p < start; p += inc) out.push(p);
      return out;
    };
    let index = 0;
    const take = (dev: RingDevice): RingNode => {
      used.add(dev.id);
      sameRegions.add(`${dev.region}`);
      sameZones.add(`${dev.region}/${dev.zone}`);
      sameIps.add(`${dev.region}/${dev.zone}/${dev.ip}`);
      return { ...dev, index: index++, handoff: true };
    };
    const passes: Array<[key: (d: RingDevice) => string, seen: Set<string>, total: () => number]> = [
      [(d) => `${d.region}`, sameRegions, () => this.numRegions],
      [(d) => `${d.region}/${d.zone}`, sameZones, () => this.numZones],
      [(d) => `${d.region}/${d.zone}/${d.ip}`, sameIps, () => this.numIps],
      [(d) => `${d.id}`, new Set(), () => Number.POSITIVE_INFINITY],
    ];
    for (const [key, seen, total] of passes) {
      const devLevel = total() === Number.POSITIVE_INFINITY;
      const done = (): boolean => (devLevel ? used.size >= this.numAssignedDevs : seen.size >= total());
      if (done()) continue;
      outer: for (const handoffPart of order()) {
        for (const t of data.replica2part2dev) {
          if (handoffPart >= t.length) continue;
          const id = t[handoffPart]!;
          const dev = data.devs[id];
          if (!dev || used.has(id) || (!devLevel && seen.has(key(dev)))) continue;
          yield take(dev);
          if (done()) break outer;
        }
      }
    }
  }
}

