/**
 * Neutron's tables, as Kysely sees them. Names follow neutron/db/models*.py; the standard
 * attributes (description, revision_number, created_at, updated_at) live on each resource's
 * own row instead of a shared standardattributes table, and tags are keyed by
 * (resource_type, resource_id). Booleans are 0/1 integers, JSON is text, times are ISO strings.
 */

/** Columns every standard-attribute resource carries. */
export interface StandardAttrs {
  description: string;
  revision_number: number;
  created_at: string;
  updated_at: string;
}

export interface NetworkRow extends StandardAttrs {
  id: string;
  project_id: string;
  name: string;
  status: string;
  admin_state_up: number;
  mtu: number;
  port_security_enabled: number;
  router_external: number;
  is_default: number;
  availability_zone_hints: string;
  dns_domain: string;
}

export interface SegmentRow {
  id: string;
  network_id: string;
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
  segment_index: number;
  is_dynamic: number;
}

/** One allocated segmentation id (VLAN id per physnet, VNI, or a flat physnet with id 0). */
export interface SegmentAllocationRow {
  network_type: string;
  physical_network: string;
  segmentation_id: number;
  network_id: string;
}

export interface RbacRow {
  id: string;
  project_id: string;
  object_type: string;
  object_id: string;
  target_project: string;
  action: string;
}

export interface SubnetRow extends StandardAttrs {
  id: string;
  project_id: string;
  network_id: string;
  name: string;
  ip_version: number;
  cidr: string;
  gateway_ip: string | null;
  enable_dhcp: number;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  subnetpool_id: string | null;
  segment_id: string | null;
}

export interface AllocationPoolRow {
  id: string;
  subnet_id: string;
  first_ip: string;
  last_ip: string;
}

export interface DnsNameserverRow {
  subnet_id: string;
  address: string;
  order_idx: number;
}

export interface SubnetRouteRow {
  subnet_id: string;
  destination: string;
  nexthop: string;
}

export interface SubnetServiceTypeRow {
  subnet_id: string;
  service_type: string;
}

export interface PortRow extends StandardAttrs {
  id: string;
  project_id: string;
  network_id: string;
  name: string;
  mac_address: string;
  admin_state_up: number;
  status: string;
  device_id: string;
  device_owner: string;
  port_security_enabled: number;
  dns_name: string;
  binding_host_id: string;
  binding_vif_type: string;
  binding_vif_details: string;
  binding_profile: string;
  binding_vnic_type: string;
}

/** A fixed IP. Primary key (ip_address, subnet_id): two ports can never hold one address. */
export interface IpAllocationRow {
  port_id: string;
  ip_address: string;
  subnet_id: string;
  network_id: string;
}

export interface AllowedAddressPairRow {
  port_id: string;
  mac_address: string;
  ip_address: string;
}

export interface ExtraDhcpOptRow {
  id: string;
  port_id: string;
  opt_name: string;
  opt_value: string;
  ip_version: number;
}

export interface SgPortBindingRow {
  port_id: string;
  security_group_id: string;
}

export interface SubnetPoolRow extends StandardAttrs {
  id: string;
  project_id: string;
  name: string;
  ip_version: number;
  default_prefixlen: number;
  min_prefixlen: number;
  max_prefixlen: number;
  shared: number;
  is_default: number;
  default_quota: number | null;
  address_scope_id: string | null;
}

export interface SubnetPoolPrefixRow {
  subnetpool_id: string;
  cidr: string;
}

export interface AddressScopeRow {
  id: string;
  project_id: string;
  name: string;
  shared: number;
  ip_version: number;
}

export interface RouterRow extends StandardAttrs {
  id: string;
  project_id: string;
  name: string;
  status: string;
  admin_state_up: number;
  gw_port_id: string | null;
  gw_network_id: string | null;
  enable_snat: number;
  availability_zone_hints: string;
}

export interface RouterPortRow {
  router_id: string;
  port_id: string;
  port_type: string;
}

export interface RouterRouteRow {
  router_id: string;
  destination: string;
  nexthop: string;
}

export interface FloatingIpRow extends StandardAttrs {
  id: string;
  project_id: string;
  floating_ip_address: string;
  floating_network_id: string;
  floating_port_id: string;
  fixed_port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  status: string;
  dns_name: string;
  dns_domain: string;
}

export interface PortForwardingRow extends StandardAttrs {
  id: string;
  floatingip_id: string;
  internal_port_id: string;
  internal_ip_address: string;
  internal_port_start: number;
  internal_port_end: number;
  external_port_start: number;
  external_port_end: number;
  protocol: string;
}

export interface SecurityGroupRow extends StandardAttrs {
  id: string;
  project_id: string;
  name: string;
  stateful: number;
}

export interface DefaultSecurityGroupRow {
  project_id: string;
  security_group_id: string;
}

export interface SecurityGroupRuleRow extends StandardAttrs {
  id: string;
  project_id: string;
  security_group_id: string;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
}

export interface QuotaRow {
  id: string;
  project_id: string;
  resource: string;
  hard_limit: number;
}

export interface AgentRow {
  id: string;
  agent_type: string;
  binary: string;
  topic: string;
  host: string;
  availability_zone: string | null;
  admin_state_up: number;
  created_at: string;
  started_at: string;
  heartbeat_timestamp: string;
  description: string | null;
  configurations: string;
  resource_versions: string;
  load: number;
  resources_synced: number | null;
}

export interface NetworkDhcpAgentBindingRow {
  network_id: string;
  dhcp_agent_id: string;
}

export interface RouterL3AgentBindingRow {
  router_id: string;
  l3_agent_id: string;
}

export interface TagRow {
  resource_type: string;
  resource_id: string;
  tag: string;
}

/** The topology auto-allocated for a project (auto-allocated-topology). */
export interface AutoAllocatedTopologyRow {
  project_id: string;
  network_id: string;
  router_id: string | null;
}

/** A QoS policy (neutron/db/qos/models.py QosPolicy); `shared` is an RBAC wildcard entry. */
export interface QosPolicyRow extends StandardAttrs {
  id: string;
  project_id: string;
  name: string;
}

export interface QosBandwidthLimitRuleRow {
  id: string;
  qos_policy_id: string;
  max_kbps: number;
  max_burst_kbps: number;
  direction: string;
}

export interface QosDscpMarkingRuleRow {
  id: string;
  qos_policy_id: string;
  dscp_mark: number;
}

export interface QosMinimumBandwidthRuleRow {
  id: string;
  qos_policy_id: string;
  min_kbps: number;
  direction: string;
}

export interface QosNetworkBindingRow {
  network_id: string;
  policy_id: string;
}

export interface QosPortBindingRow {
  port_id: string;
  policy_id: string;
}

export interface QosDefaultRow {
  project_id: string;
  qos_policy_id: string;
}

/** A trunk (trunk extension) on its parent port. */
export interface TrunkRow extends StandardAttrs {
  id: string;
  project_id: string;
  name: string;
  admin_state_up: number;
  status: string;
  port_id: string;
}

/** A trunk's subport: a port with its segmentation on the trunk. */
export interface SubPortRow {
  port_id: string;
  trunk_id: string;
  segmentation_type: string;
  segmentation_id: number;
  position: number;
}

/** A metering label (metering extension). */
export interface MeteringLabelRow {
  id: string;
  project_id: string;
  name: string;
  description: string;
  shared: number;
}

/** One rule of a metering label. */
export interface MeteringLabelRuleRow {
  id: string;
  metering_label_id: string;
  direction: string;
  remote_ip_prefix: string | null;
  source_ip_prefix: string | null;
  destination_ip_prefix: string | null;
  excluded: number;
}

export interface AddressGroupRow extends StandardAttrs {
  id: string;
  project_id: string;
  name: string;
}

export interface AddressAssociationRow {
  /** A CIDR, its host bits zero ('10.0.0.0/24', '2001:db8::5/128'). */
  address: string;
  address_group_id: string;
}

export interface NeutronDB {
  networks: NetworkRow;
  networksegments: SegmentRow;
  segment_allocations: SegmentAllocationRow;
  rbac_policies: RbacRow;
  subnets: SubnetRow;
  ipallocationpools: AllocationPoolRow;
  dnsnameservers: DnsNameserverRow;
  subnetroutes: SubnetRouteRow;
  subnet_service_types: SubnetServiceTypeRow;
  ports: PortRow;
  ipallocations: IpAllocationRow;
  allowedaddresspairs: AllowedAddressPairRow;
  extradhcpopts: ExtraDhcpOptRow;
  securitygroupportbindings: SgPortBindingRow;
  subnetpools: SubnetPoolRow;
  subnetpoolprefixes: SubnetPoolPrefixRow;
  address_scopes: AddressScopeRow;
  routers: RouterRow;
  routerports: RouterPortRow;
  routerroutes: RouterRouteRow;
  floatingips: FloatingIpRow;
  portforwardings: PortForwardingRow;
  securitygroups: SecurityGroupRow;
  default_security_group: DefaultSecurityGroupRow;
  securitygrouprules: SecurityGroupRuleRow;
  quotas: QuotaRow;
  agents: AgentRow;
  networkdhcpagentbindings: NetworkDhcpAgentBindingRow;
  routerl3agentbindings: RouterL3AgentBindingRow;
  tags: TagRow;
  auto_allocated_topologies: AutoAllocatedTopologyRow;
  qos_policies: QosPolicyRow;
  qos_bandwidth_limit_rules: QosBandwidthLimitRuleRow;
  qos_dscp_marking_rules: QosDscpMarkingRuleRow;
  qos_minimum_bandwidth_rules: QosMinimumBandwidthRuleRow;
  qos_network_policy_bindings: QosNetworkBindingRow;
  qos_port_policy_bindings: QosPortBindingRow;
  qos_policies_default: QosDefaultRow;
  trunks: TrunkRow;
  subports: SubPortRow;
  meteringlabels: MeteringLabelRow;
  meteringlabelrules: MeteringLabelRuleRow;
  address_groups: AddressGroupRow;
  address_associations: AddressAssociationRow;
}
