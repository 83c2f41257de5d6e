/**
 * The Neutron calls of nova/network/neutron.py beyond the shared NetworkClient: subnets (for the
 * network info of a port) and floating IPs (the addresses NAT'ed to a port).
 */
import { NetworkClient, type NetworkFilters, type SecurityGroup, type SecurityGroupRule } from '../../../common/clients/index.js';
import { query, seg } from '../../../common/clients/proxy.js';

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
  floating_network_id: string;
  project_id?: string;
  /** fip-port-details: the associated port's device_id and more. */
  port_details?: { device_id?: string; [attribute: string]: unknown } | null;
  [attribute: string]: unknown;
}

/** The body of a security group rule create (nova's _make_neutron_security_group_rules_list). */
export type SecurityGroupRuleFields = Partial<Omit<SecurityGroupRule, 'id'>>;


export class NovaNetworkClient extends NetworkClient {
  /**
   * GET /v2.0/auto-allocated-topology/{project_id}: the project's network, made from the default
   * external network and subnet pools when it has none (`dryRun`: only whether it can be; 409 when not).
   */
  async autoAllocatedTopology(projectId: string, dryRun = false): Promise<{ id: string }> {
    return (await this.json<{ auto_allocated_topology: { id: string } }>('GET', `/auto-allocated-topology/${seg(projectId)}${dryRun ? '?fields=dry-run' : ''}`)).body.auto_allocated_topology;
  }

  /** GET /v2.0/subnets. */
  async listSubnets(filters: NetworkFilters = {}): Promise<Subnet[]> {
    return (await this.json<{ subnets: Subnet[] }>('GET', `/subnets${query(filters)}`)).body.subnets;
  }

  /** GET /v2.0/floatingips. */
  async listFloatingIps(filters: NetworkFilters = {}): Promise<FloatingIp[]> {
    return (await this.json<{ floatingips: FloatingIp[] }>('GET', `/floatingips${query(filters)}`)).body.floatingips;
  }

  /** GET /v2.0/floatingips/{id}. */
  async getFloatingIp(id: string): Promise<FloatingIp> {
    return (await this.json<{ floatingip: FloatingIp }>('GET', `/floatingips/${seg(id)}`)).body.floatingip;
  }

  /** POST /v2.0/floatingips. */
  async createFloatingIp(fields: Record<string, unknown>): Promise<FloatingIp> {
    return (await this.json<{ floatingip: FloatingIp }>('POST', '/floatingips', { body: { floatingip: fields } })).body.floatingip;
  }

  /** PUT /v2.0/floatingips/{id} (port_id: associate, null: disassociate). */
  async updateFloatingIp(id: string, changes: Record<string, unknown>): Promise<FloatingIp> {
    return (await this.json<{ floatingip: FloatingIp }>('PUT', `/floatingips/${seg(id)}`, { body: { floatingip: changes } })).body.floatingip;
  }

  /** DELETE /v2.0/floatingips/{id}. */
  async deleteFloatingIp(id: string): Promise<void> {
    await this.json('DELETE', `/floatingips/${seg(id)}`);
  }

  /** GET /v2.0/security-groups/{id}. */
  async getSecurityGroup(id: string): Promise<SecurityGroup> {
    return (await this.json<{ security_group: SecurityGroup }>('GET', `/security-groups/${seg(id)}`)).body.security_group;
  }

  /** POST /v2.0/security-groups. */
  async createSecurityGroup(fields: { name: string; description: string }): Promise<SecurityGroup> {
    return (await this.json<{ security_group: SecurityGroup }>('POST', '/security-groups', { body: { security_group: fields } })).body.security_group;
  }

  /** PUT /v2.0/security-groups/{id}. */
  async updateSecurityGroup(id: string, changes: { name: string; description: string }): Promise<SecurityGroup> {
    return (await this.json<{ security_group: SecurityGroup }>('PUT', `/security-groups/${seg(id)}`, { body: { security_group: changes } })).body.security_group;
  }

  /** DELETE /v2.0/security-groups/{id}. */
  async deleteSecurityGroup(id: string): Promise<void> {
    await this.json('DELETE', `/security-groups/${seg(id)}`);
  }

  /** GET /v2.0/security-group-rules/{id}. */
  async getSecurityGroupRule(id: string): Promise<SecurityGroupRule> {
    return (await this.json<{ security_group_rule: SecurityGroupRule }>('GET', `/security-group-rules/${seg(id)}`)).body.security_group_rule;
  }

  /** POST /v2.0/security-group-rules (one rule). */
  async createSecurityGroupRule(fields: SecurityGroupRuleFields): Promise<SecurityGroupRule> {
    return (await this.json<{ security_group_rule: SecurityGroupRule }>('POST', '/security-group-rules', { body: { security_group_rule: fields } })).body.security_group_rule;
  }

  /** DELETE /v2.0/security-group-rules/{id}. */
  async deleteSecurityGroupRule(id: string): Promise<void> {
    await this.json('DELETE', `/security-group-rules/${seg(id)}`);
  }
}
