/**
 * The hops read from the live kernel state the agents made: the port's tap in its bridge, the
 * network's dnsmasq with the port's host entry and lease, the qrouter namespace with its qr-
 * and qg- addresses, the SNAT and floating IP DNAT rules with their packet counters, and the
 * router's neighbour entry for the port. Where the kernel cannot be read here the verdict is
 * unknown, with why.
 */
import { bridgeName, tapName } from '../../agent/linux/names.js';
import type { Hop } from '../types.js';
import { broken, type HopCheck, ok, type Side, unknown, type Walk } from '../walk.js';
import { DNAT_CHAIN, externalDevice, FLOAT_SNAT_CHAIN, internalDevice, qrouterNamespace, SNAT_CHAIN } from './l3-names.js';
import type { NatRule } from './probes.js';

/** Runs a kernel hop: unknown when the kernel cannot be read, or when a probe fails. */
abstract class KernelCheck implements HopCheck {
  abstract readonly hop: string;

  async run(walk: Walk): Promise<Hop> {
    const problem = walk.kernel.problem;
    if (problem) return unknown(this.hop, 'kernel', `the kernel state cannot be read here: ${problem}`);
    try {
      return await this.probe(walk);
    } catch (err) {
      return unknown(this.hop, 'kernel', `probe failed: ${(err as Error).message}`);
    }
  }

  protected abstract probe(walk: Walk): Promise<Hop>;
}

export class TapPluggedCheck extends KernelCheck {
  readonly hop: string;

  constructor(private readonly side: Side) {
    super();
    this.hop = `${side} tap in bridge`;
  }

  protected async probe(walk: Walk): Promise<Hop> {
    const p = walk.portEnd(this.side)!.port;
    if (p.device_owner.startsWith('network:')) return ok(this.hop, 'kernel', `${p.device_owner} ports are plugged by their agent`);
    const host = p['binding:host_id'];
    if (!host) return unknown(this.hop, 'kernel', 'the port is bound to no host: no namespace to look in');
    const ns = walk.kernel.hostNamespace(host);
    const where = ns ? `host ${host}'s namespace ${ns}` : `host ${host}`;
    if (ns && !(await walk.kernel.namespaceExists(ns))) return unknown(this.hop, 'kernel', `${where} does not exist on this machine (the agent runs elsewhere?)`);
    const tap = tapName(p.id);
    const bridge = bridgeName(p.network_id);
    const link = await walk.kernel.link(ns, tap);
    if (!link) {
      return broken(this.hop, 'kernel', `no device ${tap} in ${where}: the hypervisor has not plugged the VIF (or the guest is gone)`,
        `openstack server reboot --hard ${p.device_id || '<server>'}   # the hypervisor re-creates ${tap}`);
    }
    if (link.master !== bridge) {
      return broken(this.hop, 'kernel', `${tap} exists in ${where} but is ${link.master ? `in ${link.master}` : 'in no bridge'}, not in ${bridge}: its frames reach nobody`,
        `ip ${ns ? `-n ${ns} ` : ''}link set ${tap} master ${bridge}   # the L2 agent does this on its next pass; if not, restart it: nubo serve network-l2-agent --host ${host}`);
    }
    if (!link.flags.includes('UP')) {
      return broken(this.hop, 'kernel', `${tap} is in ${bridge} but down`, `ip ${ns ? `-n ${ns} ` : ''}link set ${tap} up`);
    }
    return ok(this.hop, 'kernel', `${tap} is up in ${bridge} on ${where}`);
  }
}

export class DnsmasqCheck extends KernelCheck {
  readonly hop: string;

  constructor(private readonly side: Side) {
    super();
    this.hop = `${side} dnsmasq and lease`;
  }

  protected async probe(walk: Walk): Promise<Hop> {
    const p = walk.portEnd(this.side)!.port;
    if (p.device_owner.startsWith('network:')) return ok(this.hop, 'kernel', `${p.device_owner} ports are not served by DHCP`);
    const agents = (await walk.data.dhcpAgents(p.network_id)).filter((a) => a.alive);
    if (agents.length === 0) return unknown(this.hop, 'kernel', 'no live DHCP agent hosts the network (see the DHCP hop)');
    const mac = p.mac_address.toLowerCase();
    const notes: string[] = [];
    for (const a of agents) {
      const d = walk.kernel.dnsmasq(a.host, p.network_id);
      if (!d.running) {
        return broken(this.hop, 'kernel', `dnsmasq for network ${p.network_id} is not running on ${a.host} (pid file ${d.pid ?? 'missing'} in ${d.dir}): DHCP requests get no answer`,
          `nubo serve network-dhcp-agent --host ${a.host}   # restart the DHCP agent; it restarts dnsmasq (it also respawns it within [agent] check_child_processes_interval)`);
      }
      if (!d.hostsFile?.toLowerCase().includes(mac)) {
        return broken(this.hop, 'kernel', `dnsmasq on ${a.host} (pid ${d.pid}) has no host entry for ${mac} in ${d.dir}/host: it will not answer this port`,
          `openstack network agent remove network --dhcp ${a.id} ${p.network_id} && openstack network agent add network --dhcp ${a.id} ${p.network_id}   # resync the network's DHCP`);
      }
      const lease = d.leasesFile?.split('\n').find((l) => l.toLowerCase().split(' ')[1] === mac);
      notes.push(lease ? `dnsmasq pid ${d.pid} on ${a.host} leased ${lease.split(' ')[2]} to ${mac}` : `dnsmasq pid ${d.pid} on ${a.host} has the host entry for ${mac}, no lease yet`);
      if (lease) return ok(this.hop, 'kernel', notes.join('; '));
    }
    return unknown(this.hop, 'kernel', `${notes.join('; ')}: the guest has not asked (is its DHCP client running, and do its requests reach the bridge?)`);
  }
}

/** The router's namespace with the qr- device of the end's subnet holding the interface address, and the router's neighbour entry for the end. */
export class RouterNamespaceCheck extends KernelCheck {
  readonly hop: string;

  constructor(private readonly side: Side) {
    super();
    this.hop = `${side} router namespace (qr-)`;
  }

  protected async probe(walk: Walk): Promise<Hop> {
    const end = walk.portEnd(this.side)!;
    const iface = await walk.routerInterfaceOf(end);
    if (!iface) return unknown(this.hop, 'kernel', 'no router serves the subnet (see the router interface hop)');
    const ns = qrouterNamespace(iface.router.id);
    if (!(await walk.kernel.namespaceExists(ns))) {
      const agents = await walk.data.l3Agents(iface.router.id);
      return broken(this.hop, 'kernel', `namespace ${ns} does not exist: no L3 agent has built router ${iface.router.id} here${agents.length ? ` (hosted by ${agents.map((a) => `${a.host}${a.alive ? '' : ' (dead)'}`).join(', ')})` : ' (no L3 agent hosts it)'}`,
        agents.length ? `nubo serve network-l3-agent --host ${agents[0]!.host}   # restart the L3 agent; it rebuilds the router` : `openstack network agent add router --l3 <l3 agent id> ${iface.router.id}`);
    }
    const dev = internalDevice(iface.port.id);
    const addrs = await walk.kernel.addresses(ns, dev);
    if (!addrs) return broken(this.hop, 'kernel', `${ns} has no device ${dev} for the router's port on the subnet`, `nubo serve network-l3-agent --host <its host>   # restart the L3 agent; it re-plugs ${dev}`);
    if (!addrs.some((a) => a.local === iface.ip)) {
      return broken(this.hop, 'kernel', `${dev} in ${ns} lacks ${iface.ip} (has ${addrs.map((a) => `${a.local}/${a.prefixlen}`).join(', ') || 'nothing'})`, `nubo serve network-l3-agent --host <its host>   # restart the L3 agent`);
    }
    const neigh = end.ip ? (await walk.kernel.neighbours(ns, dev)).find((n) => n.dst === end.ip) : undefined;
    const state = neigh?.state?.join(',') ?? '';
    if (neigh && /FAILED|INCOMPLETE/.test(state)) {
      return broken(this.hop, 'kernel', `${dev} holds ${iface.ip}, but ARP for ${end.ip} is ${state}: the port does not answer (guest down, or its tap not in the bridge)`,
        `openstack server show ${end.port.device_id || '<server>'}   # is the guest up with ${end.ip}? then see the tap hop`);
    }
    return ok(this.hop, 'kernel', `${dev} in ${ns} holds ${iface.ip}; neighbour ${end.ip ?? '-'}: ${neigh ? `${neigh.lladdr ?? '?'} ${state}` : 'no entry yet'}`);
  }
}

const counters = (r: NatRule): string => `${r.packets} packets / ${r.bytes} bytes`;

/** The gateway device and the NAT rule of the path, with its counters. */
export class NatCheck extends KernelCheck {
  readonly hop: string;

  constructor(private readonly direction: 'snat' | 'dnat') {
    super();
    this.hop = direction === 'snat' ? 'router qg- and SNAT rule' : 'router qg- and floating IP DNAT rule';
  }

  protected async probe(walk: Walk): Promise<Hop> {
    const end = walk.portEnd(this.direction === 'snat' ? 'source' : 'destination');
    if (!end) return unknown(this.hop, 'kernel', 'the floating IP has no port');
    const iface = await walk.routerInterfaceOf(end);
    const gw = iface?.router.external_gateway_info;
    if (!iface || !gw) return unknown(this.hop, 'kernel', 'no router gateway (see the router hops)');
    const ns = qrouterNamespace(iface.router.id);
    if (!(await walk.kernel.namespaceExists(ns))) return broken(this.hop, 'kernel', `namespace ${ns} does not exist`, 'nubo serve network-l3-agent --host <its host>   # restart the L3 agent');
    const gwPort = await walk.data.gatewayPort(iface.router.id);
    const dev = gwPort ? externalDevice(gwPort.id) : undefined;
    const addrs = dev ? await walk.kernel.addresses(ns, dev) : undefined;
    const gwIps = gw.external_fixed_ips.map((f) => f.ip_address);
    if (!dev || !addrs || !addrs.some((a) => gwIps.includes(a.local))) {
      return broken(this.hop, 'kernel', `the gateway device ${dev ?? 'qg-?'} in ${ns} ${addrs ? `lacks ${gwIps.join(', ')}` : 'does not exist'}`, 'nubo serve network-l3-agent --host <its host>   # restart the L3 agent');
    }
    const fips = await walk.data.floatingIpsOf(end.port.id);
    const fip = end.floatingIp ?? fips.find((f) => f.fixed_ip_address === end.ip);
    if (this.direction === 'dnat' || fip) {
      if (!fip) return unknown(this.hop, 'kernel', 'no floating IP (see the floating IP hop)');
      const chain = this.direction === 'dnat' ? DNAT_CHAIN : FLOAT_SNAT_CHAIN;
      const rules = (await walk.kernel.natRules(ns, chain)) ?? [];
      const rule = this.direction === 'dnat'
        ? rules.find((r) => r.target === 'DNAT' && r.destination === `${fip.floating_ip_address}` && r.extra.includes(`to:${fip.fixed_ip_address}`))
        : rules.find((r) => r.target === 'SNAT' && r.source === `${fip.fixed_ip_address}` && r.extra.includes(`to:${fip.floating_ip_address}`));
      if (!rule) {
        return broken(this.hop, 'kernel', `${chain} in ${ns} has no ${this.direction === 'dnat' ? 'DNAT' : 'SNAT'} rule for ${fip.floating_ip_address} <-> ${fip.fixed_ip_address}`,
          'nubo serve network-l3-agent --host <its host>   # restart the L3 agent; it rewrites the floating IP rules');
      }
      return ok(this.hop, 'kernel', `${dev} holds ${gwIps.join(', ')}; ${chain}: ${rule.target} ${fip.floating_ip_address} <-> ${fip.fixed_ip_address}, ${counters(rule)}`);
    }
    if (!gw.enable_snat) return unknown(this.hop, 'kernel', 'SNAT is disabled (see the SNAT hop)');
    const rules = await walk.kernel.natRules(ns, SNAT_CHAIN);
    const rule = rules?.find((r) => r.target === 'SNAT' && r.out === dev && gwIps.some((ip) => r.extra.includes(`to:${ip}`)));
    if (!rule) {
      return broken(this.hop, 'kernel', `${SNAT_CHAIN} in ${ns} ${rules ? 'has no' : 'does not exist, so no'} SNAT rule out of ${dev} to ${gwIps.join(', ')}`,
        'nubo serve network-l3-agent --host <its host>   # restart the L3 agent; it rewrites the SNAT rules');
    }
    return ok(this.hop, 'kernel', `${dev} holds ${gwIps.join(', ')}; ${SNAT_CHAIN}: SNAT -o ${dev} to ${gwIps.join(', ')}, ${counters(rule)}`);
  }
}
