/**
 * The all-in-one layout (Swift's SAIO): on first start, each storage server puts the devices of
 * [swift] all_in_one_devices (one zone each, equal weights) in its ring and rebalances; on every
 * start it moves those devices to the address it listens on (swift-ring-builder set_info: no
 * partition moves), so `bind_port = 0` works. Also the hash path salt, generated once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingBuilder } from './builder.js';
import { loadBuilder, ringPathOf, saveBuilder, writeRing } from './files.js';
import type { HashConf } from './hash.js';
import { Ring, RingNotFound } from './ring.js';

export type RingKind = 'account' | 'container' | 'object';
/** A ring's file name: a server kind's, or an object ring of a storage policy above 0 ('object-1'). */
export type RingName = RingKind | `object-${number}`;

export interface AllInOneLayout {
  swiftDir: string;
  devicesRoot: string;
  devices: readonly string[];
  partPower: number;
  replicas: number;
  minPartHours: number;
}

/** The configured salt, or the one generated on first start in <swift_dir>/hash.conf (mode 0600). */
export function hashConf(prefix: string, suffix: string, swiftDir: string): HashConf {
  if (prefix !== '' || suffix !== '') return { prefix, suffix };
  const file = join(swiftDir, 'hash.conf');
  if (!existsSync(file)) {
    mkdirSync(swiftDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, JSON.stringify({ swift_hash_path_prefix: randomBytes(16).toString('hex'), swift_hash_path_suffix: randomBytes(16).toString('hex') }), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { swift_hash_path_prefix: string; swift_hash_path_suffix: string };
  return { prefix: saved.swift_hash_path_prefix, suffix: saved.swift_hash_path_suffix };
}

export const builderFile = (swiftDir: string, kind: RingName): string => join(swiftDir, `${kind}.builder`);

/** Builds the ring of `kind` when missing (with `replicas`, default the layout's), then points its all-in-one devices at ip:port. */
export function ensureAllInOneRing(layout: AllInOneLayout, kind: RingName, ip: string, port: number, replicas = layout.replicas): void {
  if (layout.devices.length === 0) return;
  const path = builderFile(layout.swiftDir, kind);
  for (const d of layout.devices) mkdirSync(join(layout.devicesRoot, d), { recursive: true });
  if (!existsSync(path)) {
    const b = RingBuilder.create(layout.partPower, Math.min(replicas, layout.devices.length), layout.minPartHours);
    layout.devices.forEach((device, i) => b.addDevice({ region: 1, zone: i + 1, ip, port, device, weight: 100 }));
    b.rebalance();
    saveBuilder(path, b);
    writeRing(path, b);
    return;
  }
  const b = loadBuilder(path);
  let changed = false;
  for (const d of b.devices()) {
    if (layout.devices.includes(d.device) && (d.ip !== ip || d.port !== port)) {
      b.setInfo(d.id, { ip, port, replication_ip: ip, replication_port: port });
      changed = true;
    }
  }
  if (changed) saveBuilder(path, b);
  if (changed || !existsSync(ringPathOf(path))) writeRing(path, b);
}

/** The rings a process reads, each loaded on first use (a ring not built yet is a RingNotFound until it is). */
export class Rings {
  private readonly loaded = new Map<RingName, Ring>();

  constructor(private readonly swiftDir: string, private readonly hash: HashConf, private readonly reloadMs: number) {}

  get(kind: RingName): Ring {
    let ring = this.loaded.get(kind);
    if (!ring) {
      const path = ringPathOf(builderFile(this.swiftDir, kind));
      if (!existsSync(path)) throw new RingNotFound(`no ${kind} ring at ${path}`);
      ring = new Ring(path, this.hash, this.reloadMs);
      this.loaded.set(kind, ring);
    }
    return ring;
  }
}
