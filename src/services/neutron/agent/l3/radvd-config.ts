/**
 * What radvd is told about one router (neutron/agent/linux/ra.py DaemonMonitor's template): an
 * `interface` block per internal port with an IPv6 subnet whose `ipv6_ra_mode` is set, sending
 * advertisements at the configured intervals with the network's MTU (AdvLinkMTU, when at least
 * IPv6's minimum of 1280), the Other-config flag for dhcpv6-stateless and the Managed flag for
 * dhcpv6-stateful subnets, the DNS servers of its slaac subnets (RDNSS, at most 3), and a
 * prefix per subnet: on-link always, autonomous (SLAAC) for slaac and dhcpv6-stateless, not for
 * dhcpv6-stateful. A router without such a port has no configuration (radvd does not run).
 * Pure functions: the driver (radvd.ts) writes the file and runs the process.
 */
import type { RouterPortInfo } from '../../rpc/payloads.js';
import type { Subnet } from '../../types/subnet.js';

export const IPV6_SLAAC = 'slaac';
export const DHCPV6_STATELESS = 'dhcpv6-stateless';
export const DHCPV6_STATEFUL = 'dhcpv6-stateful';
/** The IPv6 minimum link MTU (RFC 8200). */
export const IPV6_MIN_MTU = 1280;
/** radvd's RDNSS takes at most 3 servers. */
export const MAX_RDNSS_ENTRIES = 3;

export interface RaSettings {
  /** MinRtrAdvInterval and MaxRtrAdvInterval, seconds. */
  minInterval: number;
  maxInterval: number;
}

/** The port's IPv6 subnets whose advertisements the router sends. */
export function raSubnets(port: Pick<RouterPortInfo, 'subnets'>): Subnet[] {
  return port.subnets.filter((s) => s.ip_version === 6 && s.ipv6_ra_mode !== null && s.ipv6_ra_mode !== undefined);
}

/** The internal ports radvd serves. */
export function raPorts<P extends Pick<RouterPortInfo, 'subnets'>>(ports: readonly P[]): P[] {
  return ports.filter((p) => raSubnets(p).length > 0);
}

/** radvd.conf for the ports (`device` names a port's qr- device); '' when none has an RA subnet. */
export function radvdConfig(ports: readonly RouterPortInfo[], device: (portId: string) => string, s: RaSettings): string {
  // radvd refuses a MinRtrAdvInterval over 0.75 × MaxRtrAdvInterval
  const min = Math.min(s.minInterval, Math.floor(0.75 * s.maxInterval));
  const blocks: string[] = [];
  for (const port of raPorts(ports)) {
    const subnets = raSubnets(port);
    const modes = new Set(subnets.map((x) => x.ipv6_ra_mode));
    const dns = subnets.filter((x) => x.ipv6_ra_mode === IPV6_SLAAC).flatMap((x) => x.dns_nameservers ?? []).slice(0, MAX_RDNSS_ENTRIES);
    const lines = [`interface ${device(port.id)}`, '{', '   AdvSendAdvert on;', `   MinRtrAdvInterval ${min};`, `   MaxRtrAdvInterval ${s.maxInterval};`];
    if (port.mtu >= IPV6_MIN_MTU) lines.push(`   AdvLinkMTU ${port.mtu};`);
    if (modes.has(DHCPV6_STATELESS)) lines.push('   AdvOtherConfigFlag on;');
    if (modes.has(DHCPV6_STATEFUL)) lines.push('   AdvManagedFlag on;');
    if (dns.length) lines.push(`   RDNSS ${dns.join(' ')} {};`);
    for (const x of subnets) {
      lines.push(`   prefix ${x.cidr}`, '   {', '        AdvOnLink on;', `        AdvAutonomous ${x.ipv6_ra_mode === DHCPV6_STATEFUL ? 'off' : 'on'};`, '   };');
    }
    lines.push('};');
    blocks.push(lines.join('\n'));
  }
  return blocks.length ? `${blocks.join('\n')}\n` : '';
}

/** The radvd command line (ra.py _spawn_radvd): `-m syslog` so that radvd's parent exits once the daemon runs. */
export function radvdCommand(binary: string, confFile: string, pidFile: string, user: string): string[] {
  return [binary, '-C', confFile, '-p', pidFile, '-m', 'syslog', ...(user ? ['-u', user] : [])];
}
