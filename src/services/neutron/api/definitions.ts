/**
 * The attribute maps of every resource this service implements: neutron-lib's core maps
 * (network, subnet, port, subnetpool) with the extension attributes merged in (provider,
 * multi-provider, external-net, net-mtu-writable, port-security, binding, allowed-address-pairs,
 * extra_dhcp_opt, dns-integration, availability zones, standard attributes, tags), and the
 * maps of the extension resources (routers, floating IPs, security groups, RBAC, address
 * scopes, agents, port forwardings, trunks, metering labels and rules).
 */
import { NOT_SPECIFIED } from '../common/attributes.js';
import type { AttrMap } from './attributes/spec.js';
import { adminStateUp, bool, c, id, name, readOnly, standardAttrs, status, tenantId, uuidRef, v } from './attributes/helpers.js';
import { qosPolicyIdAttr } from './qos-definitions.js';
import { convertEthertype, convertIpPrefix, convertPortValue, convertProtocol, ETHERTYPES } from '../managers/sg-rules.js';

const FQDN_FIELD_SIZE = 255;
const NS = NOT_SPECIFIED;

const azHints = { post: true, put: false, default: [], validate: v.listOf(v.string(255)), visible: true, sort: true } as const;

export const networkAttrs: AttrMap = {
  id: id(),
  name: name(),
  subnets: readOnly({ default: [] }),
  admin_state_up: adminStateUp(),
  status: status(),
  tenant_id: tenantId(),
  shared: bool(false, { requiredByPolicy: true, enforcePolicy: true }),
  'router:external': bool(false, { requiredByPolicy: true, enforcePolicy: true }),
  // auto-allocated-topology: the default external network (shown on external networks only)
  is_default: bool(false, { requiredByPolicy: true, enforcePolicy: true }),
  mtu: { post: true, put: true, default: 0, convert: c.toInt, validate: v.nonNegative, visible: true, filter: true, sort: true, enforcePolicy: true },
  port_security_enabled: { post: true, put: true, default: true, convert: c.toBoolean, visible: true, enforcePolicy: true },
  'provider:network_type': { post: true, put: true, default: NS, validate: v.string(32), visible: true, filter: true, enforcePolicy: true },
  'provider:physical_network': { post: true, put: true, default: NS, validate: v.string(64), visible: true, filter: true, enforcePolicy: true },
  'provider:segmentation_id': { post: true, put: true, default: NS, convert: c.toInt, visible: true, filter: true, enforcePolicy: true },
  segments: { post: true, put: true, default: NS, validate: v.listOf(v.dict()), visible: true, enforcePolicy: true },
  availability_zone_hints: { ...azHints },
  availability_zones: readOnly(),
  ipv4_address_scope: readOnly(),
  ipv6_address_scope: readOnly(),
  l2_adjacency: readOnly(),
  dns_domain: { post: true, put: true, default: '', convert: c.caseInsensitive, validate: v.dnsDomainName(FQDN_FIELD_SIZE), visible: true },
  qos_policy_id: qosPolicyIdAttr,
  ...standardAttrs({ sortable: true }),
};

export const subnetAttrs: AttrMap = {
  id: id(),
  name: name(),
  ip_version: { post: true, put: false, convert: c.toInt, validate: v.values([4, 6]), visible: true, filter: true, sort: true },
  network_id: uuidRef({ requiredByPolicy: true }),
  subnetpool_id: { post: true, put: false, default: NS, validate: v.uuidOrNone, visible: true, filter: true, sort: true },
  prefixlen: { post: true, put: false, default: NS, convert: c.toInt, validate: v.nonNegative, visible: false },
  cidr: { post: true, put: false, default: NS, convert: c.cidrToCanonical, validate: v.subnetOrNone, visible: true, filter: true, sort: true },
  gateway_ip: { post: true, put: true, default: NS, convert: c.ipToCanonical, validate: v.ipAddressOrNone, visible: true, filter: true, sort: true },
  allocation_pools: { post: true, put: true, default: NS, convert: c.allocationPoolsToCanonical, validate: v.ipPools, visible: true },
  dns_nameservers: { post: true, put: true, default: NS, convert: c.noneToEmptyList, validate: v.nameservers, visible: true },
  host_routes: { post: true, put: true, default: NS, convert: c.noneToEmptyList, validate: v.hostroutes, visible: true },
  tenant_id: tenantId(),
  enable_dhcp: { post: true, put: true, default: true, convert: c.toBoolean, visible: true, filter: true, sort: true },
  ipv6_ra_mode: { post: true, put: false, default: NS, validate: v.values(['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac', null]), visible: true, filter: true, sort: true },
  ipv6_address_mode: { post: true, put: false, default: NS, validate: v.values(['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac', null]), visible: true, filter: true, sort: true },
  shared: { post: false, put: false, default: false, convert: c.toBoolean, visible: false, filter: true, requiredByPolicy: true, enforcePolicy: true },
  // Not enforce_policy in Neutron: create_subnet:service_types is registered but never checked.
  service_types: { post: true, put: true, default: NS, validate: v.listOf(v.string(255)), visible: true },
  use_default_subnetpool: { post: true, put: false, default: false, convert: c.toBoolean, visible: false },
  segment_id: readOnly({ filter: true }),
  ...standardAttrs({ sortable: true }),
};

const extraDhcpOptSpec = { post: true, put: true, default: null, visible: true } as const;

export const portAttrs: AttrMap = {
  id: id(),
  name: name(),
  network_id: uuidRef({ requiredByPolicy: true }),
  admin_state_up: adminStateUp(),
  mac_address: { post: true, put: true, default: NS, convert: c.sanitizedMac, validate: v.macAddress, enforcePolicy: true, visible: true, filter: true, sort: true },
  fixed_ips: { post: true, put: true, default: NS, convertList: c.kvpListToDict, validate: v.fixedIps, enforcePolicy: true, visible: true, filter: true },
  device_id: { post: true, put: true, default: '', validate: v.string(255), enforcePolicy: true, visible: true, filter: true, sort: true },
  device_owner: { post: true, put: true, default: '', validate: v.string(255), enforcePolicy: true, visible: true, filter: true, sort: true },
  tenant_id: tenantId(),
  status: status(),
  security_groups: { post: true, put: true, default: NS, convert: (x) => (x === null ? [] : x), validate: v.uuidList, visible: true, filter: true },
  port_security_enabled: { post: true, put: true, default: NS, convert: c.toBoolean, visible: true, enforcePolicy: true },
  allowed_address_pairs: { post: true, put: true, default: NS, convert: c.noneToEmptyList, visible: true, enforcePolicy: true },
  extra_dhcp_opts: { ...extraDhcpOptSpec },
  'binding:host_id': { post: true, put: true, default: NS, validate: v.string(255), visible: true, filter: true, enforcePolicy: true },
  'binding:vif_type': { post: false, put: false, default: NS, visible: true, enforcePolicy: true },
  'binding:vif_details': { post: false, put: false, default: NS, visible: true, enforcePolicy: true },
  'binding:vnic_type': {
    post: true, put: true, default: 'normal', visible: true, enforcePolicy: true, filter: true,
    validate: v.values(['normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder', 'smart-nic', 'vdpa', 'accelerator-direct', 'accelerator-direct-physical', 'remote-managed']),
  },
  'binding:profile': { post: true, put: true, default: NS, validate: v.dictOrNone(), visible: true, enforcePolicy: true },
  dns_name: { post: true, put: true, default: '', convert: c.caseInsensitive, validate: v.dnsHostName(FQDN_FIELD_SIZE), visible: true, filter: true },
  dns_assignment: readOnly(),
  ip_allocation: readOnly(),
  qos_policy_id: qosPolicyIdAttr,
  qos_network_policy_id: readOnly(),
  // trunk-details: on a trunk's parent port
  trunk_details: { post: false, put: false, default: NS, visible: true, enforcePolicy: true, requiredByPolicy: true },
  ...standardAttrs({ sortable: true }),
};

const gatewayInfoValidator = v.dictOrNodata({
  network_id: { validate: v.uuid, required: true },
  enable_snat: { convert: c.toBoolean },
  external_fixed_ips: { validate: v.fixedIps },
});

export const routerAttrs: AttrMap = {
  id: id(),
  name: name(),
  admin_state_up: adminStateUp(),
  status: { post: false, put: false, visible: true, sort: true, filter: true },
  tenant_id: tenantId(),
  external_gateway_info: { post: true, put: true, default: null, visible: true, enforcePolicy: true, validate: gatewayInfoValidator },
  routes: { post: false, put: true, default: NS, convert: c.noneToEmptyList, validate: v.hostroutes, visible: true },
  availability_zone_hints: { ...azHints, sort: false },
  availability_zones: readOnly(),
  ...standardAttrs({ sortable: true }),
};

export const floatingIpAttrs: AttrMap = {
  id: id(),
  floating_ip_address: { post: true, put: false, default: null, validate: v.ipAddressOrNone, visible: true, filter: true, sort: true, enforcePolicy: true },
  subnet_id: { post: true, put: false, default: null, validate: v.uuidOrNone, visible: false },
  floating_network_id: { post: true, put: false, validate: v.uuid, visible: true, filter: true, sort: true },
  router_id: { post: false, put: false, default: null, visible: true, filter: true, sort: true },
  port_id: { post: true, put: true, default: null, validate: v.uuidOrNone, visible: true, filter: true, requiredByPolicy: true },
  fixed_ip_address: { post: true, put: true, default: null, validate: v.ipAddressOrNone, visible: true, filter: true, sort: true },
  tenant_id: tenantId(),
  status: status(),
  port_details: readOnly(),
  port_forwardings: readOnly(),
  dns_name: { post: true, put: false, default: '', convert: c.caseInsensitive, validate: v.dnsHostName(FQDN_FIELD_SIZE), visible: true, filter: true },
  dns_domain: { post: true, put: false, default: '', convert: c.caseInsensitive, validate: v.dnsDomainName(FQDN_FIELD_SIZE), visible: true, filter: true },
  ...standardAttrs({ sortable: true }),
};

export const securityGroupAttrs: AttrMap = {
  id: id(),
  name: { post: true, put: true, default: '', validate: v.nameNotDefault(255), visible: true, filter: true, sort: true },
  tenant_id: tenantId(),
  security_group_rules: readOnly(),
  stateful: { post: true, put: true, default: true, convert: c.toBoolean, visible: true, filter: true },
  shared: { post: false, put: false, visible: true, filter: true, convert: c.toBoolean },
  ...standardAttrs({ sortable: true }),
};

export const securityGroupRuleAttrs: AttrMap = {
  id: id(),
  security_group_id: { post: true, put: false, validate: v.string(36), visible: true, requiredByPolicy: true, filter: true, sort: true },
  remote_group_id: { post: true, put: false, default: null, visible: true, filter: true, sort: true },
  remote_address_group_id: { post: true, put: false, default: null, visible: true, filter: true, sort: true },
  direction: { post: true, put: false, validate: v.values(['ingress', 'egress']), visible: true, filter: true, sort: true },
  protocol: { post: true, put: false, default: null, convert: convertProtocol, visible: true, filter: true, sort: true },
  port_range_min: { post: true, put: false, default: null, convert: convertPortValue, visible: true, filter: true, sort: true },
  port_range_max: { post: true, put: false, default: null, convert: convertPortValue, visible: true, filter: true, sort: true },
  ethertype: { post: true, put: false, default: 'IPv4', convert: convertEthertype, validate: v.values(ETHERTYPES), visible: true, filter: true, sort: true },
  remote_ip_prefix: { post: true, put: false, default: null, convert: convertIpPrefix, visible: true, filter: true, sort: true },
  tenant_id: tenantId(),
  normalized_cidr: readOnly({ filter: true, sort: true }),
  belongs_to_default_sg: readOnly({ filter: true }),
  description: { post: true, put: false, default: '', validate: v.string(255), visible: true, filter: true },
  created_at: readOnly({ filter: true }),
  updated_at: readOnly({ filter: true }),
  revision_number: readOnly({ filter: true }),
};

export const rbacAttrs: AttrMap = {
  id: id({ sort: false }),
  object_type: { post: true, put: false, default: null, visible: true, filter: true, enforcePolicy: true, validate: v.values(['network', 'security_group', 'subnetpool', 'address_scope', 'qos_policy', 'address_group'], "['network', 'security_group', 'subnetpool', 'address_scope', 'qos_policy', 'address_group']") },
  object_id: { post: true, put: false, validate: v.uuid, visible: true, filter: true, enforcePolicy: true },
  target_tenant: { post: true, put: true, default: NS, validate: v.string(255), visible: true, filter: true, enforcePolicy: true },
  target_project: { post: true, put: true, default: NS, validate: v.string(255), visible: false, filter: true, enforcePolicy: true },
  tenant_id: tenantId({ sort: false }),
  action: { post: true, put: false, validate: v.string(255), visible: true, filter: true, enforcePolicy: true },
};

export const subnetPoolAttrs: AttrMap = {
  id: id(),
  name: { post: true, put: true, validate: v.notEmptyNameString(), visible: true, filter: true, sort: true },
  tenant_id: tenantId(),
  prefixes: { post: true, put: true, validate: v.subnetList, visible: true },
  default_quota: { post: true, put: true, default: NS, convert: (x) => (x === null ? null : c.toInt(x)), validate: v.rangeOrNone(0, null), visible: true, filter: true, sort: true },
  ip_version: { post: false, put: false, visible: true, filter: true, sort: true },
  default_prefixlen: { post: true, put: true, default: NS, convert: c.toInt, validate: v.nonNegative, visible: true, filter: true, sort: true },
  min_prefixlen: { post: true, put: true, default: NS, convert: c.toInt, validate: v.nonNegative, visible: true, filter: true, sort: true },
  max_prefixlen: { post: true, put: true, default: NS, convert: c.toInt, validate: v.nonNegative, visible: true, filter: true, sort: true },
  is_default: { post: true, put: true, default: false, convert: c.toBoolean, visible: true, filter: true, sort: true, requiredByPolicy: true, enforcePolicy: true },
  shared: { post: true, put: false, default: false, convert: c.toBoolean, visible: true, filter: true, sort: true, requiredByPolicy: true, enforcePolicy: true },
  address_scope_id: { post: true, put: true, default: NS, validate: v.uuidOrNone, visible: true, filter: true, sort: true },
  ...standardAttrs({ sortable: true }),
};

export const addressScopeAttrs: AttrMap = {
  id: id(),
  name: name(),
  tenant_id: tenantId(),
  shared: { post: true, put: true, default: false, convert: c.toBoolean, visible: true, filter: true, sort: true, requiredByPolicy: true, enforcePolicy: true },
  ip_version: { post: true, put: false, convert: c.toInt, validate: v.values([4, 6]), visible: true, filter: true, sort: true },
};

/** neutron_lib/api/definitions/address_group.py, with the standard attributes and tags. */
export const addressGroupAttrs: AttrMap = {
  id: id(),
  name: name(),
  tenant_id: tenantId(),
  addresses: { post: true, put: false, default: NS, convert: c.noneToEmptyList, validate: v.subnetList, visible: true },
  shared: { post: false, put: false, default: false, convert: c.toBoolean, visible: false },
  ...standardAttrs({ sortable: true }),
  description: { post: true, put: true, default: '', validate: v.string(1024), visible: true, filter: true, sort: true },
};

export const agentAttrs: AttrMap = {
  id: { post: false, put: false, validate: v.uuid, visible: true, filter: true },
  agent_type: readOnly({ filter: true }),
  binary: readOnly({ filter: true }),
  topic: readOnly({ filter: true }),
  host: readOnly({ filter: true }),
  admin_state_up: { post: false, put: true, convert: c.toBoolean, visible: true, filter: true },
  created_at: readOnly(),
  started_at: readOnly(),
  heartbeat_timestamp: readOnly(),
  alive: readOnly({ filter: true, convert: c.toBoolean }),
  configurations: readOnly(),
  description: { post: false, put: true, validate: v.stringOrNone(255), visible: true, filter: true },
  availability_zone: readOnly({ filter: true }),
  resources_synced: readOnly(),
};

export const portForwardingAttrs: AttrMap = {
  id: id({ filter: true }),
  project_id: { post: true, put: false, validate: v.string(255), requiredByPolicy: true, visible: false },
  external_port: { post: true, put: true, convert: c.toInt, validate: v.range(1, 65535), visible: true, sort: true, filter: true },
  internal_port: { post: true, put: true, convert: c.toInt, validate: v.range(1, 65535), visible: true },
  internal_ip_address: { post: true, put: true, validate: v.ipAddress, visible: true },
  protocol: { post: true, put: true, convert: c.caseInsensitive, validate: v.values(['tcp', 'udp']), visible: true, sort: true, filter: true },
  internal_port_id: { post: true, put: true, validate: v.uuid, visible: true, sort: true, filter: true },
  description: { post: true, put: true, default: '', validate: v.string(255), visible: true, filter: true },
  created_at: readOnly(),
  updated_at: readOnly(),
  revision_number: readOnly(),
};

/** neutron_lib/api/definitions/trunk.py: status is a sort key, not a filter. */
export const trunkAttrs: AttrMap = {
  admin_state_up: adminStateUp(),
  id: id(),
  name: name(),
  tenant_id: tenantId(),
  port_id: uuidRef({ requiredByPolicy: true }),
  status: status({ filter: false }),
  sub_ports: { post: true, put: false, default: [], validate: v.subports, enforcePolicy: true, visible: true },
  ...standardAttrs({ sortable: true }),
};

/**
 * neutron_lib/api/definitions/metering.py with metering_source_and_destination_filters (whose
 * prefixes the plugin validates). Labels and rules have no standard attributes and no update.
 */
export const meteringLabelAttrs: AttrMap = {
  id: id(),
  name: { ...name(), put: false },
  description: { post: true, put: false, default: '', validate: v.string(1024), visible: true, filter: true, sort: true },
  tenant_id: tenantId(),
  shared: { post: true, put: false, default: false, convert: c.toBoolean, visible: true, filter: true, sort: true },
};

const meteringPrefix = { post: true, put: false, default: null, visible: true, filter: true, sort: true } as const;

export const meteringLabelRuleAttrs: AttrMap = {
  id: id(),
  metering_label_id: uuidRef({ requiredByPolicy: true }),
  direction: { post: true, put: false, validate: v.values(['ingress', 'egress']), visible: true, filter: true, sort: true },
  excluded: { post: true, put: false, default: false, convert: c.toBoolean, visible: true, filter: true, sort: true },
  remote_ip_prefix: { ...meteringPrefix, validate: v.subnetOrNone },
  source_ip_prefix: { ...meteringPrefix },
  destination_ip_prefix: { ...meteringPrefix },
  tenant_id: { ...tenantId(), filter: false, sort: false },
};

export const ipAvailabilityAttrs: AttrMap = {
  network_id: { post: false, put: false, visible: true, filter: true, primaryKey: true, sort: true },
  network_name: readOnly({ filter: true }),
  tenant_id: readOnly({ filter: true }),
  total_ips: readOnly(),
  used_ips: readOnly(),
  subnet_ip_availability: readOnly(),
  ip_version: { post: false, put: false, visible: false, filter: true },
};

export const availabilityZoneAttrs: AttrMap = {
  name: readOnly({ filter: true }),
  resource: readOnly({ filter: true }),
  state: readOnly({ filter: true }),
};

export const serviceProviderAttrs: AttrMap = {
  service_type: readOnly({ filter: true }),
  name: readOnly({ filter: true }),
  default: readOnly({ filter: true }),
};
