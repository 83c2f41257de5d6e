/**
 * Floating IPs (neutron/db/l3_db.py): an address on an external network held by a
 * network:floatingip port, associated with a project port's fixed IPv4 address through the
 * router that connects that port's subnet to the external network
 * (ExternalGatewayForFloatingIPNotFound when none does). Status stays DOWN until an L3 agent
 * reports it (update_floatingip_statuses). Unused floating IPs go with their external network
 * (network BEFORE_DELETE); a port being deleted loses its floating IPs, and the port API may
 * not delete a floating IP's own port (port BEFORE_DELETE).
 */
import { randomUUID } from 'node:crypto';
import { isSet } from '../common/attributes.js';
import type { NeutronContext } from '../common/context.js';
import { type EventRegistry, type NetworkDeleting, type PortDeleting, PRIORITY_CHECK, PRIORITY_RELEASE } from '../common/events.js';
import { parseIp } from '../common/netaddr.js';
import { applyFilters, columnsOf, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { FloatingIpRow } from '../db/schema.js';
import { checkRevision, type Db, groupBy, nextRevision, now, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  ExternalGatewayForFloatingIPNotFound, FipInUseByPortForwarding, FloatingIPNotFound, FloatingIPPortAlreadyAssociated,
  IpAddressGenerationFailure, NetworkNotFound, NeutronBadRequest, PortNotFound, ServicePortInUse,
} from '../errors.js';
import type { WriteOptions } from '../types/common.js';
import type { FloatingIp, FloatingIpCreate, FloatingIpUpdate } from '../types/floating-ip.js';
import type { FixedIpRequest, Port } from '../types/port.js';
import type { NetworkManager } from './networks.js';
import type { PortManager } from './ports.js';
import { L3_PORT_OWNERS, type RouterManager } from './routers.js';
import type { ResourceHandlers } from './types.js';
import { ownedBy } from './visibility.js';

export const DEVICE_OWNER_FLOATINGIP = 'network:floatingip';

export interface FloatingIpDeps {
  store: Store;
  networks: NetworkManager;
  ports: PortManager;
  routers: RouterManager;
  events: EventRegistry;
}

const spec: ListSpec<'floatingips'> = {
  table: 'floatingips',
  tagType: 'floatingips',
  columns: {
    ...stringColumns<'floatingips'>('id', 'project_id', 'floating_ip_address', 'floating_network_id', 'router_id', 'fixed_ip_address', 'status',
      'description', 'created_at', 'updated_at', 'dns_name', 'dns_domain'),
    ...columnsOf<'floatingips'>('int', 'revision_number'),
    port_id: { column: 'fixed_port_id', kind: 'string' },
  },
};

/** The association a request asks for: the port, its fixed IP and the router between them. */
interface Association {
  portId: string;
  fixedIp: string;
  routerId: string;
}

export class FloatingIpManager implements ResourceHandlers<FloatingIp, FloatingIpCreate, FloatingIpUpdate> {
  constructor(private readonly d: FloatingIpDeps) {
    // these floating IPs' ports would keep the network in use: they go before the ports' check
    d.events.subscribe('network', 'before_delete', (e) => this.deleteForNetwork(e), PRIORITY_RELEASE);
    d.events.subscribe('port', 'before_delete', (e) => this.preventPortDeletion(e), PRIORITY_CHECK);
    d.events.subscribe('port', 'before_delete', ({ ctx, port }) => this.disassociatePort(ctx, port.id));
  }

  private get db(): Db {
    return this.d.store.db;
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<FloatingIp[]> {
    let qb = this.db.selectFrom('floatingips').selectAll('floatingips');
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'floatingips'));
    qb = applyFilters(qb, spec, q.filters);
    return this.view(await runPaged(this.db, qb, spec, q));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<FloatingIpRow> {
    let qb = db.selectFrom('floatingips').selectAll('floatingips').where('floatingips.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'floatingips'));
    const row = await qb.executeTakeFirst();
    if (!row) throw new FloatingIPNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<FloatingIp> {
    return this.viewOne(await this.getRow(ctx, id));
  }

  private async viewOne(row: FloatingIpRow): Promise<FloatingIp> {
    return (await this.view([row]))[0]!;
  }

  async view(rows: FloatingIpRow[], db: Db = this.db): Promise<FloatingIp[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const portIds = rows.map((r) => r.fixed_port_id).filter((x): x is string => Boolean(x));
    const [ports, pfs, tags] = await Promise.all([
      portIds.length ? db.selectFrom('ports').selectAll().where('id', 'in', portIds).execute() : Promise.resolve([]),
      db.selectFrom('portforwardings').selectAll().where('floatingip_id', 'in', ids).execute(),
      tagsOf(db, 'floatingips', ids),
    ]);
    const pfBy = groupBy(pfs, (p) => p.floatingip_id);
    return rows.map((r): FloatingIp => {
      const port = ports.find((p) => p.id === r.fixed_port_id);
      return {
        id: r.id,
        tenant_id: r.project_id,
        project_id: r.project_id,
        floating_ip_address: r.floating_ip_address,
        floating_network_id: r.floating_network_id,
        router_id: r.router_id,
        port_id: r.fixed_port_id,
        fixed_ip_address: r.fixed_ip_address,
        status: r.status,
        port_details: port ? {
          name: port.name, network_id: port.network_id, mac_address: port.mac_address, admin_state_up: Boolean(Number(port.admin_state_up)),
          status: port.status, device_id: port.device_id, device_owner: port.device_owner,
        } : null,
        port_forwardings: (pfBy.get(r.id) ?? []).map((p) => ({
          id: p.id, protocol: p.protocol, internal_ip_address: p.internal_ip_address, internal_port: Number(p.internal_port_start),
          external_port: Number(p.external_port_start), internal_port_id: p.internal_port_id,
        })),
        dns_name: r.dns_name,
        dns_domain: r.dns_domain,
        tags: tags.get(r.id) ?? [],
        ...standardView(r),
      };
    });
  }

  /** Internal port, fixed IP and router of an association request (_get_assoc_data). */
  private async assocData(ctx: NeutronContext, fip: { project_id: string; floating_network_id: string; id: string }, portId: string, fixedIp: string | null | undefined): Promise<Association> {
    const port = await this.d.ports.findRow(ctx, portId);
    if (!port) throw new PortNotFound(portId);
    if (port.project_id !== fip.project_id && !ctx.isAdmin) {
      throw new NeutronBadRequest('floatingip', `Cannot process floating IP association with Port ${portId}, since that port is owned by a different project`);
    }
    if (port.device_owner.startsWith('network:')) throw new NeutronBadRequest('floatingip', `Port ${portId} is unable to be assigned a floating IP`);
    const ips = await this.db.selectFrom('ipallocations').innerJoin('subnets', 'subnets.id', 'ipallocations.subnet_id')
      .select(['ipallocations.ip_address', 'ipallocations.subnet_id', 'subnets.gateway_ip']).where('ipallocations.port_id', '=', portId).execute();
    let chosen: (typeof ips)[number] | undefined;
    if (isSet(fixedIp)) {
      if (parseIp(fixedIp)?.version !== 4) throw new NeutronBadRequest('floatingip', `Cannot process floating IP association with ${fixedIp}, since that is not an IPv4 address`);
      chosen = ips.find((i) => i.ip_address === fixedIp);
      if (!chosen) throw new NeutronBadRequest('floatingip', `Port ${portId} does not have fixed ip ${fixedIp}`);
    } else {
      const v4 = ips.filter((i) => parseIp(i.ip_address)?.version === 4);
      if (v4.length === 0) throw new NeutronBadRequest('floatingip', `Cannot add floating IP to port ${portId} that has no fixed IPv4 addresses`);
      if (v4.length > 1) throw new NeutronBadRequest('floatingip', `Port ${portId} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`);
      chosen = v4[0]!;
    }
    const routerId = await this.d.routers.routerForFloatingIp(port.network_id, chosen.subnet_id, chosen.gateway_ip, fip.floating_network_id);
    if (!routerId) throw new ExternalGatewayForFloatingIPNotFound(fip.floating_network_id, chosen.subnet_id, portId);
    const other = await this.db.selectFrom('floatingips').selectAll().where('fixed_port_id', '=', portId)
      .where('floating_network_id', '=', fip.floating_network_id).where('fixed_ip_address', '=', chosen.ip_address).where('id', '!=', fip.id).executeTakeFirst();
    if (other) throw new FloatingIPPortAlreadyAssociated(other.floating_ip_address, other.id, portId, chosen.ip_address, fip.floating_network_id);
    return { portId, fixedIp: chosen.ip_address, routerId };
  }

  async create(ctx: NeutronContext, body: FloatingIpCreate): Promise<FloatingIp> {
    const netId = body.floating_network_id;
    // _get_network with the caller's context: a network it cannot see is not found
    const net = await this.d.networks.findRow(ctx, netId);
    if (!net) throw new NetworkNotFound(netId);
    if (!Number(net.router_external)) throw new NeutronBadRequest('floatingip', `Network ${netId} is not a valid external network`);
    const v4 = await this.db.selectFrom('subnets').select('id').where('network_id', '=', netId).where('ip_version', '=', 4).execute();
    if (v4.length === 0) throw new NeutronBadRequest('floatingip', `Network ${netId} does not contain any IPv4 subnet`);
    const id = randomUUID();
    const projectId = body.project_id;
    const fixedIps: FixedIpRequest[] = [];
    if (isSet(body.subnet_id) || isSet(body.floating_ip_address)) {
      const entry: FixedIpRequest = {};
      if (isSet(body.subnet_id)) {
        const sub = await this.db.selectFrom('subnets').select(['id', 'network_id']).where('id', '=', body.subnet_id).executeTakeFirst();
        if (!sub || sub.network_id !== netId) throw new NeutronBadRequest('floatingip', `Invalid subnet ${body.subnet_id} for network ${netId}`);
        entry.subnet_id = sub.id;
      }
      if (isSet(body.floating_ip_address)) entry.ip_address = body.floating_ip_address;
      fixedIps.push(entry);
    } else {
      for (const s of v4) fixedIps.push({ subnet_id: s.id });
    }
    // association data first: a bad port must not leave a floating IP port behind
    const assoc = isSet(body.port_id)
      ? await this.assocData(ctx, { project_id: projectId, floating_network_id: netId, id }, body.port_id, body.fixed_ip_address)
      : undefined;
    if (!assoc && isSet(body.fixed_ip_address)) throw new NeutronBadRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
    const port = await this.createFipPort(ctx, netId, id, fixedIps.length > 1 ? undefined : fixedIps);
    const v4ip = port.fixed_ips.find((f) => parseIp(f.ip_address)?.version === 4);
    if (!v4ip) {
      await this.d.ports.deleteInternal(ctx.elevated(), port.id);
      throw new NeutronBadRequest('floatingip', `No IPv4 address could be allocated on network ${netId}`);
    }
    const t = now();
    const row: FloatingIpRow = {
      id, project_id: projectId, floating_ip_address: v4ip.ip_address, floating_network_id: netId, floating_port_id: port.id,
      fixed_port_id: assoc?.portId ?? null, fixed_ip_address: assoc?.fixedIp ?? null, router_id: assoc?.routerId ?? null, status: 'DOWN',
      dns_name: body.dns_name ?? '', dns_domain: body.dns_domain ?? '',
      description: body.description ?? '', revision_number: 0, created_at: t, updated_at: t,
    };
    try {
      await this.d.store.write(async (tx) => {
        await tx.insertInto('floatingips').values(row).execute();
        if (isSet(body.tags)) await setTags(tx, 'floatingips', id, body.tags);
      });
    } catch (err) {
      await this.d.ports.deleteInternal(ctx.elevated(), port.id);
      throw err;
    }
    const current = await this.viewOne(row);
    await this.d.events.publish('floatingip', 'after_create', { ctx, current });
    return current;
  }

  /** The network:floatingip port; one IPv4 address from the first subnet that has one. */
  private async createFipPort(ctx: NeutronContext, netId: string, fipId: string, fixedIps: FixedIpRequest[] | undefined): Promise<Port> {
    const base = { network_id: netId, project_id: '', name: '', admin_state_up: true, device_id: fipId, device_owner: DEVICE_OWNER_FLOATINGIP };
    if (fixedIps) return this.d.ports.create(ctx.elevated(), { ...base, fixed_ips: fixedIps });
    const subnets = await this.db.selectFrom('subnets').select('id').where('network_id', '=', netId).where('ip_version', '=', 4).orderBy('created_at').execute();
    let last: IpAddressGenerationFailure | undefined;
    for (const s of subnets) {
      try {
        return await this.d.ports.create(ctx.elevated(), { ...base, fixed_ips: [{ subnet_id: s.id }] });
      } catch (err) {
        if (!(err instanceof IpAddressGenerationFailure)) throw err;
        last = err;
      }
    }
    throw last ?? new IpAddressGenerationFailure(netId);
  }

  async update(ctx: NeutronContext, id: string, body: FloatingIpUpdate, opts: WriteOptions): Promise<FloatingIp> {
    const row = await this.getRow(ctx, id);
    checkRevision(opts.ifMatch, row.revision_number);
    const original = await this.viewOne(row);
    const set: Partial<FloatingIpRow> = {};
    if (body.description !== undefined) set.description = body.description;
    // an update with an empty body clears the association, as it always has
    const blank = Object.keys(body).length === 0;
    if (blank) Object.assign(set, { fixed_port_id: null, fixed_ip_address: null, router_id: row.fixed_port_id ? null : row.router_id });
    if ('port_id' in body || 'fixed_ip_address' in body) {
      const portId = 'port_id' in body ? body.port_id ?? null : row.fixed_port_id;
      if (!portId) {
        if (isSet(body.fixed_ip_address)) throw new NeutronBadRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
        Object.assign(set, { fixed_port_id: null, fixed_ip_address: null, router_id: null });
      } else {
        const pfs = await this.db.selectFrom('portforwardings').select('id').where('floatingip_id', '=', id).executeTakeFirst();
        if (pfs) throw new FipInUseByPortForwarding(id);
        const a = await this.assocData(ctx, row, portId, body.fixed_ip_address);
        Object.assign(set, { fixed_port_id: a.portId, fixed_ip_address: a.fixedIp, router_id: a.routerId });
      }
    }
    await this.d.store.write((tx) => tx.updateTable('floatingips').set({ ...set, ...nextRevision() }).where('id', '=', id).execute());
    const current = await this.get(ctx.elevated(), id);
    await this.d.events.publish('floatingip', 'after_update', { ctx, current, original });
    return current;
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const row = await this.getRow(ctx, id);
    checkRevision(opts.ifMatch, row.revision_number);
    const original = await this.viewOne(row);
    await this.d.store.write(async (tx) => {
      const pfs = await tx.selectFrom('portforwardings').select('id').where('floatingip_id', '=', id).executeTakeFirst();
      if (pfs) throw new FipInUseByPortForwarding(id);
      await tx.deleteFrom('tags').where('resource_type', '=', 'floatingips').where('resource_id', '=', id).execute();
      await tx.deleteFrom('floatingips').where('id', '=', id).execute();
    });
    await this.d.ports.deleteInternal(ctx.elevated(), row.floating_port_id);
    await this.d.events.publish('floatingip', 'after_delete', { ctx, current: original });
  }

  /** Ports going away lose their floating IPs (disassociate_floatingips). */
  private async disassociatePort(ctx: NeutronContext, portId: string): Promise<void> {
    const rows = await this.db.selectFrom('floatingips').selectAll().where('fixed_port_id', '=', portId).execute();
    for (const r of rows) {
      const original = await this.viewOne(r);
      await this.d.store.write((tx) => tx.updateTable('floatingips').set({ fixed_port_id: null, fixed_ip_address: null, router_id: null, ...nextRevision() })
        .where('id', '=', r.id).execute());
      const current = await this.get(ctx.elevated(), r.id);
      await this.d.events.publish('floatingip', 'after_update', { ctx, current, original });
    }
  }

  /** Floating IPs of an external network being deleted, when not associated. */
  private async deleteForNetwork({ ctx, network }: NetworkDeleting): Promise<void> {
    if (!network['router:external']) return;
    const rows = await this.db.selectFrom('floatingips').select('id').where('floating_network_id', '=', network.id).where('fixed_port_id', 'is', null).execute();
    for (const r of rows) await this.delete(ctx.elevated(), r.id, {});
  }

  /** prevent_l3_port_deletion: the port API may not delete the port of an existing floating IP. */
  private async preventPortDeletion({ port, l3Check }: PortDeleting): Promise<void> {
    if (!l3Check || !L3_PORT_OWNERS.includes(port.device_owner)) return;
    const fip = await this.db.selectFrom('floatingips').select('id').where('id', '=', port.device_id).executeTakeFirst();
    if (fip) throw new ServicePortInUse(port.id, `has device owner ${port.device_owner}`);
  }

  /** update_floatingip_statuses from an L3 agent. */
  async setStatuses(statuses: ReadonlyMap<string, string>): Promise<void> {
    for (const [id, status] of statuses) {
      await this.d.store.write((tx) => tx.updateTable('floatingips').set({ status, ...nextRevision() }).where('id', '=', id).execute());
    }
  }
}
