/**
 * DevStack's first networks (lib/neutron_plugins/services/l3 create_neutron_initial_network),
 * made by neutron-server when it starts and they are missing, each part switchable off in
 * `[default_networks]`:
 *  - `shared-default-subnetpool-v4` (USE_SUBNETPOOL): the admin project's shared default
 *    IPv4 subnet pool on 10.0.0.0/22, /26 by default, where Nova's `networks: auto` and
 *    `use_default_subnetpool` take their subnets;
 *  - `public`: the external network (router:external, not shared, the default one as
 *    DevStack marks it where auto-allocated-topology exists), flat on the physical network
 *    `public`, with `public-subnet` on FLOATING_RANGE 172.24.4.0/24, gateway 172.24.4.1, no
 *    DHCP (allocation pool .2-.254);
 *  - `private`: a network of the admin project with `private-subnet` on FIXED_RANGE
 *    10.0.0.0/26 (from the pool when there is one), gateway 10.0.0.1;
 *  - `router1`: the admin project's router with its gateway on `public` and an interface on
 *    `private-subnet`.
 * Existing ones (by name, in the admin project; `public` among external networks) are kept,
 * so every start after the first changes nothing. The admin project's id comes from Keystone
 * (GET /v3/projects?name=...) with the service user's session.
 */
import { IdentityClient } from '../../../common/clients/identity.js';
import type { ServiceSession } from '../../../common/clients/session.js';
import type { Values } from '../../../common/config/index.js';
import type { Logger } from '../../../common/log/logger.js';
import { NeutronContext } from '../common/context.js';
import type { defaultNetworksGroup } from '../config.js';
import type { FilterValue } from '../db/listing.js';
import type { Network } from '../types/network.js';
import type { Router } from '../types/router.js';
import type { Subnet } from '../types/subnet.js';
import type { NetworkManager } from './networks.js';
import type { PortManager } from './ports.js';
import type { RouterManager } from './routers.js';
import type { SubnetPool } from '../types/subnet-pool.js';
import type { SubnetPoolManager } from './subnetpools.js';
import type { SubnetManager } from './subnets.js';

/** The `[default_networks]` values. */
export type DefaultNetworksValues = Values<typeof defaultNetworksGroup.opts>;

export interface DefaultNetworksDeps {
  networks: NetworkManager;
  subnets: SubnetManager;
  subnetpools: SubnetPoolManager;
  routers: RouterManager;
  ports: PortManager;
  session: ServiceSession;
  log: Logger;
}

/** What exists once ensure() ran (the parts switched off are absent). */
export interface DefaultNetworks {
  projectId: string;
  subnetpool?: SubnetPool;
  public?: { network: Network; subnet: Subnet };
  private?: { network: Network; subnet: Subnet };
  router?: Router;
}

const eq = (v: string | boolean): FilterValue[] => [v];

export class DefaultNetworkCreator {
  private readonly ctx = NeutronContext.admin();

  constructor(private readonly d: DefaultNetworksDeps, private readonly o: DefaultNetworksValues, private readonly adminProjectName: string) {}

  /** Nothing to do when every part is switched off. */
  get enabled(): boolean {
    return this.o.create_public_network || this.o.create_private_network || this.o.create_router;
  }

  /** The admin project's id, from Keystone. */
  async adminProjectId(): Promise<string> {
    const projects = await new IdentityClient(this.d.session).listProjects({ name: this.adminProjectName, domainId: 'default' });
    const project = projects[0];
    if (!project) throw new Error(`project ${this.adminProjectName} not found in Keystone`);
    return project.id;
  }

  async ensure(): Promise<DefaultNetworks> {
    const projectId = await this.adminProjectId();
    const out: DefaultNetworks = { projectId };
    if (this.o.use_subnetpool) out.subnetpool = await this.ensureSubnetpool(projectId);
    if (this.o.create_public_network) out.public = await this.ensurePublic(projectId);
    if (this.o.create_private_network) out.private = await this.ensurePrivate(projectId, out.subnetpool);
    if (this.o.create_router) out.router = await this.ensureRouter(projectId, out.public?.network, out.private?.subnet);
    return out;
  }

  private async findNetwork(filters: Record<string, FilterValue[]>): Promise<Network | undefined> {
    return (await this.d.networks.list(this.ctx, { filters, sorts: [] }))[0];
  }

  private async ensureSubnet(network: Network, name: string, body: { cidr: string; gateway_ip: string; enable_dhcp: boolean; subnetpool_id?: string }): Promise<Subnet> {
    const existing = (await this.d.subnets.list(this.ctx, { filters: { network_id: [network.id], name: [name] }, sorts: [] }))[0];
    if (existing) return existing;
    const subnet = await this.d.subnets.create(this.ctx, { network_id: network.id, project_id: network.project_id, name, ip_version: 4, ...body });
    this.d.log.info({ subnet: subnet.id, cidr: subnet.cidr }, `created the default subnet ${name}`);
    return subnet;
  }

  /** The shared default IPv4 pool (an existing default IPv4 pool is kept, whatever its name). */
  private async ensureSubnetpool(projectId: string): Promise<SubnetPool> {
    const existing = (await this.d.subnetpools.list(this.ctx, { filters: { is_default: eq(true), ip_version: ['4'] }, sorts: [] }))[0];
    if (existing) return existing;
    const pool = await this.d.subnetpools.create(this.ctx, {
      name: this.o.subnetpool_name_v4, project_id: projectId, prefixes: [this.o.subnetpool_prefix_v4],
      default_prefixlen: this.o.subnetpool_size_v4, shared: true, is_default: true,
    });
    this.d.log.info({ subnetpool: pool.id, prefix: this.o.subnetpool_prefix_v4 }, `created the default subnet pool ${pool.name}`);
    return pool;
  }

  private async ensurePublic(projectId: string): Promise<{ network: Network; subnet: Subnet }> {
    const name = this.o.public_network_name;
    let network = await this.findNetwork({ name: eq(name), 'router:external': eq(true) });
    if (!network) {
      network = await this.d.networks.create(this.ctx, {
        name, project_id: projectId, shared: false, 'router:external': true, is_default: true,
        'provider:network_type': 'flat', 'provider:physical_network': this.o.public_physical_network,
      });
      this.d.log.info({ network: network.id }, `created the default external network ${name}`);
    }
    const subnet = await this.ensureSubnet(network, this.o.public_subnet_name, {
      cidr: this.o.floating_range, gateway_ip: this.o.public_network_gateway, enable_dhcp: false,
    });
    return { network, subnet };
  }

  private async ensurePrivate(projectId: string, pool: SubnetPool | undefined): Promise<{ network: Network; subnet: Subnet }> {
    const name = this.o.private_network_name;
    let network = await this.findNetwork({ name: eq(name), project_id: eq(projectId) });
    if (!network) {
      network = await this.d.networks.create(this.ctx, { name, project_id: projectId });
      this.d.log.info({ network: network.id }, `created the default network ${name}`);
    }
    const subnet = await this.ensureSubnet(network, this.o.private_subnet_name, {
      cidr: this.o.fixed_range, gateway_ip: this.o.network_gateway, enable_dhcp: true, ...(pool ? { subnetpool_id: pool.id } : {}),
    });
    return { network, subnet };
  }

  /** The router, its gateway (when it has none) and its interface on the project subnet (when missing). */
  private async ensureRouter(projectId: string, external: Network | undefined, subnet: Subnet | undefined): Promise<Router> {
    const name = this.o.router_name;
    let router = (await this.d.routers.list(this.ctx, { filters: { name: [name], project_id: [projectId] }, sorts: [] }))[0];
    if (!router) {
      router = await this.d.routers.create(this.ctx, { name, project_id: projectId, ...(external ? { external_gateway_info: { network_id: external.id } } : {}) });
      this.d.log.info({ router: router.id }, `created the default router ${name}`);
    } else if (external && !router.external_gateway_info) {
      router = await this.d.routers.update(this.ctx, router.id, { external_gateway_info: { network_id: external.id } }, {});
    }
    if (subnet) {
      const ports = await this.d.ports.list(this.ctx, { filters: { device_id: [router.id], device_owner: ['network:router_interface'] }, sorts: [] });
      if (!ports.some((p) => p.fixed_ips.some((f) => f.subnet_id === subnet.id))) await this.d.routers.addInterface(this.ctx, router.id, { subnet_id: subnet.id });
    }
    return this.d.routers.get(this.ctx, router.id);
  }
}
