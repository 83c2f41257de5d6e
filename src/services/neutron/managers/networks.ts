/**
 * Networks (neutron/db/db_base_plugin_v2.py + ML2's create/update/delete_network): segments
 * from the type drivers, the MTU they allow, sharing through RBAC (`shared` is a wildcard
 * access_as_shared policy), `router:external` with its access_as_external policy, and the
 * network view with subnets, provider attributes, availability zones and address scopes.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NeutronContext } from '../context.js';
import { isSet, NOT_SPECIFIED } from '../api/attributes/spec.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { NetworkRow, NeutronDB } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, now, parseJson, setTags, standardView, type Store, tagsOf, type Tx } from '../db/store.js';
import {
  AvailabilityZoneNotFound, ExternalNetworkInUse, InvalidInput, InvalidSharedSetting, NetworkInUse, NetworkNotFound,
} from '../errors.js';
import type { EventBus } from '../events.js';
import type { MechanismManager } from '../ml2/mechanisms.js';
import { PROVIDER_ATTRS, TypeManager } from '../ml2/type-manager.js';
import type { Segment } from '../ml2/driver-api.js';
import type { Dict, ResourceHandlers, WriteOptions } from './types.js';
import { ACCESS_EXTERNAL, ACCESS_SHARED, networkVisible, rbacGrants } from './visibility.js';

/** Device owners whose ports go away with their network (db_base_plugin_v2 AUTO_DELETE_PORT_OWNERS). */
export const AUTO_DELETE_PORT_OWNERS = ['network:dhcp'];

export interface NetworkDeps {
  store: Store;
  types: TypeManager;
  mechanisms: MechanismManager;
  events: EventBus;
  /** Availability zones of network agents (for hints validation). */
  networkAvailabilityZones(): Promise<string[]>;
  /** Availability zones of the DHCP agents hosting each network. */
  hostingZones(db: Db, networkIds: string[]): Promise<Map<string, string[]>>;
  /** Deletes a subnet of a network being deleted (ports already gone). */
  deleteSubnetForNetwork(tx: Tx, ctx: NeutronContext, subnetId: string): Promise<void>;
  /** Deletes an auto-delete port (DHCP) of a network being deleted. */
  deletePortForNetwork(ctx: NeutronContext, portId: string): Promise<void>;
  /** Floating IPs on an external network that is going away. */
  deleteDisassociatedFloatingIps(ctx: NeutronContext, networkId: string): Promise<void>;
  /** Creates the project's default security group when missing (before a network is created). */
  ensureDefaultSecurityGroup(projectId: string): Promise<unknown>;
}

const spec: ListSpec = {
  table: 'networks',
  tagType: 'networks',
  columns: {
    ...stringColumns('id', 'name', 'project_id', 'status', 'dns_domain', 'description', 'created_at', 'updated_at', 'availability_zone_hints'),
    admin_state_up: { column: 'admin_state_up', kind: 'bool' },
    mtu: { column: 'mtu', kind: 'int' },
    'router:external': { column: 'router_external', kind: 'bool' },
    port_security_enabled: { column: 'port_security_enabled', kind: 'bool' },
    revision_number: { column: 'revision_number', kind: 'int' },
  },
};

function segmentFilter(column: 'network_type' | 'physical_network' | 'segmentation_id') {
  return (eb: any, values: unknown[]) => eb.exists(eb.selectFrom('networksegments as ns').select('ns.id')
    .whereRef('ns.network_id', '=', 'networks.id')
    .where(`ns.${column}`, 'in', column === 'segmentation_id' ? values.map(Number) : values));
}

export class NetworkManager implements ResourceHandlers {
  constructor(private readonly d: NetworkDeps) {}

  private get db(): Db {
    return this.d.store.db;
  }

  private listSpec(ctx: NeutronContext): ListSpec {
    return {
      ...spec,
      hooks: {
        shared: (eb, values) => {
          const grant = rbacGrants(eb, 'network', 'networks.id', ctx.projectId ?? '', [ACCESS_SHARED]);
          return values.map(Boolean).every((v) => v) ? grant : eb.not(grant);
        },
        'provider:network_type': segmentFilter('network_type'),
        'provider:physical_network': segmentFilter('physical_network'),
        'provider:segmentation_id': segmentFilter('segmentation_id'),
      },
    };
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Dict[]> {
    const s = this.listSpec(ctx);
    let qb = (this.db as Kysely<any>).selectFrom('networks').selectAll('networks');
    if (!ctx.unscoped) qb = qb.where(networkVisible(ctx, 'networks.project_id', 'networks.id'));
    qb = applyFilters(qb, s, q.filters);
    const rows = await runPaged<NetworkRow>(this.db, qb, s, q);
    return this.view(ctx, rows);
  }

  /** The row, if `ctx` may see it. */
  async findRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<NetworkRow | undefined> {
    let qb = (db as Kysely<any>).selectFrom('networks').selectAll('networks').where('networks.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(networkVisible(ctx, 'networks.project_id', 'networks.id'));
    return (await qb.executeTakeFirst()) as NetworkRow | undefined;
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<NetworkRow> {
    const row = await this.findRow(ctx, id, db);
    if (!row) throw new NetworkNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<Dict> {
    return (await this.view(ctx, [await this.getRow(ctx, id)]))[0]!;
  }

  async view(ctx: NeutronContext, rows: NetworkRow[], db: Db = this.db): Promise<Dict[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [segments, subnets, rbac, tags, zones] = await Promise.all([
      this.d.types.segmentsOf(db, ids),
      db.selectFrom('subnets').leftJoin('subnetpools', 'subnetpools.id', 'subnets.subnetpool_id')
        .select(['subnets.id', 'subnets.network_id', 'subnets.ip_version', 'subnetpools.address_scope_id'])
        .where('subnets.network_id', 'in', ids).orderBy('subnets.created_at').orderBy('subnets.id').execute(),
      db.selectFrom('rbac_policies').select(['object_id', 'target_project']).where('object_type', '=', 'network')
        .where('action', '=', ACCESS_SHARED).where('object_id', 'in', ids).execute(),
      tagsOf(db, 'networks', ids),
      this.d.hostingZones(db, ids),
    ]);
    return rows.map((r) => {
      const mine = subnets.filter((s) => s.network_id === r.id);
      const scope = (v: number) => mine.find((s) => Number(s.ip_version) === v && s.address_scope_id)?.address_scope_id ?? null;
      const shared = rbac.some((e) => e.object_id === r.id && (e.target_project === '*' || e.target_project === ctx.projectId));
      const net: Dict = {
        id: r.id,
        name: r.name,
        tenant_id: r.project_id,
        project_id: r.project_id,
        admin_state_up: Boolean(Number(r.admin_state_up)),
        status: r.status,
        subnets: mine.map((s) => s.id),
        shared,
        'router:external': Boolean(Number(r.router_external)),
        mtu: Number(r.mtu),
        port_security_enabled: Boolean(Number(r.port_security_enabled)),
        availability_zone_hints: parseJson<string[]>(r.availability_zone_hints, []),
        availability_zones: zones.get(r.id) ?? [],
        ipv4_address_scope: scope(4),
        ipv6_address_scope: scope(6),
        l2_adjacency: true,
        dns_domain: r.dns_domain,
        tags: tags.get(r.id) ?? [],
        ...standardView(r),
      };
      TypeManager.extendNetwork(net, segments.get(r.id) ?? []);
      return net;
    });
  }

  private async checkZones(hints: unknown): Promise<string[]> {
    const list = Array.isArray(hints) ? (hints as string[]) : [];
    if (list.length === 0) return [];
    const known = await this.d.networkAvailabilityZones();
    for (const az of list) if (!known.includes(az)) throw new AvailabilityZoneNotFound(az);
    return list;
  }

  private checkMtu(requested: number, segments: Segment[]): number {
    const max = this.d.types.networkMtu(segments);
    if (!requested) return max;
    if (requested > max) throw new InvalidInput(`Requested MTU is too big, maximum is ${max}`);
    if (requested < 68) throw new InvalidInput(`Requested MTU is too small, minimum is 68`);
    return requested;
  }

  async create(ctx: NeutronContext, body: Dict): Promise<Dict> {
    const requested = this.d.types.processProviderCreate(body);
    const hints = await this.checkZones(body.availability_zone_hints);
    if (isSet(body.project_id) && body.project_id !== '') await this.d.ensureDefaultSecurityGroup(String(body.project_id));
    let segments: Segment[] = [];
    const row = await this.d.store.write(async (tx) => {
      const id = randomUUID();
      const t = now();
      const projectId = String(body.project_id);
      const values: NetworkRow = {
        id, project_id: projectId, name: String(body.name ?? ''), status: 'ACTIVE',
        admin_state_up: body.admin_state_up === false ? 0 : 1, mtu: 0,
        port_security_enabled: body.port_security_enabled === false ? 0 : 1,
        router_external: body['router:external'] === true ? 1 : 0, is_default: 0,
        availability_zone_hints: JSON.stringify(hints), dns_domain: typeof body.dns_domain === 'string' ? body.dns_domain : '',
        description: String(body.description ?? ''), revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('networks').values(values).execute();
      segments = await this.d.types.createNetworkSegments(tx, id, requested);
      values.mtu = this.checkMtu(Number(body.mtu ?? 0), segments);
      await tx.updateTable('networks').set({ mtu: values.mtu }).where('id', '=', id).execute();
      if (body.shared === true) await this.addRbac(tx, projectId, id, ACCESS_SHARED);
      if (body['router:external'] === true) await this.addRbac(tx, projectId, id, ACCESS_EXTERNAL);
      if (isSet(body.tags)) await setTags(tx, 'networks', id, body.tags as string[]);
      const current = (await this.view(ctx, [values], tx))[0]!;
      await this.d.mechanisms.precommit('createNetworkPrecommit', { ctx, current, segments });
      return values;
    });
    const current = (await this.view(ctx, [row]))[0]!;
    await this.d.mechanisms.postcommit('createNetworkPostcommit', { ctx, current, segments });
    await this.d.events.publish({ resource: 'network', action: 'create', ctx, current });
    return current;
  }

  private async addRbac(tx: Db, projectId: string, networkId: string, action: string): Promise<void> {
    const exists = await tx.selectFrom('rbac_policies').select('id').where('object_type', '=', 'network').where('object_id', '=', networkId)
      .where('action', '=', action).where('target_project', '=', '*').executeTakeFirst();
    if (exists) return;
    await tx.insertInto('rbac_policies').values({ id: randomUUID(), project_id: projectId, object_type: 'network', object_id: networkId, target_project: '*', action }).execute();
  }

  async update(ctx: NeutronContext, id: string, body: Dict, opts: WriteOptions): Promise<Dict> {
    let original: Dict | undefined;
    let segments: Segment[] = [];
    await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      original = (await this.view(ctx, [row], tx))[0]!;
      segments = (await this.d.types.segmentsOf(tx, [id])).get(id) ?? [];
      this.checkProviderUpdate(body, original);
      const set: Partial<NetworkRow> = {};
      if ('name' in body) set.name = String(body.name);
      if ('admin_state_up' in body) set.admin_state_up = body.admin_state_up ? 1 : 0;
      if ('description' in body) set.description = String(body.description);
      if ('port_security_enabled' in body) set.port_security_enabled = body.port_security_enabled ? 1 : 0;
      if ('dns_domain' in body) set.dns_domain = String(body.dns_domain ?? '');
      if ('mtu' in body) set.mtu = this.checkMtu(Number(body.mtu ?? 0), segments);
      if ('shared' in body && body.shared !== original.shared) {
        if (body.shared) await this.addRbac(tx, row.project_id, id, ACCESS_SHARED);
        else await this.unshare(tx, row);
      }
      if ('router:external' in body && body['router:external'] !== original['router:external']) {
        if (body['router:external']) {
          set.router_external = 1;
          await this.addRbac(tx, row.project_id, id, ACCESS_EXTERNAL);
        } else {
          const gw = await tx.selectFrom('ports').select('id').where('network_id', '=', id).where('device_owner', '=', 'network:router_gateway').executeTakeFirst();
          if (gw) throw new ExternalNetworkInUse(id);
          set.router_external = 0;
          await tx.deleteFrom('rbac_policies').where('object_type', '=', 'network').where('object_id', '=', id).where('action', '=', ACCESS_EXTERNAL).execute();
        }
      }
      await bumpRevision(tx, 'networks', id, set);
      const current = (await this.view(ctx, [await this.getRow(ctx.elevated(), id, tx)], tx))[0]!;
      await this.d.mechanisms.precommit('updateNetworkPrecommit', { ctx, current, original, segments });
    });
    const current = await this.get(ctx.elevated(), id);
    await this.d.mechanisms.postcommit('updateNetworkPostcommit', { ctx, current, original, segments });
    await this.d.events.publish({ resource: 'network', action: 'update', ctx, current, original });
    return this.get(ctx, id).catch(() => current);
  }

  private checkProviderUpdate(body: Dict, original: Dict): void {
    const changed = PROVIDER_ATTRS.filter((a) => a in body && body[a] !== NOT_SPECIFIED && body[a] !== original[a]);
    if (changed.length || ('segments' in body && body.segments !== NOT_SPECIFIED)) {
      throw new InvalidInput(`Plugin does not support updating the following provider network attributes: ${changed.length ? changed.join(', ') : 'segments'}`);
    }
  }

  /** Removing the wildcard share is refused while other projects have ports on the network. */
  private async unshare(tx: Db, row: NetworkRow): Promise<void> {
    const others = await tx.selectFrom('ports').select('id').where('network_id', '=', row.id)
      .where('project_id', '!=', row.project_id).where('device_owner', 'not in', ['network:dhcp', 'network:router_gateway', 'network:floatingip'])
      .executeTakeFirst();
    const targeted = others && await tx.selectFrom('rbac_policies').select('id').where('object_type', '=', 'network').where('object_id', '=', row.id)
      .where('action', '=', ACCESS_SHARED).where('target_project', '!=', '*').executeTakeFirst();
    if (others && !targeted) throw new InvalidSharedSetting(row.id);
    await tx.deleteFrom('rbac_policies').where('object_type', '=', 'network').where('object_id', '=', row.id)
      .where('action', '=', ACCESS_SHARED).where('target_project', '=', '*').execute();
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const row = await this.getRow(ctx, id);
    checkRevision(opts.ifMatch, row.revision_number);
    const original = (await this.view(ctx, [row]))[0]!;
    // floating IPs nobody uses go with an external network; auto-delete ports go first
    if (Number(row.router_external)) await this.d.deleteDisassociatedFloatingIps(ctx.elevated(), id);
    const ports = await this.db.selectFrom('ports').select(['id', 'device_owner']).where('network_id', '=', id).execute();
    if (ports.some((p) => !AUTO_DELETE_PORT_OWNERS.includes(p.device_owner))) throw new NetworkInUse(id);
    for (const p of ports) await this.d.deletePortForNetwork(ctx.elevated(), p.id);
    const segments = (await this.d.types.segmentsOf(this.db, [id])).get(id) ?? [];
    await this.d.store.write(async (tx) => {
      const stillPorts = await tx.selectFrom('ports').select('id').where('network_id', '=', id).executeTakeFirst();
      if (stillPorts) throw new NetworkInUse(id);
      await this.d.mechanisms.precommit('deleteNetworkPrecommit', { ctx, current: original, segments });
      const subnets = await tx.selectFrom('subnets').select('id').where('network_id', '=', id).execute();
      for (const s of subnets) await this.d.deleteSubnetForNetwork(tx, ctx, s.id);
      await this.d.types.releaseNetworkSegments(tx, id);
      await tx.deleteFrom('rbac_policies').where('object_type', '=', 'network').where('object_id', '=', id).execute();
      await tx.deleteFrom('tags').where('resource_type', '=', 'networks').where('resource_id', '=', id).execute();
      await tx.deleteFrom('networks').where('id', '=', id).execute();
    });
    await this.d.mechanisms.postcommit('deleteNetworkPostcommit', { ctx, current: original, segments });
    await this.d.events.publish({ resource: 'network', action: 'delete', ctx, current: original });
  }

  /**
   * The policy target of a port or subnet: the item plus its network's owner and sharing
   * (`network:project_id`, `network:shared`), looked up once per network per request.
   */
  async ownerTarget(ctx: NeutronContext, item: Dict, memo?: Map<string, Promise<unknown>>): Promise<Dict> {
    const key = `net:${String(item.network_id)}`;
    let pending = memo?.get(key) as ReturnType<NetworkManager['networkOwnerInfo']> | undefined;
    if (!pending) {
      pending = this.networkOwnerInfo(this.db, String(item.network_id), ctx.projectId);
      memo?.set(key, pending);
    }
    const info = await pending;
    if (!info) return item;
    return { ...item, 'network:project_id': info.projectId, 'network:tenant_id': info.projectId, 'network:shared': info.shared };
  }

  /** Whether the network is shared with (or owned by) the project, for port/subnet creation. */
  async networkOwnerInfo(db: Kysely<NeutronDB>, networkId: string, projectId: string | undefined): Promise<{ projectId: string; shared: boolean; external: boolean } | undefined> {
    const row = await db.selectFrom('networks').select(['project_id', 'router_external']).where('id', '=', networkId).executeTakeFirst();
    if (!row) return undefined;
    const grant = await db.selectFrom('rbac_policies').select('id').where('object_type', '=', 'network').where('object_id', '=', networkId)
      .where('action', '=', ACCESS_SHARED).where('target_project', 'in', ['*', projectId ?? '']).executeTakeFirst();
    return { projectId: row.project_id, shared: grant !== undefined, external: Boolean(Number(row.router_external)) };
  }
}
