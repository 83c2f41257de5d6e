/**
 * The ML2 driver API (neutron_lib.plugins.ml2.api): type drivers own network segments and
 * their segmentation ids; mechanism drivers see every network, subnet and port operation
 * twice, `*_precommit` inside the database transaction (raise to abort it) and
 * `*_postcommit` after it (side effects: agents, controllers), and bind ports to hosts.
 */
import type { Kysely } from 'kysely';
import type { NeutronContext } from '../common/context.js';
import type { NeutronDB } from '../db/schema.js';
import type { JsonObject } from '../types/common.js';
import type { Network } from '../types/network.js';
import type { Port } from '../types/port.js';
import type { Subnet } from '../types/subnet.js';

/** A network segment as the provider / multi-provider extensions describe it. */
export interface Segment {
  id?: string;
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
}

export interface TypeDriver {
  /** The network_type this driver handles ('flat', 'vlan', 'vxlan', 'geneve', 'local'). */
  readonly networkType: string;
  /** Whether this type can be a project network type (it allocates segments on its own). */
  readonly canAllocateTenant: boolean;
  /** Raises InvalidInput when a provider segment is not acceptable for this type. */
  validateProviderSegment(segment: Segment): void;
  /** Reserves the (possibly partial) provider segment in the transaction `db`. */
  reserveProviderSegment(db: Kysely<NeutronDB>, segment: Segment, networkId: string): Promise<Segment>;
  /** A segment for a project network, or undefined when none is available. */
  allocateTenantSegment(db: Kysely<NeutronDB>, networkId: string): Promise<Segment | undefined>;
  releaseSegment(db: Kysely<NeutronDB>, segment: Segment): Promise<void>;
  /** Largest MTU a network of this type can offer (0: no limit from this type). */
  getMtu(physicalNetwork: string | null): number;
}

/** What a mechanism driver sees about a network operation. */
export interface NetworkContext {
  ctx: NeutronContext;
  current: Network;
  original?: Network;
  segments: Segment[];
}

export interface SubnetContext {
  ctx: NeutronContext;
  current: Subnet;
  original?: Subnet;
  network: Network;
}

/** A port operation. */
export interface PortContext {
  ctx: NeutronContext;
  current: Port;
  original?: Port;
  network: Network;
  segments: Segment[];
  host: string;
}

/** What bind_port knows about the port: it is bound before it is stored. */
export type BindingPort = Pick<Port, 'id' | 'network_id' | 'project_id' | 'device_id' | 'device_owner' | 'binding:vnic_type' | 'binding:profile' | 'fixed_ips'>;

export interface Binding {
  segment: Segment;
  vifType: string;
  vifDetails: JsonObject;
  status?: string;
}

/** bind_port's context; a driver that can bind calls setBinding. */
export interface PortBindingContext {
  ctx: NeutronContext;
  current: BindingPort;
  network: Network;
  segments: Segment[];
  host: string;
  /** Agents of `agentType` registered on `host`, with their liveness. */
  hostAgents(agentType: string): Promise<AgentInfo[]>;
  /** Binding decided by a driver during bindPort. */
  binding?: Binding;
  setBinding(segment: Segment, vifType: string, vifDetails: JsonObject, status?: string): void;
}

/** What bind_port knows about an agent (agents_db entry). */
export interface AgentInfo {
  id: string;
  agentType: string;
  host: string;
  alive: boolean;
  adminStateUp: boolean;
  configurations: JsonObject;
}

export interface MechanismDriver {
  readonly name: string;
  createNetworkPrecommit?(c: NetworkContext): Promise<void> | void;
  createNetworkPostcommit?(c: NetworkContext): Promise<void> | void;
  updateNetworkPrecommit?(c: NetworkContext): Promise<void> | void;
  updateNetworkPostcommit?(c: NetworkContext): Promise<void> | void;
  deleteNetworkPrecommit?(c: NetworkContext): Promise<void> | void;
  deleteNetworkPostcommit?(c: NetworkContext): Promise<void> | void;
  createSubnetPrecommit?(c: SubnetContext): Promise<void> | void;
  createSubnetPostcommit?(c: SubnetContext): Promise<void> | void;
  updateSubnetPrecommit?(c: SubnetContext): Promise<void> | void;
  updateSubnetPostcommit?(c: SubnetContext): Promise<void> | void;
  deleteSubnetPrecommit?(c: SubnetContext): Promise<void> | void;
  deleteSubnetPostcommit?(c: SubnetContext): Promise<void> | void;
  createPortPrecommit?(c: PortContext): Promise<void> | void;
  createPortPostcommit?(c: PortContext): Promise<void> | void;
  updatePortPrecommit?(c: PortContext): Promise<void> | void;
  updatePortPostcommit?(c: PortContext): Promise<void> | void;
  deletePortPrecommit?(c: PortContext): Promise<void> | void;
  deletePortPostcommit?(c: PortContext): Promise<void> | void;
  /** Try to bind the port on context.host; call setBinding when this driver can. */
  bindPort?(c: PortBindingContext): Promise<void> | void;
}

/** binding:vif_type values (neutron_lib.api.definitions.portbindings). */
export const VIF_TYPE_UNBOUND = 'unbound';
export const VIF_TYPE_BINDING_FAILED = 'binding_failed';
export const VIF_TYPE_BRIDGE = 'bridge';
export const VIF_TYPE_OVS = 'ovs';
export const VIF_TYPE_TAP = 'tap';
