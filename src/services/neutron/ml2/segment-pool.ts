/**
 * Segmentation-id bookkeeping shared by the VLAN, VXLAN and Geneve type drivers (neutron's
 * SegmentTypeDriver): one row per id in use, keyed (network_type, physical_network,
 * segmentation_id), so two networks can never hold the same id. Project allocations pick a
 * free id in the configured ranges; a concurrent request that picked the same id fails on the
 * primary key and the whole transaction is retried by the caller (isUniqueViolation).
 */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NeutronDB } from '../db/schema.js';

export interface IdRange {
  min: number;
  max: number;
}

/** How many of the lowest free ids a project allocation chooses among (fewer collisions). */
const WINDOW = 16;

export class SegmentPool {
  constructor(readonly networkType: string) {}

  async isAllocated(db: Kysely<NeutronDB>, physnet: string, id: number): Promise<boolean> {
    const row = await db.selectFrom('segment_allocations').select('segmentation_id')
      .where('network_type', '=', this.networkType).where('physical_network', '=', physnet).where('segmentation_id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Records `id` as used by `networkId` (a unique violation means someone else has it). */
  async claim(db: Kysely<NeutronDB>, physnet: string, id: number, networkId: string): Promise<void> {
    await db.insertInto('segment_allocations')
      .values({ network_type: this.networkType, physical_network: physnet, segmentation_id: id, network_id: networkId })
      .execute();
  }

  async release(db: Kysely<NeutronDB>, physnet: string, id: number): Promise<void> {
    await db.deleteFrom('segment_allocations')
      .where('network_type', '=', this.networkType).where('physical_network', '=', physnet).where('segmentation_id', '=', id)
      .execute();
  }

  /** A free id within `ranges`, or undefined when they are all taken. Does not claim it. */
  async pickFree(db: Kysely<NeutronDB>, physnet: string, ranges: readonly IdRange[]): Promise<number | undefined> {
    if (ranges.length === 0) return undefined;
    const lo = Math.min(...ranges.map((r) => r.min));
    const hi = Math.max(...ranges.map((r) => r.max));
    const used = new Set((await db.selectFrom('segment_allocations').select('segmentation_id')
      .where('network_type', '=', this.networkType).where('physical_network', '=', physnet)
      .where('segmentation_id', '>=', lo).where('segmentation_id', '<=', hi)
      .execute()).map((r) => Number(r.segmentation_id)));
    const candidates: number[] = [];
    for (const r of [...ranges].sort((a, b) => a.min - b.min)) {
      for (let id = r.min; id <= r.max && candidates.length < WINDOW; id++) {
        if (!used.has(id)) candidates.push(id);
      }
      if (candidates.length >= WINDOW) break;
    }
    if (candidates.length === 0) return undefined;
    return candidates[randomInt(candidates.length)];
  }
}

/** Parses `min:max` ranges (vni_ranges), as neutron's parse_tunnel_ranges. */
export function parseIdRanges(items: readonly string[], limits: IdRange, what: string): IdRange[] {
  return items.map((item) => {
    const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(item);
    if (!m) throw new Error(`Invalid ${what} range: '${item}' - Need exactly two values for ${what} range`);
    let min = Number(m[1]);
    let max = Number(m[2]);
    if (min > max) [min, max] = [max, min];
    if (min < limits.min || max > limits.max) {
      throw new Error(`Invalid ${what} range: '${item}' - ${what} ids must be within ${limits.min} and ${limits.max}`);
    }
    return { min, max };
  });
}
