/**
 * NetworkClient: Neutron's API v2.0 as Nova uses it (nova/network/neutron.py): ports (create,
 * show, update (binding:host_id, device_id...), list by device or network, delete), networks,
 * and security groups (to resolve the names a server is booted with).
 */
import { query, seg, ServiceProxy, type ServiceDescription } from './proxy.js';

/** Neutron list filters: attribute -> value (several values: any of them); also fields, limit, marker. */
export type NetworkFilters = Record<string, string | number | boolean | readonly string[]>;

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

export interface Port {
  id: string;
  name: string;
  network_id: string;
  project_id: string;
  tenant_id?: string;
  mac_address: string;
  admin_state_up: boolean;
  status: string;
  device_id: string;
  device_owner: string;
  fixed_ips: FixedIp[];
  security_groups: string[];
  'binding:host_id'?: string;
  'binding:vif_type'?: string;
  'binding:vif_details'?: Record<string, unknown>;
  'binding:vnic_type'?: string;
  'binding:profile'?: Record<string, unknown>;
  [attribute: string]: unknown;
}

/** The body of a port create or update. */
export type PortFields = Partial<Omit<Port, 'id' | 'status' | 'fixed_ips'>> & {
  fixed_ips?: Array<Partial<FixedIp>>;
  [attribute: string]: unknown;
};

export interface Network {
  id: string;
  name: string;
  project_id: string;
  status: string;
  admin_state_up: boolean;
  shared: boolean;
  subnets: string[];
  mtu?: number;
  'router:external'?: boolean;
  'provider:network_type'?: string;
  'provider:physical_network'?: string | null;
  'provider:segmentation_id'?: number | null;
  port_security_enabled?: boolean;
  [attribute: string]: unknown;
}

export interface SecurityGroupRule {
  id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  security_group_id: string;
  [attribute: string]: unknown;
}

export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  project_id: string;
  security_group_rules: SecurityGroupRule[];
  [attribute: string]: unknown;
}

export class NetworkClient extends ServiceProxy {
  protected readonly service: ServiceDescription = { types: ['network'], version: 'v2.0' };

  /** POST /v2.0/ports. */
  async createPort(port: PortFields): Promise<Port> {
    return (await this.json<{ port: Port }>('POST', '/ports', { body: { port } })).body.port;
  }

  /** GET /v2.0/ports/{id}. */
  async getPort(id: string): Promise<Port> {
    return (await this.json<{ port: Port }>('GET', `/ports/${seg(id)}`)).body.port;
  }

  /** PUT /v2.0/ports/{id} with the attributes to change. */
  async updatePort(id: string, changes: PortFields): Promise<Port> {
    return (await this.json<{ port: Port }>('PUT', `/ports/${seg(id)}`, { body: { port: changes } })).body.port;
  }

  /** GET /v2.0/ports, e.g. `{ device_id: serverId }`. */
  async listPorts(filters: NetworkFilters = {}): Promise<Port[]> {
    return (await this.json<{ ports: Port[] }>('GET', `/ports${query(filters)}`)).body.ports;
  }

  /** DELETE /v2.0/ports/{id}. */
  async deletePort(id: string): Promise<void> {
    await this.json('DELETE', `/ports/${seg(id)}`);
  }

  /** GET /v2.0/networks/{id}. */
  async getNetwork(id: string): Promise<Network> {
    return (await this.json<{ network: Network }>('GET', `/networks/${seg(id)}`)).body.network;
  }

  /** GET /v2.0/networks. */
  async listNetworks(filters: NetworkFilters = {}): Promise<Network[]> {
    return (await this.json<{ networks: Network[] }>('GET', `/networks${query(filters)}`)).body.networks;
  }

  /** GET /v2.0/security-groups (e.g. `{ name: [...], project_id }`). */
  async listSecurityGroups(filters: NetworkFilters = {}): Promise<SecurityGroup[]> {
    return (await this.json<{ security_groups: SecurityGroup[] }>('GET', `/security-groups${query(filters)}`)).body.security_groups;
  }
}
