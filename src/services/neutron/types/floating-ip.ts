/**
 * A floating IP as the API shows it (with fip-port-details and its port forwardings), a
 * port forwarding of a floating IP, and what creating or updating each takes.
 */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';
import type { Port } from './port.js';

/** fip-port-details: the associated port, briefly. */
export type FloatingIpPortDetails = Pick<Port, 'name' | 'network_id' | 'mac_address' | 'admin_state_up' | 'status' | 'device_id' | 'device_owner'>;

/** expose-port-forwarding-in-fip: a forwarding as the floating IP lists it. */
export interface FloatingIpPortForwarding {
  id: string;
  protocol: string;
  internal_ip_address: string;
  internal_port: number;
  external_port: number;
  internal_port_id: string;
}

export interface FloatingIp extends Owned, StandardAttributes, Tagged {
  id: string;
  floating_ip_address: string;
  floating_network_id: string;
  router_id: string | null;
  port_id: string | null;
  fixed_ip_address: string | null;
  status: string;
  port_details: FloatingIpPortDetails | null;
  port_forwardings: FloatingIpPortForwarding[];
  dns_name: string;
  dns_domain: string;
}

export interface FloatingIpCreate extends OwnedInput {
  floating_network_id: string;
  floating_ip_address?: string | null;
  subnet_id?: string | null;
  port_id?: string | null;
  fixed_ip_address?: string | null;
  dns_name?: string | null;
  dns_domain?: string | null;
  description?: string;
  tags?: Settable<string[]>;
}

export interface FloatingIpUpdate {
  port_id?: string | null;
  fixed_ip_address?: string | null;
  description?: string;
}

export interface PortForwarding extends StandardAttributes {
  id: string;
  external_port: number;
  internal_port: number;
  internal_ip_address: string;
  protocol: string;
  internal_port_id: string;
}

export interface PortForwardingCreate extends OwnedInput {
  external_port: number;
  internal_port: number;
  internal_ip_address: string;
  protocol: string;
  internal_port_id: string;
  description?: string;
}

export type PortForwardingUpdate = Partial<Omit<PortForwardingCreate, keyof OwnedInput>>;
