/**
 * A port as the API shows it (fixed IPs, security groups, port security, allowed address
 * pairs, extra DHCP options, bindings, DNS), and what creating or updating one takes.
 */
import type { Settable } from '../common/attributes.js';
import type { JsonObject, Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';
import type { TrunkDetails } from './trunk.js';

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

/** A requested fixed IP: a subnet, an address, or both. */
export interface FixedIpRequest {
  subnet_id?: string;
  ip_address?: string;
}

export interface AddressPair {
  ip_address: string;
  mac_address: string;
}

export interface ExtraDhcpOpt {
  opt_name: string;
  opt_value: string;
  ip_version: number;
}

export interface DnsAssignment {
  hostname: string;
  ip_address: string;
  fqdn: string;
}

export interface Port extends Owned, StandardAttributes, Tagged {
  id: string;
  name: string;
  network_id: string;
  mac_address: string;
  admin_state_up: boolean;
  status: string;
  device_id: string;
  device_owner: string;
  fixed_ips: FixedIp[];
  allowed_address_pairs: AddressPair[];
  extra_dhcp_opts: ExtraDhcpOpt[];
  security_groups: string[];
  port_security_enabled: boolean;
  'binding:host_id': string;
  'binding:vif_type': string;
  'binding:vif_details': JsonObject;
  'binding:profile': JsonObject;
  'binding:vnic_type': string;
  dns_name: string;
  dns_assignment: DnsAssignment[];
  ip_allocation: string;
  /** qos: the port's own QoS policy; qos-port-network-policy: its network's. */
  qos_policy_id: string | null;
  qos_network_policy_id: string | null;
  /** Only on a trunk's parent port (trunk-details). */
  trunk_details?: TrunkDetails;
}

/**
 * What creating a port takes. allowed_address_pairs and extra_dhcp_opts are not checked by
 * the attribute map: the port manager checks them (checkAddressPairs, checkDhcpOpts), after
 * the request's policy and quota checks, as before.
 */
export interface PortCreate extends OwnedInput {
  network_id: string;
  name?: string;
  admin_state_up?: boolean;
  mac_address?: Settable<string>;
  fixed_ips?: Settable<FixedIpRequest[]>;
  device_id?: string;
  device_owner?: string;
  security_groups?: Settable<string[]>;
  port_security_enabled?: Settable<boolean>;
  allowed_address_pairs?: unknown;
  extra_dhcp_opts?: unknown;
  'binding:host_id'?: Settable<string>;
  'binding:vnic_type'?: string;
  'binding:profile'?: Settable<JsonObject | null>;
  dns_name?: string | null;
  description?: string;
  tags?: Settable<string[]>;
  qos_policy_id?: string | null;
}

/** What updating a port takes (see PortCreate for the two unchecked attributes). */
export interface PortUpdate {
  name?: string;
  admin_state_up?: boolean;
  mac_address?: string;
  fixed_ips?: FixedIpRequest[];
  device_id?: string;
  device_owner?: string;
  security_groups?: string[];
  port_security_enabled?: boolean;
  allowed_address_pairs?: unknown;
  extra_dhcp_opts?: unknown;
  'binding:host_id'?: string;
  'binding:vnic_type'?: string;
  'binding:profile'?: JsonObject | null;
  dns_name?: string | null;
  description?: string;
  qos_policy_id?: string | null;
}
