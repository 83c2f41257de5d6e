/**
 * One router in the kernel (neutron/agent/l3/router_info.py RouterInfo with legacy_router.py
 * and the bridge interface driver): its namespace `qrouter-<id>` with IPv4 and (where the kernel
 * has IPv6) IPv6 forwarding on; per
 * interface a veth pair, `tap<port>` in the agent host's namespace (the Linux bridge agent plugs
 * it into the network's bridge and reports the port up) and `qr-<port>` in the router namespace
 * with the port's MAC, MTU and addresses; the gateway likewise as `qg-<port>` on the external
 * network, holding the gateway addresses and each floating IP (/32), with the default route via
 * the external subnet's gateway (a gratuitous ARP announces new addresses), and the IPv6
 * default route via the external IPv6 subnet's gateway_ip (without one, qg- takes it from the
 * external network's router advertisements, accept_ra=2, as upstream without ipv6_gateway;
 * qg- never autoconfigures addresses of its own, its addresses are the port's); the `routes`
 * attribute as routes; and the NAT of nat-rules.ts in one iptables-restore. Devices, addresses
 * and routes of an earlier state that the router no longer has are removed; a floating IP that
 * goes takes its conntrack entries with it. The earlier state is the last processing's, or,
 * for a router first processed by this run of the agent (a restart), what the namespace holds
 * (the /32 addresses of its qg- devices, its routes through a next hop not learnt from
 * advertisements), as upstream's
 * get_router_cidrs reads it: so a floating IP or route removed while the agent was down goes
 * too, and the connections of that floating IP are cut.
 */
import { existsSync } from 'node:fs';
import type { Logger } from '../../../../common/log/logger.js';
import { parseCidr } from '../../common/netaddr.js';
import type { RouterInfo, RouterPortInfo } from '../../rpc/payloads.js';
import type { HostRoute } from '../../types/subnet.js';
import { run } from '../firewall/commands.js';
import { CommandError, execute } from '../linux/exec.js';
import { IpAddr, IpRoute } from '../linux/ip-addr.js';
import { IpLink } from '../linux/ip-link.js';
import { namespaceDeviceName, routerNamespace, tapName } from '../linux/names.js';
import { ensureNamespace } from '../linux/netns.js';
import { type FloatingNat, type PortForwardingNat, routerRestoreInput } from './nat-rules.js';

export const INTERNAL_DEV_PREFIX = 'qr-';
export const EXTERNAL_DEV_PREFIX = 'qg-';

/** What the last processing of a router left, to tell what went since. */
export interface RouterState {
  floatingIps: Set<string>;
  routes: HostRoute[];
}

/** The floating IPs of a router: 1:1 NAT ones (associated with a port) and port-forwarding ones. */
export function natOf(router: RouterInfo): { floating: FloatingNat[]; forwardings: PortForwardingNat[]; addresses: string[] } {
  const floating: FloatingNat[] = [];
  const forwardings: PortForwardingNat[] = [];
  for (const f of router._floatingips) {
    if (f.port_id && f.fixed_ip_address) floating.push({ floating: f.floating_ip_address, fixed: f.fixed_ip_address });
    for (const pf of f.port_forwardings ?? []) {
      if (pf.protocol !== 'tcp' && pf.protocol !== 'udp') continue;
      forwardings.push({ floating: f.floating_ip_address, protocol: pf.protocol, externalPort: pf.external_port, internalIp: pf.internal_ip_address, internalPort: pf.internal_port });
    }
  }
  const addresses = [...new Set([...floating.map((f) => f.floating), ...forwardings.map((p) => p.floating)])].filter((a) => !a.includes(':'));
  return { floating: floating.filter((f) => !f.floating.includes(':')), forwardings, addresses };
}

/** The port's addresses in CIDR form (prefix of its subnet). */
function cidrsOf(port: RouterPortInfo): string[] {
  const out: string[] = [];
  for (const f of port.fixed_ips) {
    const subnet = port.subnets.find((s) => s.id === f.subnet_id);
    const c = subnet && parseCidr(subnet.cidr);
    if (c) out.push(`${f.ip_address}/${c.prefixlen}`);
  }
  return out;
}

export interface RouterDevicesOptions {
  /** Where the tap ends go (the agent host's namespace; undefined: the process's). */
  hostNamespace: string | undefined;
  log: Logger;
  metadata: boolean;
}

/** Whether the kernel has IPv6 (ipv6_utils.is_enabled_and_bind_by_default: not booted with ipv6.disable=1). */
export const kernelHasIpv6 = (): boolean => existsSync('/proc/sys/net/ipv6/conf/all/forwarding');

export class RouterDevices {
  private readonly ipv6 = kernelHasIpv6();

  constructor(private readonly o: RouterDevicesOptions) {}

  /** process(): brings the namespace to the router's state; returns the new state. */
  async process(router: RouterInfo, previous: RouterState | undefined): Promise<RouterState> {
    const ns = routerNamespace(router.id);
    await ensureNamespace(ns);
    const before = previous ?? await this.held(ns);
    const v6 = this.ipv6 ? ['net.ipv6.conf.all.forwarding=1'] : [];
    await execute('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', ...v6], { namespace: ns });
    const wanted = new Set<string>();
    for (const port of router._interfaces) {
      const dev = namespaceDeviceName(INTERNAL_DEV_PREFIX, port.id);
      wanted.add(dev);
      await this.plug(ns, port, dev, cidrsOf(port));
    }
    const { floating, forwardings, addresses } = natOf(router);
    const gw = router.gw_port;
    let gateway: { device: string; ip: string } | undefined;
    if (gw) {
      const dev = namespaceDeviceName(EXTERNAL_DEV_PREFIX, gw.id);
      wanted.add(dev);
      const gwCidrs = cidrsOf(gw);
      await this.plug(ns, gw, dev, [...gwCidrs, ...addresses.map((a) => `${a}/32`)]);
      const v4 = gw.fixed_ips.find((f) => !f.ip_address.includes(':'));
      if (v4) gateway = { device: dev, ip: v4.ip_address };
      const nexthop = gw.subnets.find((s) => s.ip_version === 4 && s.gateway_ip)?.gateway_ip;
      const route = new IpRoute(ns);
      const current = (await route.list(4)).find((r) => r.dst === 'default');
      if (nexthop && (current?.gateway !== nexthop || current.dev !== dev)) await route.replace('default', { gateway: nexthop, dev });
      const fresh = [...(v4 ? [v4.ip_address] : []), ...addresses.filter((a) => !before.floatingIps.has(a))];
      for (const a of fresh) this.announce(ns, dev, a);
      if (this.ipv6) await this.ipv6Gateway(ns, dev, gw);
    }
    await this.removeStaleDevices(ns, wanted);
    const routes = await this.syncRoutes(ns, router.routes ?? [], before.routes);
    const input = routerRestoreInput({ internalPrefix: INTERNAL_DEV_PREFIX, gateway, enableSnat: router.enable_snat, floatingIps: floating, portForwardings: forwardings, metadata: this.o.metadata });
    await run('iptables-restore', ['-w', '5', '--noflush'], { netns: ns, input });
    const now = new Set(addresses);
    for (const gone of before.floatingIps) if (!now.has(gone)) await this.dropConntrack(ns, gone);
    return { floatingIps: now, routes };
  }

  /** What the namespace holds of a router's state (a run before this one left it): floating IPs on qg- devices, routes via a next hop. */
  private async held(ns: string): Promise<RouterState> {
    const addr = new IpAddr(ns);
    const floatingIps = new Set<string>();
    for (const l of await new IpLink(ns).list()) {
      if (!l.ifname.startsWith(EXTERNAL_DEV_PREFIX)) continue;
      for (const a of await addr.list(l.ifname)) if (a.family === 'inet' && a.scope === 'global' && a.prefixlen === 32) floatingIps.add(a.local);
    }
    const route = new IpRoute(ns);
    const listed = [...await route.list(4), ...(this.ipv6 ? await route.list(6) : [])];
    const routes = listed
      .filter((r) => r.gateway && r.dst !== 'default' && r.protocol !== 'ra')
      .map((r) => ({ destination: r.dst.includes('/') ? r.dst : `${r.dst}/${r.dst.includes(':') ? 128 : 32}`, nexthop: r.gateway! }));
    return { floatingIps, routes };
  }

  /** _configure_ipv6_params_on_gw with _get_external_gw_ips: the IPv6 default route via the external IPv6 subnet's gateway, or from advertisements. */
  private async ipv6Gateway(ns: string, dev: string, gw: RouterPortInfo): Promise<void> {
    const nexthop = gw.subnets.find((s) => s.ip_version === 6 && s.gateway_ip)?.gateway_ip;
    await execute('sysctl', ['-q', '-w', `net.ipv6.conf.${dev}.accept_ra=${nexthop ? 0 : 2}`, `net.ipv6.conf.${dev}.autoconf=0`], { namespace: ns });
    const route = new IpRoute(ns);
    const current = (await route.list(6)).find((r) => r.dst === 'default');
    if (nexthop && (current?.gateway !== nexthop || current.dev !== dev)) await route.replace('default', { gateway: nexthop, dev }, 6);
    // a gateway_ip removed since: the static route goes (one learnt from advertisements stays)
    if (!nexthop && current?.gateway && current.protocol !== 'ra') await route.delete('default', current.dev, 6);
  }

  /** The veth of a router port, its MAC, MTU and exactly its addresses. */
  private async plug(ns: string, port: RouterPortInfo, dev: string, cidrs: string[]): Promise<void> {
    const tap = tapName(port.id);
    const hostLink = new IpLink(this.o.hostNamespace);
    const nsLink = new IpLink(ns);
    if (!(await nsLink.exists(dev))) {
      await hostLink.delete(tap);
      await hostLink.addVeth(tap, dev, ns);
    }
    const cur = await nsLink.get(dev);
    if (cur?.address !== port.mac_address) await nsLink.setAddress(dev, port.mac_address);
    if (port.mtu > 0 && cur?.mtu !== port.mtu) {
      await hostLink.setMtu(tap, port.mtu);
      await nsLink.setMtu(dev, port.mtu);
    }
    await hostLink.setUp(tap);
    await nsLink.setUp(dev);
    await new IpAddr(ns).sync(dev, cidrs);
  }

  /** qr-/qg- devices of ports the router no longer has (their tap ends go with them). */
  private async removeStaleDevices(ns: string, wanted: Set<string>): Promise<void> {
    const link = new IpLink(ns);
    for (const l of await link.list()) {
      if ((l.ifname.startsWith(INTERNAL_DEV_PREFIX) || l.ifname.startsWith(EXTERNAL_DEV_PREFIX)) && !wanted.has(l.ifname)) await link.delete(l.ifname);
    }
  }

  /** routes_updated: the extra routes added or replaced, the ones gone deleted. */
  private async syncRoutes(ns: string, routes: HostRoute[], previous: HostRoute[]): Promise<HostRoute[]> {
    const route = new IpRoute(ns);
    const key = (r: HostRoute): string => `${r.destination} ${r.nexthop}`;
    const now = new Set(routes.map(key));
    for (const r of previous) {
      if (!now.has(key(r))) await route.delete(r.destination).catch((err: unknown) => this.o.log.info({ err, route: r }, 'L3 agent: stale route already gone'));
    }
    const applied: HostRoute[] = [];
    for (const r of routes) {
      try {
        await route.replace(r.destination, { gateway: r.nexthop });
        applied.push(r);
      } catch (err) {
        // a next hop not (yet) on a connected subnet: upstream logs and goes on
        this.o.log.warn({ err, route: r }, 'L3 agent: the extra route cannot be added');
      }
    }
    return applied;
  }

  /** A gratuitous ARP for the address (send_ip_addr_adv_notif), not awaited. */
  private announce(ns: string, dev: string, address: string): void {
    void execute('busybox', ['arping', '-U', '-c', '1', '-w', '1', '-I', dev, address], { namespace: ns, timeoutMs: 5000 })
      .catch((err: unknown) => this.o.log.debug({ err, address }, 'L3 agent: gratuitous ARP failed'));
  }

  /** The connections of a floating IP that went are cut (its conntrack entries deleted). */
  private async dropConntrack(ns: string, address: string): Promise<void> {
    for (const flag of ['--orig-dst', '--reply-dst']) {
      await execute('conntrack', ['-D', flag, address], { namespace: ns }).catch((err: unknown) => {
        // exit 1: no entries
        if (!(err instanceof CommandError && err.exitCode === 1)) this.o.log.info({ err, address }, 'L3 agent: conntrack clean-up failed');
      });
    }
  }
}
