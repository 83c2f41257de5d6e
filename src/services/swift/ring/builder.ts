/**
 * The ring builder (swift/common/ring/builder.py's job, our own algorithm): partitions
 * (2^part_power), replicas and min_part_hours; devices added, removed and reweighted; and a
 * rebalance that
 *  - gives each device a share of the part-replicas proportional to its weight,
 *  - spreads the replicas of a partition over regions, then zones, then hosts (ip), then
 *    devices as uniquely as the cluster allows (a tier never holds more than its fair share,
 *    ceil(replicas / tiers of that level), when more tiers are available),
 *  - moves as few partitions as it can: only replicas on removed devices, replicas that
 *    break the dispersion rule and the excess of overfull devices are reassigned, and a
 *    partition moved less than min_part_hours ago is left alone (removed devices aside).
 * Saved as JSON (Swift pickles its builder; we do not read pickles), the ring itself in
 * Swift's own .ring.gz format (ring-data.ts).
 */
import { randomInt } from 'node:crypto';
import type { RingData, RingDevice } from './ring-data.js';

export interface BuilderDevice extends RingDevice {
  /** Part-replicas assigned after the last rebalance. */
  parts: number;
}

export interface BuilderState {
  part_power: number;
  replicas: number;
  min_part_hours: number;
  /** Slot per device id; removed devices leave null. */
  devs: Array<BuilderDevice | null>;
  /** Device ids marked for removal at the next rebalance. */
  remove_dev_ids: number[];
  /** partition → device id, per replica (null before the first rebalance). */
  replica2part2dev: number[][] | null;
  /** When each partition last moved (ms since the epoch; 0 = never). */
  last_part_moves: number[];
  version: number;
  /** Changed since the last rebalance. */
  dirty: boolean;
}

export class RingBuilderError extends Error {}

export interface NewDevice {
  id?: number;
  region: number;
  zone: number;
  ip: string;
  port: number;
  replication_ip?: string;
  replication_port?: number;
  device: string;
  weight: number;
  meta?: string;
}

export interface RebalanceResult {
  /** Partitions with at least one replica reassigned. */
  partsMoved: number;
  /** Part-replicas reassigned. */
  replicasMoved: number;
  /** Largest deviation of a device from its weighted share, in percent. */
  balance: number;
}

const UNASSIGNED = -1;

/** Device search values as swift-ring-builder parses them: d<id>r<region>z<zone>-<ip>:<port>/<device>_<meta>. */
export interface DeviceSearch {
  id?: number;
  region?: number;
  zone?: number;
  ip?: string;
  port?: number;
  device?: string;
  meta?: string;
}

export function parseSearch(value: string): DeviceSearch {
  const m = /^(?:d(\d+))?(?:r(\d+))?(?:z(\d+))?(?:-([^:/_]+|\[[^\]]+\]))?(?::(\d+))?(?:\/([^_]+))?(?:_(.*))?$/.exec(value);
  if (!m || value === '') throw new RingBuilderError(`invalid search value "${value}"`);
  const out: DeviceSearch = {};
  if (m[1] !== undefined) out.id = Number(m[1]);
  if (m[2] !== undefined) out.region = Number(m[2]);
  if (m[3] !== undefined) out.zone = Number(m[3]);
  if (m[4] !== undefined) out.ip = m[4].replace(/^\[|\]$/g, '');
  if (m[5] !== undefined) out.port = Number(m[5]);
  if (m[6] !== undefined) out.device = m[6];
  if (m[7] !== undefined) out.meta = m[7];
  if (Object.keys(out).length === 0) throw new RingBuilderError(`invalid search value "${value}"`);
  return out;
}

/** `[r<region>]z<zone>-<ip>:<port>[R<repl_ip>:<repl_port>]/<device>[_<meta>]`, as swift-ring-builder add takes it. */
export function parseAddValue(value: string, weight: number): NewDevice {
  const m = /^(?:r(\d+))?z(\d+)-([^:/\[]+|\[[^\]]+\]):(\d+)(?:R([^:/\[]+|\[[^\]]+\]):(\d+))?\/([^_]+)(?:_(.*))?$/.exec(value);
  if (!m) throw new RingBuilderError(`invalid device "${value}": expected [r<region>]z<zone>-<ip>:<port>[R<ip>:<port>]/<device>[_<meta>]`);
  const ip = m[3]!.replace(/^\[|\]$/g, '');
  return {
    region: m[1] !== undefined ? Number(m[1]) : 1,
    zone: Number(m[2]),
    ip,
    port: Number(m[4]),
    replication_ip: m[5] !== undefined ? m[5].replace(/^\[|\]$/g, '') : ip,
    replication_port: m[6] !== undefined ? Number(m[6]) : Number(m[4]),
    device: m[7]!,
    weight,
    meta: m[8] ?? '',
  };
}

export class RingBuilder {
  readonly state: BuilderState;
  /** Injected clock and randomness (tests). */
  private readonly now: () => number;
  private readonly random: (n: number) => number;

  constructor(state: BuilderState, opts: { now?: () => number; random?: (n: number) => number } = {}) {
    this.state = state;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? ((n) => randomInt(n));
  }

  static create(partPower: number, replicas: number, minPartHours: number, opts: { now?: () => number; random?: (n: number) => number } = {}): RingBuilder {
    if (!Number.isInteger(partPower) || partPower < 0 || partPower > 32) throw new RingBuilderError('part_power must be an integer from 0 to 32');
    if (!Number.isInteger(replicas) || replicas < 1) throw new RingBuilderError('replicas must be a whole number of at least 1 (fractional replica counts are not supported)');
    if (!Number.isInteger(minPartHours) || minPartHours < 0) throw new RingBuilderError('min_part_hours must be a whole number of hours');
    return new RingBuilder({
      part_power: partPower, replicas, min_part_hours: minPartHours, devs: [], remove_dev_ids: [],
      replica2part2dev: null, last_part_moves: [], version: 0, dirty: false,
    }, opts);
  }

  static fromJSON(text: string, opts: { now?: () => number; random?: (n: number) => number } = {}): RingBuilder {
    const state = JSON.parse(text) as BuilderState;
    if (typeof state.part_power !== 'number' || !Array.isArray(state.devs)) throw new RingBuilderError('not a builder file');
    return new RingBuilder(state, opts);
  }

  toJSON(): string {
    return JSON.stringify(this.state);
  }

  get parts(): number {
    return 2 ** this.state.part_power;
  }

  /** Live devices (not removed). */
  devices(): BuilderDevice[] {
    return this.state.devs.filter((d): d is BuilderDevice => d !== null);
  }

  addDevice(dev: NewDevice): number {
    for (const [k, v] of [['region', dev.region], ['zone', dev.zone], ['port', dev.port]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RingBuilderError(`${k} must be a non-negative integer`);
    }
    if (!(dev.weight >= 0) || !Number.isFinite(dev.weight)) throw new RingBuilderError('weight must be a non-negative number');
    if (!dev.device || !dev.ip) throw new RingBuilderError('a device needs an ip and a device name');
    if (this.devices().some((d) => d.ip === dev.ip && d.port === dev.port && d.device === dev.device)) {
      throw new RingBuilderError(`device ${dev.ip}:${dev.port}/${dev.device} already exists`);
    }
    let id = dev.id;
    if (id === undefined) {
      id = this.state.devs.findIndex((d, i) => d === null && !this.state.remove_dev_ids.includes(i) && !this.referenced(i));
      if (id < 0) id = this.state.devs.length;
    } else if (this.state.devs[id] || this.referenced(id)) {
      throw new RingBuilderError(`duplicate device id ${id}`);
    }
    if (id > 0xfffe) throw new RingBuilderError('too many devices (ids are 16-bit)');
    while (this.state.devs.length <= id) this.state.devs.push(null);
    this.state.devs[id] = {
      id, region: dev.region, zone: dev.zone, ip: dev.ip, port: dev.port,
      replication_ip: dev.replication_ip ?? dev.ip, replication_port: dev.replication_port ?? dev.port,
      device: dev.device, weight: dev.weight, meta: dev.meta ?? '', parts: 0,
    };
    this.state.dirty = true;
    return id;
  }

  private referenced(id: number): boolean {
    return this.state.replica2part2dev?.some((t) => t.includes(id)) ?? false;
  }

  search(search: DeviceSearch): BuilderDevice[] {
    return this.devices().filter((d) =>
      (search.id === undefined || d.id === search.id) && (search.region === undefined || d.region === search.region) &&
      (search.zone === undefined || d.zone === search.zone) && (search.ip === undefined || d.ip === search.ip) &&
      (search.port === undefined || d.port === search.port) && (search.device === undefined || d.device === search.device) &&
      (search.meta === undefined || d.meta === search.meta));
  }

  /** Marks a device for removal: its partitions move away at the next rebalance. */
  removeDevice(id: number): void {
    const dev = this.state.devs[id];
    if (!dev) throw new RingBuilderError(`no device ${id}`);
    if (!this.state.remove_dev_ids.includes(id)) this.state.remove_dev_ids.push(id);
    dev.weight = 0;
    this.state.dirty = true;
  }

  setWeight(id: number, weight: number): void {
    const dev = this.state.devs[id];
    if (!dev) throw new RingBuilderError(`no device ${id}`);
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new RingBuilderError('weight must be a non-negative number');
    if (this.state.remove_dev_ids.includes(id)) throw new RingBuilderError(`device ${id} is being removed`);
    dev.weight = weight;
    this.state.dirty = true;
  }

  /** swift-ring-builder set_info: a device's address changes without moving any partition. */
  setInfo(id: number, info: { ip?: string; port?: number; replication_ip?: string; replication_port?: number; device?: string; meta?: string }): void {
    const dev = this.state.devs[id];
    if (!dev) throw new RingBuilderError(`no device ${id}`);
    Object.assign(dev, info);
    this.state.version++;
  }

  pretendMinPartHoursPassed(): void {
    this.state.last_part_moves = this.state.last_part_moves.map(() => 0);
  }

  /** Each live device's wanted share of the part-replicas (a device holds at most one replica of a partition). */
  private wanted(devs: BuilderDevice[]): Map<number, number> {
    const total = this.parts * this.state.replicas;
    const out = new Map<number, number>();
    let open = devs.filter((d) => d.weight > 0);
    let left = total;
    // Water-filling: a device whose share exceeds one replica of every partition is capped, the rest shared again.
    for (;;) {
      const weight = open.reduce((s, d) => s + d.weight, 0);
      const capped = open.filter((d) => (left * d.weight) / weight > this.parts);
      if (capped.length === 0) {
        for (const d of open) out.set(d.id, weight > 0 ? (left * d.weight) / weight : 0);
        break;
      }
      for (const d of capped) {
        out.set(d.id, this.parts);
        left -= this.parts;
      }
      open = open.filter((d) => !capped.includes(d));
    }
    for (const d of devs) if (!out.has(d.id)) out.set(d.id, 0);
    return out;
  }

  rebalance(): RebalanceResult {
    const s = this.state;
    const removed = new Set(s.remove_dev_ids);
    const live = this.devices().filter((d) => !removed.has(d.id));
    const weighted = live.filter((d) => d.weight > 0);
    if (weighted.length < s.replicas) {
      throw new RingBuilderError(`replica count of ${s.replicas} requires at least ${s.replicas} devices with weight; there are ${weighted.length}`);
    }
    const parts = this.parts;
    const now = this.now();
    const minAge = s.min_part_hours * 3600_000;
    if (!s.replica2part2dev) {
      s.replica2part2dev = Array.from({ length: s.replicas }, () => new Array<number>(parts).fill(UNASSIGNED));
      s.last_part_moves = new Array<number>(parts).fill(0);
    }
    const table = s.replica2part2dev;
    const before = table.map((t) => [...t]);
    const wanted = this.wanted(live);
    const count = new Map<number, number>(live.map((d) => [d.id, 0]));
    for (const t of table) for (const id of t) if (id !== UNASSIGNED && count.has(id)) count.set(id, count.get(id)! + 1);
    const dev = (id: number): BuilderDevice => s.devs[id]!;
    const movable = (part: number): boolean => (s.last_part_moves[part] ?? 0) === 0 || now - s.last_part_moves[part]! >= minAge;

    // Tiers of the cluster, for the dispersion rule: how many distinct tiers each level offers.
    const tierKeys = (d: BuilderDevice): [string, string, string, string] => {
      const r = `${d.region}`;
      const z = `${r}/${d.zone}`;
      const h = `${z}/${d.ip}`;
      return [r, z, h, `${h}/${d.id}`];
    };
    const tiersPerLevel = [0, 1, 2, 3].map((lvl) => new Set(weighted.map((d) => tierKeys(d)[lvl])).size);
    const maxPerTier = tiersPerLevel.map((n) => Math.ceil(s.replicas / n));

    const gathered: Array<[part: number, replica: number]> = [];
    const moved = new Set<number>();
    const gatheredParts = new Set<number>();
    /** Partitions with no replica placed yet (first rebalance, or every replica on removed devices). */
    const fresh = new Set<number>();
    for (let part = 0; part < parts; part++) {
      if (table.every((t) => t[part] === UNASSIGNED || removed.has(t[part]!) || !s.devs[t[part]!])) fresh.add(part);
    }
    const movableAtStart = new Uint8Array(parts);
    for (let part = 0; part < parts; part++) movableAtStart[part] = movable(part) ? 1 : 0;
    const unassign = (part: number, r: number): void => {
      const id = table[r]![part]!;
      if (id !== UNASSIGNED && count.has(id)) count.set(id, count.get(id)! - 1);
      table[r]![part] = UNASSIGNED;
      gathered.push([part, r]);
      gatheredParts.add(part);
    };

    for (let part = 0; part < parts; part++) {
      // 1. replicas missing or on removed devices (regardless of min_part_hours)
      for (let r = 0; r < s.replicas; r++) {
        const id = table[r]![part]!;
        if (id === UNASSIGNED || removed.has(id) || !s.devs[id]) unassign(part, r);
      }
      if (!movable(part)) continue;
      // 2. dispersion: a tier holding more than its share of this partition gives replicas back
      for (let lvl = 0; lvl < 4; lvl++) {
        const seen = new Map<string, number>();
        for (let r = 0; r < s.replicas; r++) {
          const id = table[r]![part]!;
          if (id === UNASSIGNED) continue;
          const key = tierKeys(dev(id))[lvl]!;
          const n = (seen.get(key) ?? 0) + 1;
          seen.set(key, n);
          if (n > maxPerTier[lvl]!) unassign(part, r);
        }
      }
    }
    // 3. devices holding more than their share (rounded up) give back partitions, picked at random
    for (const d of live) {
      let excess = count.get(d.id)! - Math.ceil(wanted.get(d.id)!);
      if (excess <= 0) continue;
      const candidates: Array<[number, number]> = [];
      for (let r = 0; r < s.replicas; r++) {
        const t = table[r]!;
        for (let part = 0; part < parts; part++) if (t[part] === d.id && movable(part) && !gatheredParts.has(part)) candidates.push([part, r]);
      }
      while (excess > 0 && candidates.length > 0) {
        const i = this.random(candidates.length);
        const [part, r] = candidates[i]!;
        candidates[i] = candidates[candidates.length - 1]!;
        candidates.pop();
        if (gatheredParts.has(part)) continue; // one replica of a partition moves per rebalance
        unassign(part, r);
        excess--;
      }
    }

    // Place every gathered replica: the most unique tier first, then the device that wants parts most.
    for (let i = gathered.length - 1; i > 0; i--) {
      const j = this.random(i + 1);
      [gathered[i], gathered[j]] = [gathered[j]!, gathered[i]!];
    }
    const othersOf = (part: number, r: number): string[][] =>
      table.map((t) => t[part]!).filter((id, k) => k !== r && id !== UNASSIGNED).map((id) => tierKeys(dev(id)));
    const conflicts = (others: string[][], d: BuilderDevice): number[] => {
      const keys = tierKeys(d);
      return [0, 1, 2, 3].map((lvl) => others.filter((o) => o[lvl] === keys[lvl]).length);
    };
    for (const [part, r] of gathered) {
      const others = othersOf(part, r);
      let best: BuilderDevice | undefined;
      let bestScore: number[] = [];
      for (const d of weighted) {
        const score = conflicts(others, d);
        if (score[3]! > 0) continue;
        score.push(-(wanted.get(d.id)! - count.get(d.id)!) / Math.max(wanted.get(d.id)!, 1e-9));
        if (!best || lexLess(score, bestScore)) {
          best = d;
          bestScore = score;
        }
      }
      if (!best) throw new RingBuilderError('no device can take a replica (too few devices)');
      table[r]![part] = best.id;
      count.set(best.id, count.get(best.id)! + 1);
      s.last_part_moves[part] = now;
      moved.add(part);
    }

    // Repair: a device still short of its share takes replicas from overfull ones, where that
    // keeps the partition as dispersed (partitions moved within min_part_hours stay, as do
    // partitions that already moved a replica in this rebalance, unless they were placed afresh).
    const repairable = (part: number): boolean => movableAtStart[part] === 1 && (fresh.has(part) || !moved.has(part));
    // First to bring every device up to floor(share) from those above their share, then up to
    // ceil(share) from those above ceil(share).
    for (const pass of [0, 1]) {
      for (const d of weighted) {
        const w = wanted.get(d.id)!;
        let short = (pass === 0 ? Math.floor(w) : Math.ceil(w)) - count.get(d.id)!;
        for (let part = 0; part < parts && short > 0; part++) {
          if (!repairable(part) || table.some((t) => t[part] === d.id)) continue;
          for (let r = 0; r < s.replicas; r++) {
            const from = table[r]![part]!;
            if (from === UNASSIGNED) continue;
            const wf = wanted.get(from)!;
            if (count.get(from)! <= (pass === 0 ? wf : Math.ceil(wf))) continue;
            const others = othersOf(part, r);
            if (lexLess(conflicts(others, dev(from)).slice(0, 3), conflicts(others, d).slice(0, 3))) continue;
            table[r]![part] = d.id;
            count.set(from, count.get(from)! - 1);
            count.set(d.id, count.get(d.id)! + 1);
            s.last_part_moves[part] = now;
            moved.add(part);
            short--;
            break;
          }
        }
      }
    }

    for (const id of removed) s.devs[id] = null;
    s.remove_dev_ids = [];
    for (const d of this.devices()) d.parts = count.get(d.id) ?? 0;
    s.version++;
    s.dirty = false;
    return { partsMoved: moved.size, replicasMoved: this.replicasMovedSince(before), balance: this.balance() };
  }

  private replicasMovedSince(before: number[][]): number {
    let n = 0;
    this.state.replica2part2dev!.forEach((t, r) => t.forEach((id, p) => { if (before[r]![p] !== id) n++; }));
    return n;
  }

  /** The largest deviation of a weighted device from its share, in percent (swift's balance). */
  balance(): number {
    const live = this.devices();
    const wanted = this.wanted(live);
    let worst = 0;
    for (const d of live) {
      const w = wanted.get(d.id)!;
      if (w <= 0) continue;
      worst = Math.max(worst, Math.abs((100 * d.parts) / w - 100));
    }
    return worst;
  }

  /** The ring the servers and the proxy read. */
  ringData(): RingData {
    const s = this.state;
    if (!s.replica2part2dev) throw new RingBuilderError('the builder has never been rebalanced');
    const devs = s.devs.map((d) => (d ? ringDevice(d) : null));
    return { devs, partShift: 32 - s.part_power, replica2part2dev: s.replica2part2dev.map((t) => Uint16Array.from(t)), version: s.version };
  }
}

function ringDevice(d: BuilderDevice): RingDevice {
  return {
    id: d.id, region: d.region, zone: d.zone, ip: d.ip, port: d.port, replication_ip: d.replication_ip,
    replication_port: d.replication_port, device: d.device, weight: d.weight, meta: d.meta,
  };
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]! - 1e-12) return true;
    if (a[i]! > b[i]! + 1e-12) return false;
  }
  return false;
}
