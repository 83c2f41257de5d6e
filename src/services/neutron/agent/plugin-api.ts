/**
 * RPC clients agents use to talk to the server (neutron/agent/rpc.py PluginApi,
 * neutron/agent/dhcp/agent.py DhcpPluginApi, neutron/agent/l3/agent.py L3PluginApi, the trunk
 * drivers' TrunkStub). Method
 * names and arguments are upstream's, so the server callbacks in ../rpc/server-callbacks.ts
 * answer them.
 */
import { type MessageContext, RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { DeviceDetails, DeviceDownResult, DeviceListResult, DevicesDetailsResult, NetworkInfo, RouterInfo } from '../rpc/payloads.js';
import type { ObjectPrimitive } from '../rpc/resources.js';
import { TOPIC_L3PLUGIN, TOPIC_PLUGIN } from '../rpc/topics.js';
import { type SubPortBinding, TOPIC_TRUNK, TRUNK_NAMESPACE } from '../rpc/trunks.js';
import type { Port, PortCreate, PortUpdate } from '../types/port.js';

/** L2 agents: device details and up/down reports. */
export class L2PluginApi {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly host: string) {
    this.client = new RpcClient(transport, { topic: TOPIC_PLUGIN, version: '1.0' });
  }

  getDevicesDetailsList(ctx: MessageContext, devices: string[], agentId: string): Promise<DeviceDetails[]> {
    return this.client.prepare({ version: '1.3' }).call(ctx, 'get_devices_details_list', { devices, agent_id: agentId, host: this.host });
  }

  getDevicesDetailsListAndFailedDevices(ctx: MessageContext, devices: string[], agentId: string): Promise<DevicesDetailsResult> {
    return this.client.prepare({ version: '1.5' }).call(ctx, 'get_devices_details_list_and_failed_devices', { devices, agent_id: agentId, host: this.host });
  }

  getPortsByVnicTypeAndHost(ctx: MessageContext, vnicType: string, timeoutSeconds?: number): Promise<Port[]> {
    return this.client.prepare({ version: '1.7', ...(timeoutSeconds ? { timeout: timeoutSeconds } : {}) })
      .call(ctx, 'get_ports_by_vnic_type_and_host', { vnic_type: vnicType, host: this.host });
  }

  /** ResourcesPullRpcApi.pull: a resource as an object primitive (QosPolicy), or null. */
  pullResource(ctx: MessageContext, resourceType: string, version: string, resourceId: string): Promise<ObjectPrimitive | null> {
    return this.client.prepare({ version: '1.1' }).call(ctx, 'pull', { resource_type: resourceType, version, resource_id: resourceId });
  }

  updateDeviceUp(ctx: MessageContext, device: string, agentId: string): Promise<void> {
    return this.client.prepare({ version: '1.9' }).call(ctx, 'update_device_up', { device, agent_id: agentId, host: this.host });
  }

  updateDeviceDown(ctx: MessageContext, device: string, agentId: string): Promise<DeviceDownResult> {
    return this.client.prepare({ version: '1.9' }).call(ctx, 'update_device_down', { device, agent_id: agentId, host: this.host });
  }

  /** `agentRestarted`: the first report since the agent started (l2population resends the networks' entries). */
  updateDeviceList(ctx: MessageContext, devicesUp: string[], devicesDown: string[], agentId: string, agentRestarted = false): Promise<DeviceListResult> {
    return this.client.prepare({ version: '1.5' }).call(ctx, 'update_device_list', {
      devices_up: devicesUp, devices_down: devicesDown, agent_id: agentId, host: this.host, ...(agentRestarted ? { agent_restarted: true } : {}),
    });
  }
}

/** DHCP agents: the networks they serve and their DHCP ports. */
export class DhcpPluginApi {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly host: string) {
    this.client = new RpcClient(transport, { topic: TOPIC_PLUGIN, version: '1.0' });
  }

  getActiveNetworksInfo(ctx: MessageContext): Promise<NetworkInfo[]> {
    return this.client.prepare({ version: '1.1' }).call(ctx, 'get_active_networks_info', { host: this.host });
  }

  getNetworkInfo(ctx: MessageContext, networkId: string): Promise<NetworkInfo | null> {
    return this.client.call(ctx, 'get_network_info', { network_id: networkId, host: this.host });
  }

  createDhcpPort(ctx: MessageContext, port: Omit<PortCreate, 'project_id'> & { project_id?: string }): Promise<Port> {
    return this.client.prepare({ version: '1.1' }).call(ctx, 'create_dhcp_port', { port, host: this.host });
  }

  updateDhcpPort(ctx: MessageContext, portId: string, port: PortUpdate): Promise<Port> {
    return this.client.prepare({ version: '1.1' }).call(ctx, 'update_dhcp_port', { port_id: portId, port, host: this.host });
  }

  releaseDhcpPort(ctx: MessageContext, networkId: string, deviceId: string): Promise<void> {
    return this.client.call(ctx, 'release_dhcp_port', { network_id: networkId, device_id: deviceId, host: this.host });
  }

  dhcpReadyOnPorts(ctx: MessageContext, portIds: string[]): Promise<void> {
    return this.client.prepare({ version: '1.5' }).call(ctx, 'dhcp_ready_on_ports', { port_ids: portIds });
  }
}

/** L3 agents: their routers and floating IP statuses. */
export class L3PluginApi {
  private readonly client: RpcClient;

  constructor(transport: Transport, private readonly host: string) {
    this.client = new RpcClient(transport, { topic: TOPIC_L3PLUGIN, version: '1.0' });
  }

  getRouterIds(ctx: MessageContext): Promise<string[]> {
    return this.client.prepare({ version: '1.9' }).call(ctx, 'get_router_ids', { host: this.host });
  }

  syncRouters(ctx: MessageContext, routerIds?: string[]): Promise<RouterInfo[]> {
    return this.client.call(ctx, 'sync_routers', { host: this.host, ...(routerIds ? { router_ids: routerIds } : {}) });
  }

  getExternalNetworkId(ctx: MessageContext): Promise<string | null> {
    return this.client.call(ctx, 'get_external_network_id', { host: this.host });
  }

  updateFloatingipStatuses(ctx: MessageContext, routerId: string, statuses: Record<string, string>): Promise<void> {
    return this.client.prepare({ version: '1.1' }).call(ctx, 'update_floatingip_statuses', { router_id: routerId, fip_statuses: statuses });
  }
}

/** Trunk drivers of the agents (neutron/services/trunk/rpc/agent.py TrunkStub). */
export class TrunkPluginApi {
  private readonly client: RpcClient;

  constructor(transport: Transport) {
    this.client = new RpcClient(transport, { topic: TOPIC_TRUNK, namespace: TRUNK_NAMESPACE, version: '1.0' });
  }

  /** The subports bound to the parent's host: the updated ports by trunk id. */
  updateSubportBindings(ctx: MessageContext, subports: SubPortBinding[]): Promise<Record<string, Port[]>> {
    return this.client.call(ctx, 'update_subport_bindings', { subports });
  }

  updateTrunkStatus(ctx: MessageContext, trunkId: string, status: string): Promise<void> {
    return this.client.call(ctx, 'update_trunk_status', { trunk_id: trunkId, status });
  }
}
