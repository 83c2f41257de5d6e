/**
 * The Neutron state a path walks, looked up once per explanation through the managers with
 * the server's own (admin) context: the ends were resolved with the caller's context, the
 * infrastructure between them (router ports, DHCP agents, the external network) belongs to
 * whoever made it. Each lookup is cached for the explanation.
 */
import type { AddressGroupManager } from '../managers/address-groups.js';
import { NeutronContext } from '../common/context.js';
import type { AgentManager } from '../managers/agents.js';
import type { FloatingIpManager } from '../managers/floating-ips.js';
import type { NetworkManager } from '../managers/networks.js';
import type { PortManager } from '../managers/ports.js';
import type { RouterManager } from '../managers/routers.js';
import type { SecurityGroupManager } from '../managers/security-groups.js';
import type { SubnetManager } from '../managers/subnets.js';
import type { Agent } from '../types/agent.js';
import type { FloatingIp } from '../types/floating-ip.js';
import type { Network } from '../types/network.js';
import type { Port } from '../types/port.js';
import type { Router } from '../types/router.js';
import type { SecurityGroup } from '../types/security-group.js';
import type { Subnet } from '../types/subnet.js';

export const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];
export const ROUTER_GATEWAY_OWNER = 'network:router_gateway';

export interface PathManagers {
  networks: NetworkManager;
  subnets: SubnetManager;
  ports: PortManager;
  routers: RouterManager;
  floatingIps: FloatingIpManager;
  securityGroups: SecurityGroupManager;
  addressGroups: AddressGroupManager;
  agents: AgentManager;
}

/** A router interface: the router and its port on a subnet. */
export interface RouterInterface {
  router: Router;
  port: Port;
  ip: string;
}

export class PathData {
  private readonly ctx = NeutronContext.admin();
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(private readonly m: PathManagers) {}

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.cache.set(key, p);
    }
    return p;
  }

  network(id: string): Promise<Network | undefined> {
    return this.once(`net:${id}`, () => this.m.networks.get(this.ctx, id).catch(() => undefined));
  }

  subnet(id: string): Promise<Subnet | undefined> {
    return this.once(`subnet:${id}`, () => this.m.subnets.get(this.ctx, id).catch(() => undefined));
  }

  router(id: string): Promise<Router | undefined> {
    return this.once(`router:${id}`, () => this.m.routers.get(this.ctx, id).catch(() => undefined));
  }

  port(id: string): Promise<Port | undefined> {
    return this.once(`port:${id}`, () => this.m.ports.get(this.ctx, id).catch(() => undefined));
  }

  /** The routers' interfaces on the subnet. */
  routerInterfaces(subnetId: string): Promise<RouterInterface[]> {
    return this.once(`rif:${subnetId}`, async () => {
      const ports = await this.m.ports.list(this.ctx, { filters: { device_owner: ROUTER_INTERFACE_OWNERS, fixed_ips: [{ subnet_id: [subnetId] }] }, sorts: [] });
      const out: RouterInterface[] = [];
      for (const port of ports) {
        const router = await this.router(port.device_id);
        const ip = port.fixed_ips.find((f) => f.subnet_id === subnetId)?.ip_address;
        if (router && ip) out.push({ router, port, ip });
      }
      return out;
    });
  }

  /** The router's gateway port. */
  gatewayPort(routerId: string): Promise<Port | undefined> {
    return this.once(`gw:${routerId}`, async () =>
      (await this.m.ports.list(this.ctx, { filters: { device_id: [routerId], device_owner: [ROUTER_GATEWAY_OWNER] }, sorts: [] }))[0]);
  }

  /** The floating IPs associated with the port. */
  floatingIpsOf(portId: string): Promise<FloatingIp[]> {
    return this.once(`fips:${portId}`, () => this.m.floatingIps.list(this.ctx, { filters: { port_id: [portId] }, sorts: [] }));
  }

  securityGroup(id: string): Promise<SecurityGroup | undefined> {
    return this.once(`sg:${id}`, () => this.m.securityGroups.get(this.ctx, id).catch(() => undefined));
  }

  /** An address group's addresses (none when it is gone). */
  addressGroupAddresses(id: string): Promise<string[]> {
    return this.once(`ag:${id}`, () => this.m.addressGroups.get(this.ctx, id).then((g) => g.addresses, () => []));
  }

  /** The DHCP agents the network is scheduled to, as the API shows agents (with `alive`). */
  dhcpAgents(networkId: string): Promise<Agent[]> {
    return this.once(`dhcp:${networkId}`, async () => (await this.m.agents.dhcpAgentsFor(networkId)).map((r) => this.m.agents.view(r)));
  }

  /** The L3 agents hosting the router. */
  l3Agents(routerId: string): Promise<Agent[]> {
    return this.once(`l3:${routerId}`, async () => (await this.m.agents.l3AgentsFor(routerId)).map((r) => this.m.agents.view(r)));
  }

  /** External networks (for the fixes that need one). */
  externalNetworks(): Promise<Network[]> {
    return this.once('ext', () => this.m.networks.list(this.ctx, { filters: { 'router:external': [true] }, sorts: [] }));
  }
}
