/**
 * Routers (neutron/db/l3_db.py, l3_gwmode_db.py, extraroute_db.py): the external gateway
 * (a network:router_gateway port on an external network, SNAT on or off, chosen external IPs),
 * interfaces added by subnet (a port holding the subnet's gateway IP) or by port, interface
 * removal guarded by floating IPs and routes, and extra routes whose next hops must be on a
 * connected subnet.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { displayValue } from '../../../common/display.js';
import { NeutronContext } from '../context.js';
import { isSet } from '../api/attributes/spec.js';
import { cidrContains, cidrsOverlap, cidrToString, formatIp, parseCidr, parseIp } from '../common/netaddr.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { RouterRow } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, groupBy, now, parseJson, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  InvalidInput, NetworkNotFound, NeutronBadRequest, PortInUse, PortNotFound, RouterExternalGatewayInUseByFloatingIp, RouterInterfaceInUseByFloatingIP,
  RouterInterfaceNotFound, RouterInterfaceNotFoundForSubnet, RouterInUse, RouterNotFound, SubnetNotFound,
} from '../errors.js';
import type { EventBus } from '../events.js';
import { ROUTER_INTERFACE_OWNERS } from '../ipam/pools.js';
import type { NetworkManager } from './networks.js';
import type { PortManager } from './ports.js';
import type { SubnetManager } from './subnets.js';
import type { Dict, ResourceHandlers, WriteOptions } from './types.js';
import { ownedBy } from './visibility.js';

export const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface';
export const DEVICE_OWNER_ROUTER_GW = 'network:router_gateway';

export interface RouterDeps {
  store: Store;
  networks: NetworkManager;
  subnets: SubnetManager;
  ports: PortManager;
  events: EventBus;
  /** Availability zones of L3 agents (hints validation) and of the agents hosting routers. */
  routerAvailabilityZones(): Promise<string[]>;
  hostingZones(db: Db, routerIds: string[]): Promise<Map<string, string[]>>;
}

const spec: ListSpec = {
  table: 'routers',
  tagType: 'routers',
  columns: {
    ...stringColumns('id', 'name', 'project_id', 'status', 'description', 'created_at', 'updated_at'),
    admin_state_up: { column: 'admin_state_up', kind: 'bool' },
    revision_number: { column: 'revision_number', kind: 'int' },
  },
};

function invalidRoutes(routes: unknown, reason: string): InvalidInput {
  const err = new InvalidInput(`Invalid format for routes: ${JSON.stringify(routes).replace(/"/g, "'")}, ${reason}`);
  err.name = 'InvalidRoutes';
  return err;
}

export class RouterManager implements ResourceHandlers {
  constructor(private readonly d: RouterDeps) {}

  private get db(): Db {
    return this.d.store.db;
  }

  private visible(ctx: NeutronContext, qb: any): any {
    return ctx.unscoped ? qb : qb.where(ownedBy(ctx, 'routers.project_id'));
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Dict[]> {
    const qb = applyFilters(this.visible(ctx, (this.db as Kysely<any>).selectFrom('routers').selectAll('routers')), spec, q.filters);
    return this.view(await runPaged<RouterRow>(this.db, qb, spec, q));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<RouterRow> {
    const row = await this.visible(ctx, (db as Kysely<any>).selectFrom('routers').selectAll('routers').where('routers.id', '=', id)).executeTakeFirst();
    if (!row) throw new RouterNotFound(id);
    return row as RouterRow;
  }

  async get(ctx: NeutronContext, id: string): Promise<Dict> {
    return (await this.view([await this.getRow(ctx, id)]))[0]!;
  }

  async view(rows: RouterRow[], db: Db = this.db): Promise<Dict[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const gwPorts = rows.map((r) => r.gw_port_id).filter((x): x is string => Boolean(x));
    const [routes, gwIps, tags, zones] = await Promise.all([
      db.selectFrom('routerroutes').selectAll().where('router_id', 'in', ids).execute(),
      gwPorts.length ? db.selectFrom('ipallocations').selectAll().where('port_id', 'in', gwPorts).execute() : Promise.resolve([]),
      tagsOf(db, 'routers', ids),
      this.d.hostingZones(db, ids),
    ]);
    const routesBy = groupBy(routes, (r) => r.router_id);
    return rows.map((r) => ({
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
      availability_zone_hints: parseJson<string[]>(r.availability_zone_hints, []),
      availability_zones: zones.get(r.id) ?? [],
      tags: tags.get(r.id) ?? [],
      ...standardView(r),
    }));
  }

  async create(ctx: NeutronContext, body: Dict): Promise<Dict> {
    const hints = Array.isArray(body.availability_zone_hints) ? (body.availability_zone_hints as string[]) : [];
    if (hints.length) {
      const known = await this.d.routerAvailabilityZones();
      for (const az of hints) if (!known.includes(az)) throw new InvalidInput(`AvailabilityZone ${az} could not be found`);
    }
    const t = now();
    const row: RouterRow = {
      id: randomUUID(), project_id: String(body.project_id), name: String(body.name ?? ''), status: 'ACTIVE',
      admin_state_up: body.admin_state_up === false ? 0 : 1, gw_port_id: null, gw_network_id: null, enable_snat: 1,
      availability_zone_hints: JSON.stringify(hints), description: String(body.description ?? ''), revision_number: 0, created_at: t, updated_at: t,
    };
    await this.d.store.write(async (tx) => {
      await tx.insertInto('routers').values(row).execute();
      if (isSet(body.tags)) await setTags(tx, 'routers', row.id, body.tags as string[]);
    });
    const gw = body.external_gateway_info as Dict | null | undefined;
    if (gw && Object.keys(gw).length) {
      try {
        await this.setGateway(ctx, row.id, gw);
      } catch (err) {
        await this.deleteRouterRow(row.id);
        throw err;
      }
    }
    const current = await this.get(ctx.elevated(), row.id);
    await this.d.events.publish({ resource: 'router', action: 'create', ctx, current });
    return current;
  }

  async update(ctx: NeutronContext, id: string, body: Dict, opts: WriteOptions): Promise<Dict> {
    const row = await this.getRow(ctx, id);
    checkRevision(opts.ifMatch, row.revision_number);
    const original = (await this.view([row]))[0]!;
    if ('external_gateway_info' in body) {
      const gw = body.external_gateway_info as Dict | null;
      if (!gw || Object.keys(gw).length === 0) await this.clearGateway(ctx, id);
      else await this.setGateway(ctx, id, gw);
    }
    if ('routes' in body) await this.updateRoutes(id, (body.routes as Array<{ destination: string; nexthop: string }>) ?? []);
    await this.d.store.write(async (tx) => {
      const set: Partial<RouterRow> = {};
      if ('name' in body) set.name = String(body.name);
      if ('description' in body) set.description = String(body.description);
      if ('admin_state_up' in body) set.admin_state_up = body.admin_state_up ? 1 : 0;
      await bumpRevision(tx, 'routers', id, set);
    });
    const current = await this.get(ctx.elevated(), id);
    await this.d.events.publish({ resource: 'router', action: 'update', ctx, current, original });
    return current;
  }

  private async updateRoutes(id: string, routes: Array<{ destination: string; nexthop: string }>): Promise<void> {
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
  private async setGateway(ctx: NeutronContext, id: string, info: Dict): Promise<void> {
    const router = await this.getRow(ctx.elevated(), id);
    const networkId = String(info.network_id);
    const net = await this.d.networks.findRow(ctx, networkId);
    if (!net) throw new NetworkNotFound(networkId);
    if (!Number(net.router_external)) throw new NeutronBadRequest('router', `Network ${networkId} is not an external network`);
    const enableSnat = info.enable_snat === undefined ? (router.gw_port_id ? Boolean(Number(router.enable_snat)) : true) : Boolean(info.enable_snat);
    const extIps = Array.isArray(info.external_fixed_ips) ? (info.external_fixed_ips as Array<{ subnet_id?: string; ip_address?: string }>) : undefined;
    const sameNetwork = router.gw_network_id === networkId && router.gw_port_id;
    if (sameNetwork) {
      if (extIps) {
        const current = await this.db.selectFrom('ipallocations').select(['subnet_id', 'ip_address']).where('port_id', '=', router.gw_port_id!).execute();
        const changed = extIps.length !== current.length || extIps.some((e) => !current.some((c) => (e.ip_address === undefined || c.ip_address === e.ip_address) && (e.subnet_id === undefined || c.subnet_id === e.subnet_id)));
        if (changed) await this.d.ports.update(ctx.elevated(), router.gw_port_id!, { fixed_ips: extIps }, {});
      }
      await this.d.store.write((tx) => bumpRevision(tx, 'routers', id, { enable_snat: enableSnat ? 1 : 0 }));
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
    if ((port.fixed_ips as unknown[]).length === 0) {
      await this.d.ports.deleteInternal(ctx.elevated(), String(port.id));
      throw new NeutronBadRequest('router', `No IPs available for external network ${networkId}`);
    }
    await this.d.store.write(async (tx) => {
      await tx.insertInto('routerports').values({ router_id: id, port_id: String(port.id), port_type: DEVICE_OWNER_ROUTER_GW }).execute();
      await bumpRevision(tx, 'routers', id, { gw_port_id: String(port.id), gw_network_id: networkId, enable_snat: enableSnat ? 1 : 0 });
    });
  }

  private async clearGateway(ctx: NeutronContext, id: string): Promise<void> {
    const router = await this.getRow(ctx.elevated(), id);
    if (!router.gw_port_id) return;
    const fip = await this.db.selectFrom('floatingips').select('id').where('router_id', '=', id).where('floating_network_id', '=', router.gw_network_id!).executeTakeFirst();
    if (fip) throw new RouterExternalGatewayInUseByFloatingIp(id, router.gw_network_id!);
    await this.d.store.write(async (tx) => {
      await bumpRevision(tx, 'routers', id, { gw_port_id: null, gw_network_id: null });
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
  async addInterface(ctx: NeutronContext, id: string, info: Dict): Promise<Dict> {
    const router = await this.getRow(ctx, id);
    const { byPort, bySubnet } = this.interfaceInfo(info);
    let portId: string;
    let subnetIds: string[];
    if (byPort) {
      const port = await this.d.ports.findRow(ctx, String(info.port_id));
      if (!port) throw new PortNotFound(String(info.port_id));
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
      const subnet = await this.d.subnets.getRow(ctx, String(bySubnet));
      if (!subnet.gateway_ip) throw new NeutronBadRequest('router', 'Subnet for router interface must have a gateway IP');
      if (Number(subnet.ip_version) === 6 && subnet.ipv6_ra_mode === null && subnet.ipv6_address_mode !== null) {
        throw new NeutronBadRequest('router', `IPv6 subnet ${subnet.id} configured to receive RAs from an external router cannot be added to Neutron Router.`);
      }
      if (!ctx.unscoped && subnet.project_id !== ctx.projectId) {
        const net = await this.d.networks.networkOwnerInfo(this.db, subnet.network_id, ctx.projectId);
        if (!net?.shared) throw new NeutronBadRequest('router', `Cannot add interface to router because subnet ${subnet.id} is not owned by project making the request`);
      }
      await this.checkNoOverlap(id, [subnet]);
      const port = await this.d.ports.create(ctx.elevated(), {
        network_id: subnet.network_id, project_id: subnet.project_id, name: '', admin_state_up: true, device_id: id, device_owner: DEVICE_OWNER_ROUTER_INTF,
        fixed_ips: [{ subnet_id: subnet.id, ip_address: subnet.gateway_ip }],
      });
      portId = String(port.id);
      subnetIds = [subnet.id];
    }
    await this.d.store.write(async (tx) => {
      await tx.insertInto('routerports').values({ router_id: id, port_id: portId, port_type: DEVICE_OWNER_ROUTER_INTF }).execute();
      await bumpRevision(tx, 'routers', id);
    });
    const port = await this.d.ports.get(ctx.elevated(), portId);
    await this.d.events.publish({ resource: 'router_interface', action: 'create', ctx, current: port, routerId: id });
    return { id, tenant_id: router.project_id, project_id: router.project_id, port_id: portId, network_id: port.network_id, subnet_id: subnetIds[0], subnet_ids: subnetIds };
  }

  private interfaceInfo(info: Dict): { byPort: boolean; bySubnet: string | undefined } {
    if (!info || typeof info !== 'object') throw new NeutronBadRequest('router', 'Either subnet_id or port_id must be specified');
    const byPort = isSet(info.port_id);
    const bySubnet = isSet(info.subnet_id) ? displayValue(info.subnet_id) : undefined;
    if (!byPort && !bySubnet) throw new NeutronBadRequest('router', 'Either subnet_id or port_id must be specified');
    if (byPort && bySubnet) throw new NeutronBadRequest('router', 'Cannot specify both subnet-id and port-id');
    for (const k of ['port_id', 'subnet_id']) {
      const v = info[k];
      if (isSet(v) && !(typeof v === 'string' && /^[0-9a-f-]{32,36}$/i.test(v))) throw new NeutronBadRequest('router', `'${displayValue(v)}' is not a valid UUID`);
    }
    return { byPort, bySubnet };
  }

  /** PUT /routers/{id}/remove_router_interface with {subnet_id} or {port_id}. */
  async removeInterface(ctx: NeutronContext, id: string, info: Dict): Promise<Dict> {
    const router = await this.getRow(ctx, id);
    const { byPort, bySubnet } = this.interfaceInfo(info);
    const ifaces = await this.interfaceSubnets(this.db, id);
    let portId: string;
    let subnetIds: string[];
    if (byPort) {
      portId = String(info.port_id);
      const mine = ifaces.filter((i) => i.port_id === portId);
      if (mine.length === 0) throw new RouterInterfaceNotFound(id, portId);
      if (bySubnet && !mine.some((m) => m.id === bySubnet)) throw new RouterInterfaceNotFoundForSubnet(id, bySubnet);
      subnetIds = mine.map((m) => m.id);
    } else {
      const subnet = await this.d.subnets.getRow(ctx.elevated(), bySubnet!).catch(() => undefined);
      if (!subnet) throw new SubnetNotFound(bySubnet!);
      const hit = ifaces.find((i) => i.id === bySubnet);
      if (!hit) throw new RouterInterfaceNotFoundForSubnet(id, bySubnet!);
      portId = hit.port_id;
      subnetIds = [bySubnet!];
    }
    for (const sid of subnetIds) await this.checkInterfaceNotInUse(id, sid);
    const port = await this.d.ports.get(ctx.elevated(), portId);
    const remaining = (port.fixed_ips as Array<{ subnet_id: string; ip_address: string }>).filter((f) => !subnetIds.includes(f.subnet_id));
    if (remaining.length > 0 && !byPort) {
      await this.d.ports.update(ctx.elevated(), portId, { fixed_ips: remaining }, {});
    } else {
      await this.d.store.write(async (tx) => {
        await tx.deleteFrom('routerports').where('port_id', '=', portId).execute();
        await bumpRevision(tx, 'routers', id);
      });
      await this.d.ports.deleteInternal(ctx.elevated(), portId);
    }
    await this.d.events.publish({ resource: 'router_interface', action: 'delete', ctx, current: port, routerId: id });
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
    await this.d.events.publish({ resource: 'router', action: 'delete', ctx, current: original });
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

  /** Whether the router that owns an L3 port still exists (prevent_l3_port_deletion). */
  async ownsPort(deviceId: string): Promise<boolean> {
    return Boolean(await this.db.selectFrom('routers').select('id').where('id', '=', deviceId).executeTakeFirst());
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
