/**
 * Nova's network API over Neutron (nova/network/neutron.py):
 *  - validateNetworks (API): the requested networks and ports exist for the user, ports are
 *    free and have addresses, `auto` and the pre-2.37 "nothing asked" resolve to the one network
 *    the project can use;
 *  - allocateForInstance (compute host): ports created for the server (with the user's token,
 *    so they belong to its project) or taken over, then bound to the host with the service's
 *    admin token (device_id, device_owner compute:<zone>, binding:host_id), and the network
 *    info of the bound ports;
 *  - deallocateForInstance: ports Nova created are deleted, ports the user gave are unbound;
 *  - networkInfo: the VIFs of an instance's ports as nova's network model.
 */
import { ServiceClientError, type Port } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import {
  ExternalNetworkAttachForbidden, InvalidFixedIpAndMaxCountRequest, MultiplePortsNotApplicable, NetworkAmbiguous, NetworkNotFound,
  NetworkRequiresSubnet, NoUniqueMatch, PortInUse, PortNotFound, PortRequiresFixedIP, SecurityGroupCannotBeApplied, SecurityGroupNotFound,
  UnableToAutoAllocateNetwork,
} from '../errors.js';
import { NetworkRequestList, type Instance, type NetworkRequestFields, type VifInfo } from '../objects/index.js';
import type { NovaNetworkClient, Subnet } from './client.js';

/** Device owner of a server's ports (nova: 'compute:%s' % availability_zone). */
export function deviceOwner(instance: Instance): string {
  return `compute:${instance.data.availability_zone ?? 'nova'}`;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ServiceClientError && err.status === 404;
}

export interface NeutronApiOptions {
  /** The service's own client (admin in its project, as nova's admin client). */
  admin: NovaNetworkClient;
  log: Logger;
  /** May the caller attach to an external network (policy network:attach_external_network)? */
  canAttachExternal?(ctx: RequestContext): boolean;
}

export class NeutronAPI {
  constructor(private readonly o: NeutronApiOptions) {}

  /** The client acting for the caller (their token; ours as service token). */
  private user(ctx: RequestContext): NovaNetworkClient {
    return ctx.token ? this.o.admin.forUser(ctx.token) : this.o.admin;
  }

  /** Networks the project may boot on (its own and the shared ones), as _get_available_networks. */
  private async availableNetworks(ctx: RequestContext): Promise<Array<{ id: string; name: string }>> {
    const client = this.user(ctx);
    const own = await client.listNetworks({ project_id: ctx.projectId ?? '', shared: false });
    const shared = await client.listNetworks({ shared: true });
    const all = [...own, ...shared].filter((n) => !n['router:external'] || n.shared);
    return [...new Map(all.map((n) => [n.id, { id: n.id, name: n.name }])).values()];
  }

  /**
   * validate_networks: checks the requested networks and ports for `maxCount` servers, and
   * returns the request with `auto` (or nothing asked before 2.37) resolved to a network.
   */
  async validateNetworks(ctx: RequestContext, requested: NetworkRequestList | null, maxCount: number): Promise<NetworkRequestList> {
    if (requested?.isNone) return requested;
    if (!requested || requested.objects.length === 0 || requested.isAuto) {
      const nets = await this.availableNetworks(ctx);
      if (nets.length > 1) throw new NetworkAmbiguous();
      if (nets.length === 0) {
        // _can_auto_allocate_network: Neutron's dry run says whether a topology can be made (409: no)
        if (requested?.isAuto) {
          await this.user(ctx).autoAllocatedTopology(ctx.projectId ?? '', true).catch((err: unknown) => {
            if (err instanceof ServiceClientError && err.status === 409) throw new UnableToAutoAllocateNetwork(ctx.projectId ?? '');
            throw err;
          });
          return requested;
        }
        return NetworkRequestList.of([]);
      }
      return NetworkRequestList.of([{ network_id: nets[0]!.id, address: null, port_id: null, tag: null }]);
    }
    const client = this.user(ctx);
    const ports = requested.objects.filter((r) => r.data.port_id);
    if (ports.length > 0 && maxCount > 1) {
      throw new MultiplePortsNotApplicable('Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.');
    }
    for (const r of requested.objects) {
      const { port_id: portId, network_id: networkId, address } = r.data;
      if (portId) {
        let port: Port;
        try {
          port = await client.getPort(portId);
        } catch (err) {
          if (isNotFound(err)) throw new PortNotFound(portId);
          throw err;
        }
        if (port.device_id) throw new PortInUse(portId);
        if (port.fixed_ips.length === 0) throw new PortRequiresFixedIP(portId);
        continue;
      }
      if (!networkId) continue;
      if (address && maxCount > 1) throw new InvalidFixedIpAndMaxCountRequest('max_count cannot be greater than 1 if an fixed_ip is specified.');
      let network;
      try {
        network = await client.getNetwork(networkId);
      } catch (err) {
        if (isNotFound(err)) throw new NetworkNotFound(networkId);
        throw err;
      }
      if (network.subnets.length === 0) throw new NetworkRequiresSubnet(networkId);
      if (network['router:external'] && !network.shared && !(this.o.canAttachExternal?.(ctx) ?? false)) {
        throw new ExternalNetworkAttachForbidden(networkId);
      }
    }
    return requested;
  }

  /** _auto_allocate_network: the project's auto-allocated network (Neutron makes it on first ask). @throws UnableToAutoAllocateNetwork */
  private async autoAllocateNetwork(ctx: RequestContext, instance: Instance): Promise<string> {
    const projectId = instance.data.project_id;
    try {
      const topology = await this.user(ctx).autoAllocatedTopology(projectId);
      return (await this.user(ctx).getNetwork(topology.id)).id;
    } catch (err) {
      if (err instanceof ServiceClientError && (err.status === 409 || err.status === 404)) throw new UnableToAutoAllocateNetwork(projectId);
      throw err;
    }
  }

  /** Security group names (or ids) of the project to ids (_process_security_groups). */
  private async securityGroupIds(ctx: RequestContext, projectId: string, names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const groups = await this.user(ctx).listSecurityGroups({ project_id: projectId, fields: ['id', 'name'] });
    return names.map((name) => {
      const byId = groups.find((g) => g.id === name);
      if (byId) return byId.id;
      const byName = groups.filter((g) => g.name === name);
      if (byName.length > 1) throw new NoUniqueMatch();
      if (byName.length === 0) throw new SecurityGroupNotFound(name);
      return byName[0]!.id;
    });
  }

  /** Check the security groups a boot asks for (API side). */
  async validateSecurityGroups(ctx: RequestContext, names: readonly string[]): Promise<void> {
    await this.securityGroupIds(ctx, ctx.projectId ?? '', names);
  }

  /**
   * allocate_for_instance: a port for each requested network (or the requested port), bound to
   * `host`; the instance's network info. On a failure the ports created so far are deleted and
   * the ports taken over are released again.
   */
  async allocateForInstance(ctx: RequestContext, instance: Instance, requested: NetworkRequestList, securityGroups: readonly string[], host: string): Promise<VifInfo[]> {
    if (requested.isNone || requested.objects.length === 0) return [];
    const created: string[] = [];
    const taken: string[] = [];
    const preserve = new Set<string>();
    try {
      const sgIds = await this.securityGroupIds(ctx, instance.data.project_id, securityGroups);
      const ports: Port[] = [];
      for (const r of requested.objects) {
        const req: NetworkRequestFields = requested.isAuto ? { ...r.data, network_id: await this.autoAllocateNetwork(ctx, instance) } : r.data;
        if (req.port_id) {
          ports.push(await this.o.admin.getPort(req.port_id));
          taken.push(req.port_id);
          preserve.add(req.port_id);
          continue;
        }
        const network = await this.user(ctx).getNetwork(req.network_id!);
        if (sgIds.length > 0 && network.port_security_enabled === false) throw new SecurityGroupCannotBeApplied();
        // Departure from nova (_create_port_minimal sets no device_id; the update below does): the
        // port carries the instance's id from its creation, so that a crash between the create and
        // the binding leaves no port that nothing can find again (conductor/recovery.ts).
        const port = await this.user(ctx).createPort({
          network_id: req.network_id!, project_id: instance.data.project_id, admin_state_up: true, device_id: instance.uuid,
          ...(req.address ? { fixed_ips: [{ ip_address: req.address }] } : {}),
          ...(sgIds.length > 0 && network.port_security_enabled !== false ? { security_groups: sgIds } : {}),
        });
        created.push(port.id);
        ports.push(port);
      }
      const bound: Port[] = [];
      for (const port of ports) {
        bound.push(await this.o.admin.updatePort(port.id, {
          device_id: instance.uuid, device_owner: deviceOwner(instance), 'binding:host_id': host,
        }));
      }
      return this.buildNetworkInfo(bound, preserve);
    } catch (err) {
      await this.releasePorts(created, taken);
      throw err;
    }
  }

  private async releasePorts(created: readonly string[], taken: readonly string[]): Promise<void> {
    for (const id of created) {
      await this.o.admin.deletePort(id).catch((e: unknown) => { if (!isNotFound(e)) this.o.log.warn({ err: e, port: id }, 'failed to delete port'); });
    }
    for (const id of taken) await this.unbindPort(id);
  }

  private async unbindPort(id: string): Promise<void> {
    await this.o.admin.updatePort(id, { device_id: '', device_owner: '', 'binding:host_id': '', 'binding:profile': {} })
      .catch((e: unknown) => { if (!isNotFound(e)) this.o.log.warn({ err: e, port: id }, 'failed to unbind port'); });
  }

  /**
   * deallocate_for_instance: every port of the instance goes, except the ones the user gave
   * (preserve_on_delete in the network info, or `userPorts`: the port ids of the request, for a
   * build whose network info was never written), which are unbound.
   */
  async deallocateForInstance(instance: Instance, userPorts: readonly string[] = []): Promise<void> {
    const preserved = new Set([...instance.data.network_info.filter((v) => v.preserve_on_delete).map((v) => v.id), ...userPorts]);
    const ports = await this.o.admin.listPorts({ device_id: instance.uuid });
    const keep = ports.filter((p) => preserved.has(p.id)).map((p) => p.id);
    const drop = ports.filter((p) => !preserved.has(p.id)).map((p) => p.id);
    await this.releasePorts(drop, keep);
  }

  /**
   * setup_networks_on_host / migrate_instance_finish: the instance's ports are bound to `host`
   * (binding:host_id; '' unbinds them, as cleanup_instance_network_on_host when a shelved
   * server leaves its host), keeping device_id; the refreshed network info.
   */
  async bindPortsToHost(instance: Instance, host: string): Promise<VifInfo[]> {
    const ports = await this.o.admin.listPorts({ device_id: instance.uuid });
    for (const port of ports) {
      await this.o.admin.updatePort(port.id, { 'binding:host_id': host, ...(host ? { device_owner: deviceOwner(instance) } : {}) });
    }
    return this.networkInfo(instance);
  }

  /** The current network info of an instance's ports (get_instance_nw_info). */
  async networkInfo(instance: Instance): Promise<VifInfo[]> {
    const preserved = new Set(instance.data.network_info.filter((v) => v.preserve_on_delete).map((v) => v.id));
    const ports = await this.o.admin.listPorts({ device_id: instance.uuid });
    const order = new Map(instance.data.network_info.map((v, i) => [v.id, i]));
    ports.sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
    return this.buildNetworkInfo(ports, preserved);
  }

  /** Ports to nova's network model: subnets, addresses, floating IPs, binding details. */
  private async buildNetworkInfo(ports: readonly Port[], preserve: ReadonlySet<string>): Promise<VifInfo[]> {
    if (ports.length === 0) return [];
    const subnetIds = [...new Set(ports.flatMap((p) => p.fixed_ips.map((f) => f.subnet_id)))];
    const networkIds = [...new Set(ports.map((p) => p.network_id))];
    const [subnets, networks, fips, dhcpPorts] = await Promise.all([
      subnetIds.length > 0 ? this.o.admin.listSubnets({ id: subnetIds }) : Promise.resolve([] as Subnet[]),
      this.o.admin.listNetworks({ id: networkIds }),
      this.o.admin.listFloatingIps({ port_id: ports.map((p) => p.id) }),
      this.o.admin.listPorts({ network_id: networkIds, device_owner: 'network:dhcp' }),
    ]);
    /** Subnet meta as _get_subnets_from_port: its DHCP port's address (else the gateway when DHCP is on), the IPv6 mode. */
    const subnetMeta = (s: Subnet): Record<string, unknown> => {
      const dhcp = dhcpPorts.flatMap((p) => p.fixed_ips).find((f) => f.subnet_id === s.id)?.ip_address ?? (s.enable_dhcp ? s.gateway_ip : undefined);
      return { ...(s.ipv6_address_mode ? { ipv6_address_mode: s.ipv6_address_mode } : {}), ...(dhcp ? { dhcp_server: dhcp } : {}) };
    };
    return ports.map((port) => {
      const network = networks.find((n) => n.id === port.network_id);
      const version = (ip: string): number => (ip.includes(':') ? 6 : 4);
      const portSubnets = subnets.filter((s) => port.fixed_ips.some((f) => f.subnet_id === s.id));
      return {
        id: port.id,
        address: port.mac_address,
        network: {
          id: port.network_id,
          bridge: null,
          label: network?.name ?? port.network_id,
          subnets: portSubnets.map((s) => ({
            cidr: s.cidr,
            gateway: { address: s.gateway_ip, type: 'gateway', version: s.gateway_ip ? version(s.gateway_ip) : null },
            ips: port.fixed_ips.filter((f) => f.subnet_id === s.id).map((f) => ({
              address: f.ip_address, type: 'fixed' as const, version: version(f.ip_address),
              floating_ips: fips.filter((fip) => fip.port_id === port.id && fip.fixed_ip_address === f.ip_address)
                .map((fip) => ({ address: fip.floating_ip_address, type: 'floating' as const, version: version(fip.floating_ip_address) })),
            })),
            dns: s.dns_nameservers.map((d) => ({ address: d, type: 'dns' as const, version: version(d) })),
            routes: s.host_routes,
            version: s.ip_version,
            meta: subnetMeta(s),
          })),
          meta: { injected: false, tenant_id: port.project_id, ...(network?.mtu ? { mtu: network.mtu } : {}) },
        },
        type: port['binding:vif_type'] ?? 'unbound',
        details: port['binding:vif_details'] ?? {},
        devname: `tap${port.id.slice(0, 11)}`,
        ovs_interfaceid: port['binding:vif_type'] === 'ovs' ? port.id : null,
        qbh_params: null,
        qbg_params: null,
        active: port.status === 'ACTIVE',
        vnic_type: port['binding:vnic_type'] ?? 'normal',
        profile: port['binding:profile'] ?? {},
        preserve_on_delete: preserve.has(port.id),
        delegate_create: true,
        meta: {},
      };
    });
  }

  // --- interface attachments and a server's security groups ---------------------------------

  /** The caller's client (for the per-server security group calls, network/security-groups.ts). */
  clientFor(ctx: RequestContext): NovaNetworkClient {
    return this.user(ctx);
  }

  /** list_ports(device_id=server) as the caller sees them. */
  async portsOf(ctx: RequestContext, instance: Instance): Promise<Port[]> {
    return this.user(ctx).listPorts({ device_id: instance.uuid });
  }

  /** show_port as the caller. @throws PortNotFound */
  async showPort(ctx: RequestContext, portId: string): Promise<Port> {
    try {
      return await this.user(ctx).getPort(portId);
    } catch (err) {
      if (isNotFound(err)) throw new PortNotFound(portId);
      throw err;
    }
  }

  /** deallocate_port_for_instance: a port Nova created is deleted, one the user gave (preserved) unbound. */
  async deallocatePort(portId: string, preserve: boolean): Promise<void> {
    if (preserve) await this.releasePorts([], [portId]);
    else await this.releasePorts([portId], []);
  }
}
