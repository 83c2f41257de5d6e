/**
 * The iptables rule set of the security-group firewall, built as Neutron's
 * IptablesFirewallDriver builds it (neutron/agent/linux/iptables_firewall.py: a remote group's
 * rule matches the group's ipset, or with ipsets off is expanded to one rule per member IP) and written as one
 * `iptables-restore --noflush` input per IP version, so each is applied in one transaction:
 *
 *   FORWARD -> nubo-fw-FORWARD: per filtered port, bridged traffic out to / in from its device
 *     jumps to nubo-fw-sg-chain; a port without port security is accepted as it is;
 *   INPUT -> nubo-fw-INPUT: what a port sends to the host goes through its egress chain;
 *   nubo-fw-sg-chain: to the device -> nubo-fw-i<dev> (ingress), from it -> nubo-fw-o<dev>
 *     (egress), then ACCEPT (a packet between two ports of the host passes both);
 *   nubo-fw-i<dev>: ICMPv6 MLD/NS/NA/RA and DHCP replies in, RELATED/ESTABLISHED back, the
 *     groups' ingress rules, INVALID dropped, the rest to nubo-fw-sg-fallback (DROP);
 *   nubo-fw-o<dev>: DHCP discovery and IPv6 DAD from the unspecified address, then the
 *     anti-spoofing chain nubo-fw-s<dev> (source IP and MAC must be the port's or an allowed
 *     pair's), DHCP client traffic, no DHCP server or router advertisements, all other
 *     ICMPv6, RELATED/ESTABLISHED, the groups' egress rules, INVALID dropped, fallback.
 * The raw table puts each port's traffic in its network's conntrack zone (CT --zone), so that
 * overlapping addresses of two networks on one host do not share connections.
 */
import { cidrToString, parseCidr, type IpVersion } from '../../common/netaddr.js';
import { eui64Address } from '../../common/mac.js';
import { ipsetName, setMembers } from './ipset-sets.js';
import type { Direction, EtherType, FirewallPort, FirewallRule, GroupMembers } from './types.js';

export const CHAIN_PREFIX = 'nubo-fw-';
export const FORWARD_CHAIN = `${CHAIN_PREFIX}FORWARD`;
export const INPUT_CHAIN = `${CHAIN_PREFIX}INPUT`;
export const PREROUTING_CHAIN = `${CHAIN_PREFIX}PREROUTING`;
export const SG_CHAIN = `${CHAIN_PREFIX}sg-chain`;
export const FALLBACK_CHAIN = `${CHAIN_PREFIX}sg-fallback`;

/** The state the rules are built from. */
export interface FirewallState {
  ports: ReadonlyMap<string, FirewallPort>;
  rules: ReadonlyMap<string, readonly FirewallRule[]>;
  members: ReadonlyMap<string, GroupMembers>;
  /** Conntrack zone of each network (1..65535). */
  zones: ReadonlyMap<string, number>;
  /** Remote groups as ipsets (ipset-sets.ts) rather than one rule per member. */
  ipset?: boolean;
}

/** The restore input of one table and the chains of ours it leaves behind. */
export interface TableScript {
  text: string;
  chains: string[];
  /** Each chain's rules as written: given back as `written`, the next script leaves the unchanged ones alone. */
  contents: Map<string, string>;
  /** Whether the script declares (creates, rewrites or deletes) any chain. */
  changes: boolean;
}

const ETHERTYPE: Record<IpVersion, EtherType> = { 4: 'IPv4', 6: 'IPv6' };

/** neutron_lib IPTABLES_PROTOCOL_NAME_MAP (numbers and aliases to the names iptables knows). */
const PROTOCOL_NAMES: Record<string, string> = {
  '1': 'icmp', '6': 'tcp', '17': 'udp', '33': 'dccp', '58': 'ipv6-icmp', '132': 'sctp', '136': 'udplite',
  icmpv6: 'ipv6-icmp', 'ipv6-icmp': 'ipv6-icmp', '4': 'ipencap', ipip: 'ipencap',
};
/** Protocols whose rules take ports (`-m tcp --dport` or `-m multiport --dports`). */
const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite']);
/** Protocols iptables matches ports of only through multiport. */
const MULTIPORT_ONLY = new Set(['udplite']);

/** ICMPv6 types (neutron_lib constants). */
const ICMPV6 = { MLD_QUERY: 130, MLD_REPORT: 131, MLD_REPORT_V2: 143, RS: 133, RA: 134, NS: 135, NA: 136 } as const;
/** Allowed into a port (firewall.ICMPV6_ALLOWED_INGRESS_TYPES, and the RA the server adds). */
const ICMPV6_INGRESS = [ICMPV6.MLD_QUERY, ICMPV6.RA, ICMPV6.NS, ICMPV6.NA];
/** Allowed from :: to ff02::/16 for duplicate address detection (ICMPV6_ALLOWED_UNSPEC_ADDR_TYPES). */
const ICMPV6_UNSPECIFIED = [ICMPV6.MLD_REPORT, ICMPV6.NS, ICMPV6.MLD_REPORT_V2];

const LINK_LOCAL = parseCidr('fe80::/64')!;

/** iptables chain names are at most 28 characters; device names at most 15. */
export function portChain(kind: 'i' | 'o' | 's', device: string): string {
  return `${CHAIN_PREFIX}${kind}${device}`.slice(0, 28);
}

function versionOf(ip: string): IpVersion | undefined {
  return parseCidr(ip, true)?.version;
}

/** c_utils.ip_to_cidr: a bare address becomes /32 or /128; CIDRs are normalised. */
function toCidr(ip: string): string {
  const c = parseCidr(ip, true);
  return c ? cidrToString(c) : ip;
}

function physdev(direction: Direction, device: string, bridged = true): string {
  // ingress: traffic going out of the bridge to the port's device; egress: coming in from it
  return `-m physdev --physdev-${direction === 'ingress' ? 'out' : 'in'} ${device}${bridged ? ' --physdev-is-bridged' : ''}`;
}

function comment(text: string): string {
  return `-m comment --comment "${text}"`;
}

function protocolName(protocol: string | null | undefined, version: IpVersion): string | undefined {
  if (protocol === undefined || protocol === null || protocol === '' || protocol === '0' || protocol === 'any') return undefined;
  const p = protocol.toLowerCase();
  const name = PROTOCOL_NAMES[p] ?? p;
  // an IPv6 rule for "icmp" means ICMPv6, as the server's rules say
  if (version === 6 && name === 'icmp') return 'ipv6-icmp';
  return name;
}

function protocolArgs(rule: FirewallRule, version: IpVersion): string[] {
  const proto = protocolName(rule.protocol, version);
  if (!proto) return [];
  const args = ['-p', proto];
  const min = rule.port_range_min ?? null;
  const max = rule.port_range_max ?? null;
  if (proto === 'icmp' || proto === 'ipv6-icmp') {
    if (min === null) return args;
    const kind = proto === 'icmp' ? 'icmp' : 'icmp6';
    const flag = proto === 'icmp' ? '--icmp-type' : '--icmpv6-type';
    return [...args, '-m', kind, flag, max === null ? `${min}` : `${min}/${max}`];
  }
  if (!PORT_PROTOCOLS.has(proto) || min === null) return args;
  if (min === max && !MULTIPORT_ONLY.has(proto)) return [...args, '-m', proto, '--dport', `${min}`];
  return [...args, '-m', 'multiport', '--dports', min === max || max === null ? `${min}` : `${min}:${max}`];
}

/**
 * The rule's remote side, as the arguments of each rule it becomes: its group's ipset, or (without
 * ipsets) each member of the group but the port's own IPs, or each address of its address group,
 * or its prefix; '' is no constraint.
 */
function remoteMatches(rule: FirewallRule, port: FirewallPort, direction: Direction, version: IpVersion, state: FirewallState): string[] {
  const side = direction === 'ingress' ? '-s' : '-d';
  // an address group: one rule per address of it (its addresses come as the members of its id), ipsets or not
  if (rule.remote_address_group_id) return setMembers(state.members.get(rule.remote_address_group_id), version).map((c) => `${side} ${c}`);
  if (rule.remote_group_id) {
    const members = setMembers(state.members.get(rule.remote_group_id), version);
    // a group without members has no set: its rule matches nothing (_generate_ipset_rule_args)
    if (state.ipset) return members.length ? [`-m set --match-set ${ipsetName(rule.remote_group_id, version)} ${direction === 'ingress' ? 'src' : 'dst'}`] : [];
    const own = new Set(port.fixed_ips.map(toCidr));
    return members.filter((c) => !own.has(c)).map((c) => `${side} ${c}`);
  }
  if (rule.remote_ip_prefix) {
    if (versionOf(rule.remote_ip_prefix) !== version) return [];
    const cidr = toCidr(rule.remote_ip_prefix);
    // an allow for every address is no constraint
    return [cidr.endsWith('/0') ? '' : `${side} ${cidr}`];
  }
  return [''];
}

/** The security groups' rules of one port, direction and IP version, as iptables rule specs. */
function groupRules(port: FirewallPort, direction: Direction, version: IpVersion, state: FirewallState): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const groupId of port.security_groups) {
    for (const rule of state.rules.get(groupId) ?? []) {
      if (rule.direction !== direction || rule.ethertype !== ETHERTYPE[version]) continue;
      for (const remote of remoteMatches(rule, port, direction, version, state)) {
        const spec = [...(remote ? [remote] : []), ...protocolArgs(rule, version), '-j', 'RETURN'].join(' ');
        if (seen.has(spec)) continue;
        seen.add(spec);
        out.push(spec);
      }
    }
  }
  return out;
}

/** The (MAC, IP) pairs a port may send from: fixed IPs, allowed pairs and their IPv6 link-local addresses. */
function sourcePairs(port: FirewallPort, version: IpVersion): Array<[mac: string, ip: string | undefined]> {
  const pairs: Array<[string, string | undefined]> = [];
  const add = (mac: string, ip: string) => {
    if (versionOf(ip) !== version) return;
    const m = mac.toUpperCase();
    if (!pairs.some(([pm, pi]) => pm === m && pi === ip)) pairs.push([m, ip]);
    if (version === 6) {
      const lla = eui64Address(LINK_LOCAL, mac);
      if (!pairs.some(([pm, pi]) => pm === m && pi === lla)) pairs.push([m, lla]);
    }
  };
  for (const pair of port.allowed_address_pairs ?? []) add(pair.mac_address, pair.ip_address);
  for (const ip of port.fixed_ips) add(port.mac_address, ip);
  if (port.fixed_ips.length === 0) pairs.push([port.mac_address.toUpperCase(), undefined]);
  return pairs;
}

class Table {
  readonly chains: string[] = [];
  readonly rules: Array<[chain: string, line: string]> = [];

  chain(name: string): void {
    if (!this.chains.includes(name)) this.chains.push(name);
  }

  add(chain: string, spec: string): void {
    this.rules.push([chain, `-A ${chain} ${spec}`]);
  }

  /**
   * Declared chains are created or flushed; stale ones (after every reference went) deleted.
   * With `written` (the contents of the last script applied), only the chains whose rules
   * differ are declared and written (iptables-restore --noflush leaves the others as they
   * are): a rule added to a group of 100 ports rewrites their 100 ingress chains, not every
   * chain of every port (the time of a restore grows with the lines it is given).
   */
  render(table: string, stale: readonly string[], written?: ReadonlyMap<string, string>): TableScript {
    const byChain = new Map<string, string[]>(this.chains.map((c) => [c, []]));
    for (const [chain, line] of this.rules) byChain.get(chain)!.push(line);
    const contents = new Map([...byChain].map(([c, lines]) => [c, lines.join('\n')]));
    const declared = new Set(this.chains.filter((c) => written?.get(c) !== contents.get(c)));
    const current = new Set(this.chains);
    const gone = stale.filter((c) => !current.has(c));
    // a declared chain is flushed, so a stale one is empty (and unreferenced) when deleted
    const lines = [`*${table}`, ...[...declared, ...gone].map((c) => `:${c} - [0:0]`), ...this.rules.filter(([c]) => declared.has(c)).map(([, line]) => line)];
    for (const c of gone) lines.push(`-X ${c}`);
    lines.push('COMMIT', '');
    return { text: lines.join('\n'), chains: [...this.chains], contents, changes: declared.size + gone.length > 0 };
  }
}

function egressFixedRules(port: FirewallPort, version: IpVersion, t: Table): void {
  const chain = portChain('o', port.device);
  const spoof = portChain('s', port.device);
  if (version === 4) {
    t.add(chain, `-s 0.0.0.0/32 -d 255.255.255.255/32 -p udp -m udp --sport 68 --dport 67 ${comment('Allow DHCP client traffic.')} -j RETURN`);
  } else {
    for (const type of ICMPV6_UNSPECIFIED) {
      t.add(chain, `-s ::/128 -d ff02::/16 -p ipv6-icmp -m icmp6 --icmpv6-type ${type} ${comment('Allow IPv6 ICMP traffic.')} -j RETURN`);
    }
  }
  t.chain(spoof);
  for (const [mac, ip] of sourcePairs(port, version)) {
    const src = ip === undefined ? '' : `-s ${toCidr(ip)} `;
    t.add(spoof, `${src}-m mac --mac-source ${mac} ${comment('Allow traffic from defined IP/MAC pairs.')} -j RETURN`);
  }
  t.add(spoof, `${comment('Drop traffic without an IP/MAC allow rule.')} -j DROP`);
  t.add(chain, `-j ${spoof}`);
  if (version === 4) {
    t.add(chain, `-p udp -m udp --sport 68 --dport 67 ${comment('Allow DHCP client traffic.')} -j RETURN`);
    t.add(chain, `-p udp -m udp --sport 67 --dport 68 ${comment('Prevent DHCP Spoofing by VM.')} -j DROP`);
  } else {
    t.add(chain, `-p ipv6-icmp -m icmp6 --icmpv6-type ${ICMPV6.RA} ${comment('Drop IPv6 Router Advts from VM Instance.')} -j DROP`);
    t.add(chain, `-p ipv6-icmp ${comment('Allow IPv6 ICMP traffic.')} -j RETURN`);
    t.add(chain, `-p udp -m udp --sport 546 --dport 547 ${comment('Allow DHCP client traffic.')} -j RETURN`);
    t.add(chain, `-p udp -m udp --sport 547 --dport 546 ${comment('Prevent DHCP Spoofing by VM.')} -j DROP`);
  }
}

function ingressFixedRules(port: FirewallPort, version: IpVersion, t: Table): void {
  const chain = portChain('i', port.device);
  if (version === 4) {
    t.add(chain, `-p udp -m udp --sport 67 --dport 68 ${comment('Allow DHCP replies.')} -j RETURN`);
  } else {
    for (const type of ICMPV6_INGRESS) t.add(chain, `-p ipv6-icmp -m icmp6 --icmpv6-type ${type} -j RETURN`);
    t.add(chain, `-p udp -m udp --sport 547 --dport 546 ${comment('Allow DHCP replies.')} -j RETURN`);
  }
}

/**
 * A port is stateless when its groups are (the rules of stateless groups say stateful: false;
 * a port on groups without rules is stateful): its traffic is not tracked.
 */
export function isStateless(port: FirewallPort, rules: FirewallState['rules']): boolean {
  const all = port.security_groups.flatMap((g) => rules.get(g) ?? []);
  return all.length > 0 && all.every((r) => r.stateful === false);
}

function portChainRules(port: FirewallPort, direction: Direction, version: IpVersion, state: FirewallState, t: Table): void {
  const chain = portChain(direction === 'ingress' ? 'i' : 'o', port.device);
  const stateful = !isStateless(port, state.rules);
  t.chain(chain);
  if (direction === 'egress') egressFixedRules(port, version, t);
  else ingressFixedRules(port, version, t);
  if (stateful) t.add(chain, `-m state --state RELATED,ESTABLISHED ${comment('Direct packets associated with a known session to the RETURN chain.')} -j RETURN`);
  for (const spec of groupRules(port, direction, version, state)) t.add(chain, spec);
  if (stateful) t.add(chain, `-m state --state INVALID ${comment('Drop packets that appear related to an existing connection (e.g. TCP ACK/FIN) but do not have an entry in conntrack.')} -j DROP`);
  t.add(chain, `${comment('Send unmatched traffic to the fallback chain.')} -j ${FALLBACK_CHAIN}`);
}

function sortedPorts(state: FirewallState): FirewallPort[] {
  return [...state.ports.values()].sort((a, b) => a.device.localeCompare(b.device));
}

/** The filter table of one IP version; `stale` are our chains of the last apply, `written` their contents (see Table.render). */
export function filterTable(state: FirewallState, version: IpVersion, stale: readonly string[] = [], written?: ReadonlyMap<string, string>): TableScript {
  const t = new Table();
  for (const c of [FORWARD_CHAIN, INPUT_CHAIN, SG_CHAIN, FALLBACK_CHAIN]) t.chain(c);
  t.add(FALLBACK_CHAIN, `${comment('Default drop rule for unmatched traffic.')} -j DROP`);
  const ports = sortedPorts(state);
  // the security group jumps come before the accepts of unfiltered ports: a packet from an
  // unfiltered port to a filtered one must still meet the latter's ingress rules
  for (const port of ports.filter((p) => p.port_security_enabled)) {
    const dev = port.device;
    for (const d of ['ingress', 'egress'] as const) {
      t.add(FORWARD_CHAIN, `${physdev(d, dev)} ${comment('Direct traffic from the VM interface to the security group chain.')} -j ${SG_CHAIN}`);
    }
    t.add(SG_CHAIN, `${physdev('ingress', dev)} ${comment('Jump to the VM specific chain.')} -j ${portChain('i', dev)}`);
    t.add(SG_CHAIN, `${physdev('egress', dev)} ${comment('Jump to the VM specific chain.')} -j ${portChain('o', dev)}`);
    t.add(INPUT_CHAIN, `${physdev('egress', dev, false)} ${comment('Direct incoming traffic from VM to the security group chain.')} -j ${portChain('o', dev)}`);
    portChainRules(port, 'ingress', version, state, t);
    portChainRules(port, 'egress', version, state, t);
  }
  for (const port of ports.filter((p) => !p.port_security_enabled)) {
    for (const d of ['ingress', 'egress'] as const) t.add(FORWARD_CHAIN, `${physdev(d, port.device)} ${comment('Accept all packets when port security is disabled.')} -j ACCEPT`);
    t.add(INPUT_CHAIN, `${physdev('egress', port.device, false)} ${comment('Accept all packets when port security is disabled.')} -j ACCEPT`);
  }
  t.add(SG_CHAIN, '-j ACCEPT');
  return t.render('filter', stale, written);
}

/**
 * The raw table: the traffic of a filtered port's bridge (both directions of every connection
 * through it) and of the port itself in its network's conntrack zone (_get_jump_rules); the
 * traffic of a stateless port is not tracked (CT --notrack).
 */
export function rawTable(state: FirewallState, stale: readonly string[] = [], written?: ReadonlyMap<string, string>): TableScript {
  const t = new Table();
  t.chain(PREROUTING_CHAIN);
  const ports = sortedPorts(state).filter((p) => p.port_security_enabled);
  // the first CT target a packet meets is the one that holds: a stateless port's come first
  const stateless = ports.filter((p) => isStateless(p, state.rules));
  for (const port of stateless) t.add(PREROUTING_CHAIN, `-m physdev --physdev-in ${port.device} ${comment(`Stateless port ${port.device}`)} -j CT --notrack`);
  const bridges = new Set<string>();
  for (const port of ports.filter((p) => !stateless.includes(p))) {
    const zone = state.zones.get(port.network_id);
    if (zone === undefined || !port.bridge) continue;
    if (!bridges.has(port.bridge)) {
      bridges.add(port.bridge);
      t.add(PREROUTING_CHAIN, `-m physdev --physdev-in ${port.bridge} ${comment(`Set zone for ${port.bridge}`)} -j CT --zone ${zone}`);
      t.add(PREROUTING_CHAIN, `-i ${port.bridge} ${comment(`Set zone for ${port.bridge}`)} -j CT --zone ${zone}`);
    }
    t.add(PREROUTING_CHAIN, `-m physdev --physdev-in ${port.device} ${comment(`Set zone for ${port.device}`)} -j CT --zone ${zone}`);
  }
  return t.render('raw', stale, written);
}
