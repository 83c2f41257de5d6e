/**
 * Mechanism drivers and the MechanismManager (neutron/plugins/ml2/managers.py).
 *
 * `noop` (the all-in-one default) is a control plane without a data plane. It binds every
 * port that has a binding:host_id to the network's first segment with
 * binding:vif_type "other" and binding:vif_details {"connectivity": "l2"}, so compute can
 * go on, but it wires nothing: no bridge, tap device, namespace or dnsmasq exists. Therefore
 * it never reports a port ACTIVE; ports stay DOWN until an L2 agent reports the device up
 * over RPC (update_device_up). The default list puts `nubo_sim` (ml2/sim-mechanism.ts) first:
 * where its simulated agent is alive, that agent does report ports up; `noop` binds the rest.
 *
 * `linuxbridge` is the agent-based driver of a Linux bridge L2 agent: it binds a port only
 * when an alive agent of type "Linux bridge agent" on the port's host can reach one of the
 * network's segments (its interface_mappings / bridge_mappings for flat and VLAN, its
 * tunnel_types for VXLAN), with vif_type "bridge" (AgentMechanismDriverBase).
 */
import type { Config } from '../../../common/config/index.js';
import { OperatorError } from '../../../common/errors.js';
import type { Logger } from '../../../common/log/logger.js';
import { ml2Group } from '../config.js';
import type { AgentInfo, MechanismDriver, NetworkContext, PortBindingContext, PortContext, Segment, SubnetContext } from './driver-api.js';
import { NuboSimMechanismDriver } from './sim-mechanism.js';

export const VNIC_NORMAL = 'normal';
export const AGENT_TYPE_LINUXBRIDGE = 'Linux bridge agent';

export class NoopMechanismDriver implements MechanismDriver {
  readonly name = 'noop';

  bindPort(c: PortBindingContext): void {
    const segment = c.segments[0];
    if (!segment) return;
    c.setBinding(segment, 'other', { connectivity: 'l2' });
  }
}

export class LinuxBridgeMechanismDriver implements MechanismDriver {
  readonly name = 'linuxbridge';
  private readonly supportedVnicTypes = [VNIC_NORMAL];

  async bindPort(c: PortBindingContext): Promise<void> {
    const vnic = c.current['binding:vnic_type'] ?? VNIC_NORMAL;
    if (!this.supportedVnicTypes.includes(vnic)) return;
    for (const agent of await c.hostAgents(AGENT_TYPE_LINUXBRIDGE)) {
      if (!agent.alive) continue;
      for (const segment of c.segments) {
        if (this.canReach(segment, agent)) {
          c.setBinding(segment, 'bridge', { port_filter: true, connectivity: 'l2' });
          return;
        }
      }
    }
  }

  /** check_segment_for_agent of the Linux bridge driver. */
  canReach(segment: Segment, agent: AgentInfo): boolean {
    const conf = agent.configurations;
    const tunnelTypes = Array.isArray(conf.tunnel_types) ? conf.tunnel_types.map(String) : [];
    const allowed = ['local', 'flat', 'vlan', ...tunnelTypes];
    if (!allowed.includes(segment.network_type)) return false;
    if (segment.network_type === 'flat' || segment.network_type === 'vlan') {
      const physnet = segment.physical_network;
      return physnet !== null && [conf.interface_mappings, conf.bridge_mappings].some((m) => typeof m === 'object' && m !== null && physnet in m);
    }
    return true;
  }
}

/**
 * l2population: binds nothing; its work is done by ml2/l2pop/notifier.ts, subscribed to the port
 * status events (which the driver API here does not carry) when this name is listed.
 */
export class L2populationMechanismDriver implements MechanismDriver {
  readonly name = 'l2population';
}

/** The mechanism drivers Nubo ships, by `[ml2] mechanism_drivers` name. */
export const MECHANISM_DRIVERS: Readonly<Record<string, () => MechanismDriver>> = {
  noop: () => new NoopMechanismDriver(),
  l2population: () => new L2populationMechanismDriver(),
  linuxbridge: () => new LinuxBridgeMechanismDriver(),
  nubo_sim: () => new NuboSimMechanismDriver(),
};

type NetMethod = 'createNetworkPrecommit' | 'createNetworkPostcommit' | 'updateNetworkPrecommit' | 'updateNetworkPostcommit' | 'deleteNetworkPrecommit' | 'deleteNetworkPostcommit';
type SubnetMethod = 'createSubnetPrecommit' | 'createSubnetPostcommit' | 'updateSubnetPrecommit' | 'updateSubnetPostcommit' | 'deleteSubnetPrecommit' | 'deleteSubnetPostcommit';
type PortMethod = 'createPortPrecommit' | 'createPortPostcommit' | 'updatePortPrecommit' | 'updatePortPostcommit' | 'deletePortPrecommit' | 'deletePortPostcommit';

/** One driver call of a network, subnet or port operation. */
type DriverCall = (d: MechanismDriver) => Promise<void> | void;

export class MechanismManager {
  constructor(readonly drivers: MechanismDriver[], private readonly log: Logger) {}

  static fromConfig(config: Config, log: Logger): MechanismManager {
    const names = config.get(ml2Group).mechanism_drivers;
    const drivers = names.map((name) => {
      const factory = MECHANISM_DRIVERS[name];
      if (!factory) throw new OperatorError(`unknown ML2 mechanism driver "${name}" in [ml2] mechanism_drivers (known: ${Object.keys(MECHANISM_DRIVERS).join(', ')})`);
      return factory();
    });
    return new MechanismManager(drivers, log);
  }

  /** Precommit: inside the transaction; an error aborts the operation. */
  async precommit(method: NetMethod, c: NetworkContext): Promise<void>;
  async precommit(method: SubnetMethod, c: SubnetContext): Promise<void>;
  async precommit(method: PortMethod, c: PortContext): Promise<void>;
  async precommit(method: NetMethod | SubnetMethod | PortMethod, c: NetworkContext | SubnetContext | PortContext): Promise<void> {
    for (const d of this.drivers) await callOf(method, c)(d);
  }

  /** Postcommit: after the commit; errors are logged (the resource exists regardless). */
  async postcommit(method: NetMethod, c: NetworkContext): Promise<void>;
  async postcommit(method: SubnetMethod, c: SubnetContext): Promise<void>;
  async postcommit(method: PortMethod, c: PortContext): Promise<void>;
  async postcommit(method: NetMethod | SubnetMethod | PortMethod, c: NetworkContext | SubnetContext | PortContext): Promise<void> {
    for (const d of this.drivers) {
      try {
        await callOf(method, c)(d);
      } catch (err) {
        this.log.error({ err, driver: d.name, method }, 'mechanism driver postcommit failed');
      }
    }
  }

  /** Asks each driver in order to bind the port; the first binding wins. */
  async bindPort(c: PortBindingContext): Promise<boolean> {
    for (const d of this.drivers) {
      if (!d.bindPort) continue;
      try {
        await d.bindPort(c);
      } catch (err) {
        this.log.error({ err, driver: d.name }, 'mechanism driver bind_port failed');
      }
      if (c.binding) return true;
    }
    return false;
  }
}

function isNetworkMethod(m: string): m is NetMethod {
  return m.endsWith('NetworkPrecommit') || m.endsWith('NetworkPostcommit');
}

function isSubnetMethod(m: string): m is SubnetMethod {
  return m.endsWith('SubnetPrecommit') || m.endsWith('SubnetPostcommit');
}

/**
 * The call of `method` on a driver (a no-op for drivers without it). The overloads of
 * precommit/postcommit pair each method with its context; the method name tells which it is.
 */
function callOf(method: NetMethod | SubnetMethod | PortMethod, c: NetworkContext | SubnetContext | PortContext): DriverCall {
  if (isNetworkMethod(method)) return (d) => d[method]?.(c as NetworkContext);
  if (isSubnetMethod(method)) return (d) => d[method]?.(c as SubnetContext);
  return (d) => d[method]?.(c as PortContext);
}
