/**
 * The server's RPC endpoints agents call (neutron/db/agents_db.AgentExtRpcCallback,
 * neutron/plugins/ml2/rpc.RpcCallbacks, neutron/api/rpc/handlers/{dhcp,l3}_rpc.py):
 * heartbeats (report_state), L2 device details and up/down reports (which move port status and
 * so trigger the nova vif events), the DHCP agent's network info and DHCP port management,
 * and the L3 agent's router sync and floating IP status reports.
 */
import type { MessageContext } from '../../../common/messaging/index.js';
import { NeutronContext } from '../common/context.js';
import { type FilterValue, toFilterValue } from '../db/listing.js';
import type { Db } from '../db/store.js';
import type { AgentManager } from '../managers/agents.js';
import type { FloatingIpManager } from '../managers/floating-ips.js';
import type { NetworkManager } from '../managers/networks.js';
import type { PortManager } from '../managers/ports.js';
import type { QosPolicyManager } from '../managers/qos/policies.js';
import type { RouterManager } from '../managers/routers.js';
import type { SubnetManager } from '../managers/subnets.js';
import type { MeteringManager } from '../managers/metering.js';
import type { TrunkManager } from '../managers/trunks.js';
import type { TypeManager } from '../ml2/type-manager.js';
import { VIF_TYPE_BINDING_FAILED, VIF_TYPE_UNBOUND } from '../ml2/driver-api.js';
import type { Agent, AgentState } from '../types/agent.js';
import { isJsonObject } from '../types/common.js';
import type { Port, PortCreate, PortUpdate } from '../types/port.js';
import { objectArg, optionalStringArg, stringArg, stringListArg } from './args.js';
import type { DeviceDetails, DeviceDownResult, DeviceListResult, DevicesDetailsResult, NetworkInfo, RouterInfo, RouterPortInfo, RpcArgs } from './payloads.js';
import { AGENT_TYPE_DHCP, AGENT_TYPE_L3, VERSIONS } from './topics.js';

/** The caller's context (its request ids and identity) with the admin rights agents have. */
const admin = (): NeutronContext => NeutronContext.serving();

/** report_state's agent_state (nested once more by upstream's agents). */
function agentStateOf(args: RpcArgs): AgentState {
  const outer = objectArg(args, 'agent_state') ?? {};
  const s = objectArg(outer, 'agent_state') ?? outer;
  const configurations = objectArg(s, 'configurations');
  const resourceVersions = objectArg(s, 'resource_versions');
  const zone = optionalStringArg(s, 'availability_zone');
  return {
    binary: stringArg(s, 'binary'), host: stringArg(s, 'host'), topic: stringArg(s, 'topic'), agent_type: stringArg(s, 'agent_type'),
    ...(configurations ? { configurations } : {}),
    ...(resourceVersions ? { resource_versions: resourceVersions } : {}),
    ...(zone !== undefined ? { availability_zone: zone } : {}),
    ...(s.start_flag !== undefined ? { start_flag: Boolean(s.start_flag) } : {}),
    ...(s.resources_synced !== undefined ? { resources_synced: Boolean(s.resources_synced) } : {}),
  };
}

/** The port attributes a DHCP agent sends (create_dhcp_port / update_dhcp_port). */
function portChangesOf(p: RpcArgs): PortUpdate {
  const out: PortUpdate = {};
  for (const key of ['name', 'mac_address', 'device_id', 'device_owner', 'description', 'dns_name', 'binding:vnic_type'] as const) {
    const v = optionalStringArg(p, key);
    if (v !== undefined) out[key] = v;
  }
  for (const key of ['admin_state_up', 'port_security_enabled'] as const) if (p[key] !== undefined) out[key] = Boolean(p[key]);
  if (Array.isArray(p.fixed_ips)) {
    out.fixed_ips = p.fixed_ips.filter(isJsonObject).map((f) => ({
      ...(f.subnet_id !== undefined ? { subnet_id: String(f.subnet_id) } : {}),
      ...(f.ip_address !== undefined ? { ip_address: String(f.ip_address) } : {}),
    }));
  }
  if (Array.isArray(p.security_groups)) out.security_groups = stringListArg(p, 'security_groups');
  const profile = objectArg(p, 'binding:profile');
  if (profile) out['binding:profile'] = profile;
  // checked by the port manager, as from the API
  if ('allowed_address_pairs' in p) out.allowed_address_pairs = p.allowed_address_pairs;
  if ('extra_dhcp_opts' in p) out.extra_dhcp_opts = p.extra_dhcp_opts;
  return out;
}

/** The `port` argument of the DHCP port calls (nested once more by some agents). */
function portArg(args: RpcArgs): RpcArgs {
  const port = objectArg(args, 'port') ?? {};
  return objectArg(port, 'port') ?? port;
}

/** q-reports-plugin: AgentExtRpcCallback. */
export class AgentStateCallback {
  readonly target = { version: VERSIONS.state };

  constructor(private readonly agents: AgentManager) {}

  async report_state(_ctx: MessageContext, args: RpcArgs): Promise<string> {
    const res = await this.agents.createOrUpdate(agentStateOf(args));
    return res.status;
  }

  async has_alive_neutron_server(): Promise<boolean> {
    return true;
  }

  async get_agents(_ctx: MessageContext, args: RpcArgs): Promise<Agent[]> {
    const filters = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(toFilterValue)]));
    return this.agents.list(admin(), { filters, sorts: [] });
  }

  async delete_agent(_ctx: MessageContext, args: RpcArgs): Promise<void> {
    const rows = await this.agents.byTypeAndHost(stringArg(args, 'agent_type'), stringArg(args, 'host'));
    for (const r of rows) await this.agents.delete(admin(), r.id);
  }
}

export interface CallbackDeps {
  networks: NetworkManager;
  subnets: SubnetManager;
  ports: PortManager;
  routers: RouterManager;
  floatingIps: FloatingIpManager;
  agents: AgentManager;
  types: TypeManager;
  qosPolicies: QosPolicyManager;
  metering: MeteringManager;
  trunks: TrunkManager;
  db: Db;
  /** l2population (when a mechanism driver): an agent that restarted is sent its networks' forwarding entries again. */
  l2pop?: { agentRestarted(ctx: MessageContext, port: Port): Promise<void> };
}

/** Port ids from device names: agents name taps `tap<first 11 chars of the port id>` (found by an indexed prefix match). */
export async function resolveDevice(ports: PortManager, db: Db, device: string): Promise<Port | undefined> {
  const ctx = admin();
  const id = device.startsWith('tap') ? device.slice(3) : device;
  if (!/^[0-9a-f-]+$/i.test(id)) return undefined;
  if (id.length >= 36) return ports.get(ctx, id).catch(() => undefined);
  const row = await db.selectFrom('ports').select('id').where('id', 'like', `${id}%`).orderBy('id').executeTakeFirst();
  return row ? ports.get(ctx, row.id).catch(() => undefined) : undefined;
}

/** q-plugin, ML2 RpcCallbacks: what L2 agents ask about devices and report about them. */
export class Ml2RpcCallbacks {
  readonly target = { version: VERSIONS.ml2 };

  constructor(private readonly d: CallbackDeps) {}

  async get_device_details(_ctx: MessageContext, args: RpcArgs): Promise<DeviceDetails> {
    const device = stringArg(args, 'device');
    const host = optionalStringArg(args, 'host');
    const found = await resolveDevice(this.d.ports, this.d.db, device);
    if (!found) return { device };
    // a binding that failed while the host's agent was down is tried again now that it asks; still failed: not for the agent to wire
    const port = host ? await this.d.ports.retryFailedBinding(admin(), found, host) : found;
    if (port['binding:vif_type'] === VIF_TYPE_BINDING_FAILED) return { device };
    const net = await this.d.networks.get(admin(), port.network_id);
    const segment = (await this.d.types.segmentsOf(this.d.db, [port.network_id])).get(port.network_id)?.[0];
    if (host && port['binding:host_id'] === host && port.status === 'DOWN') await this.d.ports.setStatus(admin(), port.id, 'BUILD', host);
    return {
      device,
      network_id: port.network_id,
      port_id: port.id,
      mac_address: port.mac_address,
      admin_state_up: port.admin_state_up,
      network_type: segment?.network_type ?? null,
      segmentation_id: segment?.segmentation_id ?? null,
      physical_network: segment?.physical_network ?? null,
      mtu: net.mtu,
      fixed_ips: port.fixed_ips,
      device_owner: port.device_owner,
      allowed_address_pairs: port.allowed_address_pairs,
      port_security_enabled: port.port_security_enabled,
      security_groups: port.security_groups,
      profile: port['binding:profile'],
      qos_policy_id: port.qos_policy_id,
      network_qos_policy_id: port.qos_network_policy_id,
    };
  }

  async get_devices_details_list(ctx: MessageContext, args: RpcArgs): Promise<DeviceDetails[]> {
    const out: DeviceDetails[] = [];
    for (const device of stringListArg(args, 'devices')) out.push(await this.get_device_details(ctx, { ...args, device }));
    return out;
  }

  /** RPC 1.5: the details, and the devices whose details could not be read (retried by the agent). */
  async get_devices_details_list_and_failed_devices(ctx: MessageContext, args: RpcArgs): Promise<DevicesDetailsResult> {
    const devices: DeviceDetails[] = [];
    const failed: string[] = [];
    for (const device of stringListArg(args, 'devices')) {
      try {
        devices.push(await this.get_device_details(ctx, { ...args, device }));
      } catch {
        failed.push(device);
      }
    }
    return { devices, failed_devices: failed };
  }

  /** `agent_restarted` (update_device_list's kwarg, refresh_tunnels upstream): l2population resends the network's entries. */
  async update_device_up(ctx: MessageContext, args: RpcArgs): Promise<void> {
    const port = await resolveDevice(this.d.ports, this.d.db, stringArg(args, 'device'));
    if (!port) return;
    const current = await this.d.ports.setStatus(admin(), port.id, 'ACTIVE', optionalStringArg(args, 'host'));
    if (current && args.agent_restarted === true && port.status === 'ACTIVE') await this.d.l2pop?.agentRestarted(ctx, current);
  }

  async update_device_down(_ctx: MessageContext, args: RpcArgs): Promise<DeviceDownResult> {
    const device = stringArg(args, 'device');
    const port = await resolveDevice(this.d.ports, this.d.db, device);
    if (!port) return { device, exists: false };
    await this.d.ports.setStatus(admin(), port.id, 'DOWN', optionalStringArg(args, 'host'));
    return { device, exists: true };
  }

  /** RPC 1.7: the ports of a VNIC type bound to a host (what an agent resyncs after a restart). */
  async get_ports_by_vnic_type_and_host(_ctx: MessageContext, args: RpcArgs): Promise<Port[]> {
    const filters = { 'binding:vnic_type': [stringArg(args, 'vnic_type')], 'binding:host_id': [stringArg(args, 'host')] };
    return this.d.ports.list(admin(), { filters, sorts: [] });
  }

  async update_device_list(ctx: MessageContext, args: RpcArgs): Promise<DeviceListResult> {
    const up: string[] = [];
    const down: string[] = [];
    for (const device of stringListArg(args, 'devices_up')) {
      await this.update_device_up(ctx, { ...args, device });
      up.push(device);
    }
    for (const device of stringListArg(args, 'devices_down')) {
      await this.update_device_down(ctx, { ...args, device });
      down.push(device);
    }
    return { devices_up: up, devices_down: down, failed_devices_up: [], failed_devices_down: [] };
  }
}

/** q-plugin, DhcpRpcCallback: network info and DHCP ports for DHCP agents. */
export class DhcpRpcCallbacks {
  readonly target = { version: VERSIONS.dhcpPlugin };

  constructor(private readonly d: CallbackDeps) {}

  private async networkInfo(networkId: string): Promise<NetworkInfo | undefined> {
    const ctx = admin();
    const net = await this.d.networks.get(ctx, networkId).catch(() => undefined);
    if (!net) return undefined;
    const subnets = await this.d.subnets.list(ctx, { filters: { network_id: [networkId] }, sorts: [] });
    const ports = await this.d.ports.list(ctx, { filters: { network_id: [networkId] }, sorts: [] });
    return { ...net, subnets, non_local_subnets: [], ports };
  }

  async get_active_networks_info(_ctx: MessageContext, args: RpcArgs): Promise<NetworkInfo[]> {
    const agent = (await this.d.agents.byTypeAndHost(AGENT_TYPE_DHCP, stringArg(args, 'host')))[0];
    if (!agent) return [];
    const dhcpSubnets = await this.d.subnets.list(admin(), { filters: { enable_dhcp: [true] }, sorts: [] });
    await this.d.agents.autoScheduleNetworks(agent.id, [...new Set(dhcpSubnets.map((s) => s.network_id))]);
    const ids = await this.d.agents.networksOfAgent(agent.id);
    const out: NetworkInfo[] = [];
    for (const id of ids) {
      const info = await this.networkInfo(id);
      if (info && info.subnets.some((s) => s.enable_dhcp)) out.push(info);
    }
    return out;
  }

  async get_network_info(_ctx: MessageContext, args: RpcArgs): Promise<NetworkInfo | undefined> {
    return this.networkInfo(stringArg(args, 'network_id'));
  }

  async create_dhcp_port(_ctx: MessageContext, args: RpcArgs): Promise<Port> {
    const port = portArg(args);
    const networkId = stringArg(port, 'network_id');
    const projectId = optionalStringArg(port, 'project_id') || (await this.d.networks.get(admin(), networkId)).project_id;
    const body: PortCreate = {
      ...portChangesOf(port), network_id: networkId, project_id: projectId, device_owner: 'network:dhcp', 'binding:host_id': stringArg(args, 'host'),
    };
    return this.d.ports.create(admin(), body);
  }

  async update_dhcp_port(_ctx: MessageContext, args: RpcArgs): Promise<Port> {
    const changes = portChangesOf(portArg(args));
    return this.d.ports.update(admin(), stringArg(args, 'port_id'), { ...changes, 'binding:host_id': stringArg(args, 'host') }, {});
  }

  async release_dhcp_port(_ctx: MessageContext, args: RpcArgs): Promise<void> {
    const filters = { network_id: [stringArg(args, 'network_id')], device_id: [stringArg(args, 'device_id')], device_owner: ['network:dhcp'] };
    const rows = await this.d.ports.list(admin(), { filters, sorts: [] });
    for (const p of rows) await this.d.ports.deleteInternal(admin(), p.id);
  }

  async dhcp_ready_on_ports(): Promise<void> {
    // provisioning blocks are not modelled: a port goes ACTIVE on its L2 agent's report alone
  }
}

/** q-l3-plugin, L3RpcCallback: router data for L3 agents and their floating IP status reports. */
export class L3RpcCallbacks {
  readonly target = { version: VERSIONS.l3Plugin };

  constructor(private readonly d: CallbackDeps) {}

  private async agentRouterIds(host: string): Promise<string[]> {
    const agent = (await this.d.agents.byTypeAndHost(AGENT_TYPE_L3, host))[0];
    return agent ? this.d.agents.routersOfAgent(agent.id) : [];
  }

  async get_router_ids(_ctx: MessageContext, args: RpcArgs): Promise<string[]> {
    return this.agentRouterIds(stringArg(args, 'host'));
  }

  async sync_routers(_ctx: MessageContext, args: RpcArgs): Promise<RouterInfo[]> {
    const ctx = admin();
    const host = stringArg(args, 'host');
    const wanted = Array.isArray(args.router_ids) ? stringListArg(args, 'router_ids') : undefined;
    const agent = (await this.d.agents.byTypeAndHost(AGENT_TYPE_L3, host))[0];
    if (agent) await this.d.agents.autoScheduleRouters(agent.id, wanted);
    let ids = await this.agentRouterIds(host);
    if (wanted) ids = ids.filter((i) => wanted.includes(i));
    const out: RouterInfo[] = [];
    for (const id of ids) {
      const router = await this.d.routers.get(ctx, id).catch(() => undefined);
      if (!router) continue;
      const ports = await Promise.all((await this.d.ports.list(ctx, { filters: { device_id: [id] }, sorts: [] })).map((p) => this.ensureHostSetOnPort(p, host)));
      const withSubnets = async (p: Port): Promise<RouterPortInfo> => ({
        ...p,
        subnets: await Promise.all(p.fixed_ips.map((f) => this.d.subnets.get(ctx, f.subnet_id))),
        mtu: (await this.d.networks.get(ctx, p.network_id).catch(() => undefined))?.mtu ?? 0,
      });
      const gw = ports.find((p) => p.device_owner === 'network:router_gateway');
      const fips = await this.d.floatingIps.list(ctx, { filters: { router_id: [id] }, sorts: [] });
      out.push({
        ...router,
        gw_port: gw ? await withSubnets(gw) : null,
        gw_port_id: gw?.id ?? null,
        enable_snat: router.external_gateway_info?.enable_snat ?? true,
        _interfaces: await Promise.all(ports.filter((p) => p.device_owner === 'network:router_interface').map(withSubnets)),
        _floatingips: fips,
      });
    }
    return out;
  }

  /**
   * _ensure_host_set_on_port (legacy routers): the router's gateway and interface ports are bound
   * to the host of the L3 agent that syncs them (again if the router moved, or if the binding
   * failed), so that the L2 agent there wires their devices and reports them up (ACTIVE).
   */
  private async ensureHostSetOnPort(port: Port, host: string): Promise<Port> {
    if (!['network:router_gateway', 'network:router_interface'].includes(port.device_owner)) return port;
    const notBound = [VIF_TYPE_UNBOUND, VIF_TYPE_BINDING_FAILED].includes(port['binding:vif_type']);
    if (port['binding:host_id'] === host && !notBound) return port;
    return this.d.ports.update(admin(), port.id, { 'binding:host_id': host }, {}).catch(() => port);
  }

  async get_external_network_id(): Promise<string | null> {
    const nets = await this.d.networks.list(admin(), { filters: { 'router:external': [true] }, sorts: [] });
    if (nets.length > 1) throw new Error('The agent has more than one external network; set its gateway_external_network_id');
    return nets[0]?.id ?? null;
  }

  async update_floatingip_statuses(_ctx: MessageContext, args: RpcArgs): Promise<void> {
    const statuses = Object.entries(objectArg(args, 'fip_statuses') ?? {}).map(([id, status]): [string, string] => [id, String(status)]);
    await this.d.floatingIps.setStatuses(new Map(statuses));
  }

  async get_ports_by_subnet(_ctx: MessageContext, args: RpcArgs): Promise<Port[]> {
    return this.d.ports.list(admin(), { filters: { fixed_ips: [{ subnet_id: [stringArg(args, 'subnet_id')] }] }, sorts: [] });
  }
}

/** q-plugin, MetadataRpcCallback (neutron/api/rpc/handlers/metadata_rpc.py): the ports the metadata agent looks requests up by. */
export class MetadataRpcCallbacks {
  readonly target = { version: VERSIONS.metadataPlugin };

  constructor(private readonly d: Pick<CallbackDeps, 'ports'>) {}

  /** get_ports(filters): lists of device_id, device_owner, network_id, id; fixed_ips as {ip_address: [..], subnet_id: [..]}. */
  async get_ports(_ctx: MessageContext, args: RpcArgs): Promise<Port[]> {
    const given = objectArg(args, 'filters') ?? {};
    const filters: Record<string, FilterValue[]> = {};
    for (const key of ['id', 'device_id', 'device_owner', 'network_id', 'project_id', 'tenant_id'] as const) {
      if (given[key] !== undefined) filters[key === 'tenant_id' ? 'project_id' : key] = stringListArg(given, key);
    }
    const fixed = objectArg(given, 'fixed_ips');
    if (fixed) {
      const kv: Record<string, string[]> = {};
      for (const key of ['ip_address', 'subnet_id'] as const) if (fixed[key] !== undefined) kv[key] = stringListArg(fixed, key);
      filters.fixed_ips = [kv];
    }
    return this.d.ports.list(admin(), { filters, sorts: [] });
  }
}
