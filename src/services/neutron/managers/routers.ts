/**
 * Routers (neutron/db/l3_db.py, l3_gwmode_db.py, extraroute_db.py): the external gateway
 * (a network:router_gateway port on an external network, SNAT on or off, chosen external IPs),
 * interfaces added by subnet (a port holding the subnet's gateway IP) or by port, interface
 * removal guarded by floating IPs and routes, and extra routes whose next hops must be on a
 * connected subnet. The port API may not delete a router's ports (port BEFORE_DELETE).
 */
import { randomUUID } from 'node:crypto';
import { isSet } from '../common/attributes.js';
import { NeutronContext } from '../common/context.js';
import { type EventRegistry, type PortDeleting, PRIORITY_CHECK } from '../common/events.js';
import { cidrContains, cidrsOverlap, cidrToString, formatIp, parseCidr, parseIp } from '../common/netaddr.js';
import { applyFilters, columnsOf, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { RouterRow } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, groupBy, nextRevision, now, parseJsonStrings, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  InvalidInput, NetworkNotFound, NeutronBadRequest, PortInUse, PortNotFound, RouterExternalGatewayInUseByFloatingIp, RouterInterfaceInUseByFloatingIP,
  RouterInterfaceNotFound, RouterInterfaceNotFoundForSubnet, RouterInUse, RouterNotFound, ServicePortInUse, SubnetNotFound,
} from '../errors.js';
import { ROUTER_INTERFACE_OWNERS } from '../ipam/pools.js';
import type { ZoneResource } from '../types/agent.js';
import type { WriteOptions } from '../types/common.js';
import type { FixedIp } from '../types/port.js';
import type {
  ExternalGatewayRequest, GatewayRequest, Router, RouterCreate, RouterInterfaceInfo, RouterInterfaceRequest, RouterUpdate,
} from '../types/router.js';
import type { HostRoute } from '../types/subnet.js';
import type { NetworkManager } from './networks.js';
import type { PortManager } from './ports.js';
import type { SubnetManager } from './subnets.js';
import type { ResourceHandlers } from './types.js';
import { ownedBy } from './visibility.js';

export const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface';
export const DEVICE_OWNER_ROUTER_GW = 'network:router_gateway';

/** Owners of ports the port API may not delete while their router / floating IP exists. */
export const L3_PORT_OWNERS = ['network:router_interface', 'network:router_gateway', 'network:floatingip', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];

/** Availability zones from the agents: those offered, and those hosting each router. */
export interface RouterZones {
  zoneNames(resource: ZoneResource): Promise<string[]>;
  routerZones(db: Db, routerIds: string[]): Promise<Map<string, string[]>>;
}

export interface RouterDeps {
  store: Store;
  networks: NetworkManager;
  subnets: SubnetManager;
  ports: PortManager;
  events: EventRegistry;
  zones: RouterZones;
}

const spec: ListSpec<'routers'> = {
  table: 'routers',
  tagType: 'routers',
  columns: {
    ...stringColumns<'routers'>('id', 'name', 'project_id', 'status', 'description', 'created_at', 'updated_at'),
    ...columnsOf<'routers'>('bool', 'admin_state_up'),
    ...columnsOf<'routers'>('int', 'revision_number'),
  },
};

function invalidRoutes(routes: HostRoute[], reason: string): InvalidInput {
  const err = new InvalidInput(`Invalid format for routes: ${JSON.stringify(routes).replace(/"/g, "'")}, ${reason}`);
  err.name = 'InvalidRoutes';
  return err;
}

/** A gateway request that names a network (`{}` and null name none). */
function gatewayOf(info: GatewayRequest | null | undefined): ExternalGatewayRequest | undefined {
  return info && namesNetwork(info) ? info : undefined;
}

function namesNetwork(info: GatewayRequest): info is ExternalGatewayRequest {
  return 'network_id' in info;
}

export class RouterManager implements ResourceHandlers<Router, RouterCreate, RouterUpdate> {
  constructor(private readonly d: RouterDeps) {
    d.events.subscribe('port', 'before_delete', (e) => this.preventPortDeletion(e), PRIORITY_CHECK);
  }

  private get db(): Db {
    return this.d.store.db;
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Router[]> {
    let qb = this.db.selectFrom('routers').selectAll('routers');
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'routers'));
    qb = applyFilters(qb, spec, q.filters);
    return this.view(await runPaged(this.db, qb, spec, q));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<RouterRow> {
    let qb = db.selectFrom('routers').selectAll('routers').where('routers.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'routers'));
    const row = await qb.executeTakeFirst();
    if (!row) throw new RouterNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<Router> {
    return (await this.view([await this.getRow(ctx, id)]))[0]!;
  }

  async view(rows: RouterRow[], db: Db = this.db): Promise<Router[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const gwPorts = rows.map((r) => r.gw_port_id).filter((x): x is string => Boolean(x));
    const [routes, gwIps, tags, zones] = await Promise.all([
      db.selectFrom('routerroutes').selectAll().where('router_id', 'in', ids).execute(),
      gwPorts.length ? db.selectFrom('ipallocations').selectAll().where('port_id', 'in', gwPorts).execute() : Promise.resolve([]),
      tagsOf(db, 'routers', ids),
      this.d.zones.routerZones(db, ids),
    ]);
    const routesBy = groupBy(routes, (r) => r.router_id);
    return rows.map((r): Router => ({
      id: r.id,
      name: r.name,
      tenant_id: r.project_id,
      project_id: r.project_id,
      admin_state_up: Boolean(Number(r.admin_state_up)),
      status: r.status,
      external_gateway_info: r.gw_port_id && r.gw_network_id ? {
        network_id: r.gw_network_id,
        enable_snat: Boolean(Number(r.enable_snat)),
        external_fixed_ips: gwIps.filter((i) => i.port_id === r.gw_port_id).map((i) => ({ subnet_id: i.subnet_id, ip_address: i.ip_address })),
      } : null,
      routes: (routesBy.get(r.id) ?? []).map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
      availability_zone_hints: parseJsonStrings(r.availability_zone_hints),
      availability_zones: zones.get(r.id) ?? [],
      tags: tags.get(r.id) ?? [],
      ...standardView(r),
    }));
  }

  async create(ctx: NeutronContext, body: RouterCreate): Promise<Router> {
    const hints = body.availability_zone_hints ?? [];
    if (hints.length) {
      const known = await this.d.zones.zoneNames('router');
      for (const az of hints) if (!known.includes(az)) throw new InvalidInput(`AvailabilityZone ${az} could not be found`);
    }
    const t = now();
    const row: RouterRow = {
      id: randomUUID(), project_id: body.project_id, name: body.name ?? '', status: 'ACTIVE',
      admin_state_up: body.admin_state_up === false ? 0 : 1, gw_port_id: null, gw_network_id: null, enable_snat: 1,
      availability_zone_hints: JSON.stringify(hints), description: body.description ?? '', revision_number: 0, created_at: t, updated_at: t,
    };
    await this.d.store.write(async (tx) => {
      await tx.insertInto('routers').values(row).execute();
      if (isSet(body.tags)) await setTags(tx, 'routers', row.id, body.tags);
    });
    const gw = gatewayOf(body.external_gateway_info);
    if (gw) {
      try {
        await this.setGateway(ctx, row.id, gw);
      } catch (err) {
        await this.deleteRouterRow(row.id);
        throw err;
      }
    }
    const current = await this.get(ctx.elevated(), row.id);
    await this.d.events.publish('router', 'after_create', { ctx, current });
    return current;
  }

  async update(ctx: NeutronContext, id: string, body: RouterUpdate, opts: WriteOptions): Promise<Router> {
    const row = await this.getRow(ctx, id);
    checkRevision(opts.ifMatch, row.revision_number);
    const original = (await this.view([row]))[0]!;
    if ('external_gateway_info' in body) {
      const gw = gatewayOf(body.external_gateway_info);
      if (gw) await this.setGateway(ctx, id, gw);
      else await this.clearGateway(ctx, id);
    }
    if (body.routes !== undefined) await this.updateRoutes(id, body.routes);
    await this.d.store.write(async (tx) => {
      const set: Partial<RouterRow> = {};
      if (body.name !== undefined) set.name = body.name;
      if (body.description !== undefined) set.description = body.description;
      if ('admin_state_up' in body) set.admin_state_up = body.admin_state_up ? 1 : 0;
      await tx.updateTable('routers').set({ ...set, ...nextRevision() }).where('id', '=', id).execute();
    });
    const current = await this.get(ctx.elevated(), id);
    await this.d.events.publish('router', 'after_update', { ctx, current, original });
    return current;
  }

  private async updateRoutes(id: string, routes: HostRoute[]): Promise<void> {
    const ports = await this.db.selectFrom('ports').innerJoin('ipallocations', 'ipallocations.port_id', 'ports.id')
      .innerJoin('subnets', 'subnets.id', 'ipallocations.subnet_id')
      .select(['ipallocations.ip_address', 'subnets.cidr']).where('ports.device_id', '=', id).execute();
    for (const r of routes) {
      const hop = parseIp(r.nexthop)!;
      if (!ports.some((p) => cidrContains(parseCidr(p.cidr)!, hop))) throw invalidRoutes(routes, 'the nexthop is not connected with router');
      if (ports.some((p) => parseIp(p.ip_address)?.value === hop.value && parseIp(p.ip_address)?.version === hop.version)) throw invalidRoutes(routes, 'the nexthop is used by router');
    }
    await this.d.store.write(async (tx) => {
      await tx.deleteFrom('routerroutes').where('router_id', '=', id).execute();
      const seen = new Set<string>();
      for (const r of routes) {
        const dest = cidrToString(parseCidr(r.destination)!);
        const hop = formatIp(parseIp(r.nexthop)!.version, parseIp(r.nexthop)!.value);
        if (seen.has(`${dest}|${hop}`)) continue;
        seen.add(`${dest}|${hop}`);
        await tx.insertInto('routerroutes').values({ router_id: id, destination: dest, nexthop: hop }).execute();
      }
    });
  }

  /** Sets (or changes) the external gateway (_update_router_gw_info). */
  private async setGateway(ctx: NeutronContext, id: string, info: ExternalGatewayRequest): Promise<void> {
    const router = await this.getRow(ctx.elevated(), id);
    const networkId = info.network_id;
    const net = await this.d.networks.findRow(ctx, networkId);
    if (!net) throw new NetworkNotFound(networkId);
    if (!Number(net.router_external)) throw new NeutronBadRequest('router', `Network ${networkId} is not an external network`);
    const enableSnat = info.enable_snat === undefined ? (router.gw_port_id ? Boolean(Number(router.enable_snat)) : true) : info.enable_snat;
    const extIps = info.external_fixed_ips;
    if (router.gw_network_id === networkId && router.gw_port_id) {
      const gwPortId = router.gw_port_id;
      if (extIps) {
        const current = await this.db.selectFrom('ipallocations').select(['subnet_id', 'ip_address']).where('port_id', '=', gwPortId).execute();
        const changed = extIps.length !== current.length || extIps.some((e) => !current.some((c) => (e.ip_address === undefined || c.ip_address === e.ip_address) && (e.subnet_id === undefined || c.subnet_id === e.subnet_id)));
        if (changed) await this.d.ports.update(ctx.elevated(), gwPortId, { fixed_ips: extIps }, {});
      }
      await this.d.store.write((tx) => tx.updateTable('routers').set({ enable_snat: enableSnat ? 1 : 0, ...nextRevision() }).where('id', '=', id).execute());
      return;
    }
    if (router.gw_port_id) await this.clearGateway(ctx, id);
    // the external subnets must not overlap the router's internal subnets
    const extSubnets = await this.db.selectFrom('subnets').select(['id', 'cidr']).where('network_id', '=', networkId).execute();
    const internal = await this.interfaceSubnets(this.db, id);
    for (const e of extSubnets) {
      for (const i of internal) {
        if (cidrsOverlap(parseCidr(e.cidr)!, parseCidr(i.cidr)!)) {
          throw new NeutronBadRequest('router', `Cidr ${i.cidr} of subnet ${i.id} overlaps with cidr ${e.cidr} of subnet ${e.id}`);
        }
      }
    }
    const port = await this.d.ports.create(ctx.elevated(), {
      network_id: networkId, project_id: '', name: '', admin_state_up: true, device_id: id, device_owner: DEVICE_OWNER_ROUTER_GW,
      ...(extIps ? { fixed_ips: extIps } : {}),
    });
    // An external network without subnets gives a gateway port without IPs (l3_db logs "No IPs
    // available" and goes on): the gateway is set, SNAT has nothing to use until a subnet comes.
    await this.d.store.write(async (tx) => {
      await tx.insertInto('routerports').values({ router_id: id, port_id: port.id, port_type: DEVICE_OWNER_ROUTER_GW }).execute();
      await tx.updateTable('routers').set({ gw_port_id: port.id, gw_network_id: networkId, enable_snat: enableSnat ? 1 : 0, ...nextRevision() }).where('id', '=', id).execute();
    });
  }

  private async clearGateway(ctx: NeutronContext, id: string): Promise<void> {
    const router = await this.getRow(ctx.elevated(), id);
    if (!router.gw_port_id) return;
    const gwNetwork = router.gw_network_id ?? '';
    const fip = await this.db.selectFrom('floatingips').select('id').where('router_id', '=', id).where('floating_network_id', '=', gwNetwork).executeTakeFirst();
    if (fip) throw new RouterExternalGatewayInUseByFloatingIp(id, gwNetwork);
    await this.d.store.write(async (tx) => {
      await tx.updateTable('routers').set({ gw_port_id: null, gw_network_id: null, ...nextRevision() }).where('id', '=', id).execute();
    });
    await this.d.ports.deleteInternal(ctx.elevated(), router.gw_port_id);
  }

  private async interfaceSubnets(db: Db, routerId: string): Promise<Array<{ id: string; cidr: string; network_id: string; port_id: string }>> {
    return db.selectFrom('routerports').innerJoin('ipallocations', 'ipallocations.port_id', 'routerports.port_id')
      .innerJoin('subnets', 'subnets.id', 'ipallocations.subnet_id')
      .select(['subnets.id', 'subnets.cidr', 'subnets.network_id', 'routerports.port_id'])
      .where('routerports.router_id', '=', routerId).where('routerports.port_type', '!=', DEVICE_OWNER_ROUTER_GW).execute();
  }

  private async checkNoOverlap(routerId: string, subnets: Array<{ id: string; cidr: string }>): Promise<void> {
    const existing = await this.interfaceSubnets(this.db, routerId);
    const router = await this.db.selectFrom('routers').select(['gw_network_id']).where('id', '=', routerId).executeTakeFirstOrThrow();
    const ext = router.gw_network_id ? await this.db.selectFrom('subnets').select(['id', 'cidr']).where('network_id', '=', router.gw_network_id).execute() : [];
    for (const s of subnets) {
      if (existing.some((e) => e.id === s.id)) throw new NeutronBadRequest('router', `Router already has a port on subnet ${s.id}`);
      for (const e of [...existing, ...ext]) {
        if (cidrsOverlap(parseCidr(e.cidr)!, parseCidr(s.cidr)!)) {
          throw new NeutronBadRequest('router', `Cidr ${s.cidr} of subnet ${s.id} overlaps with cidr ${e.cidr} of subnet ${e.id}`);
        }
      }
    }
  }

  /** PUT /routers/{id}/add_router_interface with {subnet_id} or {port_id}. */
  async addInterface(ctx: NeutronContext, id: string, info: RouterInterfaceRequest): Promise<RouterInterfaceInfo> {
    const router = await this.getRow(ctx, id);
    let portId: string;
    let subnetIds: string[];
    if (info.port_id !== undefined) {
      const port = await this.d.ports.findRow(ctx, info.port_id);
      if (!port) throw new PortNotFound(info.port_id);
      if (port.device_id || port.device_owner) throw new PortInUse(port.id, port.network_id, port.device_id);
      const ips = await this.db.selectFrom('ipallocations').innerJoin('subnets', 'subnets.id', 'ipallocations.subnet_id')
        .select(['subnets.id', 'subnets.cidr', 'subnets.ip_version']).where('ipallocations.port_id', '=', port.id).execute();
      if (ips.length === 0) throw new NeutronBadRequest('router', 'Router port must have at least one fixed IP');
      if (ips.filter((s) => Number(s.ip_version) === 4).length > 1) throw new NeutronBadRequest('router', 'Cannot have multiple IPv4 subnets on router port');
      await this.checkNoOverlap(id, ips);
      await this.d.ports.update(ctx.elevated(), port.id, { device_id: id, device_owner: DEVICE_OWNER_ROUTER_INTF }, {});
      portId = port.id;
      subnetIds = ips.map((s) => s.id);
    } else {
      const subnet = await this.d.subnets.getRow(ctx, info.subnet_id);
      const gatewayIp = subnet.gateway_ip;
      if (!gatewayIp) throw new NeutronBadRequest('router', 'Subnet for router interface must have a gateway IP');
      if (Number(subnet.ip_version) === 6 && subnet.ipv6_ra_mode === null && subnet.ipv6_address_mode !== null) {
        throw new NeutronBadRequest('router', `IPv6 subnet ${subnet.id} configured to receive RAs from an external router cannot be added to Neutron Router.`);
      }
      if (!ctx.unscoped && subnet.project_id !== ctx.projectId) {
        const net = await this.d.networks.networkOwner(subnet.network_id, ctx.projectId);
        if (!net?.shared) throw new NeutronBadRequest('router', `Cannot add interface to router because subnet ${subnet.id} is not owned by project making the request`);
      }
      await this.checkNoOverlap(id, [subnet]);
      const port = await this.d.ports.create(ctx.elevated(), {
        network_id: subnet.network_id, project_id: subnet.project_id, name: '', admin_state_up: true, device_id: id, device_owner: DEVICE_OWNER_ROUTER_INTF,
        fixed_ips: [{ subnet_id: subnet.id, ip_address: gatewayIp }],
      });
      portId = port.id;
      subnetIds = [subnet.id];
    }
    await this.d.store.write(async (tx) => {
      await tx.insertInto('routerports').values({ router_id: id, port_id: portId, port_type: DEVICE_OWNER_ROUTER_INTF }).execute();
      await bumpRevision(tx, 'routers', id);
    });
    const port = await this.d.ports.get(ctx.elevated(), portId);
    await this.d.events.publish('router_interface', 'after_create', { ctx, routerId: id, port });
    return { id, tenant_id: router.project_id, project_id: router.project_id, port_id: portId, network_id: port.network_id, subnet_id: subnetIds[0], subnet_ids: subnetIds };
  }

  /** PUT /routers/{id}/remove_router_interface with {subnet_id} or {port_id}. */
  async removeInterface(ctx: NeutronContext, id: string, info: RouterInterfaceRequest): Promise<RouterInterfaceInfo> {
    const router = await this.getRow(ctx, id);
    const ifaces = await this.interfaceSubnets(this.db, id);
    let portId: string;
    let subnetIds: string[];
    if (info.port_id !== undefined) {
      const byPort = info.port_id;
      const mine = ifaces.filter((i) => i.port_id === byPort);
      if (mine.length === 0) throw new RouterInterfaceNotFound(id, byPort);
      portId = byPort;
      subnetIds = mine.map((m) => m.id);
    } else {
      const bySubnet = info.subnet_id;
      const subnet = await this.d.subnets.getRow(ctx.elevated(), bySubnet).catch(() => undefined);
      if (!subnet) throw new SubnetNotFound(bySubnet);
      const hit = ifaces.find((i) => i.id === bySubnet);
      if (!hit) throw new RouterInterfaceNotFoundForSubnet(id, bySubnet);
      portId = hit.port_id;
      subnetIds = [bySubnet];
    }
    for (const sid of subnetIds) await this.checkInterfaceNotInUse(id, sid);
    const port = await this.d.ports.get(ctx.elevated(), portId);
    const remaining: FixedIp[] = port.fixed_ips.filter((f) => !subnetIds.includes(f.subnet_id));
    if (remaining.length > 0 && info.port_id === undefined) {
      await this.d.ports.update(ctx.elevated(), portId, { fixed_ips: remaining }, {});
    } else {
      await this.d.store.write(async (tx) => {
        await tx.deleteFrom('routerports').where('port_id', '=', portId).execute();
        await bumpRevision(tx, 'routers', id);
      });
      await this.d.ports.deleteInternal(ctx.elevated(), portId);
    }
    await this.d.events.publish('router_interface', 'after_delete', { ctx, routerId: id, port });
    return { id, tenant_id: router.project_id, project_id: router.project_id, port_id: portId, network_id: port.network_id, subnet_id: subnetIds[0], subnet_ids: subnetIds };
  }

  /** Floating IPs and routes that depend on a router interface (_confirm_router_interface_not_in_use). */
  private async checkInterfaceNotInUse(routerId: string, subnetId: string): Promise<void> {
    const subnet = await this.db.selectFrom('subnets').select(['cidr']).where('id', '=', subnetId).executeTakeFirstOrThrow();
    const cidr = parseCidr(subnet.cidr)!;
    const fips = await this.db.selectFrom('floatingips').select(['fixed_ip_address']).where('router_id', '=', routerId).execute();
    if (fips.some((f) => f.fixed_ip_address && cidrContains(cidr, parseIp(f.fixed_ip_address)!))) throw new RouterInterfaceInUseByFloatingIP(routerId, subnetId);
    const routes = await this.db.selectFrom('routerroutes').select('nexthop').where('router_id', '=', routerId).execute();
    if (routes.some((r) => cidrContains(cidr, parseIp(r.nexthop)!))) {
      const err = new RouterInUse(routerId);
      err.message = `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more routes.`;
      err.name = 'RouterInterfaceInUseByRoute';
      throw err;
    }
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const row = await this.getRow(ctx, id);
    checkRevision(opts.ifMatch, row.revision_number);
    const original = (await this.view([row]))[0]!;
    const attached = await this.db.selectFrom('routerports').select('port_id').where('router_id', '=', id).where('port_type', '!=', DEVICE_OWNER_ROUTER_GW).execute();
    if (attached.length) throw new RouterInUse(id, `has ports still attached: ${attached.map((a) => a.port_id).join(', ')}`);
    await this.clearGateway(ctx, id);
    await this.deleteRouterRow(id);
    await this.d.events.publish('router', 'after_delete', { ctx, current: original });
  }

  private async deleteRouterRow(id: string): Promise<void> {
    const gw = await this.db.selectFrom('routers').select('gw_port_id').where('id', '=', id).executeTakeFirst();
    if (gw?.gw_port_id) await this.d.ports.deleteInternal(NeutronContext.admin(), gw.gw_port_id);
    await this.d.store.write(async (tx) => {
      await tx.updateTable('floatingips').set({ router_id: null }).where('router_id', '=', id).execute();
      await tx.deleteFrom('tags').where('resource_type', '=', 'routers').where('resource_id', '=', id).execute();
      await tx.deleteFrom('routers').where('id', '=', id).execute();
    });
  }

  /** prevent_l3_port_deletion: the port API may not delete a port of an existing router. */
  private async preventPortDeletion({ port, l3Check }: PortDeleting): Promise<void> {
    if (!l3Check || !L3_PORT_OWNERS.includes(port.device_owner)) return;
    const router = await this.db.selectFrom('routers').select('id').where('id', '=', port.device_id).executeTakeFirst();
    if (router) throw new ServicePortInUse(port.id, `has device owner ${port.device_owner}`);
  }

  /**
   * The router that connects an internal subnet to an external network
   * (get_router_for_floatingip); prefers the router holding the subnet's gateway IP.
   */
  async routerForFloatingIp(networkId: string, subnetId: string, gatewayIp: string | null, externalNetworkId: string): Promise<string | undefined> {
    const rows = await this.db.selectFrom('routerports').innerJoin('ports', 'ports.id', 'routerports.port_id')
      .innerJoin('ipallocations', 'ipallocations.port_id', 'ports.id')
      .innerJoin('routers', 'routers.id', 'routerports.router_id')
      .select(['routerports.router_id', 'ipallocations.ip_address'])
      .where('ports.network_id', '=', networkId).where('routerports.port_type', 'in', ROUTER_INTERFACE_OWNERS)
      .where('ipallocations.subnet_id', '=', subnetId).where('routers.gw_network_id', '=', externalNetworkId)
      .execute();
    const exact = rows.find((r) => r.ip_address === gatewayIp);
    return (exact ?? rows[0])?.router_id;
  }
}
