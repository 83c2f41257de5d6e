/**
 * The l2population mechanism driver (neutron/plugins/ml2/drivers/l2pop/mech_driver.py with
 * its rpc.py L2populationAgentNotifyAPI): on tunnel networks, the server tells the L2 agents
 * which MAC and IP sits behind which agent, so that each agent programs forwarding entries
 * (and answers ARP) for its peers instead of flooding every unknown frame to all of them.
 *  - A port going ACTIVE on a host: the other agents learn its [mac, ip] pairs (and, when it is
 *    the host's first active port on the network, the host as a flooding destination); that
 *    first time (or when the agent says it restarted) the host's agent is sent the whole
 *    network's entries of the other agents.
 *  - A port going down or deleted: its pairs are removed (and the flooding entry with the
 *    host's last active port on the network).
 *  - New fixed IPs of an active port: the old pairs removed, the new ones added.
 * Only agents that report `l2_population` and a `tunneling_ip` take part, as upstream.
 *
 * Upstream's driver hooks ML2's port postcommits; here port status changes come from the
 * agents' RPC (PortManager.setStatus) as `port_status` events, so the driver is a subscriber to
 * the callbacks registry, like the other agent notifiers, and `[ml2] mechanism_drivers` naming
 * `l2population` turns it on.
 */
import { type MessageContext, RpcClient, type Transport } from '../../../../common/messaging/index.js';
import type { EventRegistry } from '../../common/events.js';
import type { Db } from '../../db/store.js';
import { AGENT_TYPE_LINUXBRIDGE, TOPIC_L2POP, VERSIONS } from '../../rpc/topics.js';
import type { Port } from '../../types/port.js';
import type { AgentInfo, Segment } from '../driver-api.js';
import { FLOODING_ENTRY, type FdbEntries, type PortInfo } from './fdb.js';

/** The tunnel network types whose ports are populated (the Linux bridge agent's tunnels). */
const TUNNEL_TYPES = ['vxlan', 'gre', 'geneve'];

export interface L2popDeps {
  db: Db;
  segmentsOf(networkId: string): Promise<Segment[]>;
  agents: { byTypeAndHost(agentType: string, host: string): Promise<AgentInfo[]> };
}

type Casts = 'add_fdb_entries' | 'remove_fdb_entries';

export class L2populationNotifier {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly d: L2popDeps) {
    this.client = new RpcClient(transport, { topic: TOPIC_L2POP, version: VERSIONS.l2pop });
  }

  subscribe(events: EventRegistry): void {
    events.subscribe('port_status', 'after_update', ({ ctx, current, original }) => {
      if (current.status === 'ACTIVE' && original.status !== 'ACTIVE') return this.portUp(ctx.toMessage(), current, false);
      if (original.status === 'ACTIVE' && current.status !== 'ACTIVE') return this.portDown(ctx.toMessage(), original);
      return undefined;
    });
    events.subscribe('port', 'after_delete', ({ ctx, current }) => (current.status === 'ACTIVE' ? this.portDown(ctx.toMessage(), current) : undefined));
    events.subscribe('port', 'after_update', ({ ctx, current, original }) => this.addressesChanged(ctx.toMessage(), current, original));
  }

  /**
   * update_port_up with refresh_tunnels: an agent that restarted reports its ports up again, and
   * is sent the network's entries even though the port was ACTIVE already.
   */
  async agentRestarted(ctx: MessageContext, port: Port): Promise<void> {
    if (port.status === 'ACTIVE') await this.portUp(ctx, port, true);
  }

  private async portUp(ctx: MessageContext, port: Port, refresh: boolean): Promise<void> {
    const target = await this.target(port);
    if (!target) return;
    const { segment, host, ip } = target;
    const activeHere = await this.activePorts(port.network_id, host);
    const first = activeHere.length <= 1;
    if (first || refresh) {
      const others = await this.networkFdb(port.network_id, host);
      if (Object.keys(others).length) await this.cast(ctx, 'add_fdb_entries', { [port.network_id]: { ...fdbSegment(segment), ports: others } }, host);
    }
    const entries = portInfos(port);
    const mine = first || refresh ? [FLOODING_ENTRY, ...entries] : entries;
    if (mine.length) await this.cast(ctx, 'add_fdb_entries', { [port.network_id]: { ...fdbSegment(segment), ports: { [ip]: mine } } });
  }

  private async portDown(ctx: MessageContext, port: Port): Promise<void> {
    const target = await this.target(port);
    if (!target) return;
    const { segment, host, ip } = target;
    const left = (await this.activePorts(port.network_id, host)).filter((p) => p.id !== port.id);
    const entries = left.length === 0 ? [FLOODING_ENTRY, ...portInfos(port)] : portInfos(port);
    if (entries.length) await this.cast(ctx, 'remove_fdb_entries', { [port.network_id]: { ...fdbSegment(segment), ports: { [ip]: entries } } });
  }

  /** An active port's fixed IPs changed: the pairs it no longer has go, the new ones come. */
  private async addressesChanged(ctx: MessageContext, current: Port, original: Port): Promise<void> {
    if (current.status !== 'ACTIVE' || original.status !== 'ACTIVE' || current['binding:host_id'] !== original['binding:host_id']) return;
    const key = (p: PortInfo) => p.join(' ');
    const before = portInfos(original);
    const after = portInfos(current);
    const gone = before.filter((p) => !after.some((q) => key(q) === key(p)));
    const added = after.filter((p) => !before.some((q) => key(q) === key(p)));
    if (!gone.length && !added.length) return;
    const target = await this.target(current);
    if (!target) return;
    const seg = fdbSegment(target.segment);
    if (gone.length) await this.cast(ctx, 'remove_fdb_entries', { [current.network_id]: { ...seg, ports: { [target.ip]: gone } } });
    if (added.length) await this.cast(ctx, 'add_fdb_entries', { [current.network_id]: { ...seg, ports: { [target.ip]: added } } });
  }

  /** The port's tunnel segment, host and its agent's tunneling IP; undefined when l2pop has nothing to do with it. */
  private async target(port: Port): Promise<{ segment: Segment; host: string; ip: string } | undefined> {
    const host = port['binding:host_id'];
    if (!host) return undefined;
    const segment = (await this.d.segmentsOf(port.network_id)).find((s) => TUNNEL_TYPES.includes(s.network_type) && s.segmentation_id !== null);
    if (!segment) return undefined;
    const ip = await this.tunnelingIp(host);
    return ip ? { segment, host, ip } : undefined;
  }

  /** The tunneling IP of the host's Linux bridge agent when it takes part in l2population. */
  private async tunnelingIp(host: string): Promise<string | undefined> {
    for (const a of await this.d.agents.byTypeAndHost(AGENT_TYPE_LINUXBRIDGE, host)) {
      const conf = a.configurations;
      if (a.alive && conf.l2_population === true && typeof conf.tunneling_ip === 'string' && conf.tunneling_ip) return conf.tunneling_ip;
    }
    return undefined;
  }

  private activePorts(networkId: string, host: string): Promise<Array<{ id: string }>> {
    return this.d.db.selectFrom('ports').select('id').where('network_id', '=', networkId).where('binding_host_id', '=', host).where('status', '=', 'ACTIVE').execute();
  }

  /** _get_agent_fdb for every other host: its flooding entry and its active ports' pairs, by tunneling IP. */
  private async networkFdb(networkId: string, exceptHost: string): Promise<Record<string, PortInfo[]>> {
    const rows = await this.d.db.selectFrom('ports').leftJoin('ipallocations', 'ipallocations.port_id', 'ports.id')
      .select(['ports.id', 'ports.mac_address', 'ports.binding_host_id', 'ipallocations.ip_address'])
      .where('ports.network_id', '=', networkId).where('ports.status', '=', 'ACTIVE').where('ports.binding_host_id', '!=', exceptHost).where('ports.binding_host_id', '!=', '')
      .orderBy('ports.id').execute();
    const ips = new Map<string, string | undefined>();
    const out: Record<string, PortInfo[]> = {};
    for (const r of rows) {
      if (!ips.has(r.binding_host_id)) ips.set(r.binding_host_id, await this.tunnelingIp(r.binding_host_id));
      const ip = ips.get(r.binding_host_id);
      if (!ip) continue;
      const list = (out[ip] ??= [FLOODING_ENTRY]);
      if (r.ip_address) list.push([r.mac_address, r.ip_address]);
    }
    return out;
  }

  private async cast(ctx: MessageContext, method: Casts, fdbEntries: FdbEntries, host?: string): Promise<void> {
    const client = host ? this.client.prepare({ server: host }) : this.client.prepare({ fanout: true });
    await client.cast(ctx, method, { fdb_entries: fdbEntries });
  }
}

const fdbSegment = (s: Segment): { segment_id: number; network_type: string } => ({ segment_id: s.segmentation_id!, network_type: s.network_type });

const portInfos = (p: Port): PortInfo[] => p.fixed_ips.map((f) => [p.mac_address, f.ip_address]);
