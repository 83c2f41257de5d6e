/**
 * ML2 type drivers (neutron/plugins/ml2/drivers/type_{local,flat,vlan,vxlan,geneve}.py):
 * validation of provider segments, reservation of explicit segmentation ids, allocation of
 * project segments from the configured ranges, and the MTU each type allows.
 */
import type { Kysely } from 'kysely';
import type { NeutronDB } from '../db/schema.js';
import { FlatNetworkInUse, InvalidInput, NoNetworkAvailable, TunnelIdInUse, VlanIdInUse } from '../errors.js';
import type { Segment, TypeDriver } from './driver-api.js';
import { type IdRange, SegmentPool } from './segment-pool.js';

export const MIN_VLAN_TAG = 1;
export const MAX_VLAN_TAG = 4094;
export const MAX_VNI = 2 ** 24 - 1;
/** IP header sizes, as neutron_lib.constants.IP_HEADER_LENGTH. */
const IP_HEADER = { 4: 20, 6: 40 } as const;
const VXLAN_ENCAP_OVERHEAD = 30;

function prohibited(segment: Segment, allowed: string[], what: string): void {
  for (const [key, value] of Object.entries(segment)) {
    if (key === 'id') continue;
    if (value !== null && value !== undefined && value !== '' && !allowed.includes(key)) {
      throw new InvalidInput(`${key} prohibited for ${what} provider network`);
    }
  }
}

export class LocalTypeDriver implements TypeDriver {
  readonly networkType = 'local';
  readonly canAllocateTenant = true;
  constructor(private readonly physnetMtu: number) {}

  validateProviderSegment(segment: Segment): void {
    for (const [key, value] of Object.entries(segment)) {
      if (key !== 'id' && key !== 'network_type' && value !== null && value !== undefined) {
        throw new InvalidInput(`${key} prohibited for local provider network`);
      }
    }
  }

  async reserveProviderSegment(_db: Kysely<NeutronDB>, segment: Segment): Promise<Segment> {
    return { ...segment, physical_network: null, segmentation_id: null };
  }

  async allocateTenantSegment(): Promise<Segment> {
    return { network_type: 'local', physical_network: null, segmentation_id: null };
  }

  async releaseSegment(): Promise<void> {}

  getMtu(): number {
    return this.physnetMtu;
  }
}

export class FlatTypeDriver implements TypeDriver {
  readonly networkType = 'flat';
  readonly canAllocateTenant = false;
  private readonly pool = new SegmentPool('flat');
  /** undefined: any physical network ('*'). */
  private readonly flatNetworks: string[] | undefined;

  constructor(flatNetworks: readonly string[], private readonly physnetMtu: number) {
    this.flatNetworks = flatNetworks.includes('*') ? undefined : [...flatNetworks];
  }

  validateProviderSegment(segment: Segment): void {
    if (!segment.physical_network) throw new InvalidInput('physical_network required for flat provider network');
    if (this.flatNetworks !== undefined && this.flatNetworks.length === 0) throw new InvalidInput('Flat provider networks are disabled');
    if (this.flatNetworks && !this.flatNetworks.includes(segment.physical_network)) {
      throw new InvalidInput(`physical_network '${segment.physical_network}' unknown for flat provider network`);
    }
    prohibited(segment, ['network_type', 'physical_network'], 'flat');
  }

  async reserveProviderSegment(db: Kysely<NeutronDB>, segment: Segment, networkId: string): Promise<Segment> {
    const physnet = segment.physical_network!;
    if (await this.pool.isAllocated(db, physnet, 0)) throw new FlatNetworkInUse(physnet);
    await this.pool.claim(db, physnet, 0, networkId);
    return { ...segment, segmentation_id: null };
  }

  async allocateTenantSegment(): Promise<undefined> {
    return undefined;
  }

  async releaseSegment(db: Kysely<NeutronDB>, segment: Segment): Promise<void> {
    if (segment.physical_network) await this.pool.release(db, segment.physical_network, 0);
  }

  getMtu(): number {
    return this.physnetMtu;
  }
}

/** `physnet` or `physnet:min:max` entries of network_vlan_ranges. */
export function parseVlanRanges(items: readonly string[]): Map<string, IdRange[]> {
  const out = new Map<string, IdRange[]>();
  for (const item of items) {
    const parts = item.trim().split(':');
    const physnet = parts[0]!.trim();
    if (physnet === '') throw new Error('Empty physical network name.');
    const ranges = out.get(physnet) ?? [];
    out.set(physnet, ranges);
    if (parts.length === 1) continue;
    if (parts.length !== 3) throw new Error(`Invalid network VLAN range: '${item}' - 'Need exactly two values for VLAN range'.`);
    const min = Number(parts[1]);
    const max = Number(parts[2]);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < MIN_VLAN_TAG || max > MAX_VLAN_TAG || min > max) {
      throw new Error(`Invalid network VLAN range: '${item}' - '${min} to ${max} is not a valid VLAN range'.`);
    }
    ranges.push({ min, max });
  }
  return out;
}

export class VlanTypeDriver implements TypeDriver {
  readonly networkType = 'vlan';
  readonly canAllocateTenant = true;
  private readonly pool = new SegmentPool('vlan');

  constructor(private readonly ranges: Map<string, IdRange[]>, private readonly physnetMtu: number) {}

  validateProviderSegment(segment: Segment): void {
    const { physical_network: physnet, segmentation_id: segId } = segment;
    if (physnet) {
      if (!this.ranges.has(physnet)) throw new InvalidInput(`physical_network '${physnet}' unknown for VLAN provider network`);
      if (segId !== null && segId !== undefined && (segId < MIN_VLAN_TAG || segId > MAX_VLAN_TAG)) {
        throw new InvalidInput(`segmentation_id out of range (${MIN_VLAN_TAG} through ${MAX_VLAN_TAG})`);
      }
    } else if (segId !== null && segId !== undefined) {
      throw new InvalidInput('segmentation_id requires physical_network for VLAN provider network');
    }
    prohibited(segment, ['network_type', 'physical_network', 'segmentation_id'], 'VLAN');
  }

  async reserveProviderSegment(db: Kysely<NeutronDB>, segment: Segment, networkId: string): Promise<Segment> {
    const { physical_network: physnet, segmentation_id: segId } = segment;
    if (physnet && segId !== null && segId !== undefined) {
      if (await this.pool.isAllocated(db, physnet, segId)) throw new VlanIdInUse(segId, physnet);
      await this.pool.claim(db, physnet, segId, networkId);
      return { ...segment };
    }
    // partial segment: allocate an id (on the given physical network, or any)
    const allocated = await this.allocateOn(db, physnet ? [physnet] : [...this.ranges.keys()], networkId);
    if (!allocated) throw new NoNetworkAvailable();
    return allocated;
  }

  async allocateTenantSegment(db: Kysely<NeutronDB>, networkId: string): Promise<Segment | undefined> {
    return this.allocateOn(db, [...this.ranges.keys()], networkId);
  }

  private async allocateOn(db: Kysely<NeutronDB>, physnets: string[], networkId: string): Promise<Segment | undefined> {
    for (const physnet of physnets) {
      const id = await this.pool.pickFree(db, physnet, this.ranges.get(physnet) ?? []);
      if (id === undefined) continue;
      await this.pool.claim(db, physnet, id, networkId);
      return { network_type: 'vlan', physical_network: physnet, segmentation_id: id };
    }
    return undefined;
  }

  async releaseSegment(db: Kysely<NeutronDB>, segment: Segment): Promise<void> {
    if (segment.physical_network && segment.segmentation_id !== null) {
      await this.pool.release(db, segment.physical_network, segment.segmentation_id);
    }
  }

  getMtu(): number {
    return this.physnetMtu;
  }
}

/** VXLAN and Geneve: VNIs from ranges, no physical network, encapsulation overhead on the MTU. */
export class TunnelTypeDriver implements TypeDriver {
  readonly canAllocateTenant = true;
  private readonly pool: SegmentPool;

  constructor(
    readonly networkType: 'vxlan' | 'geneve',
    private readonly ranges: IdRange[],
    private readonly pathMtu: number,
    private readonly overhead: number,
  ) {
    this.pool = new SegmentPool(networkType);
  }

  static vxlan(ranges: IdRange[], pathMtu: number, ipVersion: 4 | 6): TunnelTypeDriver {
    return new TunnelTypeDriver('vxlan', ranges, pathMtu, VXLAN_ENCAP_OVERHEAD + IP_HEADER[ipVersion]);
  }

  static geneve(ranges: IdRange[], pathMtu: number, maxHeaderSize: number, ipVersion: 4 | 6): TunnelTypeDriver {
    return new TunnelTypeDriver('geneve', ranges, pathMtu, maxHeaderSize + IP_HEADER[ipVersion]);
  }

  validateProviderSegment(segment: Segment): void {
    if (segment.physical_network) throw new InvalidInput(`provider:physical_network specified for ${segment.network_type} network`);
    const segId = segment.segmentation_id;
    if (segId !== null && segId !== undefined && (segId < 1 || segId > MAX_VNI)) {
      throw new InvalidInput(`segmentation_id out of range (1 through ${MAX_VNI})`);
    }
    prohibited(segment, ['network_type', 'segmentation_id'], segment.network_type);
  }

  async reserveProviderSegment(db: Kysely<NeutronDB>, segment: Segment, networkId: string): Promise<Segment> {
    const segId = segment.segmentation_id;
    if (segId === null || segId === undefined) {
      const allocated = await this.allocateTenantSegment(db, networkId);
      if (!allocated) throw new NoNetworkAvailable();
      return allocated;
    }
    if (await this.pool.isAllocated(db, '', segId)) throw new TunnelIdInUse(segId);
    await this.pool.claim(db, '', segId, networkId);
    return { network_type: this.networkType, physical_network: null, segmentation_id: segId };
  }

  async allocateTenantSegment(db: Kysely<NeutronDB>, networkId: string): Promise<Segment | undefined> {
    const id = await this.pool.pickFree(db, '', this.ranges);
    if (id === undefined) return undefined;
    await this.pool.claim(db, '', id, networkId);
    return { network_type: this.networkType, physical_network: null, segmentation_id: id };
  }

  async releaseSegment(db: Kysely<NeutronDB>, segment: Segment): Promise<void> {
    if (segment.segmentation_id !== null) await this.pool.release(db, '', segment.segmentation_id);
  }

  getMtu(): number {
    return this.pathMtu - this.overhead;
  }
}
