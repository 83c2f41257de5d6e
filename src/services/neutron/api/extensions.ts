/**
 * GET /v2.0/extensions: exactly the extensions this service implements, with upstream's
 * aliases, names, descriptions and timestamps (neutron-lib api definitions and
 * neutron/extensions/*.py). Nothing is listed that the API does not do.
 */
/** An extension as GET /v2.0/extensions shows it. */
export interface Extension {
  alias: string;
  name: string;
  description: string;
  updated: string;
  links: never[];
}

type Row = readonly [alias: string, name: string, description: string, updated: string];

const EXTENSIONS: readonly Row[] = [
  ["address-group", "Address group", "Support address group", "2020-07-15T10:00:00-00:00"],
  ["address-scope", "Address scope", "Address scopes extension.", "2015-07-26T10:00:00-00:00"],
  ["agent", "agent", "The agent management extension.", "2013-02-03T10:00:00-00:00"],
  ["allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs", "2013-07-23T10:00:00-00:00"],
  ["auto-allocated-topology", "Auto Allocated Topology Services", "Auto Allocated Topology Services.", "2016-01-01T00:00:00-00:00"],
  ["availability_zone", "Availability Zone", "The availability zone extension.", "2015-01-01T10:00:00-00:00"],
  ["binding", "Port Binding", "Expose port bindings of a virtual port to external application", "2014-02-03T10:00:00-00:00"],
  ["default-subnetpools", "Default Subnetpools", "Provides ability to mark and use a subnetpool as the default.", "2016-02-18T18:00:00-00:00"],
  ["dhcp_agent_scheduler", "DHCP Agent Scheduler", "Schedule networks among dhcp agents", "2013-02-07T10:00:00-00:00"],
  ["dns-integration", "DNS Integration", "Provides integration with DNS.", "2015-08-15T18:00:00-00:00"],
  ["empty-string-filtering", "Empty String Filtering Extension", "Allow filtering by attributes with empty string value", "2018-05-01T10:00:00-00:00"],
  ["expose-port-forwarding-in-fip", "Expose Floating IP port forwardings", "Expose port forwarding fields in floating IP response", "2018-06-28T16:00:00-00:00"],
  ["ext-gw-mode", "Neutron L3 Configurable external gateway mode", "Extension of the router abstraction for specifying whether SNAT should occur on the external gateway", "2013-03-28T10:00:00-00:00"],
  ["external-net", "Neutron external network", "Adds external network attribute to network resource.", "2013-01-14T10:00:00-00:00"],
  ["extra_dhcp_opt", "Neutron Extra DHCP options", "Extra options configuration for DHCP. For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name)", "2013-03-17T12:00:00-00:00"],
  ["extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router", "2013-02-01T10:00:00-00:00"],
  ["filter-validation", "Filter parameters validation", "Provides validation on filter parameters.", "2018-07-04T10:00:00-00:00"],
  ["fip-port-details", "Floating IP Port Details Extension", "Add port_details attribute to Floating IP resource", "2018-04-09T10:00:00-00:00"],
  ["floating-ip-port-forwarding-detail", "Floating IP port forwarding detail", "Allow list floating ip return more port forwarding data, include'id' and 'internal_port_id'", "2022-05-06T10:00:00-00:00"],
  ["floating-ip-port-forwarding", "Floating IP Port Forwarding", "Allow port forwarding from floating IP port to an internal port", "2018-01-19T10:00:00-00:00"],
  ["ip-substring-filtering", "IP address substring filtering", "Provides IP address substring filtering when listing ports", "2017-11-28T09:00:00-00:00"],
  ["ip_allocation", "IP Allocation", "IP allocation extension.", "2016-06-10T23:00:00-00:00"],
  ["l2_adjacency", "L2 Adjacency", "Display L2 Adjacency for Neutron Networks.", "2016-04-12T16:00:00-00:00"],
  ["l3_agent_scheduler", "L3 Agent Scheduler", "Schedule routers among l3 agents", "2013-02-07T10:00:00-00:00"],
  ["metering", "Neutron Metering", "Neutron Metering extension.", "2013-06-12T10:00:00-00:00"],
  ["metering_source_and_destination_fields", "Neutron Metering with source and destination filtering", "Neutron Metering extension that enables the use of source and destination IP prefixes to create metering label rules.", "2020-08-21T08:12:00-00:00"],
  ["multi-provider", "Multi Provider Network", "Expose mapping of virtual networks to multiple physical networks", "2013-06-27T10:00:00-00:00"],
  ["net-mtu", "Network MTU", "Provides MTU attribute for a network resource.", "2015-03-25T10:00:00-00:00"],
  ["net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a network resource.", "2017-07-12T00:00:00-00:00"],
  ["network-ip-availability", "Network IP Availability", "Provides IP availability data for each network and subnet.", "2015-09-24T00:00:00-00:00"],
  ["network_availability_zone", "Network Availability Zone", "Availability zone support for network.", "2015-01-01T10:00:00-00:00"],
  ["nubo-path-explain", "Nubo path explainer", "GET /v2.0/nubo-explain?from=&to=[&protocol=&port=]: the hops between a server, port, fixed or floating IP and another one or the outside, each with its verdict (ok, broken, unknown), evidence from Neutron's state and the kernel, and the command that fixes it", "2026-12-03T00:00:00-00:00"],
  ["pagination", "Pagination support", "Extension that indicates that pagination is enabled.", "2016-06-12T00:00:00-00:00"],
  ["port-security", "Port Security", "Provides port security", "2012-07-23T10:00:00-00:00"],
  ["project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled.", "2016-09-09T09:09:09-09:09"],
  ["provider", "Provider Network", "Expose mapping of virtual networks to physical networks", "2012-09-07T10:00:00-00:00"],
  ["qos", "Quality of Service", "The Quality of Service extension.", "2015-06-08T10:00:00-00:00"],
  ["qos-bw-limit-direction", "Direction for QoS bandwidth limit rule", "Allow to configure QoS bandwidth limit rule with specific direction: ingress or egress", "2017-04-10T10:00:00-00:00"],
  ["qos-bw-minimum-ingress", "Ingress direction for QoS minimum bandwidth rule", "Allow to configure QoS minumum bandwidth rule with ingress direction.", "2018-07-09T10:00:00-00:00"],
  ["qos-default", "QoS default policy", "Expose the QoS default policy per project", "2017-041-06T10:00:00-00:00"],
  ["qos-port-network-policy", "QoS port network policy ID", "Adds a the QoS network ID to the port definition", "2019-11-01T10:00:00-00:00"],
  ["qos-rule-type-details", "Details of QoS rule types", "Expose details about QoS rule types supported by loaded backend drivers", "2017-06-22T10:00:00-00:00"],
  ["qos-rules-alias", "Quality of Service rules alias API", "API to enable GET, PUT and DELETE operations on QoS policy rules without specifying policy ID", "2018-10-07T10:00:00-00:00"],
  ["quota_details", "Quota details management support", "Expose functions for quotas usage statistics per project", "2017-02-10T10:00:00-00:00"],
  ["quota-check-limit", "Quota engine limit check", "Support for checking the resource usage before applying a new quota limit", "2021-09-08T16:00:00-00:00"],
  ["quotas", "Quota management support", "Expose functions for quotas management per project", "2012-07-29T10:00:00-00:00"],
  ["rbac-address-group", "Add address_group type to RBAC", "Add address_group type to network RBAC", "2021-01-20T00:00:00-00:00"],
  ["rbac-address-scope", "Add address_scope type to RBAC", "Add address_scope type to RBAC", "2020-02-12T00:00:00-00:00"],
  ["rbac-policies", "RBAC Policies", "Allows creation and modification of policies that control project access to resources.", "2015-06-17T12:15:12-00:00"],
  ["rbac-security-groups", "Add security_group type to network RBAC", "Add security_group type to network RBAC", "2019-02-14T00:00:00-00:00"],
  ["rbac-subnetpool", "Add subnetpool type to RBAC", "Add subnetpool type to RBAC", "2020-02-05T00:00:00-00:00"],
  ["revision-if-match", "If-Match constraints based on revision_number", "Extension indicating that If-Match based on revision_number is supported.", "2016-12-11T00:00:00-00:00"],
  ["router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.", "2012-07-20T10:00:00-00:00"],
  ["router_availability_zone", "Router Availability Zone", "Availability zone support for router.", "2015-01-01T10:00:00-00:00"],
  ["security-group", "security-group", "The security groups extension.", "2012-10-05T10:00:00-00:00"],
  ["security-groups-remote-address-group", "Remote address group id field for security group rules", "Add new field of remote address group id in SG rules", "2020-08-25T10:00:00-00:00"],
  ["security-groups-normalized-cidr", "Normalized CIDR field for security group rules", "Add new field with normalized remote_ip_prefix cidr in SG rule", "2020-07-28T10:00:00-00:00"],
  ["security-groups-rules-belongs-to-default-sg", "Security group rule belongs to the project's default security group", "Flag to determine if the security group rule belongs to the project's default security group", "2023-05-23T10:00:00-00:00"],
  ["security-groups-shared-filtering", "Security group filtering on the shared field", "Support filtering security groups on the shared field", "2021-10-05T09:00:00-00:00"],
  ["service-type", "Neutron Service Type Management", "API for retrieving service providers for Neutron advanced services", "2013-01-20T00:00:00-00:00"],
  ["sorting", "Sorting support", "Extension that indicates that sorting is enabled.", "2016-06-12T00:00:00-00:00"],
  ["standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes", "2016-02-10T10:00:00-00:00"],
  ["standard-attr-revisions", "Resource revision numbers", "This extension will display the revision number of neutron resources.", "2016-04-11T10:00:00-00:00"],
  ["standard-attr-tag", "Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip", "Enables to set tag on resources with standard attribute.", "2017-01-01T00:00:00-00:00"],
  ["standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.", "2016-09-12T10:00:00-00:00"],
  ["stateful-security-group", "Stateful security group", "Indicates if the security group is stateful or not", "2019-11-26T09:00:00-00:00"],
  ["subnet-service-types", "Subnet service types", "Provides ability to set the subnet service_types field", "2016-03-15T18:00:00-00:00"],
  ["subnet_allocation", "Subnet Allocation", "Enables allocation of subnets from a subnet pool", "2015-03-30T10:00:00-00:00"],
  ["subnetpool-prefix-ops", "Subnet Pool Prefix Operations", "Provides support for adjusting the prefix list of subnet pools", "2019-02-08T10:00:00-00:00"],
  ["tag-creation", "Tag creation extension", "Allow to create multiple tags for a resource", "2024-23-07T10:00:00-00:00"],
  ["trunk", "Trunk Extension", "Provides support for trunk ports", "2016-01-01T10:00:00-00:00"],
  ["trunk-details", "Trunk port details", "Expose trunk port details", "2016-01-01T10:00:00-00:00"],
];

export function extensionList(): Extension[] {
  return EXTENSIONS.map(([alias, name, description, updated]) => ({ alias, name, description, updated, links: [] }));
}

export function extensionAliases(): string[] {
  return EXTENSIONS.map(([alias]) => alias);
}
