/**
 * A network as the API shows it (core attributes with the provider, multi-provider,
 * external-net, MTU, port-security, availability-zone, address-scope, DNS, standard-attribute
 * and tag extensions), and what creating or updating one takes.
 */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';

/** One segment in the multi-provider `segments` list. */
export interface ProviderSegment {
  'provider:network_type': string;
  'provider:physical_network': string | null;
  'provider:segmentation_id': number | null;
}

/** provider:* of a single-segment network (all null when it has none). */
export interface ProviderAttributes {
  'provider:network_type': string | null;
  'provider:physical_network': string | null;
  'provider:segmentation_id': number | null;
}

export interface Network extends Owned, StandardAttributes, Tagged, Partial<ProviderAttributes> {
  id: string;
  name: string;
  admin_state_up: boolean;
  status: string;
  subnets: string[];
  shared: boolean;
  'router:external': boolean;
  /** Only on external networks. */
  is_default?: boolean;
  mtu: number;
  port_security_enabled: boolean;
  availability_zone_hints: string[];
  availability_zones: string[];
  ipv4_address_scope: string | null;
  ipv6_address_scope: string | null;
  l2_adjacency: boolean;
  dns_domain: string;
  /** qos: the network's QoS policy (its ports' unless they have their own). */
  qos_policy_id: string | null;
  /** Only on networks with several segments (instead of provider:*). */
  segments?: ProviderSegment[];
}

/**
 * A requested segment: the attribute map checks only that each entry is a dictionary, so
 * the values are checked by the type manager (ml2/type-manager.ts processSegment).
 */
export interface SegmentRequest {
  readonly 'provider:network_type'?: unknown;
  readonly 'provider:physical_network'?: unknown;
  readonly 'provider:segmentation_id'?: unknown;
}

/** The provider attributes of a request, single segment or multi-provider. */
export interface ProviderRequest extends SegmentRequest {
  segments?: Settable<readonly SegmentRequest[]>;
}

/** What updating a network takes (provider attributes are refused when they change). */
export interface NetworkUpdate extends ProviderRequest {
  name?: string;
  admin_state_up?: boolean;
  shared?: boolean;
  'router:external'?: boolean;
  /** The deployment's default external network (auto-allocated-topology). */
  is_default?: boolean;
  mtu?: number;
  port_security_enabled?: boolean;
  dns_domain?: string | null;
  description?: string;
  qos_policy_id?: string | null;
}

export interface NetworkCreate extends OwnedInput, NetworkUpdate {
  'provider:network_type'?: Settable<string>;
  'provider:physical_network'?: Settable<string>;
  'provider:segmentation_id'?: Settable<number>;
  availability_zone_hints?: string[];
  tags?: Settable<string[]>;
}

/** Who owns a network and whether it is shared with a project (port and subnet checks). */
export interface NetworkOwner {
  projectId: string;
  shared: boolean;
  external: boolean;
}
