/**
 * A subnet as the API shows it (with allocation pools, DNS servers, host routes, IPv6 modes,
 * service types and the subnet-pool it came from), and what creating or updating one takes.
 */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';

export interface AllocationPool {
  start: string;
  end: string;
}

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export interface Subnet extends Owned, StandardAttributes, Tagged {
  id: string;
  name: string;
  network_id: string;
  ip_version: 4 | 6;
  subnetpool_id: string | null;
  cidr: string;
  gateway_ip: string | null;
  allocation_pools: AllocationPool[];
  dns_nameservers: string[];
  host_routes: HostRoute[];
  enable_dhcp: boolean;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  service_types: string[];
  segment_id: string | null;
  shared: boolean;
}

export interface SubnetCreate extends OwnedInput {
  network_id: string;
  ip_version: number;
  name?: string;
  subnetpool_id?: Settable<string | null>;
  prefixlen?: Settable<number>;
  cidr?: Settable<string>;
  gateway_ip?: Settable<string | null>;
  allocation_pools?: Settable<AllocationPool[]>;
  dns_nameservers?: Settable<string[]>;
  host_routes?: Settable<HostRoute[]>;
  enable_dhcp?: boolean;
  ipv6_ra_mode?: Settable<string | null>;
  ipv6_address_mode?: Settable<string | null>;
  service_types?: Settable<string[]>;
  use_default_subnetpool?: boolean;
  description?: string;
  tags?: Settable<string[]>;
}

export interface SubnetUpdate {
  name?: string;
  gateway_ip?: string | null;
  allocation_pools?: AllocationPool[];
  dns_nameservers?: string[];
  host_routes?: HostRoute[];
  enable_dhcp?: boolean;
  service_types?: string[];
  description?: string;
}
