/**
 * What the metadata API tells a guest about its network, from the instance's network info
 * cache (nova/virt/netutils.py): network_data.json (get_network_metadata: links, networks,
 * services) and the EC2 addresses (get_ec2_ip_info: fixed IPv4, fixed IPv6, floating IPs).
 */
import type { VifInfo } from '../objects/index.js';

type CachedSubnet = VifInfo['network']['subnets'][number];

/** model.LEGACY_EXPOSED_VIF_TYPES: these show as themselves, every other type as 'phy'. */
const LEGACY_EXPOSED_VIF_TYPES = ['bridge', 'dvs', 'hw_veb', 'hyperv', 'ovs', 'tap', 'vhostuser', 'vif'];

export interface Link {
  id: string;
  vif_id: string;
  type: string;
  mtu: number | null;
  ethernet_mac_address: string;
}

export interface Route {
  network: string;
  netmask: string;
  gateway: string;
}

export interface DnsService {
  type: 'dns';
  address: string;
}

export type NetworkEntry = {
  id: string;
  type: string;
  link: string;
  network_id: string;
} & Partial<{ ip_address: string; netmask: string | number; routes: Route[]; services: DnsService[] }>;

export interface NetworkData {
  links: Link[];
  networks: NetworkEntry[];
  services: DnsService[];
}

/** The IPv4 netmask of a prefix length. */
function netmask4(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

/** The IPv6 netmask of a prefix length, its longest run of zero groups compressed. */
function netmask6(prefix: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    groups.push((bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff).toString(16));
  }
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { start: i, len: j - i };
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.len).join(':')}`;
}

function prefixOf(cidr: string | null): number {
  const n = Number.parseInt(String(cidr ?? '').split('/')[1] ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

function firstSubnet(vif: VifInfo, version: number): CachedSubnet | undefined {
  return vif.network.subnets.find((s) => s.version === version || s.ips[0]?.version === version);
}

function dnsServices(subnet: CachedSubnet): DnsService[] {
  return (subnet.dns ?? []).map((d) => ({ type: 'dns', address: d.address }));
}

/** _get_link_mtu: none when a DHCP server gives it, else the network's. */
function linkMtu(vif: VifInfo): number | null {
  if (vif.network.subnets.some((s) => s.meta?.dhcp_server)) return null;
  const mtu = vif.network.meta.mtu;
  return typeof mtu === 'number' ? mtu : null;
}

/** A host route in the cache: nova's model (cidr, gateway.address) or Neutron's (destination, nexthop). */
function extraRoute(route: unknown): Route | undefined {
  if (typeof route !== 'object' || route === null) return undefined;
  const r = route as Record<string, any>;
  const cidr: unknown = r.cidr ?? r.destination;
  const gateway: unknown = r.gateway?.address ?? r.nexthop;
  if (typeof cidr !== 'string' || typeof gateway !== 'string') return undefined;
  const [network = '', len] = cidr.split('/');
  const prefix = Number.parseInt(len ?? '', 10);
  return { network, netmask: cidr.includes(':') ? netmask6(prefix) : netmask4(prefix), gateway };
}

function networkEntry(vif: VifInfo, subnet: CachedSubnet, version: 4 | 6, num: number, linkId: string): NetworkEntry {
  const base = { id: `network${num}`, link: linkId, network_id: vif.network.id };
  const meta = subnet.meta ?? {};
  let suffix = '';
  if (meta.ipv6_address_mode !== undefined && meta.ipv6_address_mode !== null) suffix = `_${String(meta.ipv6_address_mode)}`;
  else if ((meta.dhcp_server !== undefined && meta.dhcp_server !== null) || meta.enable_dhcp) return { ...base, type: `ipv${version}_dhcp` };
  const ip = subnet.ips[0]!;
  const prefix = prefixOf(subnet.cidr);
  const gateway = subnet.gateway?.address;
  const routes: Route[] = gateway ? [version === 4 ? { network: '0.0.0.0', netmask: '0.0.0.0', gateway } : { network: '::', netmask: '::', gateway }] : [];
  for (const r of subnet.routes ?? []) {
    const route = extraRoute(r);
    if (route) routes.push(route);
  }
  return {
    id: base.id, type: `ipv${version}${suffix}`, link: linkId, ip_address: ip.address,
    netmask: version === 4 ? netmask4(prefix) : netmask6(prefix), routes, network_id: vif.network.id, services: dnsServices(subnet),
  };
}

/** get_network_metadata: undefined without network info (network_data.json is then `{}`). */
export function networkMetadata(networkInfo: readonly VifInfo[]): NetworkData | undefined {
  if (networkInfo.length === 0) return undefined;
  const links: Link[] = [];
  const networks: NetworkEntry[] = [];
  const services: DnsService[] = [];
  const addServices = (list: DnsService[]) => {
    for (const s of list) if (!services.some((x) => x.address === s.address)) services.push(s);
  };
  let ifcNum = -1;
  let netNum = -1;
  for (const vif of networkInfo) {
    if (!vif.network?.subnets?.length) continue;
    const v4 = firstSubnet(vif, 4);
    const v6 = firstSubnet(vif, 6);
    ifcNum += 1;
    if (!v4 && !v6) continue;
    const link: Link = {
      id: vif.devname || `interface${ifcNum}`, vif_id: vif.id, type: LEGACY_EXPOSED_VIF_TYPES.includes(vif.type) ? vif.type : 'phy',
      mtu: linkMtu(vif), ethernet_mac_address: vif.address,
    };
    links.push(link);
    for (const [subnet, version] of [[v4, 4], [v6, 6]] as const) {
      if (!subnet?.ips.length) continue;
      netNum += 1;
      networks.push(networkEntry(vif, subnet, version, netNum, link.id));
      addServices(dnsServices(subnet));
    }
  }
  return { links, networks, services };
}

export interface Ec2IpInfo {
  fixedIps: string[];
  fixedIp6s: string[];
  floatingIps: string[];
}

/** get_ec2_ip_info. */
export function ec2IpInfo(networkInfo: readonly VifInfo[]): Ec2IpInfo {
  const ips = networkInfo.flatMap((v) => v.network.subnets.flatMap((s) => s.ips));
  return {
    fixedIps: ips.filter((i) => i.version === 4).map((i) => i.address),
    fixedIp6s: ips.filter((i) => i.version === 6).map((i) => i.address),
    floatingIps: ips.flatMap((i) => i.floating_ips ?? []).map((f) => f.address),
  };
}
