/**
 * MAC and ARP anti-spoofing on the bridge (what the Linux bridge agent does with ebtables in
 * neutron/plugins/ml2/drivers/linuxbridge/agent/arp_protect.py), as one nftables `bridge`
 * table replaced in a single `nft -f` transaction: a frame from a filtered port must carry
 * the port's MAC (or an allowed pair's), and an ARP packet from it must name one of its IPv4
 * addresses (fixed or allowed pairs; 0.0.0.0 for address probes) and that MAC as sender.
 * IP-level anti-spoofing is the iptables rule set's (iptables-rules.ts).
 */
import { type Cidr, cidrMerge, cidrToString, parseCidr } from '../../common/netaddr.js';
import type { FirewallPort } from './types.js';

export const L2_TABLE = 'nubo_fw_l2';

function quoted(device: string): string {
  return `"${device.replace(/["\\]/g, '')}"`;
}

function set(items: readonly string[]): string {
  return `{ ${items.join(', ')} }`;
}

function chainName(device: string): string {
  return `port_${device.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The IPv4 sources a port may claim in ARP (fixed IPs and pairs, merged: nft refuses overlaps). */
function arpSources(port: FirewallPort): string[] {
  const cidrs: Cidr[] = [parseCidr('0.0.0.0/32')!];
  for (const ip of [...port.fixed_ips, ...(port.allowed_address_pairs ?? []).map((p) => p.ip_address)]) {
    const c = parseCidr(ip, true);
    if (c?.version === 4) cidrs.push(c);
  }
  return cidrMerge(cidrs).map((c) => (c.prefixlen === 32 ? cidrToString(c).slice(0, -3) : cidrToString(c)));
}

function macs(port: FirewallPort): string[] {
  return [...new Set([port.mac_address, ...(port.allowed_address_pairs ?? []).map((p) => p.mac_address)].map((m) => m.toLowerCase()))];
}

/**
 * The `nft -f` input that replaces the table (or, with no port to protect, removes it): the
 * empty `table` line makes the `delete` valid when the table does not exist yet.
 */
export function l2Script(ports: Iterable<FirewallPort>): string {
  const protectedPorts = [...ports].filter((p) => p.port_security_enabled).sort((a, b) => a.device.localeCompare(b.device));
  const lines = [`table bridge ${L2_TABLE} {}`, `delete table bridge ${L2_TABLE}`];
  if (protectedPorts.length === 0) return `${lines.join('\n')}\n`;
  lines.push(`table bridge ${L2_TABLE} {`);
  lines.push('  chain prerouting {', '    type filter hook prerouting priority -200; policy accept;');
  for (const p of protectedPorts) lines.push(`    iifname ${quoted(p.device)} jump ${chainName(p.device)}`);
  lines.push('  }');
  for (const p of protectedPorts) {
    const allowedMacs = set(macs(p));
    lines.push(`  chain ${chainName(p.device)} {`);
    lines.push(`    ether saddr != ${allowedMacs} counter drop`);
    lines.push(`    ether type arp arp saddr ether != ${allowedMacs} counter drop`);
    lines.push(`    ether type arp arp saddr ip != ${set(arpSources(p))} counter drop`);
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
