/**
 * Subnet address rules of Neutron's IPAM (neutron/ipam/utils.py and
 * ipam_backend_mixin.validate_allocation_pools): which addresses of a CIDR may be handed out,
 * validation of requested allocation pools, and which address a fixed IP may use.
 */
import {
  type Cidr, cidrContains, cidrFirst, cidrLast, defaultPools, formatIp, type IpAddress, type IpRange, parseIp, rangesOverlap,
} from '../common/netaddr.js';
import { InvalidAllocationPool, OutOfBoundsAllocationPool, OverlappingAllocationPools } from '../errors.js';
import type { AllocationPool } from '../types/subnet.js';

export const ROUTER_PORT_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface', 'network:router_gateway'];
export const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];

export function rangeText(r: IpRange): string {
  return `${formatIp(r.version, r.first)}-${formatIp(r.version, r.last)}`;
}

export function poolToText(r: IpRange): AllocationPool {
  return { start: formatIp(r.version, r.first), end: formatIp(r.version, r.last) };
}

/** The allocation pools Neutron generates for a subnet (generate_pools). */
export function generatePools(cidr: Cidr, gateway: string | null): IpRange[] {
  return defaultPools(cidr, gateway ? parseIp(gateway) : undefined);
}

/** Validates requested pools against the subnet (order, bounds, overlaps) and returns them as ranges. */
export function validatePools(pools: AllocationPool[], cidr: Cidr, cidrText: string): IpRange[] {
  let firstAllowed = cidrFirst(cidr);
  let lastAllowed = cidrLast(cidr);
  if (cidr.version === 4) {
    if (cidr.prefixlen <= 30) {
      firstAllowed += 1n;
      lastAllowed -= 1n;
    }
  } else {
    firstAllowed += 1n;
  }
  const ranges: IpRange[] = [];
  for (const p of pools) {
    const start = parseIp(p.start);
    const end = parseIp(p.end);
    const text = `${p.start}-${p.end}`;
    if (!start || !end || start.version !== end.version || start.value > end.value) throw new InvalidAllocationPool(text);
    if (start.version !== cidr.version) throw new InvalidAllocationPool(text);
    if (start.value < firstAllowed || end.value > lastAllowed) throw new OutOfBoundsAllocationPool(text, cidrText);
    ranges.push({ version: start.version, first: start.value, last: end.value });
  }
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      if (rangesOverlap(ranges[i]!, ranges[j]!)) throw new OverlappingAllocationPools(rangeText(ranges[i]!), rangeText(ranges[j]!), cidrText);
    }
  }
  return ranges;
}

/** The pool the gateway falls into, if any (validate_gw_out_of_pools). */
export function poolContaining(pools: IpRange[], ip: IpAddress): IpRange | undefined {
  return pools.find((r) => r.version === ip.version && ip.value >= r.first && ip.value <= r.last);
}

/** check_gateway_invalid_in_subnet: an IPv4 gateway may not be the network or broadcast address. */
export function gatewayInvalid(cidr: Cidr, gw: IpAddress): boolean {
  return cidrContains(cidr, gw) && cidr.version === 4 && (gw.value === cidrFirst(cidr) || gw.value === cidrLast(cidr));
}

/** check_subnet_ip: may a fixed IP of a port with this owner use `ip` on this subnet? */
export function subnetIpValid(cidr: Cidr, ip: IpAddress, owner: string): boolean {
  if (!cidrContains(cidr, ip)) return false;
  if (cidr.version === 6) return [...ROUTER_PORT_OWNERS, '', 'network:dhcp'].includes(owner) || ip.value !== cidrFirst(cidr);
  return ip.value !== cidrFirst(cidr) && ip.value !== cidrLast(cidr);
}

/** SLAAC or DHCPv6-stateless subnets: addresses come from the MAC (is_auto_address_subnet). */
export function isAutoAddressSubnet(s: { ip_version: number; ipv6_address_mode: string | null; ipv6_ra_mode: string | null }): boolean {
  if (Number(s.ip_version) !== 6) return false;
  const modes = ['slaac', 'dhcpv6-stateless'];
  return modes.includes(s.ipv6_address_mode ?? '') || (s.ipv6_address_mode === null && modes.includes(s.ipv6_ra_mode ?? ''));
}
