/**
 * Ports (db_base_plugin_v2 + ML2 create/update/delete_port): MAC addresses from base_mac,
 * fixed IPs through IPAM, port security with the project's default security group, allowed
 * address pairs, extra DHCP options, DNS names and assignments, and port binding through the
 * mechanism drivers (binding:host_id, vif_type, vif_details, profile, vnic_type). A port is
 * DOWN until an L2 agent reports it up (see setStatus and the ML2 RPC callbacks).
 * A port delete publishes BEFORE_DELETE (routers and floating IPs veto deleting their ports,
 * floating IPs let go of the port); a network being deleted takes its DHCP ports along.
 */
import { randomUUID } from 'node:crypto';
import { isSet } from '../common/attributes.js';
import type { NeutronContext } from '../common/context.js';
import { type EventRegistry, type NetworkDeleting, PRIORITY_CHECK } from '../common/events.js';
import { eui64Address, normalizeMac, randomMac } from '../common/mac.js';
import { formatIp, parseCidr, parseIp } from '../common/netaddr.js';
import { applyFilters, columnsOf, isKeyValueFilter, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { PortRow } from '../db/schema.js';
import { checkRevision, type Db, groupBy, nextRevision, now, parseJsonObject, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  AddressPairAndPortSecurityRequired, InvalidInput, MacAddressInUse, NetworkInUse, NetworkNotFound, PortBound, PortNotFound,
  PortSecurityAndIPRequiredForSecurityGroups, PortSecurityPortHasSecurityGroup,
} from '../errors.js';
import { allocateForPort, lockSubnets, release, type SubnetForIpam } from '../ipam/allocator.js';
import { isAutoAddressSubnet, ROUTER_INTERFACE_OWNERS } from '../ipam/pools.js';
import type { AgentInfo, Binding, BindingPort, PortBindingContext, PortContext, Segment } from '../ml2/driver-api.js';
import { VIF_TYPE_BINDING_FAILED, VIF_TYPE_UNBOUND } from '../ml2/driver-api.js';
import type { MechanismManager } from '../ml2/mechanisms.js';
import type { TypeManager } from '../ml2/type-manager.js';
import type { JsonObject, WriteOptions } from '../types/common.js';
import type { Network } from '../types/network.js';
import type { FixedIp, FixedIpRequest, Port, PortCreate, PortUpdate } from '../types/port.js';
import type { NetworkManager } from './networks.js';
import type { QosBindings } from './qos/bindings.js';
import { applyDhcpOpts, checkAddressPairs, checkDhcpOpts, dnsAssignment, writeAddressPairs } from './port-extras.js';
import type { SubnetManager } from './subnets.js';
import { trunkDetailsOf } from './trunk-details.js';
import type { OwnerLookups, PolicyAttributes, ResourceHandlers } from './types.js';
import { portVisible } from './visibility.js';

/** Device owners whose ports go away with their network (db_base_plugin_v2 AUTO_DELETE_PORT_OWNERS). */
export const AUTO_DELETE_PORT_OWNERS = ['network:dhcp'];

/** The security groups a port gets: the project's default one, and the check of requested ones. */
export interface PortSecurityGroups {
  ensureDefault(projectId: string): Promise<string>;
  checkUsable(db: Db, projectId: string, ids: string[], unscoped: boolean): Promise<void>;
}

/** Agents registered on a host (for binding). */
export interface HostAgents {
  byTypeAndHost(agentType: string, host: string): Promise<AgentInfo[]>;
}

export interface PortDeps {
  store: Store;
  networks: NetworkManager;
  subnets: SubnetManager;
  securityGroups: PortSecurityGroups;
  types: TypeManager;
  mechanisms: MechanismManager;
  events: EventRegistry;
  agents: HostAgents;
  baseMac: string;
  maxAddressPairs: number;
  dnsDomain: string;
  qos: QosBindings;
}

const spec: ListSpec<'ports'> = {
  table: 'ports',
  tagType: 'ports',
  columns: {
    ...stringColumns<'ports'>('id', 'name', 'project_id', 'network_id', 'mac_address', 'status', 'device_id', 'device_owner', 'dns_name',
      'description', 'created_at', 'updated_at'),
    ...columnsOf<'ports'>('bool', 'admin_state_up', 'port_security_enabled'),
    ...columnsOf<'ports'>('int', 'revision_number'),
    'binding:host_id': { column: 'binding_host_id', kind: 'string' },
    'binding:vnic_type': { column: 'binding_vnic_type', kind: 'string' },
  },
  hooks: {
    fixed_ips: (eb, values) => {
      const first = values[0];
      const f = isKeyValueFilter(first) ? first : {};
      const conds = [];
      for (const key of ['ip_address', 'subnet_id'] as const) {
        const list = f[key];
        if (list?.length) {
          const vals = key === 'ip_address' ? list.map((ip) => { const p = parseIp(ip); return p ? formatIp(p.version, p.value) : ip; }) : list;
          conds.push(eb.exists(eb.selectFrom('ipallocations as fi').select('fi.port_id').whereRef('fi.port_id', '=', 'ports.id').where(`fi.${key}`, 'in', vals)));
        }
      }
      const substr = f.ip_address_substr;
      if (substr?.length) {
        conds.push(eb.exists(eb.selectFrom('ipallocations as fs').select('fs.port_id').whereRef('fs.port_id', '=', 'ports.id')
          .where((e) => e.or(substr.map((s) => e('fs.ip_address', 'like', `%${s}%`))))));
      }
      return eb.and(conds);
    },
    security_groups: (eb, values) => eb.exists(eb.selectFrom('securitygroupportbindings as sb').select('sb.port_id')
      .whereRef('sb.port_id', '=', 'ports.id').where('sb.security_group_id', 'in', values.map(String))),
  },
};

export class PortManager implements ResourceHandlers<Port, PortCreate, PortUpdate> {
  constructor(private readonly d: PortDeps) {
    d.events.subscribe('network', 'before_delete', (e) => this.deleteForNetwork(e), PRIORITY_CHECK);
  }

  private get db(): Db {
    return this.d.store.db;
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Port[]> {
    let qb = this.db.selectFrom('ports').selectAll('ports');
    if (!ctx.unscoped) qb = qb.where(portVisible(ctx));
    qb = applyFilters(qb, spec, q.filters);
    return this.view(await runPaged(this.db, qb, spec, q));
  }

  async findRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<PortRow | undefined> {
    let qb = db.selectFrom('ports').selectAll('ports').where('ports.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(portVisible(ctx));
    return qb.executeTakeFirst();
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<PortRow> {
    const row = await this.findRow(ctx, id, db);
    if (!row) throw new PortNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<Port> {
    return this.viewOne(await this.getRow(ctx, id));
  }

  private async viewOne(row: PortRow, db: Db = this.db): Promise<Port> {
    return (await this.view([row], db))[0]!;
  }

  async view(rows: PortRow[], db: Db = this.db): Promise<Port[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const networkIds = [...new Set(rows.map((r) => r.network_id))];
    const [ips, pairs, opts, sgs, tags, nets, trunkDetails, qosPorts, qosNets] = await Promise.all([
      db.selectFrom('ipallocations').selectAll().where('port_id', 'in', ids).execute(),
      db.selectFrom('allowedaddresspairs').selectAll().where('port_id', 'in', ids).execute(),
      db.selectFrom('extradhcpopts').selectAll().where('port_id', 'in', ids).execute(),
      db.selectFrom('securitygroupportbindings').selectAll().where('port_id', 'in', ids).execute(),
      tagsOf(db, 'ports', ids),
      db.selectFrom('networks').select(['id', 'dns_domain']).where('id', 'in', networkIds).execute(),
      trunkDetailsOf(db, ids),
      this.d.qos.portPolicies(db, ids),
      this.d.qos.networkPolicies(db, networkIds),
    ]);
    const subnetOrder = new Map((await db.selectFrom('subnets').select(['id', 'created_at']).where('network_id', 'in', networkIds).execute())
      .map((s) => [s.id, s.created_at]));
    const ipsBy = groupBy(ips, (i) => i.port_id);
    const pairsBy = groupBy(pairs, (i) => i.port_id);
    const optsBy = groupBy(opts, (i) => i.port_id);
    const sgsBy = groupBy(sgs, (i) => i.port_id);
    return rows.map((r): Port => {
      const fixed = (ipsBy.get(r.id) ?? [])
        .sort((a, b) => String(subnetOrder.get(a.subnet_id)).localeCompare(String(subnetOrder.get(b.subnet_id))) || a.subnet_id.localeCompare(b.subnet_id))
        .map((i) => ({ subnet_id: i.subnet_id, ip_address: i.ip_address }));
      const netDomain = nets.find((n) => n.id === r.network_id)?.dns_domain;
      const trunk = trunkDetails.get(r.id);
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
        'binding:vif_details': parseJsonObject(r.binding_vif_details),
        'binding:profile': parseJsonObject(r.binding_profile),
        'binding:vnic_type': r.binding_vnic_type,
        dns_name: r.dns_name,
        dns_assignment: dnsAssignment(r.dns_name, fixed, netDomain || this.d.dnsDomain),
        ip_allocation: 'immediate',
        qos_policy_id: qosPorts.get(r.id) ?? null,
        qos_network_policy_id: qosNets.get(r.network_id) ?? null,
        tags: tags.get(r.id) ?? [],
        ...(trunk ? { trunk_details: trunk } : {}),
        ...standardView(r),
      };
    });
  }

  policyAttributes(ctx: NeutronContext, item: { network_id: string }, _parentId: string | undefined, lookups: OwnerLookups): Promise<PolicyAttributes> {
    return this.d.networks.ownerAttributes(ctx, item, lookups);
  }

  private async subnetsForIpam(db: Db, networkId: string): Promise<SubnetForIpam[]> {
    return this.d.subnets.forNetwork(db, networkId);
  }

  private async segmentsOf(networkId: string): Promise<Segment[]> {
    return (await this.d.types.segmentsOf(this.db, [networkId])).get(networkId) ?? [];
  }

  /** Asks the mechanism drivers to bind the port on `host` (ML2 _bind_port). */
  private async bind(ctx: NeutronContext, current: BindingPort, network: Network, segments: Segment[], host: string): Promise<Pick<Binding, 'vifType' | 'vifDetails'>> {
    if (!host) return { vifType: VIF_TYPE_UNBOUND, vifDetails: {} };
    const pc: PortBindingContext = {
      ctx, current, network, segments, host,
      hostAgents: (type) => this.d.agents.byTypeAndHost(type, host),
      setBinding(segment, vifType, vifDetails, status) {
        pc.binding = { segment, vifType, vifDetails, ...(status ? { status } : {}) };
      },
    };
    await this.d.mechanisms.bindPort(pc);
    return pc.binding ? { vifType: pc.binding.vifType, vifDetails: pc.binding.vifDetails } : { vifType: VIF_TYPE_BINDING_FAILED, vifDetails: {} };
  }

  async create(ctx: NeutronContext, body: PortCreate): Promise<Port> {
    const networkId = body.network_id;
    const netRow = await this.d.networks.findRow(ctx.elevated(), networkId);
    if (!netRow) throw new NetworkNotFound(networkId);
    const network = await this.d.networks.viewOne(ctx.elevated(), netRow);
    const segments = await this.segmentsOf(networkId);
    const projectId = body.project_id;
    const owner = body.device_owner ?? '';
    const portSecurity = isSet(body.port_security_enabled) ? body.port_security_enabled : network.port_security_enabled;
    const trusted = owner.startsWith('network:');
    const requestedSgs = isSet(body.security_groups) ? body.security_groups : undefined;
    if (!portSecurity && requestedSgs && requestedSgs.length) throw new PortSecurityAndIPRequiredForSecurityGroups();
    const pairsRequest = body.allowed_address_pairs;
    const wantsPairs = isSet(pairsRequest) && lengthOf(pairsRequest) > 0;
    if (!portSecurity && wantsPairs) throw new AddressPairAndPortSecurityRequired();
    const dhcpOpts = checkDhcpOpts(body.extra_dhcp_opts);
    const host = isSet(body['binding:host_id']) ? body['binding:host_id'] : '';
    const profile: JsonObject = isSet(body['binding:profile']) ? body['binding:profile'] : {};
    const vnicType = body['binding:vnic_type'] ?? 'normal';
    // the project's default group exists once it has a port (_ensure_default_security_group_handler);
    // ports without a project (router gateways, floating IPs) get none, as upstream
    const projectDefault = projectId ? await this.d.securityGroups.ensureDefault(projectId) : undefined;
    const defaultSg = portSecurity && !trusted && requestedSgs === undefined ? projectDefault : undefined;
    const id = randomUUID();

    const preview: BindingPort = {
      id, network_id: networkId, project_id: projectId, device_owner: owner, device_id: body.device_id ?? '',
      'binding:vnic_type': vnicType, 'binding:profile': profile, fixed_ips: [],
    };
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
        id, project_id: projectId, network_id: networkId, name: body.name ?? '', mac_address: mac,
        admin_state_up: body.admin_state_up === false ? 0 : 1, status: 'DOWN', device_id: body.device_id ?? '', device_owner: owner,
        port_security_enabled: portSecurity ? 1 : 0, dns_name: body.dns_name ?? '',
        binding_host_id: host, binding_vif_type: binding.vifType, binding_vif_details: JSON.stringify(binding.vifDetails),
        binding_profile: JSON.stringify(profile), binding_vnic_type: vnicType,
        description: body.description ?? '', revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('ports').values(values).execute();
      const subnets = await this.subnetsForIpam(tx, networkId);
      const requested = isSet(body.fixed_ips) ? body.fixed_ips : undefined;
      await allocateForPort(tx, { id, network_id: networkId, mac_address: mac, device_owner: owner }, requested, subnets);
      let sgs: string[] = [];
      if (portSecurity && !trusted) sgs = requestedSgs ?? (defaultSg ? [defaultSg] : []);
      else if (portSecurity && requestedSgs) sgs = requestedSgs;
      if (sgs.length) {
        await this.d.securityGroups.checkUsable(tx, projectId, sgs, ctx.unscoped);
        for (const sg of [...new Set(sgs)]) await tx.insertInto('securitygroupportbindings').values({ port_id: id, security_group_id: sg }).execute();
      }
      if (wantsPairs) await writeAddressPairs(tx, id, checkAddressPairs(pairsRequest, mac, this.d.maxAddressPairs));
      if (dhcpOpts.length) await applyDhcpOpts(tx, id, dhcpOpts, true);
      if (isSet(body.tags)) await setTags(tx, 'ports', id, body.tags);
      await this.d.qos.createPort(tx, ctx, { id, network_id: networkId, 'binding:vif_type': binding.vifType, 'binding:vnic_type': vnicType }, body.qos_policy_id);
      const current = await this.viewOne(values, tx);
      await this.d.mechanisms.precommit('createPortPrecommit', { ctx, current, network, segments, host });
      return values;
    }, 60);
    const current = await this.viewOne(row);
    await this.d.mechanisms.postcommit('createPortPostcommit', { ctx, current, network, segments, host });
    await this.d.events.publish('port', 'after_create', { ctx, current });
    return current;
  }

  async update(ctx: NeutronContext, id: string, body: PortUpdate, opts: WriteOptions): Promise<Port> {
    const before = await this.getRow(ctx, id);
    const netRow = await this.d.networks.getRow(ctx.elevated(), before.network_id);
    const network = await this.d.networks.viewOne(ctx.elevated(), netRow);
    const segments = await this.segmentsOf(before.network_id);
    const hostChanged = 'binding:host_id' in body && (body['binding:host_id'] ?? '') !== before.binding_host_id;
    const rebind = hostChanged || ('binding:profile' in body) || ('binding:vnic_type' in body && body['binding:vnic_type'] !== before.binding_vnic_type);
    const host = 'binding:host_id' in body ? body['binding:host_id'] ?? '' : before.binding_host_id;
    const original = await this.viewOne(before);
    const binding = rebind ? await this.bind(ctx, bindingPreview(original, body), network, segments, host) : undefined;
    const dhcpOpts = 'extra_dhcp_opts' in body ? checkDhcpOpts(body.extra_dhcp_opts) : undefined;

    await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const set: Partial<PortRow> = {};
      for (const k of ['name', 'device_id', 'device_owner', 'description', 'dns_name'] as const) if (k in body) set[k] = body[k] ?? '';
      if ('admin_state_up' in body) set.admin_state_up = body.admin_state_up ? 1 : 0;
      let mac = row.mac_address;
      if (body.mac_address !== undefined) {
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
      const nextSgs = 'security_groups' in body ? body.security_groups ?? [] : currentSgs;
      if (!portSecurity && nextSgs.length) {
        throw 'security_groups' in body ? new PortSecurityAndIPRequiredForSecurityGroups() : new PortSecurityPortHasSecurityGroup();
      }
      const currentPairs = await tx.selectFrom('allowedaddresspairs').select('ip_address').where('port_id', '=', id).execute();
      const nextPairs = 'allowed_address_pairs' in body ? checkAddressPairs(body.allowed_address_pairs, mac, this.d.maxAddressPairs) : undefined;
      if (!portSecurity && ((nextPairs ?? currentPairs).length > 0)) throw new AddressPairAndPortSecurityRequired();

      if ('fixed_ips' in body) await this.updateFixedIps(tx, row, body.fixed_ips ?? [], mac);
      else if (set.mac_address) await this.refreshSlaac(tx, row, mac);
      if ('security_groups' in body) {
        await this.d.securityGroups.checkUsable(tx, row.project_id, nextSgs, ctx.unscoped);
        await tx.deleteFrom('securitygroupportbindings').where('port_id', '=', id).execute();
        for (const sg of [...new Set(nextSgs)]) await tx.insertInto('securitygroupportbindings').values({ port_id: id, security_group_id: sg }).execute();
      }
      if (nextPairs) await writeAddressPairs(tx, id, nextPairs);
      if (dhcpOpts) await applyDhcpOpts(tx, id, dhcpOpts, false);
      if ('binding:profile' in body) set.binding_profile = JSON.stringify(body['binding:profile'] ?? {});
      if (body['binding:vnic_type'] !== undefined) set.binding_vnic_type = body['binding:vnic_type'];
      if ('binding:host_id' in body) set.binding_host_id = host;
      if (binding) {
        set.binding_vif_type = binding.vifType;
        set.binding_vif_details = JSON.stringify(binding.vifDetails);
        if (hostChanged && row.status === 'ACTIVE') set.status = 'DOWN';
      }
      if (body.qos_policy_id !== undefined) {
        await this.d.qos.updatePort(tx, ctx, {
          id, network_id: row.network_id, 'binding:vif_type': set.binding_vif_type ?? row.binding_vif_type, 'binding:vnic_type': set.binding_vnic_type ?? row.binding_vnic_type,
        }, body.qos_policy_id);
      }
      await tx.updateTable('ports').set({ ...set, ...nextRevision() }).where('id', '=', id).execute();
      const current = await this.viewOne(await this.getRow(ctx.elevated(), id, tx), tx);
      await this.d.mechanisms.precommit('updatePortPrecommit', { ctx, current, original, network, segments, host });
    }, 60);
    const current = await this.get(ctx.elevated(), id);
    await this.d.mechanisms.postcommit('updatePortPostcommit', { ctx, current, original, network, segments, host });
    await this.d.events.publish('port', 'after_update', { ctx, current, original });
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
        const parsed = parseIp(req.ip_address);
        const canonical = parsed ? formatIp(parsed.version, parsed.value) : req.ip_address;
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
    await this.remove(ctx, id, true);
  }

  /** Deletes a port its owner (a router, a floating IP, the DHCP agent) no longer needs. */
  async deleteInternal(ctx: NeutronContext, id: string): Promise<void> {
    await this.remove(ctx, id, false);
  }

  /** The deletion itself; `l3Check`: whether routers and floating IPs may veto it (see PortDeleting). */
  private async remove(ctx: NeutronContext, id: string, l3Check: boolean): Promise<void> {
    const row = await this.db.selectFrom('ports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return;
    await this.d.events.publish('port', 'before_delete', { ctx, port: { id, device_id: row.device_id, device_owner: row.device_owner }, l3Check });
    const netRow = await this.d.networks.findRow(ctx.elevated(), row.network_id);
    if (!netRow) return; // ports reference their network: it went with the network
    const network = await this.d.networks.viewOne(ctx.elevated(), netRow);
    const segments = await this.segmentsOf(row.network_id);
    const original = await this.viewOne(row);
    const pc: PortContext = { ctx, current: original, network, segments, host: row.binding_host_id };
    await this.d.store.write(async (tx) => {
      await this.d.mechanisms.precommit('deletePortPrecommit', pc);
      await release(tx, id);
      await tx.deleteFrom('tags').where('resource_type', '=', 'ports').where('resource_id', '=', id).execute();
      await tx.deleteFrom('ports').where('id', '=', id).execute();
    });
    await this.d.mechanisms.postcommit('deletePortPostcommit', pc);
    await this.d.events.publish('port', 'after_delete', { ctx, current: original });
  }

  /**
   * A network going away (network BEFORE_DELETE): refused (NetworkInUse) while it has ports
   * other than auto-delete ones; those (DHCP ports) are deleted first.
   */
  private async deleteForNetwork({ ctx, network }: NetworkDeleting): Promise<void> {
    const ports = await this.db.selectFrom('ports').select(['id', 'device_owner']).where('network_id', '=', network.id).execute();
    if (ports.some((p) => !AUTO_DELETE_PORT_OWNERS.includes(p.device_owner))) throw new NetworkInUse(network.id);
    for (const p of ports) await this.deleteInternal(ctx, p.id);
  }

  /**
   * ML2's _bind_port_if_needed when an agent asks for a port's details: a binding that failed
   * on `host` (its agent was not alive then, e.g. killed and not yet back) is tried again, as an
   * update of the port (revision, events); the port as it is afterwards.
   */
  async retryFailedBinding(ctx: NeutronContext, port: Port, host: string): Promise<Port> {
    if (port['binding:vif_type'] !== VIF_TYPE_BINDING_FAILED || port['binding:host_id'] !== host) return port;
    return this.update(ctx, port.id, { 'binding:profile': port['binding:profile'] }, {});
  }

  /** Port status from agents (update_device_up/down); publishes a port_status event on change. */
  async setStatus(ctx: NeutronContext, id: string, status: string, host?: string): Promise<Port | undefined> {
    const row = await this.db.selectFrom('ports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    if (host && row.binding_host_id && host !== row.binding_host_id) return undefined;
    if (row.status === status) return this.viewOne(row);
    const original = await this.viewOne(row);
    await this.d.store.write((tx) => tx.updateTable('ports').set({ status, ...nextRevision() }).where('id', '=', id).execute());
    const current = await this.get(ctx.elevated(), id);
    await this.d.events.publish('port_status', 'after_update', { ctx, current, original });
    return current;
  }
}

/** The length of a request value not checked yet (a list, or anything with a length). */
function lengthOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  return typeof value === 'object' && value !== null && 'length' in value && typeof value.length === 'number' ? value.length : 0;
}

/** The port as bind_port sees it during an update: the original with the request's binding changes. */
function bindingPreview(original: Port, body: PortUpdate): BindingPort {
  return {
    ...original,
    ...(body.device_id !== undefined ? { device_id: body.device_id } : {}),
    ...(body.device_owner !== undefined ? { device_owner: body.device_owner } : {}),
    ...(body['binding:vnic_type'] !== undefined ? { 'binding:vnic_type': body['binding:vnic_type'] } : {}),
    ...('binding:profile' in body ? { 'binding:profile': body['binding:profile'] ?? {} } : {}),
  };
}
