/**
 * The ML2 TypeManager (neutron/plugins/ml2/managers.py): the type drivers named in
 * `[ml2] type_drivers`, the provider / multi-provider request processing, project segment
 * allocation in `tenant_network_types` order, segment storage and the network MTU.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../../common/config/index.js';
import { OperatorError } from '../../../common/errors.js';
import { isSet, NOT_SPECIFIED } from '../common/attributes.js';
import { ml2FlatGroup, ml2GeneveGroup, ml2Group, ml2VlanGroup, ml2VxlanGroup, neutronDefaultGroup } from '../config.js';
import type { NeutronDB, SegmentRow } from '../db/schema.js';
import { InvalidInput, NoNetworkAvailable, SegmentsContainDuplicateEntry, SegmentsSetInConjunctionWithProviders } from '../errors.js';
import type { ProviderAttributes, ProviderRequest, ProviderSegment, SegmentRequest } from '../types/network.js';
import type { Segment, TypeDriver } from './driver-api.js';
import { parseIdRanges } from './segment-pool.js';
import { FlatTypeDriver, LocalTypeDriver, MAX_VNI, parseVlanRanges, TunnelTypeDriver, VlanTypeDriver } from './type-drivers.js';

export const PROVIDER_ATTRS = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id'] as const;

type TypeDriverFactory = (config: Config) => TypeDriver;

/** The type drivers Nubo ships, by `[ml2] type_drivers` name. */
export const TYPE_DRIVERS: Readonly<Record<string, TypeDriverFactory>> = {
  local: (c) => new LocalTypeDriver(c.get(neutronDefaultGroup).global_physnet_mtu),
  flat: (c) => new FlatTypeDriver(c.get(ml2FlatGroup).flat_networks, c.get(neutronDefaultGroup).global_physnet_mtu),
  vlan: (c) => new VlanTypeDriver(parseVlanRanges(c.get(ml2VlanGroup).network_vlan_ranges), c.get(neutronDefaultGroup).global_physnet_mtu),
  vxlan: (c) => TunnelTypeDriver.vxlan(parseIdRanges(c.get(ml2VxlanGroup).vni_ranges, { min: 1, max: MAX_VNI }, 'VXLAN VNI'), pathMtu(c), ipVersion(c)),
  geneve: (c) => TunnelTypeDriver.geneve(parseIdRanges(c.get(ml2GeneveGroup).vni_ranges, { min: 1, max: MAX_VNI }, 'Geneve VNI'), pathMtu(c), c.get(ml2GeneveGroup).max_header_size, ipVersion(c)),
};

function pathMtu(c: Config): number {
  return c.get(ml2Group).path_mtu || c.get(neutronDefaultGroup).global_physnet_mtu;
}

function ipVersion(c: Config): 4 | 6 {
  return c.get(ml2Group).overlay_ip_version === '6' ? 6 : 4;
}

function attr(v: unknown): unknown {
  return v === NOT_SPECIFIED || v === undefined ? null : v;
}

export class TypeManager {
  readonly drivers = new Map<string, TypeDriver>();
  readonly tenantTypes: string[];

  constructor(drivers: TypeDriver[], tenantTypes: readonly string[], private readonly defaultMtu: number) {
    for (const d of drivers) if (!this.drivers.has(d.networkType)) this.drivers.set(d.networkType, d);
    for (const t of tenantTypes) {
      if (!this.drivers.has(t)) throw new OperatorError(`[ml2] tenant_network_types names "${t}" but no type driver for it is loaded ([ml2] type_drivers = ${[...this.drivers.keys()].join(',')})`);
    }
    this.tenantTypes = [...tenantTypes];
  }

  static fromConfig(config: Config): TypeManager {
    const ml2 = config.get(ml2Group);
    const drivers = ml2.type_drivers.map((name) => {
      const factory = TYPE_DRIVERS[name];
      if (!factory) throw new OperatorError(`unknown ML2 type driver "${name}" in [ml2] type_drivers (known: ${Object.keys(TYPE_DRIVERS).join(', ')})`);
      try {
        return factory(config);
      } catch (err) {
        throw new OperatorError(`[ml2] type driver ${name}: ${(err as Error).message}`);
      }
    });
    return new TypeManager(drivers, ml2.tenant_network_types, config.get(neutronDefaultGroup).global_physnet_mtu);
  }

  /** Provider segments requested by a network body, validated; undefined when none. */
  processProviderCreate(net: ProviderRequest): Segment[] | undefined {
    const hasProvider = PROVIDER_ATTRS.some((a) => isSet(net[a]));
    if (hasProvider) {
      if (isSet(net.segments)) throw new SegmentsSetInConjunctionWithProviders();
      return [this.processSegment(net)];
    }
    if (isSet(net.segments)) {
      const segments = net.segments.map((s) => this.processSegment(s));
      const keys = segments.map((s) => `${s.network_type}|${s.physical_network}|${s.segmentation_id}`);
      const full = segments.filter((s) => !this.isPartial(s));
      if (new Set(keys).size !== keys.length && full.length > 0) throw new SegmentsContainDuplicateEntry();
      return segments;
    }
    return undefined;
  }

  private processSegment(s: SegmentRequest): Segment {
    const type = attr(s['provider:network_type']);
    if (type === null || type === '') throw new InvalidInput('network_type required');
    const physnet = attr(s['provider:physical_network']);
    const segId = attr(s['provider:segmentation_id']);
    const segment: Segment = {
      network_type: String(type),
      physical_network: physnet ? String(physnet) : null,
      segmentation_id: segId === null ? null : Number(segId),
    };
    if (segment.segmentation_id !== null && !Number.isInteger(segment.segmentation_id)) {
      throw new InvalidInput(`'${String(segId)}' is not an integer`);
    }
    const driver = this.drivers.get(segment.network_type);
    if (!driver) throw new InvalidInput(`network_type value '${segment.network_type}' not supported`);
    driver.validateProviderSegment(segment);
    return segment;
  }

  private isPartial(s: Segment): boolean {
    if (s.network_type === 'vlan') return !s.physical_network || s.segmentation_id === null;
    if (s.network_type === 'vxlan' || s.network_type === 'geneve') return s.segmentation_id === null;
    return false;
  }

  /** Reserves the requested segments, or allocates one project segment, and stores them. */
  async createNetworkSegments(db: Kysely<NeutronDB>, networkId: string, requested: Segment[] | undefined): Promise<Segment[]> {
    const segments: Segment[] = [];
    if (requested) {
      for (const s of requested) segments.push(await this.drivers.get(s.network_type)!.reserveProviderSegment(db, s, networkId));
    } else {
      let seg: Segment | undefined;
      for (const type of this.tenantTypes) {
        seg = await this.drivers.get(type)!.allocateTenantSegment(db, networkId);
        if (seg) break;
      }
      if (!seg) throw new NoNetworkAvailable();
      segments.push(seg);
    }
    let index = 0;
    for (const s of segments) {
      s.id = randomUUID();
      await db.insertInto('networksegments').values({
        id: s.id, network_id: networkId, network_type: s.network_type, physical_network: s.physical_network,
        segmentation_id: s.segmentation_id, segment_index: index++, is_dynamic: 0,
      }).execute();
    }
    return segments;
  }

  async releaseNetworkSegments(db: Kysely<NeutronDB>, networkId: string): Promise<void> {
    const rows = await this.segmentsOf(db, [networkId]);
    for (const s of rows.get(networkId) ?? []) await this.drivers.get(s.network_type)?.releaseSegment(db, s);
    await db.deleteFrom('networksegments').where('network_id', '=', networkId).execute();
  }

  async segmentsOf(db: Kysely<NeutronDB>, networkIds: string[]): Promise<Map<string, Segment[]>> {
    const out = new Map<string, Segment[]>();
    if (networkIds.length === 0) return out;
    const rows: SegmentRow[] = await db.selectFrom('networksegments').selectAll()
      .where('network_id', 'in', networkIds).orderBy('segment_index').execute();
    for (const r of rows) {
      const list = out.get(r.network_id) ?? [];
      list.push({ id: r.id, network_type: r.network_type, physical_network: r.physical_network, segmentation_id: r.segmentation_id === null ? null : Number(r.segmentation_id) });
      out.set(r.network_id, list);
    }
    return out;
  }

  /** The MTU of a network with these segments: the smallest any segment's type allows. */
  networkMtu(segments: Segment[]): number {
    const mtus = segments.map((s) => this.drivers.get(s.network_type)?.getMtu(s.physical_network) ?? 0).filter((m) => m > 0);
    return mtus.length ? Math.min(...mtus) : this.defaultMtu;
  }

  /** provider:* for one segment, `segments` for several (extend_network_with_provider_segments). */
  static providerView(segments: Segment[]): ProviderAttributes | { segments: ProviderSegment[] } {
    if (segments.length > 1) {
      return {
        segments: segments.map((s) => ({
          'provider:network_type': s.network_type, 'provider:physical_network': s.physical_network, 'provider:segmentation_id': s.segmentation_id,
        })),
      };
    }
    const s = segments[0];
    return {
      'provider:network_type': s?.network_type ?? null,
      'provider:physical_network': s?.physical_network ?? null,
      'provider:segmentation_id': s?.segmentation_id ?? null,
    };
  }
}
