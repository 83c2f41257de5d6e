/**
 * Addresses, routes and neighbours of one network namespace (ip_lib.IpAddrCommand,
 * IpRouteCommand, IpNeighCommand), the L3 half of the ip layer the DHCP, L3 and metadata
 * agents share.
 */
import { CommandError, ip, ipJson } from './exec.js';

export interface AddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
}

export interface RouteInfo {
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
}

export interface NeighInfo {
  dst: string;
  dev: string;
  lladdr?: string;
  state?: string[];
}

const exists = (err: unknown): boolean => err instanceof CommandError && /File exists/.test(err.stderr);

export class IpAddr {
  constructor(readonly namespace?: string) {}

  /** The addresses on the device (`cidr` "10.0.0.2/24"), link-local IPv6 included. */
  async list(dev: string): Promise<AddrInfo[]> {
    const rows = await ipJson<{ addr_info?: AddrInfo[] }>(this.namespace, ['addr', 'show', 'dev', dev]);
    return rows.flatMap((r) => r.addr_info ?? []);
  }

  /** Adds the address (CIDR form); already there is no error. */
  async add(cidr: string, dev: string): Promise<void> {
    const args = ['addr', 'add', cidr, 'dev', dev];
    if (!cidr.includes(':')) args.push('brd', '+');
    try {
      await ip(this.namespace, args);
    } catch (err) {
      if (!exists(err)) throw err;
    }
  }

  async delete(cidr: string, dev: string): Promise<void> {
    await ip(this.namespace, ['addr', 'del', cidr, 'dev', dev]);
  }

  /** Makes the device's global addresses exactly `cidrs` (ip_lib's DeviceManager.fill_dhcp_udp / init_l3). */
  async sync(dev: string, cidrs: string[]): Promise<void> {
    const current = (await this.list(dev)).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
    for (const c of current) if (!cidrs.includes(c)) await this.delete(c, dev);
    for (const c of cidrs) if (!current.includes(c)) await this.add(c, dev);
  }
}

export class IpRoute {
  constructor(readonly namespace?: string) {}

  async list(family: 4 | 6 = 4): Promise<RouteInfo[]> {
    return ipJson<RouteInfo>(this.namespace, [`-${family}`, 'route', 'show']);
  }

  /** `ip route replace`: the route to `dst` ("default" or a CIDR) via a gateway and/or a device (`family` 6: an IPv6 "default"). */
  async replace(dst: string, via?: { gateway?: string; dev?: string }, family?: 4 | 6): Promise<void> {
    const args = [...(family ? [`-${family}`] : []), 'route', 'replace', dst];
    if (via?.gateway) args.push('via', via.gateway);
    if (via?.dev) args.push('dev', via.dev);
    await ip(this.namespace, args);
  }

  async delete(dst: string, dev?: string, family?: 4 | 6): Promise<void> {
    await ip(this.namespace, [...(family ? [`-${family}`] : []), 'route', 'del', dst, ...(dev ? ['dev', dev] : [])]);
  }
}

export class IpNeigh {
  constructor(readonly namespace?: string) {}

  async list(dev?: string): Promise<NeighInfo[]> {
    return ipJson<NeighInfo>(this.namespace, ['neigh', 'show', ...(dev ? ['dev', dev] : [])]);
  }

  /** A permanent entry (the l2population ARP responder, the L3 agent's router ARP entries). */
  async replace(ipAddress: string, mac: string, dev: string): Promise<void> {
    await ip(this.namespace, ['neigh', 'replace', ipAddress, 'lladdr', mac, 'dev', dev, 'nud', 'permanent']);
  }

  async delete(ipAddress: string, dev: string): Promise<void> {
    await ip(this.namespace, ['neigh', 'del', ipAddress, 'dev', dev]);
  }
}
