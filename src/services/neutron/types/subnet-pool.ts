/**
 * A subnet pool and an address scope as the API shows them, and what creating or updating
 * them takes (subnetpool-prefix-ops included).
 */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';

export interface SubnetPool extends Owned, StandardAttributes, Tagged {
  id: string;
  name: string;
  prefixes: string[];
  default_quota: number | null;
  ip_version: number;
  /** Neutron shows the prefix lengths as strings (_make_subnetpool_dict). */
  default_prefixlen: string;
  min_prefixlen: string;
  max_prefixlen: string;
  is_default: boolean;
  shared: boolean;
  address_scope_id: string | null;
}

export interface SubnetPoolCreate extends OwnedInput {
  name: string;
  prefixes: string[];
  default_quota?: Settable<number | null>;
  default_prefixlen?: Settable<number>;
  min_prefixlen?: Settable<number>;
  max_prefixlen?: Settable<number>;
  is_default?: boolean;
  shared?: boolean;
  address_scope_id?: Settable<string | null>;
  description?: string;
  tags?: Settable<string[]>;
}

export interface SubnetPoolUpdate {
  name?: string;
  prefixes?: string[];
  default_quota?: number | null;
  default_prefixlen?: number;
  min_prefixlen?: number;
  max_prefixlen?: number;
  is_default?: boolean;
  address_scope_id?: string | null;
  description?: string;
}

/** The answer of add_prefixes / remove_prefixes. */
export interface SubnetPoolPrefixes {
  prefixes: string[];
}

export interface AddressScope extends Owned {
  id: string;
  name: string;
  shared: boolean;
  ip_version: number;
}

export interface AddressScopeCreate extends OwnedInput {
  ip_version: number;
  name?: string;
  shared?: boolean;
}

export interface AddressScopeUpdate {
  name?: string;
  shared?: boolean;
}
