/**
 * The Linux bridge manager of one agent host (linuxbridge_neutron_agent.py LinuxBridgeManager):
 * a bridge `brq<network id[:11]>` per network, carrying its segment: for flat networks the
 * physical interface of `physical_interface_mappings` itself, for VLAN networks its
 * `<interface>.<vlan>` subinterface, for VXLAN networks a `vxlan-<vni>` device from the local
 * tunnel address (flooding to the multicast group through the device holding that address, or,
 * without a group or such a device, to the unicast FDB entries l2population style); the MTU of the network on the bridge, its segment device and each tap; a tap is plugged
 * into its network's bridge; a bridge without taps left is removed with its VXLAN device.
 * Everything happens in the host namespace (undefined: the process's own).
 */
import type { SegmentInfo } from '../../rpc/payloads.js';
import { type FdbEntries, isFloodingEntry } from '../../ml2/l2pop/fdb.js';
import { BridgeFdb, FLOODING_ENTRY } from '../linux/bridge.js';
import { IpAddr, IpNeigh } from '../linux/ip-addr.js';
import { IpLink, type LinkInfo } from '../linux/ip-link.js';
import { BRIDGE_PREFIX, bridgeName, TAP_PREFIX, vxlanName, VXLAN_PREFIX } from '../linux/names.js';
import { ip } from '../linux/exec.js';

export interface VxlanSettings {
  localIp: string;
  /** Multicast group; empty: unicast flooding entries (the server's l2population entries, or setFloodingTargets). */
  group: string;
  /** The entries come from the server's l2population driver (addFdbEntries / removeFdbEntries). */
  l2population?: boolean;
  /** With l2population: remote ports' ARP answered from permanent neighbour entries on the VXLAN device (proxy). */
  arpResponder?: boolean;
  dstport: number;
  ttl: number;
}

export interface LinuxBridgeManagerOptions {
  hostNamespace: string | undefined;
  /** physical network -> interface (flat and VLAN). */
  interfaceMappings: ReadonlyMap<string, string>;
  /** Undefined when VXLAN is off (no local_ip). */
  vxlan: VxlanSettings | undefined;
}

export class LinuxBridgeManager {
  readonly link: IpLink;
  private readonly fdb: BridgeFdb;
  private readonly neigh: IpNeigh;
  private underlayDev: string | undefined;

  constructor(private readonly o: LinuxBridgeManagerOptions) {
    this.link = new IpLink(o.hostNamespace);
    this.fdb = new BridgeFdb(o.hostNamespace);
    this.neigh = new IpNeigh(o.hostNamespace);
  }

  /** The tap devices of the host: name -> link. */
  async taps(): Promise<Map<string, LinkInfo>> {
    const out = new Map<string, LinkInfo>();
    for (const l of await this.link.list()) if (l.ifname.startsWith(TAP_PREFIX)) out.set(l.ifname, l);
    return out;
  }

  /** Can this host carry the segment. */
  supports(segment: SegmentInfo): boolean {
    switch (segment.network_type) {
      case 'local': return true;
      case 'flat': case 'vlan': return segment.physical_network !== null && this.o.interfaceMappings.has(segment.physical_network);
      case 'vxlan': return this.o.vxlan !== undefined && segment.segmentation_id !== null;
      default: return false;
    }
  }

  /** ensure_network: the bridge with its segment device, up, at the network's MTU; its name. */
  async ensureNetwork(networkId: string, segment: SegmentInfo, mtu: number | undefined): Promise<string> {
    if (!this.supports(segment)) throw new Error(`this agent cannot carry ${segment.network_type} segment ${segment.physical_network ?? ''}:${segment.segmentation_id ?? ''}`);
    const bridge = bridgeName(networkId);
    const links = new Map((await this.link.list()).map((l) => [l.ifname, l]));
    if (!links.has(bridge)) await this.link.addBridge(bridge);
    const segmentDev = await this.ensureSegmentDevice(segment, links);
    if (segmentDev) {
      if (mtu && links.get(segmentDev)?.mtu !== mtu && segment.network_type !== 'flat') await this.link.setMtu(segmentDev, mtu);
      if (links.get(segmentDev)?.master !== bridge) await this.link.setMaster(segmentDev, bridge);
      await this.link.setUp(segmentDev);
    }
    if (mtu && links.get(bridge)?.mtu !== mtu) await this.link.setMtu(bridge, mtu);
    await this.link.setUp(bridge);
    return bridge;
  }

  private async ensureSegmentDevice(segment: SegmentInfo, links: Map<string, LinkInfo>): Promise<string | undefined> {
    if (segment.network_type === 'flat') return this.o.interfaceMappings.get(segment.physical_network!);
    if (segment.network_type === 'vlan') {
      const phys = this.o.interfaceMappings.get(segment.physical_network!)!;
      const name = `${phys.slice(0, 10)}.${segment.segmentation_id}`;
      if (!links.has(name)) await ip(this.o.hostNamespace, ['link', 'add', 'link', phys, 'name', name, 'type', 'vlan', 'id', String(segment.segmentation_id)]);
      return name;
    }
    if (segment.network_type === 'vxlan') {
      const v = this.o.vxlan!;
      const name = vxlanName(segment.segmentation_id!);
      if (!links.has(name)) {
        // a multicast group needs the device holding local_ip; without one, flooding is unicast
        const dev = v.group ? await this.underlay(v.localIp) : undefined;
        await this.link.addVxlan({
          name, vni: segment.segmentation_id!, local: v.localIp, dstport: v.dstport, ...(v.ttl ? { ttl: v.ttl } : {}),
          ...(v.group && dev ? { group: v.group, dev } : {}), ...(v.arpResponder ? { proxy: true } : {}),
        });
      }
      return name;
    }
    return undefined;
  }

  /** The device holding the local tunnel address (the multicast group needs it). */
  private async underlay(localIp: string): Promise<string | undefined> {
    if (this.underlayDev) return this.underlayDev;
    for (const l of await this.link.list()) {
      if ((await new IpAddr(this.o.hostNamespace).list(l.ifname)).some((a) => a.local === localIp)) return (this.underlayDev = l.ifname);
    }
    return undefined;
  }

  /**
   * add_tap_interface: the tap in its network's bridge, at its MTU, up (or down when the port is
   * admin down); `known` is the tap as just listed (only what differs is changed).
   */
  async plugTap(tap: string, bridge: string, mtu: number | undefined, up: boolean, known?: LinkInfo): Promise<void> {
    const cur = known ?? (await this.link.get(tap));
    if (!cur) throw new Error(`tap device ${tap} is gone`);
    if (cur.master !== bridge) await this.link.setMaster(tap, bridge);
    if (mtu && cur.mtu !== mtu) await this.link.setMtu(tap, mtu);
    const isUp = cur.flags.includes('UP');
    if (up && !isUp) await this.link.setUp(tap);
    if (!up && isUp) await this.link.setDown(tap);
  }

  /** The bridges of Nubo's networks: bridge name -> names of the taps in it. */
  async bridges(): Promise<Map<string, string[]>> {
    const links = await this.link.list();
    const out = new Map<string, string[]>();
    for (const l of links) if (l.ifname.startsWith(BRIDGE_PREFIX)) out.set(l.ifname, []);
    for (const l of links) if (l.master && out.has(l.master) && l.ifname.startsWith(TAP_PREFIX)) out.get(l.master)!.push(l.ifname);
    return out;
  }

  /** delete_bridge: the bridge, its VXLAN and VLAN devices (a flat physical interface is only unplugged). */
  async deleteBridge(bridge: string): Promise<void> {
    const links = await this.link.list();
    for (const l of links.filter((x) => x.master === bridge)) {
      if (l.ifname.startsWith(VXLAN_PREFIX) || l.linkinfo?.info_kind === 'vlan') await this.link.delete(l.ifname);
      else if (!l.ifname.startsWith(TAP_PREFIX)) await this.link.setNoMaster(l.ifname);
    }
    await this.link.delete(bridge);
  }

  /** Unicast flooding (l2population's flooding entries): each VXLAN device without a multicast group floods to exactly `remotes`. */
  async setFloodingTargets(remotes: string[]): Promise<void> {
    for (const l of await this.link.list()) {
      if (!l.ifname.startsWith(VXLAN_PREFIX) || l.linkinfo?.info_data?.group !== undefined) continue;
      const have = (await this.fdb.list(l.ifname)).filter((e) => e.mac === FLOODING_ENTRY && e.dst).map((e) => e.dst!);
      for (const r of remotes) if (!have.includes(r)) await this.fdb.append(FLOODING_ENTRY, l.ifname, r);
      for (const h of have) if (!remotes.includes(h)) await this.fdb.delete(FLOODING_ENTRY, l.ifname, h);
    }
  }

  /**
   * fdb_add (linuxbridge_neutron_agent.py with l2population): for each network whose VXLAN device
   * this host has, each remote agent becomes a flooding destination, and each remote port's MAC
   * is forwarded to its agent (with a permanent neighbour entry when the ARP responder is on).
   * Networks this host does not carry are skipped: it is sent them when its first port there goes up.
   */
  async addFdbEntries(entries: FdbEntries): Promise<void> {
    for (const { dev, agentIp, ports } of await this.localFdbTargets(entries)) {
      const flooding = (await this.fdb.list(dev)).filter((e) => e.mac === FLOODING_ENTRY).map((e) => e.dst);
      for (const p of ports) {
        if (isFloodingEntry(p)) {
          if (!flooding.includes(agentIp)) await this.fdb.append(FLOODING_ENTRY, dev, agentIp);
          continue;
        }
        if (this.o.vxlan?.arpResponder) await this.neigh.replace(p[1], p[0], dev);
        await this.fdb.replace(p[0], dev, agentIp);
      }
    }
  }

  /** fdb_remove: the entries go (those already gone are no error). */
  async removeFdbEntries(entries: FdbEntries): Promise<void> {
    const gone = () => undefined;
    for (const { dev, agentIp, ports } of await this.localFdbTargets(entries)) {
      for (const p of ports) {
        if (isFloodingEntry(p)) {
          await this.fdb.delete(FLOODING_ENTRY, dev, agentIp).catch(gone);
          continue;
        }
        if (this.o.vxlan?.arpResponder) await this.neigh.delete(p[1], dev).catch(gone);
        await this.fdb.delete(p[0], dev, agentIp).catch(gone);
      }
    }
  }

  /** The entries of networks whose VXLAN device is here, by device and remote agent (this host's own skipped). */
  private async localFdbTargets(entries: FdbEntries): Promise<Array<{ dev: string; agentIp: string; ports: Array<[string, string]> }>> {
    const here = new Set((await this.link.list()).map((l) => l.ifname));
    const out: Array<{ dev: string; agentIp: string; ports: Array<[string, string]> }> = [];
    for (const net of Object.values(entries)) {
      if (net.network_type !== 'vxlan' || !here.has(vxlanName(net.segment_id))) continue;
      for (const [agentIp, ports] of Object.entries(net.ports)) {
        if (agentIp !== this.o.vxlan?.localIp) out.push({ dev: vxlanName(net.segment_id), agentIp, ports });
      }
    }
    return out;
  }
}
