/**
 * The DHCP port of a network on this agent and its device (dhcp.py DeviceManager with the
 * bridge interface driver): the port is found by its device id `dhcp<uuid5(host)>-<network>`
 * or made with create_dhcp_port (an address on every DHCP subnet); its device is a veth pair,
 * `tap<port>` in the agent host's namespace (the L2 agent plugs it into the network's bridge and
 * reports it up) and `ns-<port>` with the port's MAC, MTU and addresses in `qdhcp-<network>`,
 * with the default route through the first IPv4 gateway.
 */
import { createHash } from 'node:crypto';
import type { MessageContext } from '../../../../common/messaging/index.js';
import { parseCidr } from '../../common/netaddr.js';
import type { NetworkInfo } from '../../rpc/payloads.js';
import type { Port } from '../../types/port.js';
import { IpAddr, IpRoute } from '../linux/ip-addr.js';
import { IpLink } from '../linux/ip-link.js';
import { dhcpNamespace, NS_DEVICE_PREFIX, namespaceDeviceName, tapName } from '../linux/names.js';
import { deleteNamespace, ensureNamespace } from '../linux/netns.js';
import type { DhcpPluginApi } from '../plugin-api.js';
import { servedSubnets } from './dnsmasq-config.js';

const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** RFC 4122 version 5 UUID (Python's uuid.uuid5). */
export function uuid5(namespace: string, name: string): string {
  const h = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export const DEVICE_OWNER_DHCP = 'network:dhcp';

export class DhcpDeviceManager {
  constructor(private readonly plugin: DhcpPluginApi, private readonly host: string, private readonly hostNamespace: string | undefined) {}

  deviceId(networkId: string): string {
    return `dhcp${uuid5(NAMESPACE_DNS, this.host)}-${networkId}`;
  }

  /** The network's DHCP port of this agent, created or given an address on every DHCP subnet. */
  async setupPort(ctx: MessageContext, net: NetworkInfo): Promise<Port> {
    const deviceId = this.deviceId(net.id);
    const wanted = servedSubnets(net).map((s) => s.id);
    const existing = net.ports.find((p) => p.device_id === deviceId && p.device_owner === DEVICE_OWNER_DHCP);
    if (existing) {
      const have = existing.fixed_ips.map((f) => f.subnet_id);
      if (wanted.every((id) => have.includes(id)) && have.every((id) => wanted.includes(id))) return existing;
      const fixed = [...existing.fixed_ips.filter((f) => wanted.includes(f.subnet_id)), ...wanted.filter((id) => !have.includes(id)).map((id) => ({ subnet_id: id }))];
      return this.plugin.updateDhcpPort(ctx, existing.id, { fixed_ips: fixed });
    }
    return this.plugin.createDhcpPort(ctx, {
      network_id: net.id, device_id: deviceId, device_owner: DEVICE_OWNER_DHCP, project_id: net.project_id, admin_state_up: true,
      fixed_ips: wanted.map((id) => ({ subnet_id: id })),
    });
  }

  /** Wires the port's device; returns its name in the namespace. */
  async plug(net: NetworkInfo, port: Port): Promise<string> {
    const ns = dhcpNamespace(net.id);
    const tap = tapName(port.id);
    const inner = namespaceDeviceName(NS_DEVICE_PREFIX, port.id);
    await ensureNamespace(ns);
    const hostLink = new IpLink(this.hostNamespace);
    const nsLink = new IpLink(ns);
    if (!(await nsLink.exists(inner))) {
      await hostLink.delete(tap);
      await hostLink.addVeth(tap, inner, ns);
    }
    const cur = await nsLink.get(inner);
    if (cur?.address !== port.mac_address) await nsLink.setAddress(inner, port.mac_address);
    if (net.mtu > 0) {
      await hostLink.setMtu(tap, net.mtu);
      await nsLink.setMtu(inner, net.mtu);
    }
    await hostLink.setUp(tap);
    await nsLink.setUp(inner);
    const cidrs: string[] = [];
    for (const f of port.fixed_ips) {
      const subnet = net.subnets.find((s) => s.id === f.subnet_id);
      const c = subnet && parseCidr(subnet.cidr);
      if (c) cidrs.push(`${f.ip_address}/${c.prefixlen}`);
    }
    await new IpAddr(ns).sync(inner, cidrs);
    const gateway = net.subnets.find((s) => s.ip_version === 4 && s.enable_dhcp && s.gateway_ip && port.fixed_ips.some((f) => f.subnet_id === s.id))?.gateway_ip;
    const route = new IpRoute(ns);
    const current = (await route.list(4)).find((r) => r.dst === 'default');
    if (gateway && current?.gateway !== gateway) await route.replace('default', { gateway, dev: inner });
    if (!gateway && current) await route.delete('default');
    return inner;
  }

  /** Removes the namespace (the veth goes with it) and, unless `keepPort`, the DHCP port. */
  async destroy(ctx: MessageContext, networkId: string, keepPort = false): Promise<void> {
    await deleteNamespace(dhcpNamespace(networkId));
    if (!keepPort) await this.plugin.releaseDhcpPort(ctx, networkId, this.deviceId(networkId));
  }
}
