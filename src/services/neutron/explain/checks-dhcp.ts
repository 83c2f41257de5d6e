/**
 * DHCP for a port's address, from Neutron's state: the subnet has DHCP enabled and a live DHCP
 * agent hosts the network (the lease and dnsmasq itself are kernel hops).
 */
import { broken, type HopCheck, ok, type Side, unknown, type Walk } from './walk.js';
import type { Hop } from './types.js';

export class DhcpCheck implements HopCheck {
  constructor(private readonly side: Side) {}

  async run(walk: Walk): Promise<Hop> {
    const hop = `${this.side} DHCP`;
    const end = walk.portEnd(this.side)!;
    if (end.port.device_owner.startsWith('network:')) return ok(hop, 'neutron', `${end.port.device_owner} ports are configured by their agent, not by DHCP`);
    const subnet = await walk.subnetOf(end);
    if (!subnet) return broken(hop, 'neutron', `port ${end.port.id} has no fixed IP: there is no address to hand out`, `openstack port set --fixed-ip subnet=<subnet> ${end.port.id}`);
    if (!subnet.enable_dhcp) {
      return broken(hop, 'neutron', `subnet ${subnet.id} (${subnet.cidr}) has DHCP disabled: the guest's DHCP client gets no answer, so it has no IP unless configured by hand`,
        `openstack subnet set --dhcp ${subnet.id}`);
    }
    if (subnet.ip_version === 6 && subnet.ipv6_address_mode === 'slaac') return ok(hop, 'neutron', `subnet ${subnet.id} uses SLAAC: the address comes from router advertisements`);
    const agents = await walk.data.dhcpAgents(end.port.network_id);
    if (agents.length === 0) {
      return broken(hop, 'neutron', `no DHCP agent hosts network ${end.port.network_id}: no dnsmasq answers on it`,
        `openstack network agent add network --dhcp <dhcp agent id> ${end.port.network_id}   # list them: openstack network agent list --agent-type dhcp`);
    }
    const live = agents.filter((a) => a.alive && a.admin_state_up);
    if (live.length === 0) {
      const a = agents[0]!;
      return broken(hop, 'neutron', `the DHCP agent${agents.length > 1 ? 's' : ''} hosting network ${end.port.network_id} (${agents.map((x) => `${x.host}: ${x.alive ? 'alive' : `dead since ${x.heartbeat_timestamp}`}${x.admin_state_up ? '' : ', disabled'}`).join('; ')}) cannot serve it`,
        a.admin_state_up ? `nubo serve network-dhcp-agent --host ${a.host}   # restart the dead DHCP agent` : `openstack network agent set --enable ${a.id}`);
    }
    if (!end.ip) return unknown(hop, 'neutron', `port ${end.port.id} has no IPv${walk.ipVersion} address`);
    return ok(hop, 'neutron', `subnet ${subnet.cidr} has DHCP enabled, served by the DHCP agent on ${live.map((a) => a.host).join(', ')}; ${end.ip} is the port's address`);
  }
}
