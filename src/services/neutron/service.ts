/**
 * The composition of the Network service, and nothing else: the ML2 plugin (type and
 * mechanism managers), the managers of every resource built in dependency order with their
 * dependencies passed explicitly, the event registry with its subscribers (agent notifiers,
 * the nova notifier), the API routes and the RPC servers agents talk to. Managers that react
 * to each other's resources (a network going away takes its ports and subnets; routers and
 * floating IPs guard their ports) do so through the event registry.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServiceSession } from '../../common/clients/session.js';
import type { Config } from '../../common/config/index.js';
import type { Database } from '../../common/db/index.js';
import type { Logger } from '../../common/log/logger.js';
import type { ServicePolicy } from '../../common/policy/index.js';
import { Notifier, osloMessagingNotificationsGroup, type Transport } from '../../common/messaging/index.js';
import { NeutronPolicy } from './api/policy.js';
import type { ApiManagers } from './api/resources.js';
import { buildRoutes } from './api/routes.js';
import { NeutronContext } from './common/context.js';
import { EventRegistry } from './common/events.js';
import { defaultNetworksGroup, ml2Group, neutronDefaultGroup } from './config.js';
import type { NeutronDB } from './db/schema.js';
import { Store } from './db/store.js';
import { AddressGroupManager } from './managers/address-groups.js';
import { AddressScopeManager } from './managers/address-scopes.js';
import { AgentManager } from './managers/agents.js';
import { AutoAllocateManager } from './managers/auto-allocate.js';
import { DefaultNetworkCreator } from './managers/default-networks.js';
import { L2populationNotifier } from './ml2/l2pop/notifier.js';
import { FloatingIpManager } from './managers/floating-ips.js';
import { IpAvailabilityManager } from './managers/ip-availability.js';
import { NetworkManager } from './managers/networks.js';
import { PortForwardingManager } from './managers/port-forwardings.js';
import { PortManager } from './managers/ports.js';
import { QosBindings } from './managers/qos/bindings.js';
import { QosDriverManager, qosDriversFor } from './managers/qos/drivers.js';
import { QosPolicyManager } from './managers/qos/policies.js';
import { QosRuleManager } from './managers/qos/rules.js';
import { QuotaManager } from './managers/quotas.js';
import { RbacManager } from './managers/rbac.js';
import { RouterManager } from './managers/routers.js';
import { SecurityGroupManager, SecurityGroupRuleManager } from './managers/security-groups.js';
import { SubnetPoolManager } from './managers/subnetpools.js';
import { SubnetManager } from './managers/subnets.js';
import { TagManager } from './managers/tags.js';
import { TrunkManager } from './managers/trunks.js';
import { MeteringManager } from './managers/metering.js';
import { MechanismManager } from './ml2/mechanisms.js';
import { TypeManager } from './ml2/type-manager.js';
import { PathExplainer } from './explain/explainer.js';
import { kernelProbesFromConfig } from './explain/kernel/probe-config.js';
import { NovaNotifier } from './notifiers/nova.js';
import { DhcpAgentNotifier, L2AgentNotifier, L3AgentNotifier } from './rpc/agent-notifiers.js';
import { MeteringAgentNotifier } from './rpc/metering.js';
import { RpcServers } from './rpc/servers.js';


export interface NetworkServiceOptions {
  config: Config;
  log: Logger;
  database: Database<NeutronDB>;
  transport: Transport | undefined;
  session: ServiceSession;
  policy: ServicePolicy;
  baseUrl: string;
  host: string;
}

/** Every manager of the service, with the ML2 plugin's. */
export interface NetworkManagers extends ApiManagers {
  types: TypeManager;
  mechanisms: MechanismManager;
}

/** The managers, each given what it uses; later ones use earlier ones. */
export function createManagers(config: Config, log: Logger, store: Store, events: EventRegistry): NetworkManagers {
  const defaults = config.get(neutronDefaultGroup);
  const types = TypeManager.fromConfig(config);
  const mechanisms = MechanismManager.fromConfig(config, log);
  const qos = new QosBindings(new QosDriverManager(qosDriversFor(mechanisms.drivers.map((d) => d.name))));
  const qosPolicies = new QosPolicyManager(store);
  const agents = new AgentManager(store, defaults.agent_down_time, defaults.dhcp_agents_per_network);
  const quotas = new QuotaManager(store, config);
  const securityGroups = new SecurityGroupManager(store, events, quotas);
  const addressGroups = new AddressGroupManager(store, events);
  const securityGroupRules = new SecurityGroupRuleManager(store, securityGroups, events, addressGroups);
  const subnetpools = new SubnetPoolManager(store);
  const networks = new NetworkManager({ store, types, mechanisms, events, zones: agents, securityGroups, qos });
  const subnets = new SubnetManager({
    store, networks, subnetpools, mechanisms, events, maxDnsNameservers: defaults.max_dns_nameservers, maxHostRoutes: defaults.max_subnet_host_routes,
  });
  const ports = new PortManager({
    store, networks, subnets, securityGroups, types, mechanisms, events, agents,
    baseMac: defaults.base_mac, maxAddressPairs: defaults.max_allowed_address_pair, dnsDomain: defaults.dns_domain, qos,
  });
  const routers = new RouterManager({ store, networks, subnets, ports, events, zones: agents });
  const floatingIps = new FloatingIpManager({ store, networks, ports, routers, events });
  return {
    types, mechanisms, agents, quotas, securityGroups, securityGroupRules, addressGroups, subnetpools, networks, subnets, ports, routers, floatingIps,
    portForwardings: new PortForwardingManager(store, floatingIps, ports, routers, events),
    addressScopes: new AddressScopeManager(store),
    rbac: new RbacManager(store),
    tags: new TagManager(store),
    ipAvailability: new IpAvailabilityManager(store),
    autoAllocate: new AutoAllocateManager({ store, networks, subnets, routers }),
    trunks: new TrunkManager({ store, events, findPort: (ctx, id, db) => ports.findRow(ctx, id, db) }),
    qos, qosPolicies,
    bandwidthLimitRules: new QosRuleManager('bandwidth_limit', store, qosPolicies, qos, events),
    dscpMarkingRules: new QosRuleManager('dscp_marking', store, qosPolicies, qos, events),
    minimumBandwidthRules: new QosRuleManager('minimum_bandwidth', store, qosPolicies, qos, events),
    metering: new MeteringManager(store),
  };
}

export class NetworkService {
  readonly store: Store;
  readonly events: EventRegistry;
  readonly managers: NetworkManagers;
  readonly policy: NeutronPolicy;
  readonly nova: NovaNotifier;
  readonly explainer: PathExplainer;
  readonly notifier: Notifier | undefined;
  private readonly rpc: RpcServers | undefined;

  constructor(private readonly o: NetworkServiceOptions) {
    const defaults = o.config.get(neutronDefaultGroup);
    this.policy = new NeutronPolicy(o.policy);
    this.store = new Store(o.database);
    this.events = new EventRegistry(o.log);
    const m = createManagers(o.config, o.log, this.store, this.events);
    this.managers = m;
    this.explainer = new PathExplainer(m, kernelProbesFromConfig(o.config));

    this.nova = new NovaNotifier({
      session: o.session, log: o.log, intervalSeconds: defaults.send_events_interval,
      notifyStatusChanges: defaults.notify_nova_on_port_status_changes, notifyDataChanges: defaults.notify_nova_on_port_data_changes,
      getPort: (id) => m.ports.get(NeutronContext.admin(), id).catch(() => undefined),
    });
    this.nova.subscribe(this.events);

    if (o.transport) {
      const { driver, topics } = o.config.get(osloMessagingNotificationsGroup);
      this.notifier = driver === 'noop' ? undefined : new Notifier(o.transport, { publisherId: `network.${o.host}`, topics: [...topics] });
      if (defaults.dhcp_agent_notification) new DhcpAgentNotifier(o.transport, m.agents, o.log).subscribe(this.events);
      new L3AgentNotifier(o.transport, m.agents, o.log).subscribe(this.events);
      new MeteringAgentNotifier(o.transport, m.agents, o.log).attach(m.metering, this.events);
      const segmentsOf = async (netId: string) => (await m.types.segmentsOf(this.store.db, [netId])).get(netId) ?? [];
      const portsOf = async (ids: readonly string[]) => (await Promise.all(ids.map((id) => m.ports.get(NeutronContext.admin(), id).catch(() => undefined))))
        .filter((p) => p !== undefined);
      new L2AgentNotifier(o.transport, segmentsOf, portsOf, (id) => m.addressGroups.securityGroupsUsing(id)).subscribe(this.events);
      const l2pop = o.config.get(ml2Group).mechanism_drivers.includes('l2population')
        ? new L2populationNotifier(o.transport, { db: this.store.db, segmentsOf, agents: m.agents })
        : undefined;
      l2pop?.subscribe(this.events);
      this.rpc = new RpcServers(o.transport, o.host, { ...m, db: this.store.db, ...(l2pop ? { l2pop } : {}) });
    }
  }

  routes(): FastifyPluginAsync {
    const maxLimit = Number.parseInt(this.o.config.get(neutronDefaultGroup).pagination_max_limit, 10);
    return buildRoutes(this.managers, {
      policy: this.policy, notifier: this.notifier, baseUrl: this.o.baseUrl, maxLimit: Number.isFinite(maxLimit) ? maxLimit : -1, explainer: this.explainer,
    });
  }

  /** The RPC servers agents call: state reports, L2 and DHCP callbacks, L3 callbacks; DevStack's networks when missing. */
  async start(): Promise<void> {
    await this.rpc?.start();
    await this.ensureDefaultNetworks();
  }

  /** `[default_networks]`: a failure (Keystone not reachable yet) is logged and the server runs on. */
  async ensureDefaultNetworks(): Promise<void> {
    const m = this.managers;
    const bootstrap = this.o.config.raw().bootstrap;
    const adminProject = typeof bootstrap?.admin_project === 'string' && bootstrap.admin_project ? bootstrap.admin_project : 'admin';
    const creator = new DefaultNetworkCreator(
      { networks: m.networks, subnets: m.subnets, subnetpools: m.subnetpools, routers: m.routers, ports: m.ports, session: this.o.session, log: this.o.log },
      this.o.config.get(defaultNetworksGroup), adminProject,
    );
    if (!creator.enabled) return;
    await creator.ensure().catch((err: unknown) => this.o.log.warn({ err }, 'the default networks ([default_networks]) could not be created'));
  }

  async stop(): Promise<void> {
    await this.rpc?.stop();
    await this.nova.close();
  }
}
