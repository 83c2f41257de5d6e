/**
 * The server's RPC endpoints agents call (neutron/db/agents_db.AgentExtRpcCallback,
 * neutron/plugins/ml2/rpc.RpcCallbacks, neutron/api/rpc/handlers/{dhcp,l3}_rpc.py):
 * heartbeats (report_state), L2 device details and up/down reports (which move port status and
 * so trigger the nova vif events), the DHCP agent's network info and DHCP port management,
 * and the L3 agent's router sync and floating IP status reports.
 */
import { NeutronContext } from '../context.js';
import type { Dict } from '../events.js';
import type { AgentManager, AgentState } from '../managers/agents.js';
import type { FloatingIpManager } from '../managers/floating-ips.js';
import type { NetworkManager } from '../managers/networks.js';
import type { PortManager } from '../managers/ports.js';
import type { RouterManager } from '../managers/routers.js';
import type { SubnetManager } from '../managers/subnets.js';
import type { TypeManager } from '../ml2/type-manager.js';
import type { Db } from '../db/store.js';
import { VERSIONS } from './topics.js';

const admin = () => NeutronContext.admin();

/** q-reports-plugin: AgentExtRpcCallback. */
export class AgentStateCallback {
  readonly target = { version: VERSIONS.state };

  constructor(private readonly agents: AgentManager) {}

  async report_state(_ctx: Dict, args: Dict): Promise<string> {
    const state = ((args.agent_state as Dict | undefined)?.agent_state ?? args.agent_state) as AgentState;
    const res = await this.agents.createOrUpdate(state);
    return res.status;
  }

  async has_alive_neutron_server(): Promise<boolean> {
    return true;
  }

  async get_agents(_ctx: Dict, args: Dict): Promise<Dict[]> {
    const rows = await this.agents.list(admin(), { filters: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])), sorts: [] });
    return rows;
  }

  async delete_agent(_ctx: Dict, args: Dict): Promise<void> {
    const rows = await this.agents.byTypeAndHost(String(args.agent_type), String(args.host));
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
  db: Db;
}

/** Port ids from device names: agents name taps `tap<first 11 chars of the port id>`. */
async function resolveDevice(ports: PortManager, device: string): Promise<Dict | undefined> {
  const ctx = admin();
  const id = device.startsWith('tap') ? device.slice(3) : device;
  if (id.length >= 36) return ports.get(ctx, id).catch(() => undefined);
  const rows = await ports.list(ctx, { filters: {}, sorts: [] });
  return rows.find((p) => String(p.id).startsWith(id));
}

/** q-plugin, ML2 RpcCallbacks: what L2 agents ask about devices and report about them. */
export class Ml2RpcCallbacks {
  readonly target = { version: VERSIONS.ml2 };

  constructor(private readonly d: CallbackDeps) {}

  async get_device_details(_ctx: Dict, args: Dict): Promise<Dict> {
    const device = String(args.device);
    const host = args.host === undefined ? undefined : String(args.host);
    const port = await resolveDevice(this.d.ports, device);
    if (!port) return { device };
    const net = await this.d.networks.get(admin(), String(port.network_id));
    const segments = (await this.d.types.segmentsOf(this.d.db, [String(port.network_id)])).get(String(port.network_id))?.[0];
    if (host && port['binding:host_id'] === host && port.status === 'DOWN') await this.d.ports.setStatus(admin(), String(port.id), 'BUILD', host);
    return {
      device,
      network_id: port.network_id,
      port_id: port.id,
      mac_address: port.mac_address,
      admin_state_up: port.admin_state_up,
      network_type: segments?.network_type ?? null,
      segmentation_id: segments?.segmentation_id ?? null,
      physical_network: segments?.physical_network ?? null,
      mtu: net.mtu,
      fixed_ips: port.fixed_ips,
      device_owner: port.device_owner,
      allowed_address_pairs: port.allowed_address_pairs,
      port_security_enabled: port.port_security_enabled,
      security_groups: port.security_groups,
      profile: port['binding:profile'],
      qos_policy_id: null,
      network_qos_policy_id: null,
    };
  }

  async get_devices_details_list(ctx: Dict, args: Dict): Promise<Dict[]> {
    const out: Dict[] = [];
    for (const device of (args.devices as string[]) ?? []) out.push(await this.get_device_details(ctx, { ...args, device }));
    return out;
  }

  async update_device_up(_ctx: Dict, args: Dict): Promise<void> {
    const port = await resolveDevice(this.d.ports, String(args.device));
    if (port) await this.d.ports.setStatus(admin(), String(port.id), 'ACTIVE', args.host === undefined ? undefined : String(args.host));
  }

  async update_device_down(_ctx: Dict, args: Dict): Promise<Dict> {
    const port = await resolveDevice(this.d.ports, String(args.device));
    if (!port) return { device: args.device, exists: false };
    await this.d.ports.setStatus(admin(), String(port.id), 'DOWN', args.host === undefined ? undefined : String(args.host));
    return { device: args.device, exists: true };
  }

  async update_device_list(ctx: Dict, args: Dict): Promise<Dict> {
    const up: string[] = [];
    const down: string[] = [];
    for (const device of (args.devices_up as string[]) ?? []) {
      await this.update_device_up(ctx, { ...args, device });
      up.push(device);
    }
    for (const device of (args.devices_down as string[]) ?? []) {
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

  private async networkInfo(networkId: string): Promise<Dict | undefined> {
    const ctx = admin();
    const net = await this.d.networks.get(ctx, networkId).catch(() => undefined);
    if (!net) return undefined;
    const subnets = await this.d.subnets.list(ctx, { filters: { network_id: [networkId] }, sorts: [] });
    const ports = await this.d.ports.list(ctx, { filters: { network_id: [networkId] }, sorts: [] });
    return { ...net, subnets, non_local_subnets: [], ports };
  }

  async get_active_networks_info(_ctx: Dict, args: Dict): Promise<Dict[]> {
    const host = String(args.host);
    const agent = (await this.d.agents.byTypeAndHost('DHCP agent', host))[0];
    if (!agent) return [];
    const ids = await this.d.agents.networksOfAgent(agent.id);
    const out: Dict[] = [];
    for (const id of ids) {
      const info = await this.networkInfo(id);
      if (info && (info.subnets as Dict[]).some((s) => s.enable_dhcp)) out.push(info);
    }
    return out;
  }

  async get_network_info(_ctx: Dict, args: Dict): Promise<Dict | undefined> {
    return this.networkInfo(String(args.network_id));
  }

  async create_dhcp_port(_ctx: Dict, args: Dict): Promise<Dict> {
    const port = ((args.port as Dict).port ?? args.port) as Dict;
    const body: Dict = { ...port, device_owner: 'network:dhcp', 'binding:host_id': String(args.host) };
    if (!body.project_id) {
      const net = await this.d.networks.get(admin(), String(body.network_id));
      body.project_id = net.project_id;
    }
    return this.d.ports.create(admin(), body);
  }

  async update_dhcp_port(_ctx: Dict, args: Dict): Promise<Dict> {
    const port = ((args.port as Dict).port ?? args.port) as Dict;
    const { id: _id, network_id: _n, project_id: _p, tenant_id: _t, ...changes } = port;
    return this.d.ports.update(admin(), String(args.port_id), { ...changes, 'binding:host_id': String(args.host) }, {});
  }

  async release_dhcp_port(_ctx: Dict, args: Dict): Promise<void> {
    const rows = await this.d.ports.list(admin(), { filters: { network_id: [String(args.network_id)], device_id: [String(args.device_id)], device_owner: ['network:dhcp'] }, sorts: [] });
    for (const p of rows) await this.d.ports.deleteInternal(admin(), String(p.id));
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
    const agent = (await this.d.agents.byTypeAndHost('L3 agent', host))[0];
    return agent ? this.d.agents.routersOfAgent(agent.id) : [];
  }

  async get_router_ids(_ctx: Dict, args: Dict): Promise<string[]> {
    return this.agentRouterIds(String(args.host));
  }

  async sync_routers(_ctx: Dict, args: Dict): Promise<Dict[]> {
    const ctx = admin();
    let ids = await this.agentRouterIds(String(args.host));
    if (Array.isArray(args.router_ids)) ids = ids.filter((i) => (args.router_ids as string[]).includes(i));
    const out: Dict[] = [];
    for (const id of ids) {
      const router = await this.d.routers.get(ctx, id).catch(() => undefined);
      if (!router) continue;
      const ports = await this.d.ports.list(ctx, { filters: { device_id: [id] }, sorts: [] });
      const withSubnets = async (p: Dict) => ({
        ...p,
        subnets: await Promise.all((p.fixed_ips as Array<{ subnet_id: string }>).map((f) => this.d.subnets.get(ctx, f.subnet_id))),
      });
      const gw = ports.find((p) => p.device_owner === 'network:router_gateway');
      const fips = await this.d.floatingIps.list(ctx, { filters: { router_id: [id] }, sorts: [] });
      out.push({
        ...router,
        gw_port: gw ? await withSubnets(gw) : null,
        gw_port_id: gw?.id ?? null,
        enable_snat: (router.external_gateway_info as Dict | null)?.enable_snat ?? true,
        _interfaces: await Promise.all(ports.filter((p) => p.device_owner === 'network:router_interface').map(withSubnets)),
        _floatingips: fips,
      });
    }
    return out;
  }

  async get_external_network_id(): Promise<string | null> {
    const nets = await this.d.networks.list(admin(), { filters: { 'router:external': [true] }, sorts: [] });
    if (nets.length > 1) throw new Error('The agent has more than one external network; set its gateway_external_network_id');
    return (nets[0]?.id as string | undefined) ?? null;
  }

  async update_floatingip_statuses(_ctx: Dict, args: Dict): Promise<void> {
    await this.d.floatingIps.setStatuses((args.fip_statuses as Record<string, string>) ?? {});
  }

  async get_ports_by_subnet(_ctx: Dict, args: Dict): Promise<Dict[]> {
    return this.d.ports.list(admin(), { filters: { fixed_ips: [{ subnet_id: [String(args.subnet_id)] }] }, sorts: [] });
  }
}
