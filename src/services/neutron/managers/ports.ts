/**
 * Ports (db_base_plugin_v2 + ML2 create/update/delete_port): MAC addresses from base_mac,
 * fixed IPs through IPAM, port security with the project's default security group, allowed
 * address pairs, extra DHCP options, DNS names and assignments, and port binding through the
 * mechanism drivers (binding:host_id, vif_type, vif_details, profile, vnic_type). A port is
 * DOWN until an L2 agent reports it up (see setStatus and the ML2 RPC callbacks).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NeutronContext } from '../context.js';
import { isSet } from '../api/attributes/spec.js';
import { eui64Address, normalizeMac, randomMac } from '../common/mac.js';
import { formatIp, parseCidr, parseIp } from '../common/netaddr.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { PortRow } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, groupBy, now, parseJson, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  AddressPairAndPortSecurityRequired, InvalidInput, MacAddressInUse, NetworkNotFound, PortBound, PortNotFound,
  PortSecurityAndIPRequiredForSecurityGroups, PortSecurityPortHasSecurityGroup, ServicePortInUse,
} from '../errors.js';
import type { EventBus } from '../events.js';
import { allocateForPort, type FixedIp, type FixedIpRequest, lockSubnets, release, type SubnetForIpam } from '../ipam/allocator.js';
import { isAutoAddressSubnet, ROUTER_INTERFACE_OWNERS } from '../ipam/pools.js';
import type { AgentInfo, PortContext, Segment } from '../ml2/driver-api.js';
import { VIF_TYPE_BINDING_FAILED, VIF_TYPE_UNBOUND } from '../ml2/driver-api.js';
import type { MechanismManager } from '../ml2/mechanisms.js';
import type { TypeManager } from '../ml2/type-manager.js';
import type { NetworkManager } from './networks.js';
import { applyDhcpOpts, checkAddressPairs, checkDhcpOpts, dnsAssignment, writeAddressPairs } from './port-extras.js';
import type { SecurityGroupManager } from './security-groups.js';
import type { SubnetManager } from './subnets.js';
import type { Dict, ResourceHandlers, WriteOptions } from './types.js';
import { portVisible } from './visibility.js';

/** Owners of ports the port API may not delete while their router / floating IP exists. */
const L3_OWNERS = ['network:router_interface', 'network:router_gateway', 'network:floatingip', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];

export interface PortDeps {
  store: Store;
  networks: NetworkManager;
  subnets: SubnetManager;
  securityGroups: SecurityGroupManager;
  types: TypeManager;
  mechanisms: MechanismManager;
  events: EventBus;
  hostAgents(agentType: string, host: string): Promise<AgentInfo[]>;
  /** Whether a router or floating IP still owns this L3 port. */
  l3PortOwnerExists(port: PortRow): Promise<boolean>;
  /** Clears floating IP associations of a port about to be deleted. */
  disassociateFloatingIps(ctx: NeutronContext, portId: string): Promise<void>;
  baseMac: string;
  maxAddressPairs: number;
  dnsDomain: string;
}

const spec: ListSpec = {
  table: 'ports',
  tagType: 'ports',
  columns: {
    ...stringColumns('id', 'name', 'project_id', 'network_id', 'mac_address', 'status', 'device_id', 'device_owner', 'dns_name',
      'description', 'created_at', 'updated_at'),
    admin_state_up: { column: 'admin_state_up', kind: 'bool' },
    port_security_enabled: { column: 'port_security_enabled', kind: 'bool' },
    revision_number: { column: 'revision_number', kind: 'int' },
    'binding:host_id': { column: 'binding_host_id', kind: 'string' },
    'binding:vnic_type': { column: 'binding_vnic_type', kind: 'string' },
  },
  hooks: {
    fixed_ips: (eb, values) => {
      const f = (values[0] ?? {}) as Record<string, string[]>;
      const conds = [];
      for (const [key, col] of [['ip_address', 'ip_address'], ['subnet_id', 'subnet_id']] as const) {
        const list = f[key];
        if (list?.length) {
          const vals = key === 'ip_address' ? list.map((ip) => { const p = parseIp(ip); return p ? formatIp(p.version, p.value) : ip; }) : list;
          conds.push(eb.exists(eb.selectFrom('ipallocations as fi').select('fi.port_id').whereRef('fi.port_id', '=', 'ports.id').where(`fi.${col}`, 'in', vals)));
        }
      }
      const substr = f.ip_address_substr;
      if (substr?.length) {
        conds.push(eb.exists(eb.selectFrom('ipallocations as fs').select('fs.port_id').whereRef('fs.port_id', '=', 'ports.id')
          .where((e: any) => e.or(substr.map((s) => e('fs.ip_address', 'like', `%${s}%`))))));
      }
      return conds.length ? eb.and(conds) : eb.and([]);
    },
    security_groups: (eb, values) => eb.exists(eb.selectFrom('securitygroupportbindings as sb').select('sb.port_id')
      .whereRef('sb.port_id', '=', 'ports.id').where('sb.security_group_id', 'in', values as string[])),
  },
};

export class PortManager implements ResourceHandlers {
  constructor(private readonly d: PortDeps) {}

  private get db(): Db {
    return this.d.store.db;
  }

  private visible(ctx: NeutronContext, qb: any): any {
    return ctx.unscoped ? qb : qb.where(portVisible(ctx));
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Dict[]> {
    const qb = applyFilters(this.visible(ctx, (this.db as Kysely<any>).selectFrom('ports').selectAll('ports')), spec, q.filters);
    return this.view(await runPaged<PortRow>(this.db, qb, spec, q));
  }

  async findRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<PortRow | undefined> {
    return (await this.visible(ctx, (db as Kysely<any>).selectFrom('ports').selectAll('ports').where('ports.id', '=', id)).executeTakeFirst()) as PortRow | undefined;
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<PortRow> {
    const row = await this.findRow(ctx, id, db);
    if (!row) throw new PortNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<Dict> {
    return (await this.view([await this.getRow(ctx, id)]))[0]!;
  }

  async view(rows: PortRow[], db: Db = this.db): Promise<Dict[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [ips, pairs, opts, sgs, tags, nets] = await Promise.all([
      db.selectFrom('ipallocations').selectAll().where('port_id', 'in', ids).execute(),
      db.selectFrom('allowedaddresspairs').selectAll().where('port_id', 'in', ids).execute(),
      db.selectFrom('extradhcpopts').selectAll().where('port_id', 'in', ids).execute(),
      db.selectFrom('securitygroupportbindings').selectAll().where('port_id', 'in', ids).execute(),
      tagsOf(db, 'ports', ids),
      db.selectFrom('networks').select(['id', 'dns_domain']).where('id', 'in', [...new Set(rows.map((r) => r.network_id))]).execute(),
    ]);
    const subnetOrder = new Map((await db.selectFrom('subnets').select(['id', 'created_at']).where('network_id', 'in', [...new Set(rows.map((r) => r.network_id))]).execute())
      .map((s) => [s.id, s.created_at]));
    const ipsBy = groupBy(ips, (i) => i.port_id);
    const pairsBy = groupBy(pairs, (i) => i.port_id);
    const optsBy = groupBy(opts, (i) => i.port_id);
    const sgsBy = groupBy(sgs, (i) => i.port_id);
    return rows.map((r) => {
      const fixed = (ipsBy.get(r.id) ?? [])
        .sort((a, b) => String(subnetOrder.get(a.subnet_id)).localeCompare(String(subnetOrder.get(b.subnet_id))) || a.subnet_id.localeCompare(b.subnet_id))
        .map((i) => ({ subnet_id: i.subnet_id, ip_address: i.ip_address }));
      const netDomain = nets.find((n) => n.id === r.network_id)?.dns_domain;
      return {
        id: r.id,
        name: r.name,
        network_id: r.network_id,
        tenant_id: r.project_id,
        project_id: r.project_id,
        mac_address: r.mac_address,
        admin_state_up: Boolean(Number(r.admin_state_up)),
        status: r.status,
        device_id: r.device_id,
        device_owner: r.device_owner,
        fixed_ips: fixed,
        allowed_address_pairs: (pairsBy.get(r.id) ?? []).map((p) => ({ ip_address: p.ip_address, mac_address: p.mac_address })),
        extra_dhcp_opts: (optsBy.get(r.id) ?? []).map((o) => ({ opt_name: o.opt_name, opt_value: o.opt_value, ip_version: Number(o.ip_version) })),
        security_groups: (sgsBy.get(r.id) ?? []).map((s) => s.security_group_id),
        port_security_enabled: Boolean(Number(r.port_security_enabled)),
        'binding:host_id': r.binding_host_id,
        'binding:vif_type': r.binding_vif_type,
        'binding:vif_details': parseJson<Dict>(r.binding_vif_details, {}),
        'binding:profile': parseJson<Dict>(r.binding_profile, {}),
        'binding:vnic_type': r.binding_vnic_type,
        dns_name: r.dns_name,
        dns_assignment: dnsAssignment(r.dns_name, fixed, netDomain || this.d.dnsDomain),
        ip_allocation: 'immediate',
        tags: tags.get(r.id) ?? [],
        ...standardView(r),
      };
    });
  }

  policyTarget(ctx: NeutronContext, item: Dict, _parentId?: string, memo?: Map<string, Promise<unknown>>): Promise<Dict> {
    return this.d.networks.ownerTarget(ctx, item, memo);
  }

  private async subnetsForIpam(db: Db, networkId: string): Promise<SubnetForIpam[]> {
    return this.d.subnets.forNetwork(db, networkId);
  }

  /** Asks the mechanism drivers to bind the port on `host` (ML2 _bind_port). */
  private async bind(ctx: NeutronContext, current: Dict, network: Dict, segments: Segment[], host: string): Promise<{ vifType: string; vifDetails: Dict }> {
    if (!host) return { vifType: VIF_TYPE_UNBOUND, vifDetails: {} };
    const pc: PortContext = {
      ctx, current, network, segments, host,
      hostAgents: (type) => this.d.hostAgents(type, host),
      setBinding(segment, vifType, vifDetails, status) {
        pc.binding = { segment, vifType, vifDetails, ...(status ? { status } : {}) };
      },
    };
    await this.d.mechanisms.bindPort(pc);
    return pc.binding ? { vifType: pc.binding.vifType, vifDetails: pc.binding.vifDetails } : { vifType: VIF_TYPE_BINDING_FAILED, vifDetails: {} };
  }

  async create(ctx: NeutronContext, body: Dict): Promise<Dict> {
    const networkId = String(body.network_id);
    const netRow = await this.d.networks.findRow(ctx.elevated(), networkId);
    if (!netRow) throw new NetworkNotFound(networkId);
    const network = (await this.d.networks.view(ctx.elevated(), [netRow]))[0]!;
    const segments = (await this.d.types.segmentsOf(this.db, [networkId])).get(networkId) ?? [];
    const projectId = String(body.project_id);
    const owner = String(body.device_owner ?? '');
    const portSecurity = isSet(body.port_security_enabled) ? Boolean(body.port_security_enabled) : Boolean(network.port_security_enabled);
    const trusted = owner.startsWith('network:');
    const requestedSgs = isSet(body.security_groups) ? (body.security_groups as string[]) : undefined;
    if (!portSecurity && requestedSgs && requestedSgs.length) throw new PortSecurityAndIPRequiredForSecurityGroups();
    const wantsPairs = isSet(body.allowed_address_pairs) && (body.allowed_address_pairs as unknown[]).length > 0;
    if (!portSecurity && wantsPairs) throw new AddressPairAndPortSecurityRequired();
    const dhcpOpts = checkDhcpOpts(body.extra_dhcp_opts);
    const host = isSet(body['binding:host_id']) ? String(body['binding:host_id']) : '';
    const profile = isSet(body['binding:profile']) ? body['binding:profile'] : {};
    const vnicType = String(body['binding:vnic_type'] ?? 'normal');
    // the project's default group exists once it has a port (_ensure_default_security_group_handler);
    // ports without a project (router gateways, floating IPs) get none, as upstream
    const projectDefault = projectId ? await this.d.securityGroups.ensureDefault(projectId) : undefined;
    const defaultSg = portSecurity && !trusted && requestedSgs === undefined ? projectDefault : undefined;
    const id = randomUUID();

    const preview: Dict = { id, network_id: networkId, project_id: projectId, device_owner: owner, device_id: body.device_id ?? '', 'binding:vnic_type': vnicType, 'binding:profile': profile, fixed_ips: [] };
    const binding = await this.bind(ctx, preview, network, segments, host);

    const row = await this.d.store.write(async (tx) => {
      let mac: string;
      if (isSet(body.mac_address)) {
        mac = normalizeMac(body.mac_address)!;
        const used = await tx.selectFrom('ports').select('id').where('network_id', '=', networkId).where('mac_address', '=', mac).executeTakeFirst();
        if (used) throw new MacAddressInUse(networkId, mac);
      } else {
        mac = randomMac(this.d.baseMac);
      }
      const t = now();
      const values: PortRow = {
        id, project_id: projectId, network_id: networkId, name: String(body.name ?? ''), mac_address: mac,
        admin_state_up: body.admin_state_up === false ? 0 : 1, status: 'DOWN', device_id: String(body.device_id ?? ''), device_owner: owner,
        port_security_enabled: portSecurity ? 1 : 0, dns_name: String(body.dns_name ?? ''),
        binding_host_id: host, binding_vif_type: binding.vifType, binding_vif_details: JSON.stringify(binding.vifDetails),
        binding_profile: JSON.stringify(profile ?? {}), binding_vnic_type: vnicType,
        description: String(body.description ?? ''), revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('ports').values(values).execute();
      const subnets = await this.subnetsForIpam(tx, networkId);
      const requested = isSet(body.fixed_ips) ? (body.fixed_ips as FixedIpRequest[]) : undefined;
      const fixed = await allocateForPort(tx, { id, network_id: networkId, mac_address: mac, device_owner: owner }, requested, subnets);
      let sgs: string[] = [];
      if (portSecurity && !trusted) sgs = requestedSgs ?? (defaultSg ? [defaultSg] : []);
      else if (portSecurity && requestedSgs) sgs = requestedSgs;
      if (sgs.length) {
        await this.d.securityGroups.checkUsable(tx, projectId, sgs, ctx.unscoped);
        for (const sg of [...new Set(sgs)]) await tx.insertInto('securitygroupportbindings').values({ port_id: id, security_group_id: sg }).execute();
      }
      if (wantsPairs) await writeAddressPairs(tx, id, checkAddressPairs(body.allowed_address_pairs, mac, this.d.maxAddressPairs));
      if (dhcpOpts.length) await applyDhcpOpts(tx, id, dhcpOpts, true);
      if (isSet(body.tags)) await setTags(tx, 'ports', id, body.tags as string[]);
      const current = (await this.view([values], tx))[0]!;
      await this.d.mechanisms.precommit('createPortPrecommit', this.portContext(ctx, current, network, segments, host));
      return values;
    }, 60);
    const current = (await this.view([row]))[0]!;
    await this.d.mechanisms.postcommit('createPortPostcommit', this.portContext(ctx, current, network, segments, host));
    await this.d.events.publish({ resource: 'port', action: 'create', ctx, current });
    return current;
  }

  private portContext(ctx: NeutronContext, current: Dict, network: Dict, segments: Segment[], host: string, original?: Dict): PortContext {
    const pc: PortContext = {
      ctx, current, network, segments, host, ...(original ? { original } : {}),
      hostAgents: (type) => this.d.hostAgents(type, host),
      setBinding(segment, vifType, vifDetails, status) {
        pc.binding = { segment, vifType, vifDetails, ...(status ? { status } : {}) };
      },
    };
    return pc;
  }

  async update(ctx: NeutronContext, id: string, body: Dict, opts: WriteOptions): Promise<Dict> {
    const before = await this.getRow(ctx, id);
    const netRow = await this.d.networks.findRow(ctx.elevated(), before.network_id);
    const network = (await this.d.networks.view(ctx.elevated(), [netRow!]))[0]!;
    const segments = (await this.d.types.segmentsOf(this.db, [before.network_id])).get(before.network_id) ?? [];
    const hostChanged = 'binding:host_id' in body && String(body['binding:host_id'] ?? '') !== before.binding_host_id;
    const rebind = hostChanged || ('binding:profile' in body) || ('binding:vnic_type' in body && body['binding:vnic_type'] !== before.binding_vnic_type);
    const host = 'binding:host_id' in body ? String(body['binding:host_id'] ?? '') : before.binding_host_id;
    const original = (await this.view([before]))[0]!;
    const binding = rebind ? await this.bind(ctx, { ...original, ...body }, network, segments, host) : undefined;
    const dhcpOpts = 'extra_dhcp_opts' in body ? checkDhcpOpts(body.extra_dhcp_opts) : undefined;

    await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const set: Partial<PortRow> = {};
      for (const k of ['name', 'device_id', 'device_owner', 'description', 'dns_name'] as const) if (k in body) set[k] = String(body[k] ?? '');
      if ('admin_state_up' in body) set.admin_state_up = body.admin_state_up ? 1 : 0;
      let mac = row.mac_address;
      if ('mac_address' in body) {
        const next = normalizeMac(body.mac_address)!;
        if (next !== row.mac_address) {
          if (row.binding_vif_type !== VIF_TYPE_UNBOUND && row.binding_vif_type !== VIF_TYPE_BINDING_FAILED) {
            throw new PortBound(id, row.binding_vif_type, row.mac_address, next);
          }
          const used = await tx.selectFrom('ports').select('id').where('network_id', '=', row.network_id).where('mac_address', '=', next).executeTakeFirst();
          if (used) throw new MacAddressInUse(row.network_id, next);
          set.mac_address = next;
          mac = next;
        }
      }
      const portSecurity = 'port_security_enabled' in body ? Boolean(body.port_security_enabled) : Boolean(Number(row.port_security_enabled));
      set.port_security_enabled = portSecurity ? 1 : 0;
      const currentSgs = (await tx.selectFrom('securitygroupportbindings').select('security_group_id').where('port_id', '=', id).execute()).map((s) => s.security_group_id);
      const nextSgs = 'security_groups' in body ? ((body.security_groups as string[] | null) ?? []) : currentSgs;
      if (!portSecurity && nextSgs.length) {
        throw 'security_groups' in body ? new PortSecurityAndIPRequiredForSecurityGroups() : new PortSecurityPortHasSecurityGroup();
      }
      const currentPairs = await tx.selectFrom('allowedaddresspairs').select('ip_address').where('port_id', '=', id).execute();
      const nextPairs = 'allowed_address_pairs' in body ? checkAddressPairs(body.allowed_address_pairs, mac, this.d.maxAddressPairs) : undefined;
      if (!portSecurity && ((nextPairs ?? currentPairs).length > 0)) throw new AddressPairAndPortSecurityRequired();

      if ('fixed_ips' in body) await this.updateFixedIps(tx, row, (body.fixed_ips as FixedIpRequest[] | null) ?? [], mac);
      else if (set.mac_address) await this.refreshSlaac(tx, row, mac);
      if ('security_groups' in body) {
        await this.d.securityGroups.checkUsable(tx, row.project_id, nextSgs, ctx.unscoped);
        await tx.deleteFrom('securitygroupportbindings').where('port_id', '=', id).execute();
        for (const sg of [...new Set(nextSgs)]) await tx.insertInto('securitygroupportbindings').values({ port_id: id, security_group_id: sg }).execute();
      }
      if (nextPairs) await writeAddressPairs(tx, id, nextPairs);
      if (dhcpOpts) await applyDhcpOpts(tx, id, dhcpOpts, false);
      if ('binding:profile' in body) set.binding_profile = JSON.stringify(body['binding:profile'] ?? {});
      if ('binding:vnic_type' in body) set.binding_vnic_type = String(body['binding:vnic_type']);
      if ('binding:host_id' in body) set.binding_host_id = host;
      if (binding) {
        set.binding_vif_type = binding.vifType;
        set.binding_vif_details = JSON.stringify(binding.vifDetails);
        if (hostChanged && row.status === 'ACTIVE') set.status = 'DOWN';
      }
      await bumpRevision(tx, 'ports', id, set);
      const current = (await this.view([(await this.getRow(ctx.elevated(), id, tx))], tx))[0]!;
      await this.d.mechanisms.precommit('updatePortPrecommit', this.portContext(ctx, current, network, segments, host, original));
    }, 60);
    const current = await this.get(ctx.elevated(), id);
    await this.d.mechanisms.postcommit('updatePortPostcommit', this.portContext(ctx, current, network, segments, host, original));
    await this.d.events.publish({ resource: 'port', action: 'update', ctx, current, original });
    return this.get(ctx, id).catch(() => current);
  }

  /** _update_ips_for_port: keep unchanged addresses, free removed ones, allocate new ones. */
  private async updateFixedIps(tx: Db, row: PortRow, requested: FixedIpRequest[], mac: string): Promise<void> {
    const current = await tx.selectFrom('ipallocations').select(['subnet_id', 'ip_address']).where('port_id', '=', row.id).execute();
    const subnets = await this.subnetsForIpam(tx, row.network_id);
    const keep: FixedIp[] = [];
    const toAllocate: FixedIpRequest[] = [];
    for (const req of requested) {
      if (req.ip_address !== undefined) {
        const canonical = parseIp(req.ip_address) ? formatIp(parseIp(req.ip_address)!.version, parseIp(req.ip_address)!.value) : req.ip_address;
        const hit = current.find((c) => c.ip_address === canonical && (req.subnet_id === undefined || c.subnet_id === req.subnet_id));
        if (hit) keep.push(hit);
        else toAllocate.push(req);
      } else if (req.subnet_id !== undefined) {
        const hit = current.find((c) => c.subnet_id === req.subnet_id && !keep.includes(c));
        if (hit) keep.push(hit);
        else toAllocate.push(req);
      } else {
        throw new InvalidInput('IP allocation requires subnet_id or ip_address');
      }
    }
    // SLAAC addresses stay unless their subnet is explicitly dropped
    for (const c of current) {
      const s = subnets.find((x) => x.id === c.subnet_id);
      if (s && isAutoAddressSubnet(s) && !ROUTER_INTERFACE_OWNERS.includes(row.device_owner) && !keep.includes(c)
        && !requested.some((r) => r.subnet_id === c.subnet_id)) {
        keep.push(c);
      }
    }
    const removed = current.filter((c) => !keep.includes(c));
    await release(tx, row.id, removed);
    if (toAllocate.length) await allocateForPort(tx, { id: row.id, network_id: row.network_id, mac_address: mac, device_owner: row.device_owner }, toAllocate, subnets);
  }

  /** A new MAC moves the port's SLAAC addresses with it. */
  private async refreshSlaac(tx: Db, row: PortRow, mac: string): Promise<void> {
    const subnets = (await this.subnetsForIpam(tx, row.network_id)).filter((s) => isAutoAddressSubnet(s));
    if (!subnets.length || ROUTER_INTERFACE_OWNERS.includes(row.device_owner)) return;
    await lockSubnets(tx, subnets.map((s) => s.id));
    for (const s of subnets) {
      await tx.deleteFrom('ipallocations').where('port_id', '=', row.id).where('subnet_id', '=', s.id).execute();
      await tx.insertInto('ipallocations').values({ port_id: row.id, subnet_id: s.id, network_id: row.network_id, ip_address: eui64Address(parseCidr(s.cidr)!, mac) }).execute();
    }
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const row = await this.getRow(ctx, id);
    checkRevision(opts.ifMatch, row.revision_number);
    if (L3_OWNERS.includes(row.device_owner) && await this.d.l3PortOwnerExists(row)) {
      throw new ServicePortInUse(id, `has device owner ${row.device_owner}`);
    }
    await this.deleteInternal(ctx, id);
  }

  /**
   * Deletes a port without the L3 owner check (routers and floating IPs delete their own
   * ports). With `tx` the work joins the caller's transaction and the returned `after` must be
   * run once it has committed (postcommit drivers and events).
   */
  async deleteInternal(ctx: NeutronContext, id: string, tx?: Db): Promise<{ original?: Dict; after: () => Promise<void> }> {
    const db = tx ?? this.db;
    const row = await db.selectFrom('ports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { after: async () => {} };
    if (!tx) await this.d.disassociateFloatingIps(ctx, id);
    const netRow = await db.selectFrom('networks').selectAll().where('id', '=', row.network_id).executeTakeFirst();
    const network = netRow ? (await this.d.networks.view(ctx.elevated(), [netRow], db))[0]! : {};
    const segments = (await this.d.types.segmentsOf(db, [row.network_id])).get(row.network_id) ?? [];
    const original = (await this.view([row], db))[0]!;
    const pc = this.portContext(ctx, original, network, segments, row.binding_host_id);
    const work = async (t: Db) => {
      await this.d.mechanisms.precommit('deletePortPrecommit', pc);
      await release(t, id);
      await t.deleteFrom('tags').where('resource_type', '=', 'ports').where('resource_id', '=', id).execute();
      await t.deleteFrom('ports').where('id', '=', id).execute();
    };
    const after = async () => {
      await this.d.mechanisms.postcommit('deletePortPostcommit', pc);
      await this.d.events.publish({ resource: 'port', action: 'delete', ctx, current: original });
    };
    if (tx) {
      await work(tx);
      return { original, after };
    }
    await this.d.store.write(work);
    await after();
    return { original, after: async () => {} };
  }

  /** Port status from agents (update_device_up/down); publishes a port_status event on change. */
  async setStatus(ctx: NeutronContext, id: string, status: string, host?: string): Promise<Dict | undefined> {
    const row = await this.db.selectFrom('ports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    if (host && row.binding_host_id && host !== row.binding_host_id) return undefined;
    if (row.status === status) return (await this.view([row]))[0];
    const original = (await this.view([row]))[0]!;
    await this.d.store.write((tx) => bumpRevision(tx, 'ports', id, { status }));
    const current = await this.get(ctx.elevated(), id);
    await this.d.events.publish({ resource: 'port_status', action: 'update', ctx, current, original });
    return current;
  }

  /** Ports by device (for routers, DHCP and the RPC callbacks). */
  async rowsBy(db: Db, where: { network_id?: string; device_id?: string; device_owner?: string; host?: string }): Promise<PortRow[]> {
    let qb = db.selectFrom('ports').selectAll();
    if (where.network_id) qb = qb.where('network_id', '=', where.network_id);
    if (where.device_id) qb = qb.where('device_id', '=', where.device_id);
    if (where.device_owner) qb = qb.where('device_owner', '=', where.device_owner);
    if (where.host) qb = qb.where('binding_host_id', '=', where.host);
    return qb.execute();
  }
}
