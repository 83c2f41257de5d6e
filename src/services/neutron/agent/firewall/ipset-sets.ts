/**
 * The ipsets of remote groups (neutron/agent/linux/ipset_manager.py, `[securitygroup]
 * enable_ipset`): one hash:net set per IP version and remote group, `NIPv4<group id>` /
 * `NIPv6<group id>` cut to 29 characters (so the temporary `<name>-n` of an atomic swap fits
 * ipset's 31), holding the group's member addresses; a rule naming the group matches the set
 * (`-m set --match-set NAME src` for ingress, `dst` for egress) instead of one rule per member.
 * As in Neutron, a group without members of a version has no set, and its rules match nothing
 * (they are left out). Pure functions: ipset-manager.ts puts the sets into the kernel.
 */
import { cidrToString, parseCidr, type IpVersion } from '../../common/netaddr.js';
import type { EtherType, FirewallPort, FirewallRule, GroupMembers } from './types.js';

export const IPSET_PREFIX = 'N';
export const IPSET_NAME_MAX = 29;
export const SWAP_SUFFIX = '-n';

const ETHERTYPE: Record<IpVersion, EtherType> = { 4: 'IPv4', 6: 'IPv6' };
const HALVES: Record<IpVersion, string[]> = { 4: ['0.0.0.0/1', '128.0.0.0/1'], 6: ['::/1', '8000::/1'] };

/** ipset_manager.get_name. */
export function ipsetName(groupId: string, version: IpVersion): string {
  return `${IPSET_PREFIX}${ETHERTYPE[version]}${groupId}`.slice(0, IPSET_NAME_MAX);
}

/** Whether a kernel set name is one of ours (a temporary swap set included). */
export function isOurSet(name: string): boolean {
  return name.startsWith(`${IPSET_PREFIX}IPv4`) || name.startsWith(`${IPSET_PREFIX}IPv6`);
}

/** The group's member addresses of one version as the set holds them (CIDRs, unique, sorted). */
export function setMembers(members: GroupMembers | undefined, version: IpVersion): string[] {
  const out = new Set<string>();
  for (const ip of members?.[ETHERTYPE[version]] ?? []) {
    const c = parseCidr(ip, true);
    if (!c || c.version !== version) continue;
    // hash:net takes no /0: every address is its two halves (_sanitize_addresses)
    if (c.prefixlen === 0) for (const half of HALVES[version]) out.add(half);
    else out.add(cidrToString(c));
  }
  return [...out].sort();
}

/** A set to have in the kernel: its name, family and members. */
export interface IpsetSpec {
  name: string;
  version: IpVersion;
  members: string[];
}

interface SetsState {
  ports: ReadonlyMap<string, FirewallPort>;
  rules: ReadonlyMap<string, readonly FirewallRule[]>;
  members: ReadonlyMap<string, GroupMembers>;
}

/** The sets the rules of the filtered ports reference (the remote groups with members), by name. */
export function wantedSets(state: SetsState, versions: readonly IpVersion[]): Map<string, IpsetSpec> {
  const out = new Map<string, IpsetSpec>();
  const groups = new Set<string>();
  for (const port of state.ports.values()) if (port.port_security_enabled) for (const g of port.security_groups) groups.add(g);
  for (const g of groups) {
    for (const rule of state.rules.get(g) ?? []) {
      if (!rule.remote_group_id) continue;
      const version: IpVersion = rule.ethertype === 'IPv6' ? 6 : 4;
      if (!versions.includes(version)) continue;
      const name = ipsetName(rule.remote_group_id, version);
      if (out.has(name)) continue;
      const members = setMembers(state.members.get(rule.remote_group_id), version);
      if (members.length) out.set(name, { name, version, members });
    }
  }
  return out;
}
