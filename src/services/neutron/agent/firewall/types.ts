/**
 * The security-group firewall's interface (neutron/agent/firewall.py FirewallDriver): what an
 * L2 agent tells it about a port (device, MAC, fixed IPs, allowed address pairs, port
 * security, security groups) and about the groups (their rules, and the member IPs that a
 * rule's remote_group_id stands for).
 */

export type Direction = 'ingress' | 'egress';
export type EtherType = 'IPv4' | 'IPv6';

/** One security group rule as the server's security_group_info_for_devices gives it. */
export interface FirewallRule {
  direction: Direction;
  ethertype: EtherType;
  /** Name or number ('tcp', '6', 'icmp', 'ipv6-icmp', ...); null or 'any' or '0': every protocol. */
  protocol?: string | null;
  /** Ports for TCP/UDP/SCTP/DCCP/UDP-Lite; ICMP type for ICMP. */
  port_range_min?: number | null;
  /** Last port; ICMP code for ICMP. */
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  /** false: the rule's group is stateless (extension stateful-security-group); unset: stateful. */
  stateful?: boolean;
  /** An address group: one rule per address of it (its addresses come as the members of this id). */
  remote_address_group_id?: string | null;
}

/** A pair of allowed_address_pairs: another IP (or CIDR) and MAC the port may send from. */
export interface AddressPair {
  ip_address: string;
  mac_address: string;
}

/** A port to filter (prepare/update_port_filter's `port`). */
export interface FirewallPort {
  /** Port id (for logs and errors). */
  id: string;
  /** The port's device on the bridge: tap or veth (at most 15 characters). */
  device: string;
  mac_address: string;
  /** Fixed IP addresses (no prefix length). */
  fixed_ips: string[];
  allowed_address_pairs?: AddressPair[];
  /** false: the port is not filtered at all (its traffic is accepted as it is). */
  port_security_enabled: boolean;
  security_groups: string[];
  /** The network the port is on (conntrack zones are per network). */
  network_id: string;
  /**
   * The bridge the device is plugged into (one per network, as the Linux bridge agent's
   * brq<network>): all its traffic goes into the network's conntrack zone. Without it the
   * host's default zone is used.
   */
  bridge?: string;
}

/** Member IPs of a security group (or addresses of an address group) by ethertype, for rules naming it as remote. */
export type GroupMembers = Partial<Record<EtherType, string[]>>;

/** What every firewall driver does (iptables here; the interface is Neutron's). */
export interface FirewallDriver {
  /** Sets up the filter of a new port (its security groups' rules must be known, or come later). */
  preparePortFilter(port: FirewallPort): Promise<void>;
  /** Replaces what is known of an already filtered port (security groups, IPs, pairs, port security). */
  updatePortFilter(port: FirewallPort): Promise<void>;
  /** Removes the port's filter and its chains. */
  removePortFilter(device: string): Promise<void>;
  /** A group's rules (all of them) changed. */
  updateSecurityGroupRules(groupId: string, rules: FirewallRule[]): Promise<void>;
  /** A group's member IPs changed. */
  updateSecurityGroupMembers(groupId: string, members: GroupMembers): Promise<void>;
  /** Runs a batch of the changes above with one apply at its end (filter_defer_apply_on/off). */
  deferApply<T>(fn: () => Promise<T>): Promise<T>;
  /** The devices filtered now. */
  readonly ports: ReadonlyMap<string, FirewallPort>;
  /** Removes everything the driver installed. */
  destroy(): Promise<void>;
}
