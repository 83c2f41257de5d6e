/**
 * The Neutron calls of nova/network/neutron.py beyond the shared NetworkClient: subnets (for the
 * network info of a port) and floating IPs (the addresses NAT'ed to a port).
 */
import { NetworkClient, type NetworkFilters } from '../../../common/clients/index.js';
import { query } from '../../../common/clients/proxy.js';

export interface Subnet {
  id: string;
  network_id: string;
  cidr: string;
  ip_version: number;
  gateway_ip: string | null;
  dns_nameservers: string[];
  host_routes: Array<{ destination: string; nexthop: string }>;
  enable_dhcp: boolean;
  [attribute: string]: unknown;
}

export interface FloatingIp {
  id: string;
  floating_ip_address: string;
  fixed_ip_address: string | null;
  port_id: string | null;
  [attribute: string]: unknown;
}


export class NovaNetworkClient extends NetworkClient {
  /** GET /v2.0/subnets. */
  async listSubnets(filters: NetworkFilters = {}): Promise<Subnet[]> {
    return (await this.json<{ subnets: Subnet[] }>('GET', `/subnets${query(filters)}`)).body.subnets;
  }

  /** GET /v2.0/floatingips. */
  async listFloatingIps(filters: NetworkFilters = {}): Promise<FloatingIp[]> {
    return (await this.json<{ floatingips: FloatingIp[] }>('GET', `/floatingips${query(filters)}`)).body.floatingips;
  }
}
