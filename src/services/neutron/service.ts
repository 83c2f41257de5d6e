/**
 * The composition of the Network service: the ML2 plugin (type and mechanism managers), the
 * managers of every resource, the event bus with its subscribers (agent notifiers, nova
 * notifier), the API controllers, and the RPC servers agents talk to.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../common/config/index.js';
import type { Database } from '../../common/db/index.js';
import type { NuboError } from '../../common/errors.js';
import { neutronFault, type FaultRenderer } from '../../common/http/faults.js';
import type { Logger } from '../../common/log/logger.js';
import { Notifier, osloMessagingNotificationsGroup, RpcServer, type Transport } from '../../common/messaging/index.js';
import type { ServiceSession } from '../../common/clients/session.js';
import { Controller, type ResourceDef } from './api/controller.js';
import * as defs from './api/definitions.js';
import { NeutronPolicy } from './api/policy.js';
import { buildRoutes, type MemberAction } from './api/routes.js';
import { neutronDefaultGroup } from './config.js';
import { NeutronContext } from './context.js';
import { HTTPNotFound } from './errors.js';
import type { NeutronDB } from './db/schema.js';
import { Store } from './db/store.js';
import { EventBus } from './events.js';
import { AddressScopeManager } from './managers/address-scopes.js';
import { AgentManager } from './managers/agents.js';
import { FloatingIpManager } from './managers/floating-ips.js';
import { IpAvailabilityManager } from './managers/ip-availability.js';
import { NetworkManager } from './managers/networks.js';
import { PortForwardingManager } from './managers/port-forwardings.js';
import { PortManager } from './managers/ports.js';
import { QuotaManager } from './managers/quotas.js';
import { RbacManager } from './managers/rbac.js';
import { RouterManager } from './managers/routers.js';
import { SecurityGroupManager, SecurityGroupRuleManager } from './managers/security-groups.js';
import { SubnetPoolManager } from './managers/subnetpools.js';
import { SubnetManager } from './managers/subnets.js';
import { TagManager } from './managers/tags.js';
import type { Dict, ResourceHandlers } from './managers/types.js';
import { MechanismManager } from './ml2/mechanisms.js';
import { TypeManager } from './ml2/type-manager.js';
import { NovaNotifier } from './notifiers/nova.js';
import { DhcpAgentNotifier, L2AgentNotifier, L3AgentNotifier } from './rpc/agent-notifiers.js';
import { AgentStateCallback, DhcpRpcCallbacks, L3RpcCallbacks, Ml2RpcCallbacks } from './rpc/server-callbacks.js';
import { TOPIC_L3PLUGIN, TOPIC_PLUGIN, TOPIC_REPORTS } from './rpc/topics.js';

/** Neutron's own exception names that collide with the generic ones the shared renderer maps. */
const NEUTRON_NAMED = new Set(['PolicyNotAuthorized', 'BadRequest']);

/** neutronFault, keeping the type of Neutron exceptions whose names are also generic names. */
export const networkFault: FaultRenderer = (err: NuboError) => {
  const rendered = neutronFault(err);
  if (!NEUTRON_NAMED.has(err.name) || err.constructor.name === err.name) return rendered;
  const body = JSON.parse(rendered.body) as { NeutronError: Dict };
  body.NeutronError.type = err.name;
  return { ...rendered, body: JSON.stringify(body) };
};

export interface NetworkServiceOptions {
  config: Config;
  log: Logger;
  database: Database<NeutronDB>;
  transport: Transport | undefined;
  session: Pick<ServiceSession, 'endpoint' | 'request'>;
  baseUrl: string;
  host: string;
}

export class NetworkService {
  readonly store: Store;
  readonly events: EventBus;
  readonly policy: NeutronPolicy;
  readonly types: TypeManager;
  readonly mechanisms: MechanismManager;
  readonly agents: AgentManager;
  readonly quotas: QuotaManager;
  readonly networks: NetworkManager;
  readonly subnets: SubnetManager;
  readonly subnetpools: SubnetPoolManager;
  readonly addressScopes: AddressScopeManager;
  readonly ports: PortManager;
  readonly securityGroups: SecurityGroupManager;
  readonly securityGroupRules: SecurityGroupRuleManager;
  readonly routers: RouterManager;
  readonly floatingIps: FloatingIpManager;
  readonly portForwardings: PortForwardingManager;
  readonly rbac: RbacManager;
  readonly tags: TagManager;
  readonly ipAvailability: IpAvailabilityManager;
  readonly nova: NovaNotifier;
  readonly notifier: Notifier | undefined;
  readonly controllers: Controller[];
  private readonly rpcServers: RpcServer[] = [];

  constructor(private readonly o: NetworkServiceOptions) {
    const c = o.config;
    const defaults = c.get(neutronDefaultGroup);
    this.store = new Store(o.database);
    this.events = new EventBus(o.log);
    this.policy = new NeutronPolicy();
    this.types = TypeManager.fromConfig(c);
    this.mechanisms = MechanismManager.fromConfig(c, o.log);
    this.agents = new AgentManager(this.store, defaults.agent_down_time, defaults.dhcp_agents_per_network);
    this.quotas = new QuotaManager(this.store, c);
    this.securityGroups = new SecurityGroupManager(this.store, this.events, this.quotas);
    this.securityGroupRules = new SecurityGroupRuleManager(this.store, this.securityGroups, this.events);
    this.subnetpools = new SubnetPoolManager(this.store);
    this.addressScopes = new AddressScopeManager(this.store);
    this.rbac = new RbacManager(this.store);
    this.tags = new TagManager(this.store);
    this.ipAvailability = new IpAvailabilityManager(this.store);

    // managers that reference each other are wired through late-bound callbacks
    const self = this;
    this.networks = new NetworkManager({
      store: this.store, types: this.types, mechanisms: this.mechanisms, events: this.events,
      networkAvailabilityZones: () => this.agents.zoneNames('network'),
      ensureDefaultSecurityGroup: (projectId) => this.securityGroups.ensureDefault(projectId),
      hostingZones: (db, ids) => this.agents.networkZones(db, ids),
      deleteSubnetForNetwork: (tx, ctx, id) => self.subnets.deleteForNetwork(tx, ctx, id),
      deletePortForNetwork: async (ctx, id) => { await self.ports.deleteInternal(ctx, id); },
      deleteDisassociatedFloatingIps: (ctx, netId) => self.floatingIps.deleteDisassociated(ctx, netId),
    });
    this.subnets = new SubnetManager({
      store: this.store, networks: this.networks, subnetpools: this.subnetpools, mechanisms: this.mechanisms, events: this.events,
      maxDnsNameservers: defaults.max_dns_nameservers, maxHostRoutes: defaults.max_subnet_host_routes,
    });
    this.ports = new PortManager({
      store: this.store, networks: this.networks, subnets: this.subnets, securityGroups: this.securityGroups, types: this.types,
      mechanisms: this.mechanisms, events: this.events,
      hostAgents: (type, host) => this.agents.byTypeAndHost(type, host),
      l3PortOwnerExists: async (port) => (await self.routers.ownsPort(port.device_id)) || (await self.floatingIps.ownsPort(port.device_id)),
      disassociateFloatingIps: (ctx, portId) => self.floatingIps.disassociatePort(ctx, portId),
      baseMac: defaults.base_mac, maxAddressPairs: defaults.max_allowed_address_pair, dnsDomain: defaults.dns_domain,
    });
    this.routers = new RouterManager({
      store: this.store, networks: this.networks, subnets: this.subnets, ports: this.ports, events: this.events,
      routerAvailabilityZones: () => this.agents.zoneNames('router'),
      hostingZones: (db, ids) => this.agents.routerZones(db, ids),
    });
    this.floatingIps = new FloatingIpManager({ store: this.store, networks: this.networks, ports: this.ports, routers: this.routers, events: this.events });
    this.portForwardings = new PortForwardingManager(this.store, this.floatingIps, this.ports, this.routers);

    this.nova = new NovaNotifier({
      session: o.session, log: o.log, intervalSeconds: defaults.send_events_interval,
      notifyStatusChanges: defaults.notify_nova_on_port_status_changes, notifyDataChanges: defaults.notify_nova_on_port_data_changes,
      getPort: (id) => this.ports.get(NeutronContext.admin(), id).catch(() => undefined),
    });
    this.events.subscribe((e) => this.nova.onEvent(e));

    if (o.transport) {
      const { driver, topics } = o.config.get(osloMessagingNotificationsGroup);
      this.notifier = driver === 'noop' ? undefined : new Notifier(o.transport, { publisherId: `network.${o.host}`, topics: [...topics] });
      const dhcp = new DhcpAgentNotifier(o.transport, this.agents, o.log);
      const l3 = new L3AgentNotifier(o.transport, this.agents, o.log);
      const l2 = new L2AgentNotifier(o.transport, async (netId) => (await this.types.segmentsOf(this.store.db, [netId])).get(netId) ?? []);
      if (defaults.dhcp_agent_notification) this.events.subscribe((e) => dhcp.onEvent(e));
      this.events.subscribe((e) => l3.onEvent(e));
      this.events.subscribe((e) => l2.onEvent(e));
    }

    const maxLimit = Number.parseInt(defaults.pagination_max_limit, 10);
    const controllerDeps = {
      policy: this.policy, quotas: this.quotas, notifier: this.notifier, baseUrl: o.baseUrl,
      maxLimit: Number.isFinite(maxLimit) ? maxLimit : -1,
      networkOwnerInfo: (netId: string, projectId: string | undefined) => this.networks.networkOwnerInfo(this.store.db, netId, projectId),
      visibleNetwork: async (ctx: NeutronContext, netId: string) => Boolean(await this.networks.findRow(ctx, netId)),
    };
    const def = (d: Omit<ResourceDef, 'handlers'> & { handlers: ResourceHandlers }) => new Controller(d, controllerDeps);
    this.controllers = [
      def({ collection: 'networks', member: 'network', path: 'networks', attrs: defs.networkAttrs, handlers: this.networks, quota: 'network', taggable: true }),
      def({ collection: 'subnets', member: 'subnet', path: 'subnets', attrs: defs.subnetAttrs, handlers: this.subnets, quota: 'subnet', taggable: true, checkNetworkOwnership: true }),
      def({ collection: 'ports', member: 'port', path: 'ports', attrs: defs.portAttrs, handlers: this.ports, quota: 'port', taggable: true, checkNetworkOwnership: true }),
      def({ collection: 'subnetpools', member: 'subnetpool', path: 'subnetpools', attrs: defs.subnetPoolAttrs, handlers: this.subnetpools, quota: 'subnetpool', taggable: true }),
      def({ collection: 'address_scopes', member: 'address_scope', path: 'address-scopes', attrs: defs.addressScopeAttrs, handlers: this.addressScopes }),
      def({ collection: 'routers', member: 'router', path: 'routers', attrs: defs.routerAttrs, handlers: this.routers, quota: 'router', taggable: true }),
      def({ collection: 'floatingips', member: 'floatingip', path: 'floatingips', attrs: defs.floatingIpAttrs, handlers: this.floatingIps, quota: 'floatingip', taggable: true }),
      def({ collection: 'port_forwardings', member: 'port_forwarding', path: 'port_forwardings', attrs: defs.portForwardingAttrs, handlers: this.portForwardings, policyMember: 'floatingip_port_forwarding', parent: { path: 'floatingips', param: 'floatingip_id' } }),
      def({ collection: 'security_groups', member: 'security_group', path: 'security-groups', attrs: defs.securityGroupAttrs, handlers: this.securityGroups, quota: 'security_group', taggable: true }),
      def({ collection: 'security_group_rules', member: 'security_group_rule', path: 'security-group-rules', attrs: defs.securityGroupRuleAttrs, handlers: this.securityGroupRules, quota: 'security_group_rule' }),
      def({ collection: 'rbac_policies', member: 'rbac_policy', path: 'rbac-policies', attrs: defs.rbacAttrs, handlers: this.rbac, quota: 'rbac_policy' }),
      def({ collection: 'agents', member: 'agent', path: 'agents', attrs: defs.agentAttrs, handlers: this.agents }),
      def({ collection: 'network_ip_availabilities', member: 'network_ip_availability', path: 'network-ip-availabilities', attrs: defs.ipAvailabilityAttrs, handlers: this.ipAvailability, readOnly: true }),
      // [service_providers] is not a thing here: no advanced service has providers to list
      def({
        collection: 'service_providers', member: 'service_provider', path: 'service-providers', attrs: defs.serviceProviderAttrs, readOnly: true,
        handlers: { list: async () => [], get: async () => { throw new HTTPNotFound('The resource could not be found.'); } },
      }),
      def({
        collection: 'availability_zones', member: 'availability_zone', path: 'availability_zones', attrs: defs.availabilityZoneAttrs, readOnly: true,
        handlers: {
          list: async (_ctx, q) => (await this.agents.availabilityZones()).filter((z) => Object.entries(q.filters).every(([k, vals]) => vals.map(String).includes(String(z[k])))),
          get: async () => { throw new HTTPNotFound('The resource could not be found.'); },
        },
      }),
    ];
  }

  get actions(): MemberAction[] {
    return [
      { path: 'routers', action: 'add_router_interface', run: (ctx, id, body) => this.routers.addInterface(ctx, id, body) },
      { path: 'routers', action: 'remove_router_interface', run: (ctx, id, body) => this.routers.removeInterface(ctx, id, body) },
      { path: 'subnetpools', action: 'add_prefixes', run: (ctx, id, body) => this.subnetpools.changePrefixes(ctx, id, body, true) },
      { path: 'subnetpools', action: 'remove_prefixes', run: (ctx, id, body) => this.subnetpools.changePrefixes(ctx, id, body, false) },
    ];
  }

  routes(): FastifyPluginAsync {
    return buildRoutes({
      baseUrl: this.o.baseUrl, controllers: this.controllers, actions: this.actions, tags: this.tags, quotas: this.quotas,
      agents: this.agents, policy: this.policy,
    });
  }

  /** RPC servers agents call: state reports, L2 and DHCP callbacks, L3 callbacks. */
  async start(): Promise<void> {
    const transport = this.o.transport;
    if (!transport) return;
    const deps = {
      networks: this.networks, subnets: this.subnets, ports: this.ports, routers: this.routers, floatingIps: this.floatingIps,
      agents: this.agents, types: this.types, db: this.store.db,
    };
    const host = this.o.host;
    this.rpcServers.push(
      new RpcServer(transport, { topic: TOPIC_REPORTS, server: host }, [new AgentStateCallback(this.agents)]),
      new RpcServer(transport, { topic: TOPIC_PLUGIN, server: host }, [new Ml2RpcCallbacks(deps), new DhcpRpcCallbacks(deps)]),
      new RpcServer(transport, { topic: TOPIC_L3PLUGIN, server: host }, [new L3RpcCallbacks(deps)]),
    );
    for (const s of this.rpcServers) await s.start();
  }

  async stop(): Promise<void> {
    for (const s of this.rpcServers) await s.stop();
    this.rpcServers.length = 0;
    await this.nova.close();
  }
}
