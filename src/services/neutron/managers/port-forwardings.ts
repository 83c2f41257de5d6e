/**
 * Floating IP port forwardings (neutron/services/portforwarding/pf_plugin.py): an external
 * TCP/UDP port of a floating IP forwarded to an address and port of an internal port that the
 * floating IP's router can reach. A floating IP with forwardings cannot be associated with a
 * port, and one associated with a port cannot have forwardings.
 */
import { randomUUID } from 'node:crypto';
import type { NeutronContext } from '../common/context.js';
import type { EventRegistry } from '../common/events.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { PortForwardingRow } from '../db/schema.js';
import { type Db, nextRevision, now, standardView, type Store } from '../db/store.js';
import { ExternalGatewayForFloatingIPNotFound, FloatingIPPortAlreadyAssociated, InUse, NeutronBadRequest, PortForwardingNotFound, PortNotFound } from '../errors.js';
import type { WriteOptions } from '../types/common.js';
import type { PortForwarding, PortForwardingCreate, PortForwardingUpdate } from '../types/floating-ip.js';
import type { FloatingIpManager } from './floating-ips.js';
import type { PortManager } from './ports.js';
import type { RouterManager } from './routers.js';
import type { PolicyAttributes, ResourceHandlers } from './types.js';

const spec: ListSpec<'portforwardings'> = {
  table: 'portforwardings',
  columns: {
    ...stringColumns<'portforwardings'>('id', 'protocol', 'internal_port_id', 'description'),
    external_port: { column: 'external_port_start', kind: 'int' },
  },
};

function view(r: PortForwardingRow): PortForwarding {
  return {
    id: r.id,
    external_port: Number(r.external_port_start),
    internal_port: Number(r.internal_port_start),
    internal_ip_address: r.internal_ip_address,
    protocol: r.protocol,
    internal_port_id: r.internal_port_id,
    ...standardView(r),
  };
}

class PortHasBindingFloatingIP extends InUse {
  constructor(fipAddress: string, fipId: string, portId: string, fixedIp: string) {
    super(`Cannot create port forwarding to floating IP ${fipAddress} (${fipId}) with port ${portId} using fixed IP ${fixedIp}, as that port already has a binding floating IP.`);
  }
}

/** The floating IP of a port forwarding request (its parent in the URL). */
function parent(fipId: string | undefined): string {
  return fipId ?? '';
}

export class PortForwardingManager implements ResourceHandlers<PortForwarding, PortForwardingCreate, PortForwardingUpdate> {
  constructor(
    private readonly store: Store, private readonly fips: FloatingIpManager, private readonly ports: PortManager, private readonly routers: RouterManager,
    private readonly events?: EventRegistry,
  ) {}

  /** The L3 agents of the routers serving the floating IP's forwardings hear of the change. */
  private async changed(ctx: NeutronContext, ...routerIds: Array<string | null | undefined>): Promise<void> {
    const ids = [...new Set(routerIds.filter((r): r is string => !!r))];
    if (ids.length) await this.events?.publish('port_forwarding', 'after_change', { ctx, routerIds: ids });
  }

  async list(ctx: NeutronContext, q: ListQuery, fipId?: string): Promise<PortForwarding[]> {
    await this.fips.getRow(ctx, parent(fipId));
    const qb = applyFilters(this.store.db.selectFrom('portforwardings').selectAll('portforwardings').where('floatingip_id', '=', parent(fipId)), spec, q.filters);
    return (await runPaged(this.store.db, qb, spec, q)).map(view);
  }

  private async row(ctx: NeutronContext, id: string, fipId: string): Promise<PortForwardingRow> {
    await this.fips.getRow(ctx, fipId);
    const row = await this.store.db.selectFrom('portforwardings').selectAll().where('id', '=', id).where('floatingip_id', '=', fipId).executeTakeFirst();
    if (!row) throw new PortForwardingNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string, fipId?: string): Promise<PortForwarding> {
    return view(await this.row(ctx, id, parent(fipId)));
  }

  /** A port forwarding belongs to its floating IP's project. */
  async policyAttributes(ctx: NeutronContext, _item: PortForwarding | PortForwardingCreate, fipId: string | undefined): Promise<PolicyAttributes> {
    const fip = await this.fips.getRow(ctx.elevated(), parent(fipId)).catch(() => undefined);
    return fip ? { project_id: fip.project_id, tenant_id: fip.project_id, 'ext_parent:project_id': fip.project_id, 'ext_parent:tenant_id': fip.project_id } : {};
  }

  /** The internal port's address and the router that can reach it from the floating IP's network. */
  private async checkInternal(ctx: NeutronContext, fip: { id: string; floating_network_id: string; router_id: string | null }, portId: string, ip: string): Promise<string> {
    const port = await this.ports.findRow(ctx, portId);
    if (!port) throw new PortNotFound(portId);
    const alloc = await this.store.db.selectFrom('ipallocations').innerJoin('subnets', 'subnets.id', 'ipallocations.subnet_id')
      .select(['ipallocations.subnet_id', 'subnets.gateway_ip']).where('ipallocations.port_id', '=', portId).where('ipallocations.ip_address', '=', ip).executeTakeFirst();
    if (!alloc) {
      throw new NeutronBadRequest('port_forwarding', `The internal IP does not correspond to an address on the internal port, which has fixed IPs`);
    }
    const routerId = await this.routers.routerForFloatingIp(port.network_id, alloc.subnet_id, alloc.gateway_ip, fip.floating_network_id);
    if (!routerId) throw new ExternalGatewayForFloatingIPNotFound(fip.floating_network_id, alloc.subnet_id, portId);
    if (fip.router_id && fip.router_id !== routerId) throw new NeutronBadRequest('port_forwarding', `The floating IP ${fip.id} is already served by another router`);
    return routerId;
  }

  async create(ctx: NeutronContext, body: PortForwardingCreate, fipId?: string): Promise<PortForwarding> {
    const fip = await this.fips.getRow(ctx, parent(fipId));
    const portId = body.internal_port_id;
    const ip = body.internal_ip_address;
    const t = now();
    const row: PortForwardingRow = {
      id: randomUUID(), floatingip_id: fip.id, internal_port_id: portId, internal_ip_address: ip,
      internal_port_start: body.internal_port, internal_port_end: body.internal_port,
      external_port_start: body.external_port, external_port_end: body.external_port,
      protocol: body.protocol, description: body.description ?? '', revision_number: 0, created_at: t, updated_at: t,
    };
    // as pf_plugin: collisions first, then the port's own floating IP, then the floating IP's port
    await this.checkUnique(this.store.db, row, 'A duplicate port forwarding entry with same attributes already exists');
    const bound = await this.store.db.selectFrom('floatingips').select(['id', 'floating_ip_address']).where('fixed_port_id', '=', portId).executeTakeFirst();
    if (bound) throw new PortHasBindingFloatingIP(bound.floating_ip_address, bound.id, portId, ip);
    if (fip.fixed_port_id) throw new FloatingIPPortAlreadyAssociated(fip.floating_ip_address, fip.id, portId, ip, fip.floating_network_id);
    const routerId = await this.checkInternal(ctx, fip, portId, ip);
    await this.store.write(async (tx) => {
      await this.checkUnique(tx, row, 'A duplicate port forwarding entry with same attributes already exists');
      await tx.insertInto('portforwardings').values(row).execute();
      await tx.updateTable('floatingips').set({ router_id: routerId, ...nextRevision() }).where('id', '=', fip.id).execute();
    });
    await this.changed(ctx, routerId);
    return view(row);
  }

  private async checkUnique(tx: Db, r: PortForwardingRow, what: string): Promise<void> {
    const others = await tx.selectFrom('portforwardings').selectAll().where('id', '!=', r.id).where('protocol', '=', r.protocol).execute();
    for (const o of others) {
      if (o.floatingip_id === r.floatingip_id && Number(o.external_port_start) === r.external_port_start) {
        throw new NeutronBadRequest('port_forwarding', `${what}, conflicting values are {'floatingip_id': '${r.floatingip_id}', 'external_port': ${r.external_port_start}}`);
      }
      if (o.internal_port_id === r.internal_port_id && o.internal_ip_address === r.internal_ip_address && Number(o.internal_port_start) === r.internal_port_start) {
        throw new NeutronBadRequest('port_forwarding', `${what}, conflicting values are {'internal_port_id': '${r.internal_port_id}', 'internal_ip_address': '${r.internal_ip_address}', 'internal_port': ${r.internal_port_start}}`);
      }
    }
  }

  async update(ctx: NeutronContext, id: string, body: PortForwardingUpdate, _opts: WriteOptions, fipId?: string): Promise<PortForwarding> {
    const row = await this.row(ctx, id, parent(fipId));
    const next: PortForwardingRow = { ...row };
    if (body.internal_port_id !== undefined) next.internal_port_id = body.internal_port_id;
    if (body.internal_ip_address !== undefined) next.internal_ip_address = body.internal_ip_address;
    if (body.internal_port !== undefined) next.internal_port_start = next.internal_port_end = body.internal_port;
    if (body.external_port !== undefined) next.external_port_start = next.external_port_end = body.external_port;
    if (body.protocol !== undefined) next.protocol = body.protocol;
    if (body.description !== undefined) next.description = body.description;
    if (body.internal_port_id !== undefined || body.internal_ip_address !== undefined) {
      const fip = await this.fips.getRow(ctx, parent(fipId));
      await this.checkInternal(ctx, { ...fip, router_id: null }, next.internal_port_id, next.internal_ip_address);
    }
    await this.store.write(async (tx) => {
      await this.checkUnique(tx, next, 'Another port forwarding entry with the same attributes already exists');
      const { id: _id, floatingip_id: _f, created_at: _c, revision_number: _r, ...rest } = next;
      await tx.updateTable('portforwardings').set({ ...rest, revision_number: Number(row.revision_number) + 1, updated_at: now() }).where('id', '=', id).execute();
    });
    await this.changed(ctx, (await this.fips.getRow(ctx, parent(fipId))).router_id);
    return this.get(ctx, id, fipId);
  }

  async delete(ctx: NeutronContext, id: string, _opts: WriteOptions, fipId?: string): Promise<void> {
    await this.row(ctx, id, parent(fipId));
    const routerId = (await this.fips.getRow(ctx, parent(fipId))).router_id;
    await this.store.write(async (tx) => {
      await tx.deleteFrom('portforwardings').where('id', '=', id).execute();
      const left = await tx.selectFrom('portforwardings').select('id').where('floatingip_id', '=', parent(fipId)).executeTakeFirst();
      if (!left) await tx.updateTable('floatingips').set({ router_id: null, ...nextRevision() }).where('id', '=', parent(fipId)).execute();
    });
    await this.changed(ctx, routerId);
  }
}
