/**
 * The routed hops, from Neutron's state: the subnet's gateway, the router interface on it, the
 * router's extra routes, its external gateway, SNAT for traffic leaving, and the floating IP
 * for traffic coming in from the outside.
 */
import { cidrContains, parseCidr, parseIp } from '../common/netaddr.js';
import type { Hop, PortEnd } from './types.js';
import { broken, type HopCheck, ok, type Side, type Walk } from './walk.js';

async function externalNetworkRef(walk: Walk): Promise<string> {
  return (await walk.data.externalNetworks())[0]?.id ?? '<external network>';
}

export class SubnetGatewayCheck implements HopCheck {
  constructor(private readonly side: Side) {}

  async run(walk: Walk): Promise<Hop> {
    const hop = `${this.side} subnet gateway`;
    const end = walk.portEnd(this.side)!;
    const subnet = await walk.subnetOf(end);
    if (!subnet) return broken(hop, 'neutron', `port ${end.port.id} has no fixed IP, so no subnet and no gateway`, `openstack port set --fixed-ip subnet=<subnet> ${end.port.id}`);
    if (!subnet.gateway_ip) {
      return broken(hop, 'neutron', `subnet ${subnet.id} (${subnet.cidr}) has no gateway_ip: the guest gets no default route, so nothing beyond ${subnet.cidr} is reachable`,
        `openstack subnet set --gateway <an address of ${subnet.cidr}, e.g. its first> ${subnet.id}`);
    }
    return ok(hop, 'neutron', `subnet ${subnet.cidr} has gateway ${subnet.gateway_ip}`);
  }
}

export class RouterInterfaceCheck implements HopCheck {
  constructor(private readonly side: Side) {}

  async run(walk: Walk): Promise<Hop> {
    const hop = `${this.side} router interface`;
    const end = walk.portEnd(this.side)!;
    const subnet = await walk.subnetOf(end);
    if (!subnet) return broken(hop, 'neutron', `port ${end.port.id} has no subnet`, `openstack port set --fixed-ip subnet=<subnet> ${end.port.id}`);
    const iface = await walk.routerInterfaceOf(end);
    if (!iface) {
      return broken(hop, 'neutron', `no router has an interface on subnet ${subnet.id} (${subnet.cidr}): the gateway ${subnet.gateway_ip ?? '(none)'} answers nobody, traffic cannot leave the network`,
        `openstack router add subnet <router> ${subnet.id}   # no router yet? openstack router create r1`);
    }
    if (subnet.gateway_ip && iface.ip !== subnet.gateway_ip) {
      return broken(hop, 'neutron', `router ${iface.router.id} sits on ${subnet.cidr} at ${iface.ip}, not at the subnet's gateway ${subnet.gateway_ip}: guests send to an address nobody holds`,
        `openstack router remove port ${iface.router.id} ${iface.port.id} && openstack router add subnet ${iface.router.id} ${subnet.id}`);
    }
    if (!iface.router.admin_state_up) {
      return broken(hop, 'neutron', `router ${iface.router.id} is administratively down`, `openstack router set --enable ${iface.router.id}`);
    }
    return ok(hop, 'neutron', `router ${iface.router.id} (${iface.router.name || 'unnamed'}) holds ${iface.ip} on ${subnet.cidr} (port ${iface.port.id})`);
  }
}

/** Port to port across subnets: the source's router reaches the destination subnet directly or by an extra route. */
export class RouterRoutesCheck implements HopCheck {
  async run(walk: Walk): Promise<Hop> {
    const hop = 'router routes';
    const src = walk.portEnd('source')!;
    const dst = walk.portEnd('destination');
    const iface = await walk.routerInterfaceOf(src);
    if (!iface) return ok(hop, 'neutron', 'no router on the source subnet (see the router interface hop)');
    const routes = iface.router.routes;
    if (!dst) {
      const def = routes.find((r) => parseCidr(r.destination)?.prefixlen === 0);
      return ok(hop, 'neutron', def ? `extra route ${def.destination} via ${def.nexthop} overrides the gateway` : `leaves by the router's default route${routes.length ? `; extra routes: ${routes.map((r) => `${r.destination} via ${r.nexthop}`).join(', ')}` : ''}`);
    }
    const dstSubnet = await walk.subnetOf(dst);
    if (!dstSubnet) return ok(hop, 'neutron', 'the destination has no subnet');
    const dstIfaces = await walk.data.routerInterfaces(dstSubnet.id);
    if (dstIfaces.some((i) => i.router.id === iface.router.id)) return ok(hop, 'neutron', `router ${iface.router.id} has interfaces on both subnets`);
    const addr = dst.ip ? parseIp(dst.ip) : undefined;
    const route = routes.find((r) => { const c = parseCidr(r.destination); return c && addr && cidrContains(c, addr); });
    if (route) return ok(hop, 'neutron', `extra route ${route.destination} via ${route.nexthop} on router ${iface.router.id}`);
    return broken(hop, 'neutron', `router ${iface.router.id} has no interface on ${dstSubnet.cidr} and no route to it`,
      `openstack router add subnet ${iface.router.id} ${dstSubnet.id}`);
  }
}

/** The router that serves the port end has an external gateway. */
export class RouterGatewayCheck implements HopCheck {
  constructor(private readonly side: Side) {}

  async run(walk: Walk): Promise<Hop> {
    const hop = 'router external gateway';
    const end = walk.portEnd(this.side)!;
    const iface = await walk.routerInterfaceOf(end);
    if (!iface) return broken(hop, 'neutron', 'no router serves the port\'s subnet (see the router interface hop)', `openstack router add subnet <router> <subnet>`);
    const gw = iface.router.external_gateway_info;
    if (!gw) {
      return broken(hop, 'neutron', `router ${iface.router.id} has no external gateway: guests reach the router (${iface.ip}) but nothing beyond it`,
        `openstack router set --external-gateway ${await externalNetworkRef(walk)} ${iface.router.id}`);
    }
    const net = await walk.data.network(gw.network_id);
    if (!net?.['router:external']) {
      return broken(hop, 'neutron', `router ${iface.router.id}'s gateway network ${gw.network_id} is not external`,
        `openstack network set --external ${gw.network_id}`);
    }
    const ips = gw.external_fixed_ips.map((f) => f.ip_address);
    if (ips.length === 0) return broken(hop, 'neutron', `router ${iface.router.id}'s gateway on ${gw.network_id} has no address: the external network has no subnet`, `openstack subnet create --network ${gw.network_id} --subnet-range <cidr> --no-dhcp ext-subnet`);
    return ok(hop, 'neutron', `router ${iface.router.id} has its gateway on external network ${net.name || net.id} at ${ips.join(', ')}`);
  }
}

/** Traffic leaving for the outside is source-NATed: enable_snat, or a floating IP of the source. */
export class SnatCheck implements HopCheck {
  async run(walk: Walk): Promise<Hop> {
    const hop = 'SNAT to the outside';
    const end = walk.portEnd('source')!;
    const fip = (await walk.data.floatingIpsOf(end.port.id)).find((f) => !end.ip || f.fixed_ip_address === end.ip);
    if (fip) return ok(hop, 'neutron', `leaves as its floating IP ${fip.floating_ip_address} (1:1 NAT)`);
    const iface = await walk.routerInterfaceOf(end);
    const gw = iface?.router.external_gateway_info;
    if (!iface || !gw) {
      return broken(hop, 'neutron', 'no router gateway to SNAT through (see the router external gateway hop)',
        `openstack router set --external-gateway ${await externalNetworkRef(walk)} ${iface?.router.id ?? '<router>'}`);
    }
    if (!gw.enable_snat) {
      return broken(hop, 'neutron', `router ${iface.router.id} has SNAT disabled (enable_snat=false): packets leave with the private source ${end.ip ?? ''}, and replies never find their way back`,
        `openstack router set --external-gateway ${gw.network_id} --enable-snat ${iface.router.id}`);
    }
    return ok(hop, 'neutron', `router ${iface.router.id} SNATs ${end.ip ?? 'the port'} to ${gw.external_fixed_ips.map((f) => f.ip_address).join(', ')}`);
  }
}

/** Reaching a port from the outside needs a floating IP on it (or a port forwarding). */
export class FloatingIpCheck implements HopCheck {
  async run(walk: Walk): Promise<Hop> {
    const hop = 'floating IP';
    const to = walk.to;
    if (to.kind === 'floating') {
      return broken(hop, 'neutron', `floating IP ${to.floatingIp.floating_ip_address} is associated with no port: nothing is behind it`,
        `openstack floating ip set --port <port> ${to.floatingIp.id}`);
    }
    const end = to as PortEnd;
    if (end.floatingIp) return ok(hop, 'neutron', `floating IP ${end.floatingIp.floating_ip_address} is associated with ${end.floatingIp.fixed_ip_address} (port ${end.port.id})`);
    const fips = await walk.data.floatingIpsOf(end.port.id);
    const fip = fips.find((f) => !end.ip || f.fixed_ip_address === end.ip) ?? fips[0];
    if (fip) return ok(hop, 'neutron', `floating IP ${fip.floating_ip_address} is associated with ${fip.fixed_ip_address} (port ${end.port.id})`);
    const ext = await externalNetworkRef(walk);
    const fix = end.port.device_owner.startsWith('compute:') && end.port.device_id
      ? `openstack server add floating ip ${end.port.device_id} $(openstack floating ip create ${ext} -f value -c floating_ip_address)`
      : `openstack floating ip create --port ${end.port.id} ${ext}`;
    return broken(hop, 'neutron', `port ${end.port.id} (${end.ip ?? 'no IP'}) has no floating IP: its private address is not routed from the outside`, fix);
  }
}
