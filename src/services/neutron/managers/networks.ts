/**
 * Networks (neutron/db/db_base_plugin_v2.py + ML2's create/update/delete_network): segments
 * from the type drivers, the MTU they allow, sharing through RBAC (`shared` is a wildcard
 * access_as_shared policy), `router:external` with its access_as_external policy, and the
 * network view with subnets, provider attributes, availability zones and address scopes.
 * A network delete publishes BEFORE_DELETE (what hangs off it goes first: unused floating
 * IPs, DHCP ports) and PRECOMMIT_DELETE (its subnets, in the same transaction).
 */
import { randomUUID } from 'node:crypto';
import { isForeignKeyViolation } from '../../../common/db/sql-errors.js';
import { isSet, NOT_SPECIFIED } from '../common/attributes.js';
import type { NeutronContext } from '../common/context.js';
import type { EventRegistry } from '../common/events.js';
import { applyFilters, columnsOf, type FilterValue, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { NetworkRow } from '../db/schema.js';
import { checkRevision, type Db, nextRevision, now, parseJsonStrings, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  AvailabilityZoneNotFound, DefaultExternalNetworkExists, ExternalNetworkInUse, InvalidInput, InvalidSharedSetting, NetworkInUse, NetworkNotFound,
} from '../errors.js';
import type { Segment } from '../ml2/driver-api.js';
import type { MechanismManager } from '../ml2/mechanisms.js';
import { PROVIDER_ATTRS, TypeManager } from '../ml2/type-manager.js';
import type { ZoneResource } from '../types/agent.js';
import type { WriteOptions } from '../types/common.js';
import type { Network, NetworkCreate, NetworkOwner, NetworkUpdate } from '../types/network.js';
import type { QosBindings } from './qos/bindings.js';
import type { OwnerLookups, PolicyAttributes, ResourceHandlers } from './types.js';
import { ACCESS_EXTERNAL, ACCESS_SHARED, networkVisible, rbacGrants } from './visibility.js';

/** Availability zones from the agents: those offered, and those hosting each network. */
export interface NetworkZones {
  zoneNames(resource: ZoneResource): Promise<string[]>;
  networkZones(db: Db, networkIds: string[]): Promise<Map<string, string[]>>;
}

/** The project's default security group, created when missing (before a network is created). */
export interface DefaultSecurityGroups {
  ensureDefault(projectId: string): Promise<string>;
}

export interface NetworkDeps {
  store: Store;
  types: TypeManager;
  mechanisms: MechanismManager;
  events: EventRegistry;
  zones: NetworkZones;
  securityGroups: DefaultSecurityGroups;
  qos: QosBindings;
}

const spec: ListSpec<'networks'> = {
  table: 'networks',
  tagType: 'networks',
  columns: {
    ...stringColumns<'networks'>('id', 'name', 'project_id', 'status', 'dns_domain', 'description', 'created_at', 'updated_at', 'availability_zone_hints'),
    ...columnsOf<'networks'>('bool', 'admin_state_up', 'port_security_enabled', 'is_default'),
    ...columnsOf<'networks'>('int', 'mtu', 'revision_number'),
    'router:external': { column: 'router_external', kind: 'bool' },
  },
};

function segmentFilter(column: 'network_type' | 'physical_network' | 'segmentation_id'): NonNullable<ListSpec<'networks'>['hooks']>[string] {
  return (eb, values) => {
    const sub = eb.selectFrom('networksegments as ns').select('ns.id').whereRef('ns.network_id', '=', 'networks.id');
    return eb.exists(column === 'segmentation_id'
      ? sub.where('ns.segmentation_id', 'in', values.map(Number))
      : sub.where(`ns.${column}`, 'in', values.map((v) => (v === null ? '' : String(v)))));
  };
}

/** How many times a network delete is run when rows made meanwhile still refer to the network. */
const DELETE_ATTEMPTS = 3;

export class NetworkManager implements ResourceHandlers<Network, NetworkCreate, NetworkUpdate> {
  constructor(private readonly d: NetworkDeps) {}

  private get db(): Db {
    return this.d.store.db;
  }

  private listSpec(ctx: NeutronContext): ListSpec<'networks'> {
    return {
      ...spec,
      hooks: {
        shared: (eb, values: FilterValue[]) => {
          const grant = rbacGrants('network', 'networks.id', ctx.projectId ?? '', [ACCESS_SHARED]);
          return values.map(Boolean).every((v) => v) ? grant : eb.not(grant);
        },
        'provider:network_type': segmentFilter('network_type'),
        'provider:physical_network': segmentFilter('physical_network'),
        'provider:segmentation_id': segmentFilter('segmentation_id'),
      },
    };
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Network[]> {
    const s = this.listSpec(ctx);
    let qb = this.db.selectFrom('networks').selectAll('networks');
    if (!ctx.unscoped) qb = qb.where(networkVisible(ctx));
    qb = applyFilters(qb, s, q.filters);
    return this.view(ctx, await runPaged(this.db, qb, s, q));
  }

  /** The row, if `ctx` may see it. */
  async findRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<NetworkRow | undefined> {
    let qb = db.selectFrom('networks').selectAll('networks').where('networks.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(networkVisible(ctx));
    return qb.executeTakeFirst();
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<NetworkRow> {
    const row = await this.findRow(ctx, id, db);
    if (!row) throw new NetworkNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<Network> {
    return this.viewOne(ctx, await this.getRow(ctx, id));
  }

  async viewOne(ctx: NeutronContext, row: NetworkRow, db: Db = this.db): Promise<Network> {
    return (await this.view(ctx, [row], db))[0]!;
  }

  async view(ctx: NeutronContext, rows: NetworkRow[], db: Db = this.db): Promise<Network[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [segments, subnets, rbac, tags, zones, qos] = await Promise.all([
      this.d.types.segmentsOf(db, ids),
      db.selectFrom('subnets').leftJoin('subnetpools', 'subnetpools.id', 'subnets.subnetpool_id')
        .select(['subnets.id', 'subnets.network_id', 'subnets.ip_version', 'subnetpools.address_scope_id'])
        .where('subnets.network_id', 'in', ids).orderBy('subnets.created_at').orderBy('subnets.id').execute(),
      db.selectFrom('rbac_policies').select(['object_id', 'target_project']).where('object_type', '=', 'network')
        .where('action', '=', ACCESS_SHARED).where('object_id', 'in', ids).execute(),
      tagsOf(db, 'networks', ids),
      this.d.zones.networkZones(db, ids),
      this.d.qos.networkPolicies(db, ids),
    ]);
    return rows.map((r): Network => {
      const mine = subnets.filter((s) => s.network_id === r.id);
      const scope = (v: number) => mine.find((s) => Number(s.ip_version) === v && s.address_scope_id)?.address_scope_id ?? null;
      const shared = rbac.some((e) => e.object_id === r.id && (e.target_project === '*' || e.target_project === ctx.projectId));
      return {
        id: r.id,
        name: r.name,
        tenant_id: r.project_id,
        project_id: r.project_id,
        admin_state_up: Boolean(Number(r.admin_state_up)),
        status: r.status,
        subnets: mine.map((s) => s.id),
        shared,
        'router:external': Boolean(Number(r.router_external)),
        ...(Number(r.router_external) ? { is_default: Boolean(Number(r.is_default)) } : {}),
        mtu: Number(r.mtu),
        port_security_enabled: Boolean(Number(r.port_security_enabled)),
        availability_zone_hints: parseJsonStrings(r.availability_zone_hints),
        availability_zones: zones.get(r.id) ?? [],
        ipv4_address_scope: scope(4),
        ipv6_address_scope: scope(6),
        l2_adjacency: true,
        dns_domain: r.dns_domain,
        qos_policy_id: qos.get(r.id) ?? null,
        tags: tags.get(r.id) ?? [],
        ...standardView(r),
        ...TypeManager.providerView(segments.get(r.id) ?? []),
      };
    });
  }

  private async checkZones(hints: string[] | undefined): Promise<string[]> {
    const list = hints ?? [];
    if (list.length === 0) return [];
    const known = await this.d.zones.zoneNames('network');
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

  async create(ctx: NeutronContext, body: NetworkCreate): Promise<Network> {
    const requested = this.d.types.processProviderCreate(body);
    const hints = await this.checkZones(body.availability_zone_hints);
    if (body.project_id !== '') await this.d.securityGroups.ensureDefault(body.project_id);
    let segments: Segment[] = [];
    const row = await this.d.store.write(async (tx) => {
      const id = randomUUID();
      const t = now();
      const projectId = body.project_id;
      const values: NetworkRow = {
        id, project_id: projectId, name: body.name ?? '', status: 'ACTIVE',
        admin_state_up: body.admin_state_up === false ? 0 : 1, mtu: 0,
        port_security_enabled: body.port_security_enabled === false ? 0 : 1,
        router_external: body['router:external'] === true ? 1 : 0,
        is_default: (await this.checkDefault(tx, id, body.is_default)) && body['router:external'] === true ? 1 : 0,
        availability_zone_hints: JSON.stringify(hints), dns_domain: body.dns_domain ?? '',
        description: body.description ?? '', revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('networks').values(values).execute();
      segments = await this.d.types.createNetworkSegments(tx, id, requested);
      values.mtu = this.checkMtu(body.mtu ?? 0, segments);
      await tx.updateTable('networks').set({ mtu: values.mtu }).where('id', '=', id).execute();
      if (body.shared === true) await this.addRbac(tx, projectId, id, ACCESS_SHARED);
      if (body['router:external'] === true) await this.addRbac(tx, projectId, id, ACCESS_EXTERNAL);
      if (isSet(body.tags)) await setTags(tx, 'networks', id, body.tags);
      await this.d.qos.createNetwork(tx, ctx, id, projectId, body.qos_policy_id);
      const current = await this.viewOne(ctx, values, tx);
      await this.d.mechanisms.precommit('createNetworkPrecommit', { ctx, current, segments });
      return values;
    });
    const current = await this.viewOne(ctx, row);
    await this.d.mechanisms.postcommit('createNetworkPostcommit', { ctx, current, segments });
    await this.d.events.publish('network', 'after_create', { ctx, current });
    return current;
  }

  /**
   * The requested is_default, after auto_allocate's check that only one external network is
   * the default at a time (DefaultExternalNetworkExists).
   */
  private async checkDefault(tx: Db, id: string, isDefault: boolean | undefined): Promise<boolean> {
    if (isDefault !== true) return false;
    const other = await tx.selectFrom('networks').select('id').where('router_external', '=', 1).where('is_default', '=', 1).where('id', '!=', id).executeTakeFirst();
    if (other) throw new DefaultExternalNetworkExists(other.id);
    return true;
  }

  /** The deployment's default external network (auto-allocated-topology), if one is marked. */
  async defaultExternalNetworkId(db: Db = this.db): Promise<string | undefined> {
    const row = await db.selectFrom('networks').select('id').where('router_external', '=', 1).where('is_default', '=', 1).orderBy('created_at').executeTakeFirst();
    return row?.id;
  }

  private async addRbac(tx: Db, projectId: string, networkId: string, action: string): Promise<void> {
    const exists = await tx.selectFrom('rbac_policies').select('id').where('object_type', '=', 'network').where('object_id', '=', networkId)
      .where('action', '=', action).where('target_project', '=', '*').executeTakeFirst();
    if (exists) return;
    await tx.insertInto('rbac_policies').values({ id: randomUUID(), project_id: projectId, object_type: 'network', object_id: networkId, target_project: '*', action }).execute();
  }

  async update(ctx: NeutronContext, id: string, body: NetworkUpdate, opts: WriteOptions): Promise<Network> {
    const { original, segments } = await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const original = await this.viewOne(ctx, row, tx);
      const segments = (await this.d.types.segmentsOf(tx, [id])).get(id) ?? [];
      this.checkProviderUpdate(body, original);
      const set: Partial<NetworkRow> = {};
      if (body.name !== undefined) set.name = body.name;
      if ('admin_state_up' in body) set.admin_state_up = body.admin_state_up ? 1 : 0;
      if (body.description !== undefined) set.description = body.description;
      if ('port_security_enabled' in body) set.port_security_enabled = body.port_security_enabled ? 1 : 0;
      if ('dns_domain' in body) set.dns_domain = body.dns_domain ?? '';
      if ('mtu' in body) set.mtu = this.checkMtu(body.mtu ?? 0, segments);
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
          set.is_default = 0;
          await tx.deleteFrom('rbac_policies').where('object_type', '=', 'network').where('object_id', '=', id).where('action', '=', ACCESS_EXTERNAL).execute();
        }
      }
      if ('is_default' in body && (await this.checkDefault(tx, id, body.is_default)) !== Boolean(Number(row.is_default))) {
        // kept on the external network's record only (auto_allocate's PRECOMMIT_UPDATE callback)
        if (set.router_external ?? Number(row.router_external)) set.is_default = body.is_default ? 1 : 0;
      }
      if (body.qos_policy_id !== undefined) await this.d.qos.updateNetwork(tx, ctx, id, body.qos_policy_id);
      await tx.updateTable('networks').set({ ...set, ...nextRevision() }).where('id', '=', id).execute();
      const current = await this.viewOne(ctx, await this.getRow(ctx.elevated(), id, tx), tx);
      await this.d.mechanisms.precommit('updateNetworkPrecommit', { ctx, current, original, segments });
      return { original, segments };
    });
    const current = await this.get(ctx.elevated(), id);
    await this.d.mechanisms.postcommit('updateNetworkPostcommit', { ctx, current, original, segments });
    await this.d.events.publish('network', 'after_update', { ctx, current, original });
    return this.get(ctx, id).catch(() => current);
  }

  private checkProviderUpdate(body: NetworkUpdate, original: Network): void {
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

  /**
   * A row that another request or an agent made meanwhile can still refer to the network when
   * its row goes (a DHCP agent's port or binding committed between the port check and the
   * delete): the database refuses the delete. It is run again from the start, as upstream's
   * delete_network is retried, so that BEFORE_DELETE removes what it may remove; what remains
   * makes the network in use (409), not a failure of the server.
   */
  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deleteOnce(ctx, id, opts);
      } catch (err) {
        if (!isForeignKeyViolation(err)) throw err;
        if (attempt >= DELETE_ATTEMPTS) throw new NetworkInUse(id);
      }
    }
  }

  private async deleteOnce(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const row = await this.getRow(ctx, id);
    checkRevision(opts.ifMatch, row.revision_number);
    const original = await this.viewOne(ctx, row);
    // floating IPs nobody uses go with an external network; auto-delete ports go first
    await this.d.events.publish('network', 'before_delete', { ctx: ctx.elevated(), network: original });
    const segments = (await this.d.types.segmentsOf(this.db, [id])).get(id) ?? [];
    await this.d.store.write(async (tx) => {
      const stillPorts = await tx.selectFrom('ports').select('id').where('network_id', '=', id).executeTakeFirst();
      if (stillPorts) throw new NetworkInUse(id);
      await this.d.mechanisms.precommit('deleteNetworkPrecommit', { ctx, current: original, segments });
      await this.d.events.publish('network', 'precommit_delete', { ctx, tx, network: original });
      await this.d.types.releaseNetworkSegments(tx, id);
      await tx.deleteFrom('rbac_policies').where('object_type', '=', 'network').where('object_id', '=', id).execute();
      await tx.deleteFrom('tags').where('resource_type', '=', 'networks').where('resource_id', '=', id).execute();
      await tx.deleteFrom('networks').where('id', '=', id).execute();
    });
    await this.d.mechanisms.postcommit('deleteNetworkPostcommit', { ctx, current: original, segments });
    await this.d.events.publish('network', 'after_delete', { ctx, current: original });
  }

  /**
   * The policy attributes of a port or subnet: its network's owner and sharing
   * (`network:project_id`, `network:shared`), looked up once per network per request.
   */
  async ownerAttributes(ctx: NeutronContext, item: { network_id: string }, lookups: OwnerLookups): Promise<PolicyAttributes> {
    const key = `net:${item.network_id}`;
    let pending = lookups.get(key);
    if (!pending) {
      pending = this.networkOwner(item.network_id, ctx.projectId);
      lookups.set(key, pending);
    }
    const info = await pending;
    if (!info) return {};
    return { 'network:project_id': info.projectId, 'network:tenant_id': info.projectId, 'network:shared': info.shared };
  }

  /** Whether the network is shared with (or owned by) the project, for port/subnet creation. */
  async networkOwner(networkId: string, projectId: string | undefined, db: Db = this.db): Promise<NetworkOwner | undefined> {
    const row = await db.selectFrom('networks').select(['project_id', 'router_external']).where('id', '=', networkId).executeTakeFirst();
    if (!row) return undefined;
    const grant = await db.selectFrom('rbac_policies').select('id').where('object_type', '=', 'network').where('object_id', '=', networkId)
      .where('action', '=', ACCESS_SHARED).where('target_project', 'in', ['*', projectId ?? '']).executeTakeFirst();
    return { projectId: row.project_id, shared: grant !== undefined, external: Boolean(Number(row.router_external)) };
  }
}
