/**
 * Security groups on a port for the path's protocol and port: egress of the source, ingress of
 * the destination, with port_security_enabled, remote_ip_prefix, remote_group_id and
 * remote_address_group_id (the group's addresses) matched against the other end (the firewall is stateful: replies need no rule).
 */
import { cidrContains, parseCidr, parseIp } from '../common/netaddr.js';
import type { SecurityGroupRule } from '../types/security-group.js';
import type { Hop, PathEnd } from './types.js';
import { broken, type HopCheck, ok, type Side, type Walk } from './walk.js';

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp', icmpv6: 'ipv6-icmp' };

const protocolName = (p: string | null): string | null => (p === null || p === '' || p === 'any' ? null : PROTOCOL_NUMBERS[p] ?? p.toLowerCase());

/** The peer's address, for remote_ip_prefix; outside has none (any address). */
function peerIp(peer: PathEnd): string | undefined {
  return peer.kind === 'port' ? peer.ip : undefined;
}

export interface RuleMatch {
  rule: SecurityGroupRule;
  why: string;
}

/** Is the peer in one of the prefixes? Outside (any address) only in a /0. */
function peerIn(prefixes: readonly string[], peer: PathEnd): boolean {
  const ip = peerIp(peer);
  const addr = ip === undefined ? undefined : parseIp(ip);
  return prefixes.some((p) => {
    const c = parseCidr(p, true);
    if (!c) return false;
    return ip === undefined ? c.prefixlen === 0 : Boolean(addr && cidrContains(c, addr));
  });
}

/**
 * Does the rule let the path's packets through in its direction? `addressGroups`: the
 * addresses of the address groups rules name.
 */
export function ruleMatches(
  rule: SecurityGroupRule, protocol: string, port: number | undefined, version: 4 | 6, peer: PathEnd,
  addressGroups: ReadonlyMap<string, readonly string[]> = new Map(),
): boolean {
  if (rule.ethertype !== `IPv${version}`) return false;
  const rp = protocolName(rule.protocol);
  const want = protocolName(protocol);
  if (rp !== null) {
    if (want === null) return false;
    if (rp !== want && !(want === 'icmp' && rp === 'ipv6-icmp' && version === 6)) return false;
    if ((rp === 'tcp' || rp === 'udp') && port !== undefined) {
      if (rule.port_range_min !== null && port < rule.port_range_min) return false;
      if (rule.port_range_max !== null && port > rule.port_range_max) return false;
    }
  }
  if (rule.remote_ip_prefix) return peerIn([rule.remote_ip_prefix], peer);
  if (rule.remote_address_group_id) return peerIn(addressGroups.get(rule.remote_address_group_id) ?? [], peer);
  if (rule.remote_group_id) return peer.kind === 'port' && peer.port.security_groups.includes(rule.remote_group_id);
  return true;
}

const describeRule = (r: SecurityGroupRule): string =>
  `${r.direction} ${r.ethertype} ${r.protocol ?? 'any'}${r.port_range_min !== null ? ` ${r.port_range_min}${r.port_range_max !== r.port_range_min ? `-${r.port_range_max}` : ''}` : ''}`
  + `${r.remote_ip_prefix ? ` from/to ${r.remote_ip_prefix}` : ''}${r.remote_group_id ? ` remote group ${r.remote_group_id}` : ''}`
  + `${r.remote_address_group_id ? ` remote address group ${r.remote_address_group_id}` : ''}`;

export class SecurityGroupCheck implements HopCheck {
  constructor(private readonly side: Side) {}

  private get direction(): 'egress' | 'ingress' {
    return this.side === 'source' ? 'egress' : 'ingress';
  }

  async run(walk: Walk): Promise<Hop> {
    const dir = this.direction;
    const hop = `${this.side} security groups (${dir})`;
    const end = walk.portEnd(this.side)!;
    const p = end.port;
    const { protocol, port } = walk.request;
    const what = `${protocol}${port !== undefined && (protocol === 'tcp' || protocol === 'udp') ? `/${port}` : ''}`;
    if (!p.port_security_enabled) return ok(hop, 'neutron', `port security is disabled on port ${p.id}: no filtering`);
    if (p.device_owner.startsWith('network:')) return ok(hop, 'neutron', `${p.device_owner} ports are not filtered by security groups`);
    if (p.security_groups.length === 0) {
      return broken(hop, 'neutron', `port ${p.id} has port security on and no security group: every ${dir} packet is dropped`,
        `openstack port set --security-group default ${p.id}`);
    }
    const peer = walk.other(this.side);
    const rules: SecurityGroupRule[] = [];
    for (const id of p.security_groups) rules.push(...((await walk.data.securityGroup(id))?.security_group_rules ?? []));
    const addressGroups = new Map<string, string[]>();
    for (const r of rules) if (r.remote_address_group_id) addressGroups.set(r.remote_address_group_id, await walk.data.addressGroupAddresses(r.remote_address_group_id));
    const matching = rules.filter((r) => r.direction === dir && ruleMatches(r, protocol, port, walk.ipVersion, peer, addressGroups));
    if (matching.length > 0) {
      return ok(hop, 'neutron', `${what} ${dir} allowed by rule ${matching[0]!.id} (${describeRule(matching[0]!)}) of group ${matching[0]!.security_group_id}`);
    }
    const sameDir = rules.filter((r) => r.direction === dir);
    const sg = p.security_groups[0]!;
    const portArg = port !== undefined && (protocol === 'tcp' || protocol === 'udp') ? ` --dst-port ${port}` : '';
    const protoArg = protocol === 'any' ? ' --protocol any' : ` --protocol ${protocol}`;
    const remote = peer.kind === 'port' && peer.ip ? ` --remote-ip ${peer.ip}/${walk.ipVersion === 4 ? 32 : 128}` : ` --remote-ip ${walk.ipVersion === 4 ? '0.0.0.0/0' : '::/0'}`;
    return broken(hop, 'neutron',
      `no ${dir} rule of the port's groups (${p.security_groups.join(', ')}) allows ${what} ${dir === 'ingress' ? 'from' : 'to'} ${peer.kind === 'outside' ? 'the outside' : peerIp(peer) ?? peer.given}`
      + `; its ${dir} rules: ${sameDir.length ? sameDir.map(describeRule).join('; ') : 'none'}`,
      `openstack security group rule create --${dir} --ethertype IPv${walk.ipVersion}${protoArg}${portArg}${remote} ${sg}`);
  }
}
