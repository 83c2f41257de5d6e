/**
 * The resources of the API: each collection with its attribute map, the manager that serves
 * it and its quota, tag and ownership rules (neutron/api/v2/router.py RESOURCES plus the
 * extension resources), and the member actions (router interfaces, subnet pool prefixes,
 * trunk subports).
 */
import type { Notifier } from '../../../common/messaging/index.js';
import type { NeutronContext } from '../common/context.js';
import { HTTPNotFound } from '../errors.js';
import type { PathExplainer } from '../explain/explainer.js';
import type { AddressGroupManager } from '../managers/address-groups.js';
import { addressesRequest } from '../managers/address-groups.js';
import type { AddressScopeManager } from '../managers/address-scopes.js';
import type { AgentManager } from '../managers/agents.js';
import type { AutoAllocateManager } from '../managers/auto-allocate.js';
import type { FloatingIpManager } from '../managers/floating-ips.js';
import type { IpAvailabilityManager } from '../managers/ip-availability.js';
import type { NetworkManager } from '../managers/networks.js';
import type { PortForwardingManager } from '../managers/port-forwardings.js';
import type { PortManager } from '../managers/ports.js';
import type { QosBindings } from '../managers/qos/bindings.js';
import type { QosPolicyManager } from '../managers/qos/policies.js';
import { QosRuleAliasHandlers, type QosRuleManager } from '../managers/qos/rules.js';
import type { QuotaManager } from '../managers/quotas.js';
import type { RbacManager } from '../managers/rbac.js';
import type { RouterManager } from '../managers/routers.js';
import type { SecurityGroupManager, SecurityGroupRuleManager } from '../managers/security-groups.js';
import type { SubnetPoolManager } from '../managers/subnetpools.js';
import type { SubnetManager } from '../managers/subnets.js';
import type { TagManager } from '../managers/tags.js';
import type { TrunkManager } from '../managers/trunks.js';
import type { MeteringManager } from '../managers/metering.js';
import type { ResourceHandlers } from '../managers/types.js';
import type { AddressGroup } from '../types/address-group.js';
import type { AvailabilityZone, ServiceProvider } from '../types/agent.js';
import { type ActionRun, Controller, type ControllerDeps, type ResourceEndpoint } from './controller.js';
import * as defs from './definitions.js';
import * as qosDefs from './qos-definitions.js';
import type { NeutronPolicy } from './policy.js';
import { prefixesRequest, routerInterfaceRequest, subportsRequest } from './request-bodies.js';

/** The managers behind the API. */
export interface ApiManagers {
  networks: NetworkManager;
  subnets: SubnetManager;
  ports: PortManager;
  subnetpools: SubnetPoolManager;
  addressScopes: AddressScopeManager;
  routers: RouterManager;
  floatingIps: FloatingIpManager;
  portForwardings: PortForwardingManager;
  securityGroups: SecurityGroupManager;
  securityGroupRules: SecurityGroupRuleManager;
  addressGroups: AddressGroupManager;
  rbac: RbacManager;
  agents: AgentManager;
  ipAvailability: IpAvailabilityManager;
  quotas: QuotaManager;
  tags: TagManager;
  autoAllocate: AutoAllocateManager;
  qos: QosBindings;
  qosPolicies: QosPolicyManager;
  bandwidthLimitRules: QosRuleManager;
  dscpMarkingRules: QosRuleManager;
  minimumBandwidthRules: QosRuleManager;
  trunks: TrunkManager;
  metering: MeteringManager;
}

export interface ApiOptions {
  policy: NeutronPolicy;
  notifier: Notifier | undefined;
  /** This service's public base URL. */
  baseUrl: string;
  /** pagination_max_limit (<= 0: none). */
  maxLimit: number;
  /** GET /v2.0/nubo-explain (nubo-path-explain). */
  explainer: PathExplainer;
}

/** A PUT (or GET) /v2.0/<path>/{id}/<action> call. */
export interface MemberAction {
  path: string;
  action: string;
  run: ActionRun;
  method?: 'GET' | 'PUT';
}

const notFound = async (): Promise<never> => {
  throw new HTTPNotFound('The resource could not be found.');
};

export function resourceControllers(m: ApiManagers, o: ApiOptions): ResourceEndpoint[] {
  const deps: ControllerDeps = {
    policy: o.policy, quotas: m.quotas, notifier: o.notifier, baseUrl: o.baseUrl, maxLimit: o.maxLimit,
    networkOwner: (netId, projectId) => m.networks.networkOwner(netId, projectId),
    visibleNetwork: async (ctx: NeutronContext, netId: string) => Boolean(await m.networks.findRow(ctx, netId)),
  };
  // [service_providers] is not a thing here: no advanced service has providers to list
  const serviceProviders: ResourceHandlers<ServiceProvider> = { list: async () => [], get: notFound };
  const availabilityZones: ResourceHandlers<AvailabilityZone> = { list: (_ctx, q) => m.agents.listAvailabilityZones(q), get: notFound };
  return [
    ...qosControllers(m, deps),
    new Controller({ collection: 'networks', member: 'network', path: 'networks', attrs: defs.networkAttrs, handlers: m.networks, quota: 'network', taggable: true }, deps),
    new Controller({ collection: 'subnets', member: 'subnet', path: 'subnets', attrs: defs.subnetAttrs, handlers: m.subnets, quota: 'subnet', taggable: true, checkNetworkOwnership: true }, deps),
    new Controller({ collection: 'ports', member: 'port', path: 'ports', attrs: defs.portAttrs, handlers: m.ports, quota: 'port', taggable: true, checkNetworkOwnership: true }, deps),
    new Controller({ collection: 'subnetpools', member: 'subnetpool', path: 'subnetpools', attrs: defs.subnetPoolAttrs, handlers: m.subnetpools, quota: 'subnetpool', taggable: true }, deps),
    new Controller({ collection: 'address_scopes', member: 'address_scope', path: 'address-scopes', attrs: defs.addressScopeAttrs, handlers: m.addressScopes }, deps),
    new Controller({ collection: 'routers', member: 'router', path: 'routers', attrs: defs.routerAttrs, handlers: m.routers, quota: 'router', taggable: true }, deps),
    new Controller({ collection: 'floatingips', member: 'floatingip', path: 'floatingips', attrs: defs.floatingIpAttrs, handlers: m.floatingIps, quota: 'floatingip', taggable: true }, deps),
    new Controller({
      collection: 'port_forwardings', member: 'port_forwarding', path: 'port_forwardings', attrs: defs.portForwardingAttrs, handlers: m.portForwardings,
      policyMember: 'floatingip_port_forwarding', parent: { path: 'floatingips', param: 'floatingip_id' },
    }, deps),
    new Controller({ collection: 'security_groups', member: 'security_group', path: 'security-groups', attrs: defs.securityGroupAttrs, handlers: m.securityGroups, quota: 'security_group', taggable: true }, deps),
    new Controller({ collection: 'security_group_rules', member: 'security_group_rule', path: 'security-group-rules', attrs: defs.securityGroupRuleAttrs, handlers: m.securityGroupRules, quota: 'security_group_rule' }, deps),
    new Controller({ collection: 'address_groups', member: 'address_group', path: 'address-groups', attrs: defs.addressGroupAttrs, handlers: m.addressGroups, taggable: true }, deps),
    new Controller({ collection: 'rbac_policies', member: 'rbac_policy', path: 'rbac-policies', attrs: defs.rbacAttrs, handlers: m.rbac, quota: 'rbac_policy' }, deps),
    new Controller({ collection: 'trunks', member: 'trunk', path: 'trunks', attrs: defs.trunkAttrs, handlers: m.trunks, taggable: true }, deps),
    new Controller({ collection: 'metering_labels', member: 'metering_label', path: 'metering/metering-labels', attrs: defs.meteringLabelAttrs, handlers: m.metering.labels }, deps),
    new Controller({
      collection: 'metering_label_rules', member: 'metering_label_rule', path: 'metering/metering-label-rules', attrs: defs.meteringLabelRuleAttrs, handlers: m.metering.rules,
    }, deps),
    new Controller({ collection: 'agents', member: 'agent', path: 'agents', attrs: defs.agentAttrs, handlers: m.agents }, deps),
    new Controller({
      collection: 'network_ip_availabilities', member: 'network_ip_availability', path: 'network-ip-availabilities', attrs: defs.ipAvailabilityAttrs,
      handlers: m.ipAvailability, readOnly: true,
    }, deps),
    new Controller({ collection: 'service_providers', member: 'service_provider', path: 'service-providers', attrs: defs.serviceProviderAttrs, readOnly: true, handlers: serviceProviders }, deps),
    new Controller({ collection: 'availability_zones', member: 'availability_zone', path: 'availability_zones', attrs: defs.availabilityZoneAttrs, readOnly: true, handlers: availabilityZones }, deps),
  ];
}

/** QoS policies, their rules (under /qos/policies/{policy_id}) and the rule aliases (qos-rules-alias). */
function qosControllers(m: ApiManagers, deps: ControllerDeps): ResourceEndpoint[] {
  const parent = { path: 'qos/policies', param: 'policy_id' };
  const rules = [
    ['bandwidth_limit', m.bandwidthLimitRules, qosDefs.bandwidthLimitRuleAttrs, qosDefs.aliasBandwidthLimitRuleAttrs],
    ['dscp_marking', m.dscpMarkingRules, qosDefs.dscpMarkingRuleAttrs, qosDefs.aliasDscpMarkingRuleAttrs],
    ['minimum_bandwidth', m.minimumBandwidthRules, qosDefs.minimumBandwidthRuleAttrs, qosDefs.aliasMinimumBandwidthRuleAttrs],
  ] as const;
  return [
    new Controller({ collection: 'policies', member: 'policy', path: 'qos/policies', attrs: qosDefs.qosPolicyAttrs, handlers: m.qosPolicies, taggable: true }, deps),
    ...rules.flatMap(([type, handlers, attrs, aliasAttrs]) => [
      new Controller({ collection: `${type}_rules`, member: `${type}_rule`, path: `${type}_rules`, attrs, handlers, policyMember: `policy_${type}_rule`, parent }, deps),
      new Controller({
        collection: `alias_${type}_rules`, member: `alias_${type}_rule`, path: `qos/alias_${type}_rules`, attrs: aliasAttrs, handlers: new QosRuleAliasHandlers(handlers),
      }, deps),
    ]),
  ];
}

/** An address group as the actions answer it: without `shared`, which the API does not show. */
function shown(g: AddressGroup): Omit<AddressGroup, 'shared'> {
  const { shared: _shared, ...rest } = g;
  return rest;
}

export function memberActions(m: ApiManagers): MemberAction[] {
  return [
    { path: 'routers', action: 'add_router_interface', run: (ctx, id, body) => m.routers.addInterface(ctx, id, routerInterfaceRequest(body)) },
    { path: 'routers', action: 'remove_router_interface', run: (ctx, id, body) => m.routers.removeInterface(ctx, id, routerInterfaceRequest(body)) },
    { path: 'subnetpools', action: 'add_prefixes', run: (ctx, id, body) => m.subnetpools.changePrefixes(ctx, id, prefixesRequest(body), true) },
    { path: 'subnetpools', action: 'remove_prefixes', run: (ctx, id, body) => m.subnetpools.changePrefixes(ctx, id, prefixesRequest(body), false) },
    { path: 'address-groups', action: 'add_addresses', run: async (ctx, id, body) => ({ address_group: shown(await m.addressGroups.addAddresses(ctx, id, addressesRequest(body))) }) },
    { path: 'address-groups', action: 'remove_addresses', run: async (ctx, id, body) => ({ address_group: shown(await m.addressGroups.removeAddresses(ctx, id, addressesRequest(body))) }) },
    { path: 'trunks', action: 'add_subports', run: (ctx, id, body) => m.trunks.addSubports(ctx, id, () => subportsRequest(body)) },
    { path: 'trunks', action: 'remove_subports', run: (ctx, id, body) => m.trunks.removeSubports(ctx, id, () => subportsRequest(body)) },
    { path: 'trunks', action: 'get_subports', method: 'GET', run: (ctx, id) => m.trunks.getSubports(ctx, id) },
  ];
}
