/**
 * A router as the API shows it (external gateway with SNAT and its fixed IPs, extra routes,
 * availability zones), what creating or updating one takes, and the router-interface
 * actions' request and answer.
 */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';
import type { FixedIp, FixedIpRequest } from './port.js';
import type { HostRoute } from './subnet.js';

export interface ExternalGatewayInfo {
  network_id: string;
  enable_snat: boolean;
  external_fixed_ips: FixedIp[];
}

export interface Router extends Owned, StandardAttributes, Tagged {
  id: string;
  name: string;
  admin_state_up: boolean;
  status: string;
  external_gateway_info: ExternalGatewayInfo | null;
  routes: HostRoute[];
  availability_zone_hints: string[];
  availability_zones: string[];
}

/** A gateway in a request: the external network, SNAT, chosen external addresses. */
export interface ExternalGatewayRequest {
  network_id: string;
  enable_snat?: boolean;
  external_fixed_ips?: FixedIpRequest[];
}

/** external_gateway_info in a request; `{}` (like null) means none. */
export type GatewayRequest = ExternalGatewayRequest | Record<string, never>;

export interface RouterCreate extends OwnedInput {
  name?: string;
  admin_state_up?: boolean;
  external_gateway_info?: GatewayRequest | null;
  availability_zone_hints?: string[];
  description?: string;
  tags?: Settable<string[]>;
}

export interface RouterUpdate {
  name?: string;
  admin_state_up?: boolean;
  external_gateway_info?: GatewayRequest | null;
  routes?: HostRoute[];
  description?: string;
}

/** add_router_interface / remove_router_interface: by port or by subnet. */
export type RouterInterfaceRequest = { port_id: string; subnet_id?: undefined } | { port_id?: undefined; subnet_id: string };

/** The answer of the router-interface actions. */
export interface RouterInterfaceInfo extends Owned {
  id: string;
  port_id: string;
  network_id: string;
  subnet_id: string | undefined;
  subnet_ids: string[];
}
