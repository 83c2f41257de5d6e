/**
 * What travels on the bus between the server and its agents, both ways: the payloads of the
 * server's casts to DHCP, L3 and L2 agents (rpc/agent-notifiers.ts, consumed by agent/), and
 * the answers of the server's RPC endpoints (rpc/server-callbacks.ts, called by
 * agent/plugin-api.ts). Field names are upstream's, so real Neutron agents understand them.
 * Arguments arriving at an endpoint are a JSON object whose values the endpoint checks.
 */
import type { JsonObject } from '../types/common.js';
import type { FloatingIp } from '../types/floating-ip.js';
import type { Network } from '../types/network.js';
import type { FixedIp, Port } from '../types/port.js';
import type { Router } from '../types/router.js';
import type { Subnet } from '../types/subnet.js';

/** The arguments of an incoming RPC call or cast, as sent: each endpoint reads what it needs. */
export type RpcArgs = JsonObject;

/** dhcp_rpc_agent_api: every DHCP cast carries the priority of its method. */
export interface Prioritized {
  priority?: number;
}

export interface NetworkCreatedPayload extends Prioritized {
  network: Pick<Network, 'id'>;
}

export interface NetworkUpdatedPayload extends Prioritized {
  network: Network;
}

export interface NetworkDeletedPayload extends Prioritized {
  network_id: string;
}

export interface SubnetPayload extends Prioritized {
  subnet: Subnet;
}

export interface SubnetDeletedPayload extends Prioritized {
  subnet_id: string;
  network_id: string;
}

export interface PortPayload extends Prioritized {
  port: Port;
}

export interface PortDeletedPayload extends Prioritized {
  port_id: string;
  network_id: string;
  fixed_ips: FixedIp[];
}

/** The provider segment of a port's network, as L2 agents get it with port_update. */
export interface SegmentInfo {
  network_type: string | null;
  segmentation_id: number | null;
  physical_network: string | null;
}

export interface PortUpdateArgs extends SegmentInfo {
  port: Port;
}

/** get_device_details: what an L2 agent needs to wire a device (or just `device` when unknown). */
export interface DeviceDetails extends Partial<SegmentInfo> {
  device: string;
  network_id?: string;
  port_id?: string;
  mac_address?: string;
  admin_state_up?: boolean;
  mtu?: number;
  fixed_ips?: FixedIp[];
  device_owner?: string;
  allowed_address_pairs?: Port['allowed_address_pairs'];
  port_security_enabled?: boolean;
  security_groups?: string[];
  profile?: Port['binding:profile'];
  qos_policy_id?: string | null;
  network_qos_policy_id?: string | null;
}

/** get_devices_details_list_and_failed_devices. */
export interface DevicesDetailsResult {
  devices: DeviceDetails[];
  failed_devices: string[];
}

export interface DeviceDownResult {
  device: string;
  exists: boolean;
}

export interface DeviceListResult {
  devices_up: string[];
  devices_down: string[];
  failed_devices_up: string[];
  failed_devices_down: string[];
}

/** get_network_info / get_active_networks_info: a network with its subnets and ports. */
export interface NetworkInfo extends Omit<Network, 'subnets'> {
  subnets: Subnet[];
  non_local_subnets: Subnet[];
  ports: Port[];
}

/** A router port as sync_routers sends it: the port with its subnets. */
export interface RouterPortInfo extends Port {
  subnets: Subnet[];
  /** The MTU of the port's network (0: unknown). */
  mtu: number;
}

/** sync_routers: a router with its gateway port, interfaces and floating IPs. */
export interface RouterInfo extends Router {
  gw_port: RouterPortInfo | null;
  gw_port_id: string | null;
  enable_snat: boolean;
  _interfaces: RouterPortInfo[];
  _floatingips: FloatingIp[];
}
