/**
 * Neutron's options, with upstream's names and defaults (neutron/conf/common.py,
 * neutron/conf/plugins/ml2/config.py and drivers, neutron/conf/quota.py, neutron/conf/agent).
 * The ML2 defaults are DevStack's: VXLAN project networks with VNIs 1-1000, flat networks on
 * any physical network; the mechanism drivers are `linuxbridge` (ports on hosts of an alive Linux bridge
 * agent), `nubo_sim` (ports on hosts of an alive simulated L2 agent, see ml2/sim-mechanism.ts)
 * then `noop` (see ml2/mechanisms.ts).
 * `[sim_agent]` configures that agent, `[default_networks]` DevStack's first networks.
 */
import { defineGroup, opt } from '../../common/config/index.js';
import { osloMessagingNotificationsGroup } from '../../common/messaging/notification-options.js';

export const neutronDefaultGroup = defineGroup('DEFAULT', 'General options', {
  base_mac: opt.str('fa:16:3e:00:00:00', 'The base MAC address Neutron will use for VIFs. The first 3 octets will remain unchanged. If the 4th octet is not 00, it will also be used. The others will be randomly generated.'),
  pagination_max_limit: opt.str('-1', "The maximum number of items returned in a single response, value of 'infinite' or negative integer means no limit."),
  max_dns_nameservers: opt.int(5, 'Maximum number of DNS nameservers per subnet.', { min: 0 }),
  max_subnet_host_routes: opt.int(20, 'Maximum number of host routes per subnet.', { min: 0 }),
  max_allowed_address_pair: opt.int(10, 'Maximum number of allowed address pairs.'),
  dns_domain: opt.str('openstacklocal', 'Domain to use for building the hostnames.'),
  global_physnet_mtu: opt.int(1500, 'MTU of the underlying physical network.', { min: 68 }),
  agent_down_time: opt.int(75, 'Seconds to regard the agent is down; should be at least twice report_interval.', { min: 1 }),
  dhcp_agent_notification: opt.bool(true, 'Allow sending resource operation notification to DHCP agent.'),
  dhcp_agents_per_network: opt.int(1, 'Number of DHCP agents scheduled to host a project network.', { min: 1 }),
  default_availability_zones: opt.list([], 'Default value of availability zone hints.'),
  notify_nova_on_port_status_changes: opt.bool(true, 'Send notification to Nova when port status changes.'),
  notify_nova_on_port_data_changes: opt.bool(true, 'Send notification to Nova when port data (fixed_ips/floatingip) changes so Nova can update its cache.'),
  send_events_interval: opt.int(2, 'Number of seconds between sending events to Nova if there are any events to send.', { min: 1 }),
  metadata_proxy_shared_secret: opt.str('', "When proxying metadata requests, Neutron signs the Instance-ID header with this shared secret to prevent spoofing (must equal nova's [neutron] metadata_proxy_shared_secret).", { secret: true }),
  metadata_proxy_socket: opt.str('', 'Location of the metadata proxy UNIX domain socket (empty: <data_dir>/metadata_proxy).'),
});

export const ml2Group = defineGroup('ml2', 'Modular Layer 2 plugin', {
  type_drivers: opt.list(['local', 'flat', 'vlan', 'vxlan', 'geneve'], 'Network type driver entrypoints to be loaded.'),
  tenant_network_types: opt.list(['vxlan'], 'Ordered list of network_types to allocate as project networks.'),
  mechanism_drivers: opt.list(['linuxbridge', 'l2population', 'nubo_sim', 'noop'], 'Networking mechanism driver entrypoints to be loaded.'),
  path_mtu: opt.int(0, 'Maximum size of an IP packet (MTU) that can traverse the underlying physical network infrastructure without fragmentation when using an overlay/tunnel protocol (0: global_physnet_mtu).', { min: 0 }),
  overlay_ip_version: opt.enum(['4', '6'], '4', 'IP version of all overlay (tunnel) network endpoints.'),
});

export const ml2FlatGroup = defineGroup('ml2_type_flat', 'ML2 flat type driver', {
  flat_networks: opt.list(['*'], "List of physical_network names with which flat networks can be created. Use default '*' to allow flat networks with arbitrary physical_network names."),
});

export const ml2VlanGroup = defineGroup('ml2_type_vlan', 'ML2 VLAN type driver', {
  network_vlan_ranges: opt.list(['physnet1:1000:2999'], 'List of <physical_network>:<vlan_min>:<vlan_max> or <physical_network> specifying physical_network names usable for VLAN provider and project networks, as well as ranges of VLAN tags on each available for allocation to project networks.'),
});

export const ml2VxlanGroup = defineGroup('ml2_type_vxlan', 'ML2 VXLAN type driver', {
  vni_ranges: opt.list(['1:1000'], 'Comma-separated list of <vni_min>:<vni_max> tuples enumerating ranges of VXLAN VNI IDs that are available for project network allocation.'),
});

export const ml2GeneveGroup = defineGroup('ml2_type_geneve', 'ML2 Geneve type driver', {
  vni_ranges: opt.list(['1:1000'], 'Comma-separated list of <vni_min>:<vni_max> tuples enumerating ranges of Geneve VNI IDs that are available for project network allocation.'),
  max_header_size: opt.int(30, 'Geneve encapsulation header size is dynamic, this value is used to calculate the maximum MTU for the driver.', { min: 30 }),
});

export const quotasGroup = defineGroup('quotas', 'Quotas', {
  default_quota: opt.int(-1, 'Default number of resource allowed per project. A negative value means unlimited.'),
  quota_network: opt.int(100, 'Number of networks allowed per project. A negative value means unlimited.'),
  quota_subnet: opt.int(100, 'Number of subnets allowed per project, A negative value means unlimited.'),
  quota_port: opt.int(500, 'Number of ports allowed per project. A negative value means unlimited.'),
  quota_router: opt.int(10, 'Number of routers allowed per project. A negative value means unlimited.'),
  quota_floatingip: opt.int(50, 'Number of floating IPs allowed per project. A negative value means unlimited.'),
  quota_security_group: opt.int(10, 'Number of security groups allowed per project. A negative value means unlimited.'),
  quota_security_group_rule: opt.int(100, 'Number of security rules allowed per project. A negative value means unlimited.'),
  quota_rbac_policy: opt.int(10, 'Default number of RBAC entries allowed per project. A negative value means unlimited.'),
  quota_subnetpool: opt.int(-1, 'Number of subnet pools allowed per project. A negative value means unlimited.'),
});

export const agentGroup = defineGroup('agent', 'Agents', {
  report_interval: opt.int(30, 'Seconds between nodes reporting state to server; should be less than agent_down_time.', { min: 1 }),
  availability_zone: opt.str('nova', 'Availability zone of this node.'),
  polling_interval: opt.float(2, 'The number of seconds the Linux bridge agent waits between polls for local device changes.', { min: 0.05 }),
  check_child_processes_interval: opt.int(60, 'Interval between checks of child process liveness (seconds); dead ones are respawned.', { min: 1 }),
});

/**
 * Nubo's Linux data plane. `enabled` is false by default: `nubo up` then runs the simulated L2
 * agent (see agent/data-plane.ts for why). Agents served alone (`nubo serve network-l2-agent`)
 * always use the kernel.
 */
export const dataPlaneGroup = defineGroup('data_plane', 'The Linux data plane (roles network-l2-agent, network-dhcp-agent, network-l3-agent and network-metadata-agent)', {
  enabled: opt.bool(false, 'Run the Linux bridge, DHCP, L3 and metadata agents in `nubo up` instead of the simulated L2 agent (needs root or CAP_NET_ADMIN).'),
  host_namespace: opt.str('nubo-host-{host}', "The network namespace that plays an agent host's root namespace: its bridges, tap and VXLAN devices live there ({host}: the agent's host). Empty: the process's own namespace, as on a real compute node."),
});

export const linuxBridgeGroup = defineGroup('linux_bridge', 'Linux bridge agent', {
  physical_interface_mappings: opt.list([], 'Comma-separated list of <physical_network>:<physical_interface> tuples mapping physical network names to the agent\'s node-specific physical network interfaces (in the host namespace) for flat and VLAN networks.'),
});

export const vxlanGroup = defineGroup('vxlan', 'Linux bridge agent VXLAN', {
  enable_vxlan: opt.bool(true, 'Enable VXLAN on the agent (needs local_ip).'),
  local_ip: opt.str('', 'IP address of the local overlay (tunnel) network endpoint (an address of the host namespace).'),
  vxlan_group: opt.str('224.0.0.1', 'Multicast group for VXLAN flooding; empty: unicast flooding to the other agents\' tunneling IPs (l2population style).'),
  udp_dstport: opt.int(4789, 'The UDP port used for VXLAN communication.', { min: 1, max: 65535 }),
  ttl: opt.int(0, 'TTL for VXLAN interface protocol packets (0: the kernel default).', { min: 0, max: 255 }),
  l2_population: opt.bool(false, "Use the ML2 l2population mechanism driver: the server's forwarding entries (a flooding entry per peer agent with ports on the network, and each remote port's MAC behind its agent) instead of the multicast group."),
  arp_responder: opt.bool(false, 'With l2_population: answer ARP for remote ports locally (permanent neighbour entries on the VXLAN device, which proxies ARP) instead of broadcasting it into the overlay. Not fully compatible with allowed address pairs.'),
});

export const dhcpAgentGroup = defineGroup('dhcp_agent', 'DHCP agent (dhcp_agent.ini [DEFAULT])', {
  dhcp_confs: opt.str('', 'Location to store DHCP server config files (a directory per agent host inside). Empty: <data_dir>/dhcp.'),
  dnsmasq_dns_servers: opt.list([], 'Comma-separated list of the DNS servers which will be used as forwarders.'),
  dhcp_lease_duration: opt.int(86400, 'DHCP lease duration (in seconds). Use -1 to tell dnsmasq to use infinite lease times.', { min: -1 }),
  dnsmasq_lease_max: opt.int(16777216, 'Limit number of leases to prevent a denial-of-service.', { min: 1 }),
  resync_interval: opt.int(5, 'The DHCP agent will resync its state with Neutron to recover from any transient notification or RPC errors. The interval is maximum number of seconds between attempts.', { min: 1 }),
  dnsmasq_binary: opt.str('dnsmasq', 'The dnsmasq program (Debian package dnsmasq-base).'),
  enable_isolated_metadata: opt.bool(false, 'Serve metadata from the DHCP namespace of networks with a subnet no router serves (169.254.169.254 routed through the DHCP port).'),
});

export const securityGroupGroup = defineGroup('securitygroup', 'Security groups of the Linux bridge agent', {
  enable_security_group: opt.bool(true, "Filter ports with their security groups (Neutron's iptables firewall with conntrack, and nftables MAC/ARP anti-spoofing)."),
  enable_ipset: opt.bool(true, 'Use ipsets for the rules naming a remote security group (one rule matching the set of its members instead of one rule per member). Without the ipset program (Debian ipset) the agent falls back to one rule per member.'),
});

export const l3AgentGroup = defineGroup('l3_agent', 'L3 agent (l3_agent.ini [DEFAULT])', {
  enable_metadata_proxy: opt.bool(true, 'Run a metadata proxy in each router namespace (169.254.169.254:80 redirected to it).'),
  resync_interval: opt.int(5, 'Seconds between attempts to resync the routers with the server after an RPC or processing failure.', { min: 1 }),
  radvd_binary: opt.str('radvd', 'The radvd program (Debian package radvd) that sends the router advertisements of IPv6 subnets with an ipv6_ra_mode.'),
  radvd_user: opt.str('', 'The user radvd drops its privileges to (its -u option); empty: none given, radvd keeps the user it was started as.'),
  min_rtr_adv_interval: opt.int(30, 'MinRtrAdvInterval setting for radvd.conf.', { min: 3 }),
  max_rtr_adv_interval: opt.int(100, 'MaxRtrAdvInterval setting for radvd.conf.', { min: 4 }),
});

export const meteringAgentGroup = defineGroup('metering_agent', 'Metering agent (metering_agent.ini [DEFAULT]; role network-metering-agent, iptables driver)', {
  measure_interval: opt.int(30, 'Interval between two metering measures (seconds).', { min: 1 }),
  report_interval: opt.int(300, 'Interval between two metering reports (seconds): each sends an l3.meter notification per label.', { min: 1 }),
  periodic_interval: opt.int(40, 'Seconds between full syncs of the routers and their labels with the server (the agent\'s periodic _sync_routers_task).', { min: 1 }),
});

export const metadataAgentGroup = defineGroup('metadata_agent', 'Metadata agent (metadata_agent.ini [DEFAULT])', {
  nova_metadata_url: opt.str('', "URL of Nova's metadata API (empty: the metadata-api role of this cloud, /compute-metadata on the API listener)."),
});

export const simAgentGroup = defineGroup('sim_agent', 'The simulated L2 agent (role network-sim-agent)', {
  physical_networks: opt.list(['*'], "Physical networks the agent's hosts are wired to, for flat and VLAN segments ('*': any)."),
  tunnel_types: opt.list(['vxlan', 'geneve'], 'Tunnel network types the agent can carry.'),
  dhcp_and_l3: opt.bool(true, 'Also run a simulated DHCP agent and L3 agent on each host: networks and routers are scheduled on them (no DHCP is served, nothing routed), router ports are bound there and go ACTIVE, floating IPs are reported ACTIVE.'),
});

export const defaultNetworksGroup = defineGroup('default_networks', "DevStack's networks, created by neutron-server on its first start when missing", {
  create_public_network: opt.bool(true, 'Create the external network PUBLIC_NETWORK_NAME (flat on public_physical_network, the default external network as DevStack marks it where auto-allocated-topology exists) with its subnet on floating_range.'),
  public_network_name: opt.str('public', 'Name of the external network (DevStack PUBLIC_NETWORK_NAME).'),
  public_subnet_name: opt.str('public-subnet', 'Name of its subnet.'),
  public_physical_network: opt.str('public', 'Physical network of the flat external network (DevStack PUBLIC_PHYSICAL_NETWORK).'),
  floating_range: opt.str('172.24.4.0/24', 'CIDR of the external subnet (DevStack FLOATING_RANGE).'),
  public_network_gateway: opt.str('172.24.4.1', 'Gateway of the external subnet (DevStack PUBLIC_NETWORK_GATEWAY).'),
  create_private_network: opt.bool(true, "Create the admin project's network PRIVATE_NETWORK_NAME with its subnet on fixed_range."),
  private_network_name: opt.str('private', 'Name of the project network (DevStack PRIVATE_NETWORK_NAME).'),
  private_subnet_name: opt.str('private-subnet', 'Name of its subnet.'),
  fixed_range: opt.str('10.0.0.0/26', 'CIDR of the project subnet (DevStack FIXED_RANGE); with use_subnetpool, the prefix asked of the pool.'),
  use_subnetpool: opt.bool(true, "Create the shared default subnet pool subnetpool_name_v4 of the admin project on subnetpool_prefix_v4 (DevStack USE_SUBNETPOOL), from which the project subnet is allocated and Nova's `networks: auto` takes its subnets."),
  subnetpool_name_v4: opt.str('shared-default-subnetpool-v4', 'Name of the default IPv4 subnet pool (DevStack SUBNETPOOL_NAME_V4).'),
  subnetpool_prefix_v4: opt.str('10.0.0.0/22', 'Prefix of the default IPv4 subnet pool (DevStack SUBNETPOOL_PREFIX_V4).'),
  subnetpool_size_v4: opt.int(26, 'Default prefix length of subnets allocated from it (DevStack SUBNETPOOL_SIZE_V4).'),
  network_gateway: opt.str('10.0.0.1', 'Gateway of the project subnet (DevStack NETWORK_GATEWAY).'),
  create_router: opt.bool(true, 'Create the router Q_ROUTER_NAME with its gateway on the external network and an interface on the project subnet.'),
  router_name: opt.str('router1', 'Name of the router (DevStack Q_ROUTER_NAME).'),
});

export const neutronConfigGroups = [
  neutronDefaultGroup, ml2Group, ml2FlatGroup, ml2VlanGroup, ml2VxlanGroup, ml2GeneveGroup, quotasGroup, agentGroup, simAgentGroup,
  dataPlaneGroup, linuxBridgeGroup, vxlanGroup, dhcpAgentGroup, securityGroupGroup, l3AgentGroup, meteringAgentGroup, metadataAgentGroup, defaultNetworksGroup,
  osloMessagingNotificationsGroup,
];
