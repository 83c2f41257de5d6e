/**
 * Subnets (db_base_plugin_v2 create/update/delete_subnet with ipam_backend_mixin): CIDR
 * (given, or allocated from a subnet pool), gateway (first address by default, or none),
 * allocation pools (generated around the gateway, or validated), DNS servers, host routes,
 * IPv6 RA/address modes with SLAAC addresses for the network's existing ports, service types.
 * A network being deleted takes its subnets along (network PRECOMMIT_DELETE).
 */
import { randomUUID } from 'node:crypto';
import { isSet, type Settable } from '../common/attributes.js';
import type { NeutronContext } from '../common/context.js';
import type { EventRegistry } from '../common/events.js';
import { eui64Address } from '../common/mac.js';
import { type Cidr, cidrsOverlap, cidrToString, formatIp, type IpRange, parseCidr, parseIp } from '../common/netaddr.js';
import { applyFilters, columnsOf, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { SubnetRow } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, groupBy, nextRevision, now, setTags, standardView, type Store, tagsOf } from '../db/store.js';
import {
  DNSNameServersExhausted, GatewayConflictWithAllocationPools, GatewayIpInUse, HostRoutesExhausted, InvalidInput, InvalidSubnetServiceType,
  NetworkMTUSubnetConflict, NeutronBadRequest, SubnetInUse, SubnetNotFound,
} from '../errors.js';
import type { SubnetForIpam } from '../ipam/allocator.js';
import { generatePools, gatewayInvalid, isAutoAddressSubnet, poolContaining, poolToText, rangeText, ROUTER_INTERFACE_OWNERS, validatePools } from '../ipam/pools.js';
import type { MechanismManager } from '../ml2/mechanisms.js';
import type { WriteOptions } from '../types/common.js';
import type { AllocationPool, HostRoute, Subnet, SubnetCreate, SubnetUpdate } from '../types/subnet.js';
import type { NetworkManager } from './networks.js';
import type { SubnetPoolManager } from './subnetpools.js';
import type { OwnerLookups, PolicyAttributes, ResourceHandlers } from './types.js';
import { subnetVisible } from './visibility.js';

export interface SubnetDeps {
  store: Store;
  networks: NetworkManager;
  subnetpools: SubnetPoolManager;
  mechanisms: MechanismManager;
  events: EventRegistry;
  maxDnsNameservers: number;
  maxHostRoutes: number;
}

const spec: ListSpec<'subnets'> = {
  table: 'subnets',
  tagType: 'subnets',
  columns: {
    ...stringColumns<'subnets'>('id', 'name', 'project_id', 'network_id', 'cidr', 'gateway_ip', 'ipv6_ra_mode', 'ipv6_address_mode',
      'subnetpool_id', 'segment_id', 'description', 'created_at', 'updated_at'),
    ...columnsOf<'subnets'>('bool', 'enable_dhcp'),
    ...columnsOf<'subnets'>('int', 'ip_version', 'revision_number'),
  },
  hooks: {
    shared: (eb, values) => {
      const grant = eb.exists(eb.selectFrom('rbac_policies as rb').select('rb.id').where('rb.object_type', '=', 'network')
        .whereRef('rb.object_id', '=', 'subnets.network_id').where('rb.action', '=', 'access_as_shared').where('rb.target_project', '=', '*'));
      return values.every(Boolean) ? grant : eb.not(grant);
    },
  },
};

/** The attributes _validate_subnet checks: a create request, or an update merged with the subnet. */
interface SubnetValidation {
  id?: string;
  ip_version: number;
  cidr?: Settable<string>;
  enable_dhcp?: boolean;
  gateway_ip?: Settable<string | null>;
  dns_nameservers?: Settable<string[]>;
  host_routes?: Settable<HostRoute[]>;
  ipv6_ra_mode?: Settable<string | null>;
  ipv6_address_mode?: Settable<string | null>;
}

function ipVersionOf(text: string): number | undefined {
  return parseCidr(text, true)?.version;
}

function checkVersion(ipVersion: number, addr: string, name: string): void {
  if (ipVersionOf(addr) !== ipVersion) throw new InvalidInput(`${name} '${addr}' does not match the ip_version '${ipVersion}'`);
}

/**
 * The prefixes neutron-lib's validate_subnet_service_types accepts: DEVICE_OWNER_PREFIXES plus
 * `prefixes += "compute:"`, which adds that string's characters, not the string. So
 * `compute:nova` passes, and so does `test:type_1` (a 't'), as neutron-tempest-plugin relies on;
 * `foo` does not.
 */
const SERVICE_TYPE_PREFIXES: readonly string[] = ['network:', 'neutron:', ...'compute:'];

export class SubnetManager implements ResourceHandlers<Subnet, SubnetCreate, SubnetUpdate> {
  constructor(private readonly d: SubnetDeps) {
    d.events.subscribe('network', 'precommit_delete', ({ tx, network }) => this.deleteForNetwork(tx, network.id));
  }

  private get db(): Db {
    return this.d.store.db;
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Subnet[]> {
    let qb = this.db.selectFrom('subnets').selectAll('subnets');
    if (!ctx.unscoped) qb = qb.where(subnetVisible(ctx));
    qb = applyFilters(qb, spec, q.filters);
    return this.view(ctx, await runPaged(this.db, qb, spec, q));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<SubnetRow> {
    let qb = db.selectFrom('subnets').selectAll('subnets').where('subnets.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(subnetVisible(ctx));
    const row = await qb.executeTakeFirst();
    if (!row) throw new SubnetNotFound(id);
    return row;
  }

  async get(ctx: NeutronContext, id: string): Promise<Subnet> {
    return this.viewOne(ctx, await this.getRow(ctx, id));
  }

  private async viewOne(ctx: NeutronContext, row: SubnetRow, db: Db = this.db): Promise<Subnet> {
    return (await this.view(ctx, [row], db))[0]!;
  }

  async view(ctx: NeutronContext, rows: SubnetRow[], db: Db = this.db): Promise<Subnet[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const netIds = [...new Set(rows.map((r) => r.network_id))];
    const [pools, dns, routes, types, shared, tags] = await Promise.all([
      db.selectFrom('ipallocationpools').selectAll().where('subnet_id', 'in', ids).execute(),
      db.selectFrom('dnsnameservers').selectAll().where('subnet_id', 'in', ids).orderBy('order_idx').execute(),
      db.selectFrom('subnetroutes').selectAll().where('subnet_id', 'in', ids).execute(),
      db.selectFrom('subnet_service_types').selectAll().where('subnet_id', 'in', ids).execute(),
      db.selectFrom('rbac_policies').select(['object_id', 'target_project']).where('object_type', '=', 'network').where('action', '=', 'access_as_shared')
        .where('object_id', 'in', netIds).execute(),
      tagsOf(db, 'subnets', ids),
    ]);
    const poolsBy = groupBy(pools, (p) => p.subnet_id);
    const dnsBy = groupBy(dns, (p) => p.subnet_id);
    const routesBy = groupBy(routes, (p) => p.subnet_id);
    const typesBy = groupBy(types, (p) => p.subnet_id);
    return rows.map((r): Subnet => {
      const version: 4 | 6 = Number(r.ip_version) === 6 ? 6 : 4;
      const ranges = (poolsBy.get(r.id) ?? [])
        .map((p) => ({ version, first: parseIp(p.first_ip)!.value, last: parseIp(p.last_ip)!.value }))
        .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
      return {
        id: r.id,
        name: r.name,
        tenant_id: r.project_id,
        project_id: r.project_id,
        network_id: r.network_id,
        ip_version: version,
        subnetpool_id: r.subnetpool_id,
        cidr: r.cidr,
        gateway_ip: r.gateway_ip,
        allocation_pools: ranges.map(poolToText),
        dns_nameservers: (dnsBy.get(r.id) ?? []).map((x) => x.address),
        host_routes: (routesBy.get(r.id) ?? []).map((x) => ({ destination: x.destination, nexthop: x.nexthop })),
        enable_dhcp: Boolean(Number(r.enable_dhcp)),
        ipv6_ra_mode: r.ipv6_ra_mode,
        ipv6_address_mode: r.ipv6_address_mode,
        service_types: (typesBy.get(r.id) ?? []).map((x) => x.service_type),
        segment_id: r.segment_id,
        shared: shared.some((s) => s.object_id === r.network_id && (s.target_project === '*' || s.target_project === ctx.projectId)),
        tags: tags.get(r.id) ?? [],
        ...standardView(r),
      };
    });
  }

  policyAttributes(ctx: NeutronContext, item: { network_id: string }, _parentId: string | undefined, lookups: OwnerLookups): Promise<PolicyAttributes> {
    return this.d.networks.ownerAttributes(ctx, item, lookups);
  }

  /** _validate_subnet: version consistency, DHCP-compatible prefixes, gateway, DNS, routes, IPv6 modes. */
  private validate(s: SubnetValidation, cur?: SubnetRow): void {
    const ipVersion = Number(s.ip_version);
    const cidrText = isSet(s.cidr) ? s.cidr : undefined;
    let net: Cidr | undefined;
    if (cidrText) {
      checkVersion(ipVersion, cidrText, 'cidr');
      net = parseCidr(cidrText)!;
      if (net.prefixlen === 0) throw new InvalidInput('0 is not allowed as CIDR prefix length');
    }
    if (net && ipVersion === 6 && net.network === 0n) throw new InvalidInput("IPv6 subnet '::' is not supported");
    const dhcpWasEnabled = cur ? Boolean(Number(cur.enable_dhcp)) : false;
    if (net && s.enable_dhcp === true && !dhcpWasEnabled) {
      if ((ipVersion === 4 && net.prefixlen > 30) || (ipVersion === 6 && net.prefixlen > 126)) {
        throw new InvalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled');
      }
      if (ipVersion === 4 ? (net.network >> 28n) === 14n : (net.network >> 120n) === 0xffn) throw new InvalidInput('Multicast IP subnet is not supported if enable_dhcp is True');
      if (ipVersion === 4 ? (net.network >> 24n) === 127n : net.network === 1n && net.prefixlen === 128) throw new InvalidInput('Loopback IP subnet is not supported if enable_dhcp is True');
      if (ipVersion === 4 && net.network === 0n) throw new InvalidInput("First IP '0.0.0.0' of network is not supported if enable_dhcp is True.");
    }
    if (isSet(s.gateway_ip) && s.gateway_ip) {
      checkVersion(ipVersion, s.gateway_ip, 'gateway_ip');
      if (net && gatewayInvalid(net, parseIp(s.gateway_ip)!)) throw new InvalidInput('Gateway is not valid on subnet');
    }
    if (isSet(s.dns_nameservers)) {
      const list = s.dns_nameservers;
      if (list.length > this.d.maxDnsNameservers) throw new DNSNameServersExhausted(s.id ?? 'new subnet', this.d.maxDnsNameservers);
      for (const dns of list) checkVersion(ipVersion, dns, 'dns_nameserver');
    }
    if (isSet(s.host_routes)) {
      const list = s.host_routes;
      if (list.length > this.d.maxHostRoutes) throw new HostRoutesExhausted(s.id ?? 'new subnet', this.d.maxHostRoutes);
      for (const rt of list) {
        checkVersion(ipVersion, rt.nexthop, 'nexthop');
        checkVersion(ipVersion, rt.destination, 'destination');
      }
    }
    if (ipVersion === 4) {
      if (isSet(s.ipv6_ra_mode)) throw new InvalidInput('ipv6_ra_mode is not valid when ip_version is 4');
      if (isSet(s.ipv6_address_mode)) throw new InvalidInput('ipv6_address_mode is not valid when ip_version is 4');
    } else if (cur) {
      if ('enable_dhcp' in s && s.enable_dhcp === false && (cur.ipv6_ra_mode || cur.ipv6_address_mode)) {
        throw new InvalidInput('Cannot disable enable_dhcp with ipv6 attributes set');
      }
    } else {
      const ra = isSet(s.ipv6_ra_mode) ? s.ipv6_ra_mode : null;
      const addr = isSet(s.ipv6_address_mode) ? s.ipv6_address_mode : null;
      if ((ra !== null || addr !== null) && s.enable_dhcp === false) throw new InvalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
      if (ra !== null && addr !== null && ra !== addr) {
        throw new InvalidInput(`ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${addr}' is not valid. If both attributes are set, they must be the same value`);
      }
      if (net && (ra !== null || addr !== null)) {
        const auto = isAutoAddressSubnet({ ip_version: 6, ipv6_address_mode: addr, ipv6_ra_mode: ra });
        if (auto && net.prefixlen !== 64) {
          throw new InvalidInput(`Invalid CIDR ${cidrText} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`);
        }
      }
    }
  }

  async create(ctx: NeutronContext, body: SubnetCreate): Promise<Subnet> {
    const given = isSet(body.cidr) ? cidrToString(parseCidr(body.cidr)!) : undefined;
    if (given !== undefined && isSet(body.prefixlen)) throw new NeutronBadRequest('subnets', 'cidr and prefixlen must not be supplied together');
    const s: SubnetCreate = given === undefined ? body : { ...body, cidr: given };
    const network = await this.d.networks.getRow(ctx, s.network_id);
    const poolId = await this.d.subnetpools.resolvePoolId(ctx, s);
    if (!poolId && given === undefined) {
      throw new NeutronBadRequest('subnets', 'a subnetpool must be specified in the absence of a cidr');
    }
    if (poolId && isSet(s.allocation_pools) && given === undefined) {
      throw new NeutronBadRequest('subnets', 'allocation_pools allowed only for specific subnet requests.');
    }
    if (given !== undefined) this.validate(s);
    const mtu = Number(network.mtu);
    if (mtu && mtu < 1280) {
      if (mtu < 68) throw new NetworkMTUSubnetConflict(network.id, 68);
      if (Number(s.ip_version) === 6) throw new NetworkMTUSubnetConflict(network.id, 1280);
    }
    const id = randomUUID();
    const netView = await this.d.networks.viewOne(ctx.elevated(), network);
    const row = await this.d.store.write(async (tx) => {
      let request = s;
      if (poolId) {
        const allocated = await this.d.subnetpools.allocateCidr(tx, poolId, s, id);
        request = { ...s, cidr: allocated, ip_version: parseCidr(allocated)!.version };
        this.validate(request);
      }
      const cidrText = isSet(request.cidr) ? request.cidr : '';
      const cidr = parseCidr(cidrText)!;
      const others = await tx.selectFrom('subnets').select(['id', 'cidr']).where('network_id', '=', network.id).execute();
      for (const o of others) {
        if (cidrsOverlap(parseCidr(o.cidr)!, cidr)) throw new InvalidInput(`Requested subnet with cidr: ${cidrText} for network: ${network.id} overlaps with another subnet`);
      }
      const gateway = this.gatewayFor(request.gateway_ip, cidr);
      const ranges = this.poolsFor(request.allocation_pools, cidr, gateway);
      const t = now();
      const values: SubnetRow = {
        id, project_id: request.project_id, network_id: network.id, name: request.name ?? '', ip_version: cidr.version,
        cidr: cidrToString(cidr), gateway_ip: gateway, enable_dhcp: request.enable_dhcp === false ? 0 : 1,
        ipv6_ra_mode: isSet(request.ipv6_ra_mode) ? request.ipv6_ra_mode : null,
        ipv6_address_mode: isSet(request.ipv6_address_mode) ? request.ipv6_address_mode : null,
        subnetpool_id: poolId ?? null, segment_id: null,
        description: request.description ?? '', revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('subnets').values(values).execute();
      await this.writePools(tx, id, ranges);
      await this.writeDns(tx, id, isSet(request.dns_nameservers) ? request.dns_nameservers : []);
      await this.writeRoutes(tx, id, isSet(request.host_routes) ? request.host_routes : []);
      await this.writeServiceTypes(tx, id, isSet(request.service_types) ? request.service_types : []);
      if (isSet(request.tags)) await setTags(tx, 'subnets', id, request.tags);
      if (isAutoAddressSubnet(values)) await this.addAutoAddresses(tx, values);
      await bumpRevision(tx, 'networks', network.id);
      const current = await this.viewOne(ctx, values, tx);
      await this.d.mechanisms.precommit('createSubnetPrecommit', { ctx, current, network: netView });
      return values;
    });
    const current = await this.viewOne(ctx, row);
    await this.d.mechanisms.postcommit('createSubnetPostcommit', { ctx, current, network: netView });
    await this.d.events.publish('subnet', 'after_create', { ctx, current });
    return current;
  }

  private gatewayFor(requested: Settable<string | null> | undefined, cidr: Cidr): string | null {
    if (requested === null) return null;
    if (isSet(requested)) return formatIp(cidr.version, parseIp(requested)!.value);
    if (cidr.prefixlen >= (cidr.version === 4 ? 31 : 127)) return null;
    return formatIp(cidr.version, cidr.network + 1n);
  }

  private poolsFor(requested: Settable<AllocationPool[]> | undefined, cidr: Cidr, gateway: string | null): IpRange[] {
    if (!isSet(requested)) return generatePools(cidr, gateway);
    const ranges = validatePools(requested, cidr, cidrToString(cidr));
    if (gateway) {
      const hit = poolContaining(ranges, parseIp(gateway)!);
      if (hit) throw new GatewayConflictWithAllocationPools(gateway, rangeText(hit));
    }
    return ranges;
  }

  private async writePools(tx: Db, subnetId: string, ranges: IpRange[]): Promise<void> {
    await tx.deleteFrom('ipallocationpools').where('subnet_id', '=', subnetId).execute();
    for (const r of ranges) {
      await tx.insertInto('ipallocationpools').values({ id: randomUUID(), subnet_id: subnetId, first_ip: formatIp(r.version, r.first), last_ip: formatIp(r.version, r.last) }).execute();
    }
  }

  private async writeDns(tx: Db, subnetId: string, list: string[]): Promise<void> {
    await tx.deleteFrom('dnsnameservers').where('subnet_id', '=', subnetId).execute();
    let i = 0;
    for (const address of list) await tx.insertInto('dnsnameservers').values({ subnet_id: subnetId, address, order_idx: i++ }).execute();
  }

  private async writeRoutes(tx: Db, subnetId: string, list: HostRoute[]): Promise<void> {
    await tx.deleteFrom('subnetroutes').where('subnet_id', '=', subnetId).execute();
    for (const r of list) {
      const dest = cidrToString(parseCidr(r.destination)!);
      await tx.insertInto('subnetroutes').values({ subnet_id: subnetId, destination: dest, nexthop: formatIp(parseIp(r.nexthop)!.version, parseIp(r.nexthop)!.value) }).execute();
    }
  }

  private async writeServiceTypes(tx: Db, subnetId: string, list: string[]): Promise<void> {
    for (const t of list) {
      if (!SERVICE_TYPE_PREFIXES.some((p) => t.startsWith(p))) throw new InvalidSubnetServiceType(t);
    }
    await tx.deleteFrom('subnet_service_types').where('subnet_id', '=', subnetId).execute();
    for (const t of [...new Set(list)]) await tx.insertInto('subnet_service_types').values({ subnet_id: subnetId, service_type: t }).execute();
  }

  /** A new SLAAC subnet gives every existing port of the network its EUI-64 address. */
  private async addAutoAddresses(tx: Db, subnet: SubnetRow): Promise<void> {
    const ports = await tx.selectFrom('ports').select(['id', 'mac_address', 'device_owner']).where('network_id', '=', subnet.network_id).execute();
    const cidr = parseCidr(subnet.cidr)!;
    for (const p of ports) {
      if (ROUTER_INTERFACE_OWNERS.includes(p.device_owner) || p.device_owner === 'network:router_gateway') continue;
      await tx.insertInto('ipallocations').values({ port_id: p.id, ip_address: eui64Address(cidr, p.mac_address), subnet_id: subnet.id, network_id: subnet.network_id }).execute();
      await bumpRevision(tx, 'ports', p.id);
    }
  }

  async update(ctx: NeutronContext, id: string, body: SubnetUpdate, opts: WriteOptions): Promise<Subnet> {
    const { original, network } = await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const original = await this.viewOne(ctx, row, tx);
      this.validate({ ...body, id, ip_version: Number(row.ip_version), cidr: row.cidr }, row);
      const cidr = parseCidr(row.cidr)!;
      const set: Partial<SubnetRow> = {};
      if (body.name !== undefined) set.name = body.name;
      if (body.description !== undefined) set.description = body.description;
      if ('enable_dhcp' in body) set.enable_dhcp = body.enable_dhcp ? 1 : 0;
      let gateway = row.gateway_ip;
      if (body.gateway_ip !== undefined) {
        const next = body.gateway_ip === null ? null : formatIp(cidr.version, parseIp(body.gateway_ip)!.value);
        if (next !== row.gateway_ip && row.gateway_ip) {
          const routerPort = await tx.selectFrom('ipallocations').innerJoin('ports', 'ports.id', 'ipallocations.port_id')
            .select('ports.id').where('ipallocations.subnet_id', '=', id).where('ipallocations.ip_address', '=', row.gateway_ip)
            .where('ports.device_owner', 'in', [...ROUTER_INTERFACE_OWNERS, 'network:router_gateway']).executeTakeFirst();
          if (routerPort) throw new GatewayIpInUse(row.gateway_ip, routerPort.id);
        }
        gateway = next;
        set.gateway_ip = next;
      }
      const ranges = body.allocation_pools !== undefined ? validatePools(body.allocation_pools, cidr, row.cidr) : undefined;
      if (gateway && (body.gateway_ip !== undefined || ranges)) {
        const current = ranges ?? original.allocation_pools.map((p) => ({ version: cidr.version, first: parseIp(p.start)!.value, last: parseIp(p.end)!.value }));
        const hit = poolContaining(current, parseIp(gateway)!);
        if (hit) throw new GatewayConflictWithAllocationPools(gateway, rangeText(hit));
      }
      if (ranges) await this.writePools(tx, id, ranges);
      if (body.dns_nameservers !== undefined) await this.writeDns(tx, id, body.dns_nameservers);
      if (body.host_routes !== undefined) await this.writeRoutes(tx, id, body.host_routes);
      if (body.service_types !== undefined) await this.writeServiceTypes(tx, id, body.service_types);
      await tx.updateTable('subnets').set({ ...set, ...nextRevision() }).where('id', '=', id).execute();
      await bumpRevision(tx, 'networks', row.network_id);
      const network = await this.d.networks.viewOne(ctx.elevated(), await this.d.networks.getRow(ctx.elevated(), row.network_id, tx), tx);
      const current = await this.viewOne(ctx, await this.getRow(ctx.elevated(), id, tx), tx);
      await this.d.mechanisms.precommit('updateSubnetPrecommit', { ctx, current, original, network });
      return { original, network };
    });
    const current = await this.get(ctx.elevated(), id);
    await this.d.mechanisms.postcommit('updateSubnetPostcommit', { ctx, current, original, network });
    await this.d.events.publish('subnet', 'after_update', { ctx, current, original });
    return this.get(ctx, id).catch(() => current);
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    const { original, network } = await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      const original = await this.viewOne(ctx, row, tx);
      const network = await this.d.networks.viewOne(ctx.elevated(), await this.d.networks.getRow(ctx.elevated(), row.network_id, tx), tx);
      await this.removeAllocations(tx, row);
      await this.d.mechanisms.precommit('deleteSubnetPrecommit', { ctx, current: original, network });
      await this.deleteRow(tx, id);
      await bumpRevision(tx, 'networks', row.network_id);
      return { original, network };
    });
    await this.d.mechanisms.postcommit('deleteSubnetPostcommit', { ctx, current: original, network });
    await this.d.events.publish('subnet', 'after_delete', { ctx, current: original });
  }

  /**
   * Frees the subnet's addresses held by ports that may lose them (DHCP ports, and every
   * non-router port on an auto-address subnet); refuses (SubnetInUse) when others remain.
   */
  private async removeAllocations(tx: Db, row: SubnetRow): Promise<void> {
    const allocs = await tx.selectFrom('ipallocations').innerJoin('ports', 'ports.id', 'ipallocations.port_id')
      .select(['ipallocations.port_id', 'ipallocations.ip_address', 'ports.device_owner'])
      .where('ipallocations.subnet_id', '=', row.id).execute();
    const auto = isAutoAddressSubnet(row);
    const removable = (owner: string) => owner === 'network:dhcp' || (auto && !ROUTER_INTERFACE_OWNERS.includes(owner));
    if (allocs.some((a) => !removable(a.device_owner))) throw new SubnetInUse(row.id);
    for (const a of allocs) {
      await tx.deleteFrom('ipallocations').where('port_id', '=', a.port_id).where('subnet_id', '=', row.id).execute();
      await bumpRevision(tx, 'ports', a.port_id);
    }
  }

  private async deleteRow(tx: Db, id: string): Promise<void> {
    await tx.deleteFrom('tags').where('resource_type', '=', 'subnets').where('resource_id', '=', id).execute();
    await tx.deleteFrom('subnets').where('id', '=', id).execute();
  }

  /** The subnets of a network being deleted, inside its transaction (its ports are gone already). */
  private async deleteForNetwork(tx: Db, networkId: string): Promise<void> {
    const rows = await tx.selectFrom('subnets').selectAll().where('network_id', '=', networkId).execute();
    for (const row of rows) {
      await this.removeAllocations(tx, row);
      await this.deleteRow(tx, row.id);
    }
  }

  /** Subnets of a network, with service types, for IPAM. */
  async forNetwork(db: Db, networkId: string): Promise<SubnetForIpam[]> {
    const rows = await db.selectFrom('subnets').selectAll().where('network_id', '=', networkId).orderBy('created_at').orderBy('id').execute();
    if (rows.length === 0) return [];
    const types = await db.selectFrom('subnet_service_types').selectAll().where('subnet_id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => ({ ...r, service_types: types.filter((t) => t.subnet_id === r.id).map((t) => t.service_type) }));
  }
}
