/**
 * What dnsmasq is told about one network (neutron/agent/linux/dhcp.py Dnsmasq): its command
 * line (a static `--dhcp-range` per DHCP-enabled subnet tagged `subnet-<id>`, the MTU, lease
 * time and limits), the hosts file (`mac,name,ip` per fixed IP on a DHCP subnet, tagged
 * `set:port-<id>` when the port has extra_dhcp_opts) and the options file (DNS servers, host
 * routes as classless static routes, the router, each port's extra_dhcp_opts). Pure functions:
 * the driver (dnsmasq.ts) writes them and signals the process.
 */
import { formatIp, parseCidr, parseIp } from '../../common/netaddr.js';
import type { NetworkInfo } from '../../rpc/payloads.js';
import type { Port } from '../../types/port.js';
import type { Subnet } from '../../types/subnet.js';

export interface DnsmasqSettings {
  binary: string;
  dnsServers: string[];
  /** Seconds; -1: infinite. */
  leaseDuration: number;
  leaseMax: number;
  dnsDomain: string;
  /** dnsmasq's --user: set when the files are not readable by the user dnsmasq drops to (it rereads them on SIGHUP). */
  user?: string;
  /** enable_isolated_metadata: subnets without a router get the metadata route through the DHCP port (its namespace proxy answers). */
  isolatedMetadata?: boolean;
}

export interface DnsmasqFiles {
  pid: string;
  host: string;
  addnHosts: string;
  opts: string;
  leases: string;
}

const IPV4_ANY = '0.0.0.0/0';
/** The Windows 2003 static route option (dhcp.py WIN2k3_STATIC_DNS). */
const WIN2K3_STATIC_ROUTE = 249;
const METADATA_CIDR = '169.254.169.254/32';

const subnetTag = (id: string): string => `subnet-${id}`;
const portTag = (id: string): string => `port-${id}`;

/** The subnets dnsmasq serves: DHCP enabled, IPv4, or IPv6 other than SLAAC with prefixes of 64 or longer. */
export function servedSubnets(net: Pick<NetworkInfo, 'subnets'>): Subnet[] {
  return net.subnets.filter((s) => s.enable_dhcp && (s.ip_version === 4 || (s.ipv6_address_mode !== 'slaac' && (parseCidr(s.cidr)?.prefixlen ?? 0) >= 64)));
}

function netmaskOf(prefixlen: number): string {
  return formatIp(4, prefixlen === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefixlen)) - 1n));
}

/** The dnsmasq command line (dhcp.py _build_cmdline_callback). */
export function dnsmasqCommand(net: NetworkInfo, files: DnsmasqFiles, s: DnsmasqSettings): string[] {
  const cmd = [
    s.binary, '--no-hosts', ...(s.dnsServers.length ? ['--no-resolv'] : []),
    `--pid-file=${files.pid}`, `--dhcp-hostsfile=${files.host}`, `--addn-hosts=${files.addnHosts}`, `--dhcp-optsfile=${files.opts}`,
    `--dhcp-leasefile=${files.leases}`, '--dhcp-match=set:ipxe,175', '--dhcp-userclass=set:ipxe6,iPXE', '--local-service', '--bind-dynamic',
    ...(s.user ? [`--user=${s.user}`] : []),
  ];
  const lease = s.leaseDuration === -1 ? 'infinite' : `${s.leaseDuration}s`;
  let possible = 0n;
  for (const subnet of servedSubnets(net)) {
    const c = parseCidr(subnet.cidr)!;
    const network = formatIp(c.version, c.network);
    if (subnet.ip_version === 4) cmd.push(`--dhcp-range=set:${subnetTag(subnet.id)},${network},static,${netmaskOf(c.prefixlen)},${lease}`);
    else cmd.push(`--dhcp-range=set:${subnetTag(subnet.id)},${network},static,${c.prefixlen},${lease}`);
    possible += 1n << BigInt((c.version === 4 ? 32 : 128) - c.prefixlen);
  }
  if (net.mtu > 0) cmd.push(`--dhcp-option-force=option:mtu,${net.mtu}`);
  cmd.push(`--dhcp-lease-max=${possible < BigInt(s.leaseMax) ? possible : s.leaseMax}`);
  cmd.push('--conf-file=/dev/null');
  for (const server of s.dnsServers) cmd.push(`--server=${server}`);
  if (s.dnsDomain) cmd.push(`--domain=${s.dnsDomain}`);
  return cmd;
}

/** `host-10-0-0-3` (dhcp.py _iter_hosts without dns_name). */
function hostnameOf(port: Port, ipAddress: string): string {
  const assigned = port.dns_assignment?.find((d) => d.ip_address === ipAddress)?.hostname;
  return assigned || `host-${ipAddress.replace(/[.:]/g, '-')}`;
}

/** dnsmasq wants IPv6 addresses in brackets. */
const literal = (ipAddress: string): string => (ipAddress.includes(':') ? `[${ipAddress}]` : ipAddress);

/** The --dhcp-hostsfile (dhcp.py _output_hosts_file). */
export function hostsFile(net: NetworkInfo, s: Pick<DnsmasqSettings, 'dnsDomain'>): string {
  const served = new Set(servedSubnets(net).map((x) => x.id));
  const lines: string[] = [];
  for (const port of net.ports) {
    for (const fip of port.fixed_ips) {
      if (!served.has(fip.subnet_id)) continue;
      const host = hostnameOf(port, fip.ip_address);
      const name = s.dnsDomain ? `${host}.${s.dnsDomain.replace(/\.$/, '')}.` : host;
      const tag = port.extra_dhcp_opts?.length ? `,set:${portTag(port.id)}` : '';
      lines.push(`${port.mac_address},${name},${literal(fip.ip_address)}${tag}`);
    }
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** The --addn-hosts file: `ip fqdn hostname` of each fixed IP (DNS inside the network). */
export function addnHostsFile(net: NetworkInfo, s: Pick<DnsmasqSettings, 'dnsDomain'>): string {
  const lines: string[] = [];
  for (const port of net.ports) {
    for (const fip of port.fixed_ips) {
      const host = hostnameOf(port, fip.ip_address);
      lines.push(s.dnsDomain ? `${fip.ip_address}\t${host}.${s.dnsDomain.replace(/\.$/, '')}.\t${host}` : `${fip.ip_address}\t${host}`);
    }
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

function option(ipVersion: number, tag: string, name: string, ...values: string[]): string {
  const m = /^(tag:(.*),)?(.*)$/.exec(name.split('\n', 1)[0]!)!;
  let opt = m[3]!;
  opt = ipVersion === 6 ? `option6:${opt}` : /^\d+$/.test(opt) ? opt : `option:${opt}`;
  const tags = m[1] ? [`tag:${tag}`, m[1].slice(0, -1), opt] : [`tag:${tag}`, opt];
  return [...tags, ...values.map((v) => v.split('\n', 1)[0]!)].join(',');
}

const ROUTER_OWNERS = ['network:router_interface', 'network:ha_router_replicated_interface', 'network:router_interface_distributed'];

/** Subnets whose gateway is a router's interface (dhcp.py get_isolated_subnets: the others are isolated). */
export function routedSubnets(net: NetworkInfo): Set<string> {
  const out = new Set<string>();
  for (const port of net.ports.filter((p) => ROUTER_OWNERS.includes(p.device_owner))) {
    for (const f of port.fixed_ips) if (net.subnets.some((s) => s.id === f.subnet_id && s.gateway_ip === f.ip_address)) out.add(f.subnet_id);
  }
  return out;
}

/**
 * The --dhcp-optsfile (dhcp.py _generate_opts_per_subnet and _per_port): DNS servers (the
 * subnet's, else the DHCP port's address), host routes (with the default route through the
 * gateway, and the metadata route through it when it is a router's interface), the router; then each port's
 * extra_dhcp_opts of its IP versions.
 */
export function optsFile(net: NetworkInfo, dhcpPort: Port | undefined, isolatedMetadata = false): string {
  const options: string[] = [];
  const served = servedSubnets(net);
  const routed = routedSubnets(net);
  for (const subnet of served) {
    const tag = subnetTag(subnet.id);
    if (subnet.dns_nameservers.length) {
      const any = subnet.dns_nameservers.every((d) => d === '0.0.0.0' || d === '::');
      options.push(any ? option(subnet.ip_version, tag, 'dns-server') : option(subnet.ip_version, tag, 'dns-server', ...subnet.dns_nameservers.map(literal)));
    } else {
      const own = dhcpPort?.fixed_ips.find((f) => f.subnet_id === subnet.id)?.ip_address;
      if (own) options.push(option(subnet.ip_version, tag, 'dns-server', literal(own)));
    }
    if (subnet.ip_version !== 4) continue;
    let gateway = subnet.gateway_ip;
    const routes: string[] = [];
    for (const hr of subnet.host_routes) {
      if (hr.destination === IPV4_ANY) gateway ??= hr.nexthop;
      else routes.push(`${hr.destination},${hr.nexthop}`);
    }
    const portIp = dhcpPort?.fixed_ips.find((f) => f.subnet_id === subnet.id)?.ip_address;
    if (gateway && routed.has(subnet.id)) routes.push(`${METADATA_CIDR},${gateway}`);
    else if (isolatedMetadata && portIp) routes.push(`${METADATA_CIDR},${portIp}`);
    for (const other of served) if (other.ip_version === 4 && other.cidr !== subnet.cidr) routes.unshift(`${other.cidr},0.0.0.0`);
    if (routes.length) {
      if (gateway) routes.push(`${IPV4_ANY},${gateway}`);
      options.push(option(4, tag, 'classless-static-route', routes.join(',')));
      options.push(option(4, tag, String(WIN2K3_STATIC_ROUTE), routes.join(',')));
    }
    options.push(gateway ? option(4, tag, 'router', gateway) : option(4, tag, 'router'));
  }
  for (const port of net.ports) {
    if (!port.extra_dhcp_opts?.length) continue;
    const versions = new Set(port.fixed_ips.map((f) => parseIp(f.ip_address)?.version));
    for (const o of port.extra_dhcp_opts) {
      if (['client-id', '61'].includes(o.opt_name)) continue;
      if (versions.has(o.ip_version as 4 | 6)) options.push(option(o.ip_version, portTag(port.id), o.opt_name, o.opt_value));
    }
  }
  return options.join('\n') + (options.length ? '\n' : '');
}
