/**
 * Security group rule values and checks (neutron/extensions/securitygroup.py converters and
 * neutron/db/securitygroups_db.py validation): protocols by name or number, port ranges per
 * protocol (TCP/UDP-like ranges, ICMP type/code), remote prefix vs ethertype, one remote
 * only, and the comparison key that finds duplicate rules.
 */
import { displayValue } from '../../../common/display.js';
import { cidrAsWritten, cidrToString, parseCidr } from '../common/netaddr.js';
import type { SecurityGroupRuleRow } from '../db/schema.js';
import {
  InvalidCIDR, SecurityGroupEthertypeConflictWithProtocol, SecurityGroupInvalidIcmpValue, SecurityGroupInvalidPortRange,
  SecurityGroupInvalidPortValue, SecurityGroupInvalidProtocolForPort, SecurityGroupMissingIcmpType, SecurityGroupMultipleRemoteEntites,
  SecurityGroupProtocolRequiredWithPorts, SecurityGroupRuleInvalidEtherType, SecurityGroupRuleInvalidProtocol, SecurityGroupRuleParameterConflict,
} from '../errors.js';

/** neutron_lib.constants.IP_PROTOCOL_MAP (plus the legacy 'icmpv6' name). */
export const IP_PROTOCOL_MAP: Readonly<Record<string, number>> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ip: 0, ipip: 4, 'ipv6-encap': 41, 'ipv6-frag': 44,
  'ipv6-icmp': 58, icmpv6: 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89, pgm: 113, rsvp: 46, sctp: 132,
  tcp: 6, udp: 17, udplite: 136, vrrp: 112,
};

const SUPPORTED = ['any', ...Object.keys(IP_PROTOCOL_MAP)];
const SUPPORTED_TEXT = `(None, ${SUPPORTED.map((p) => `'${p}'`).join(', ')})`;
/** Protocols that take port ranges (SG_PORT_PROTO_NAMES / NUMS). */
const PORT_PROTOCOLS = ['tcp', 'udp', 'udplite', 'dccp', 'sctp'];
const PORT_PROTOCOL_NUMS = ['6', '17', '136', '33', '132'];
const IPV6_ONLY = ['ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', '41', '44', '58', '59', '60', '43'];
export const ETHERTYPES = ['IPv4', 'IPv6'];

export function convertProtocol(value: unknown): string | null {
  if (value === null || value === 'any') return null;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0 && n <= 255) return String(value);
    throw new SecurityGroupRuleInvalidProtocol(value, SUPPORTED_TEXT);
  }
  if (typeof value === 'string' && SUPPORTED.includes(value.toLowerCase())) return value.toLowerCase();
  throw new SecurityGroupRuleInvalidProtocol(value, SUPPORTED_TEXT);
}

export function convertEthertype(value: unknown): string {
  if (typeof value === 'string') {
    const hit = ETHERTYPES.find((e) => e.toLowerCase() === value.toLowerCase());
    if (hit) return hit;
  }
  throw new SecurityGroupRuleInvalidEtherType(value, `['IPv4', 'IPv6']`);
}

export function convertPortValue(value: unknown): number | null {
  if (value === null) return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  throw new SecurityGroupInvalidPortValue(value);
}

export function convertIpPrefix(value: unknown): string | null {
  if (value === null || value === '' || value === undefined) return null;
  const c = typeof value === 'string' ? parseCidr(value, true) : undefined;
  if (!c) throw new InvalidCIDR(displayValue(value));
  return cidrAsWritten(c);
}

export type RuleValues = Pick<SecurityGroupRuleRow, 'security_group_id' | 'direction' | 'ethertype' | 'protocol' | 'port_range_min' | 'port_range_max'
  | 'remote_ip_prefix' | 'remote_group_id' | 'remote_address_group_id'>;

function protoNumber(protocol: string): string {
  return /^\d+$/.test(protocol) ? protocol : String(IP_PROTOCOL_MAP[protocol] ?? protocol);
}

/** Canonicalises and validates a rule in place (_validate_base_security_group_rule_attributes). */
export function validateRule(rule: RuleValues): void {
  // legacy IPv6 ICMP names and numbers
  if (rule.ethertype === 'IPv6') {
    if (rule.protocol === 'icmp' || rule.protocol === 'icmpv6') rule.protocol = 'ipv6-icmp';
    else if (rule.protocol === '1') rule.protocol = '58';
  }
  // the entire port range is no range at all
  if (rule.port_range_min === 1 && rule.port_range_max === 65535) {
    rule.port_range_min = null;
    rule.port_range_max = null;
  }
  if (rule.port_range_min !== null || rule.port_range_max !== null) {
    if (!rule.protocol) throw new SecurityGroupProtocolRequiredWithPorts();
    const num = protoNumber(rule.protocol);
    if (PORT_PROTOCOLS.includes(rule.protocol) || PORT_PROTOCOL_NUMS.includes(num)) {
      if (rule.port_range_min === 0 || rule.port_range_max === 0) throw new SecurityGroupInvalidPortValue(0);
      if (!(rule.port_range_min !== null && rule.port_range_max !== null && rule.port_range_min <= rule.port_range_max)) {
        throw new SecurityGroupInvalidPortRange();
      }
    } else if (num === '1' || num === '58') {
      for (const [attr, field] of [['port_range_min', 'type'], ['port_range_max', 'code']] as const) {
        const v = rule[attr];
        if (v !== null && !(v >= 0 && v <= 255)) throw new SecurityGroupInvalidIcmpValue(field, attr, v);
      }
      if (rule.port_range_min === null && rule.port_range_max !== null) throw new SecurityGroupMissingIcmpType(rule.port_range_max);
    } else {
      throw new SecurityGroupInvalidProtocolForPort(num, PORT_PROTOCOLS.map((p) => p.toUpperCase()).join(', '));
    }
  }
  if (rule.remote_ip_prefix) {
    const c = parseCidr(rule.remote_ip_prefix, true)!;
    rule.remote_ip_prefix = cidrAsWritten(c);
    if (rule.ethertype !== `IPv${c.version}`) throw new SecurityGroupRuleParameterConflict(rule.ethertype, rule.remote_ip_prefix);
  }
  if (rule.protocol && IPV6_ONLY.includes(rule.protocol) && rule.ethertype === 'IPv4') {
    throw new SecurityGroupEthertypeConflictWithProtocol(rule.ethertype, rule.protocol);
  }
  const remotes = [rule.remote_ip_prefix, rule.remote_group_id, rule.remote_address_group_id].filter((r) => r);
  if (remotes.length > 1) throw new SecurityGroupMultipleRemoteEntites();
}

/** normalized_cidr: the network of remote_ip_prefix. */
export function normalizedCidr(prefix: string | null): string | null {
  if (!prefix) return null;
  const c = parseCidr(prefix, true);
  return c ? cidrToString(c) : null;
}

/** _rule_to_key: rules with equal keys are duplicates (protocol names and numbers compare equal). */
export function ruleKey(rule: RuleValues): string {
  const norm = (key: keyof RuleValues): string => {
    const v = rule[key];
    if (key === 'remote_ip_prefix') return v === null || v === '0.0.0.0/0' || v === '::/0' ? '+' : String(v);
    if (v === null) return '+';
    if (key === 'protocol') return protoNumber(String(v) === 'icmp' && rule.ethertype === 'IPv6' ? 'ipv6-icmp' : String(v));
    return String(v);
  };
  return (['direction', 'ethertype', 'port_range_max', 'port_range_min', 'protocol', 'remote_group_id', 'remote_address_group_id', 'remote_ip_prefix', 'security_group_id'] as const)
    .map(norm).join('_');
}
