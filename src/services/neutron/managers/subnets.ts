/**
 * Subnets (db_base_plugin_v2 create/update/delete_subnet with ipam_backend_mixin): CIDR
 * (given, or allocated from a subnet pool), gateway (first address by default, or none),
 * allocation pools (generated around the gateway, or validated), DNS servers, host routes,
 * IPv6 RA/address modes with SLAAC addresses for the network's existing ports, service types.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NeutronContext } from '../context.js';
import { isSet, NOT_SPECIFIED } from '../api/attributes/spec.js';
import { eui64Address } from '../common/mac.js';
import {
  type Cidr, cidrContains, cidrsOverlap, cidrToString, formatIp, type IpRange, parseCidr, parseIp,
} from '../common/netaddr.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged } from '../db/listing.js';
import type { SubnetRow } from '../db/schema.js';
import { bumpRevision, checkRevision, type Db, groupBy, now, setTags, standardView, type Store, tagsOf, type Tx } from '../db/store.js';
import {
  DNSNameServersExhausted, GatewayConflictWithAllocationPools, GatewayIpInUse, HostRoutesExhausted, InvalidInput,
  NetworkMTUSubnetConflict, NeutronBadRequest, SubnetInUse, SubnetNotFound,
} from '../errors.js';
import type { EventBus } from '../events.js';
import { generatePools, gatewayInvalid, isAutoAddressSubnet, poolContaining, poolToText, rangeText, ROUTER_INTERFACE_OWNERS, validatePools, type PoolText } from '../ipam/pools.js';
import type { MechanismManager } from '../ml2/mechanisms.js';
import type { NetworkManager } from './networks.js';
import type { SubnetPoolManager } from './subnetpools.js';
import type { Dict, ResourceHandlers, WriteOptions } from './types.js';
import { ACCESS_SHARED, rbacGrants } from './visibility.js';

export interface SubnetDeps {
  store: Store;
  networks: NetworkManager;
  subnetpools: SubnetPoolManager;
  mechanisms: MechanismManager;
  events: EventBus;
  maxDnsNameservers: number;
  maxHostRoutes: number;
}

const spec: ListSpec = {
  table: 'subnets',
  tagType: 'subnets',
  columns: Object.fromEntries([
    'id', 'name', 'project_id', 'network_id', 'ip_version', 'cidr', 'gateway_ip', 'enable_dhcp', 'ipv6_ra_mode', 'ipv6_address_mode',
    'subnetpool_id', 'segment_id', 'description', 'created_at', 'updated_at', 'revision_number',
  ].map((c) => [c, { column: c, kind: c === 'enable_dhcp' ? 'bool' : c === 'ip_version' || c === 'revision_number' ? 'int' : 'string' }])) as ListSpec['columns'],
};

function ipVersionOf(text: string): number | undefined {
  return parseCidr(text, true)?.version;
}

function checkVersion(ipVersion: number, addr: string, name: string): void {
  if (ipVersionOf(addr) !== ipVersion) throw new InvalidInput(`${name} '${addr}' does not match the ip_version '${ipVersion}'`);
}

export class SubnetManager implements ResourceHandlers {
  constructor(private readonly d: SubnetDeps) {}

  private get db(): Db {
    return this.d.store.db;
  }

  private listSpec(): ListSpec {
    return {
      ...spec,
      hooks: {
        shared: (eb, values) => {
          const grant = eb.exists(eb.selectFrom('rbac_policies as rb').select('rb.id').where('rb.object_type', '=', 'network')
            .whereRef('rb.object_id', '=', 'subnets.network_id').where('rb.action', '=', 'access_as_shared').where('rb.target_project', '=', '*'));
          return values.every(Boolean) ? grant : eb.not(grant);
        },
      },
    };
  }

  private visible(ctx: NeutronContext, qb: any): any {
    // subnets of a network shared with the project are visible; an external network's are not
    return ctx.unscoped ? qb : qb.where((eb: any) => eb.or([
      eb('subnets.project_id', '=', ctx.projectId ?? ''),
      rbacGrants(eb, 'network', 'subnets.network_id', ctx.projectId ?? '', [ACCESS_SHARED]),
    ]));
  }

  async list(ctx: NeutronContext, q: ListQuery): Promise<Dict[]> {
    let qb = this.visible(ctx, (this.db as Kysely<any>).selectFrom('subnets').selectAll('subnets'));
    qb = applyFilters(qb, this.listSpec(), q.filters);
    return this.view(ctx, await runPaged<SubnetRow>(this.db, qb, this.listSpec(), q));
  }

  async getRow(ctx: NeutronContext, id: string, db: Db = this.db): Promise<SubnetRow> {
    const row = await this.visible(ctx, (db as Kysely<any>).selectFrom('subnets').selectAll('subnets').where('subnets.id', '=', id)).executeTakeFirst();
    if (!row) throw new SubnetNotFound(id);
    return row as SubnetRow;
  }

  async get(ctx: NeutronContext, id: string): Promise<Dict> {
    return (await this.view(ctx, [await this.getRow(ctx, id)]))[0]!;
  }

  async view(ctx: NeutronContext, rows: SubnetRow[], db: Db = this.db): Promise<Dict[]> {
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
    return rows.map((r) => {
      const version = Number(r.ip_version) as 4 | 6;
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

  policyTarget(ctx: NeutronContext, item: Dict, _parentId?: string, memo?: Map<string, Promise<unknown>>): Promise<Dict> {
    return this.d.networks.ownerTarget(ctx, item, memo);
  }

  /** _validate_subnet: version consistency, DHCP-compatible prefixes, gateway, DNS, routes, IPv6 modes. */
  private validate(s: Dict, cur?: SubnetRow): void {
    const ipVersion = Number(s.ip_version);
    const cidrText = isSet(s.cidr) ? String(s.cidr) : undefined;
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
    if ((isSet(s.gateway_ip) || s.gateway_ip === null) && s.gateway_ip) {
      checkVersion(ipVersion, String(s.gateway_ip), 'gateway_ip');
      if (net && gatewayInvalid(net, parseIp(String(s.gateway_ip))!)) throw new InvalidInput('Gateway is not valid on subnet');
    }
    if (isSet(s.dns_nameservers)) {
      const list = s.dns_nameservers as string[];
      if (list.length > this.d.maxDnsNameservers) throw new DNSNameServersExhausted(String(s.id ?? 'new subnet'), this.d.maxDnsNameservers);
      for (const dns of list) checkVersion(ipVersion, dns, 'dns_nameserver');
    }
    if (isSet(s.host_routes)) {
      const list = s.host_routes as Array<{ destination: string; nexthop: string }>;
      if (list.length > this.d.maxHostRoutes) throw new HostRoutesExhausted(String(s.id ?? 'new subnet'), this.d.maxHostRoutes);
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
      const ra = isSet(s.ipv6_ra_mode);
      const addr = isSet(s.ipv6_address_mode);
      if ((ra || addr) && s.enable_dhcp === false) throw new InvalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
      if (ra && addr && s.ipv6_ra_mode !== s.ipv6_address_mode) {
        throw new InvalidInput(`ipv6_ra_mode set to '${String(s.ipv6_ra_mode)}' with ipv6_address_mode set to '${String(s.ipv6_address_mode)}' is not valid. If both attributes are set, they must be the same value`);
      }
      if (net && (ra || addr)) {
        const auto = isAutoAddressSubnet({ ip_version: 6, ipv6_address_mode: addr ? String(s.ipv6_address_mode) : null, ipv6_ra_mode: ra ? String(s.ipv6_ra_mode) : null });
        if (auto && net.prefixlen !== 64) {
          throw new InvalidInput(`Invalid CIDR ${cidrText} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`);
        }
      }
    }
  }

  async create(ctx: NeutronContext, body: Dict): Promise<Dict> {
    const s: Dict = { ...body };
    const hasCidr = isSet(s.cidr);
    const hasPrefixlen = isSet(s.prefixlen);
    if (hasCidr && hasPrefixlen) throw new NeutronBadRequest('subnets', 'cidr and prefixlen must not be supplied together');
    if (hasCidr) {
      const c = parseCidr(String(s.cidr))!;
      s.cidr = cidrToString(c);
    }
    const network = await this.d.networks.getRow(ctx, String(s.network_id));
    const poolId = await this.d.subnetpools.resolvePoolId(ctx, s);
    if (!poolId && !hasCidr) {
      throw new NeutronBadRequest('subnets', 'a subnetpool must be specified in the absence of a cidr');
    }
    if (poolId && isSet(s.allocation_pools) && !hasCidr) {
      throw new NeutronBadRequest('subnets', 'allocation_pools allowed only for specific subnet requests.');
    }
    if (hasCidr) this.validate(s);
    const mtu = Number(network.mtu);
    if (mtu && mtu < 1280) {
      if (mtu < 68) throw new NetworkMTUSubnetConflict(network.id, 68);
      if (Number(s.ip_version) === 6) throw new NetworkMTUSubnetConflict(network.id, 1280);
    }
    const id = randomUUID();
    const netView = (await this.d.networks.view(ctx.elevated(), [network]))[0]!;
    const row = await this.d.store.write(async (tx) => {
      if (poolId) {
        const cidr = await this.d.subnetpools.allocateCidr(tx, ctx, poolId, s, id);
        s.cidr = cidr;
        s.ip_version = ipVersionOf(cidr);
        s.subnetpool_id = poolId;
        this.validate(s);
      } else {
        s.subnetpool_id = null;
      }
      const cidr = parseCidr(String(s.cidr))!;
      const others = await tx.selectFrom('subnets').select(['id', 'cidr']).where('network_id', '=', network.id).execute();
      for (const o of others) {
        if (cidrsOverlap(parseCidr(o.cidr)!, cidr)) throw new InvalidInput(`Requested subnet with cidr: ${String(s.cidr)} for network: ${network.id} overlaps with another subnet`);
      }
      const gateway = this.gatewayFor(s, cidr);
      const ranges = this.poolsFor(s, cidr, gateway);
      const t = now();
      const values: SubnetRow = {
        id, project_id: String(s.project_id), network_id: network.id, name: String(s.name ?? ''), ip_version: cidr.version,
        cidr: cidrToString(cidr), gateway_ip: gateway, enable_dhcp: s.enable_dhcp === false ? 0 : 1,
        ipv6_ra_mode: isSet(s.ipv6_ra_mode) ? String(s.ipv6_ra_mode) : null,
        ipv6_address_mode: isSet(s.ipv6_address_mode) ? String(s.ipv6_address_mode) : null,
        subnetpool_id: (s.subnetpool_id as string | null) ?? null, segment_id: null,
        description: String(s.description ?? ''), revision_number: 0, created_at: t, updated_at: t,
      };
      await tx.insertInto('subnets').values(values).execute();
      await this.writePools(tx, id, ranges);
      await this.writeDns(tx, id, isSet(s.dns_nameservers) ? (s.dns_nameservers as string[]) : []);
      await this.writeRoutes(tx, id, isSet(s.host_routes) ? (s.host_routes as Array<{ destination: string; nexthop: string }>) : []);
      await this.writeServiceTypes(tx, id, isSet(s.service_types) ? (s.service_types as string[]) : []);
      if (isSet(s.tags)) await setTags(tx, 'subnets', id, s.tags as string[]);
      if (isAutoAddressSubnet(values)) await this.addAutoAddresses(tx, values);
      await bumpRevision(tx, 'networks', network.id);
      const current = (await this.view(ctx, [values], tx))[0]!;
      await this.d.mechanisms.precommit('createSubnetPrecommit', { ctx, current, network: netView });
      return values;
    });
    const current = (await this.view(ctx, [row]))[0]!;
    await this.d.mechanisms.postcommit('createSubnetPostcommit', { ctx, current, network: netView });
    await this.d.events.publish({ resource: 'subnet', action: 'create', ctx, current });
    return current;
  }

  private gatewayFor(s: Dict, cidr: Cidr): string | null {
    if (s.gateway_ip === null) return null;
    if (isSet(s.gateway_ip)) return formatIp(cidr.version, parseIp(String(s.gateway_ip))!.value);
    if (cidr.prefixlen >= (cidr.version === 4 ? 31 : 127)) return null;
    return formatIp(cidr.version, cidr.network + 1n);
  }

  private poolsFor(s: Dict, cidr: Cidr, gateway: string | null): IpRange[] {
    if (!isSet(s.allocation_pools)) return generatePools(cidr, gateway);
    const ranges = validatePools(s.allocation_pools as PoolText[], cidr, cidrToString(cidr));
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

  private async writeRoutes(tx: Db, subnetId: string, list: Array<{ destination: string; nexthop: string }>): Promise<void> {
    await tx.deleteFrom('subnetroutes').where('subnet_id', '=', subnetId).execute();
    for (const r of list) {
      const dest = cidrToString(parseCidr(r.destination)!);
      await tx.insertInto('subnetroutes').values({ subnet_id: subnetId, destination: dest, nexthop: formatIp(parseIp(r.nexthop)!.version, parseIp(r.nexthop)!.value) }).execute();
    }
  }

  private async writeServiceTypes(tx: Db, subnetId: string, list: string[]): Promise<void> {
    for (const t of list) {
      if (typeof t !== 'string') throw new InvalidInput(`Subnet service type ${String(t)} is not a string`);
      if (!['network:', 'neutron:', 'compute:'].some((p) => t.startsWith(p))) throw new InvalidInput(`Subnet service type ${t} does not correspond to a valid device owner`);
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

  async update(ctx: NeutronContext, id: string, body: Dict, opts: WriteOptions): Promise<Dict> {
    let original: Dict | undefined;
    let netView: Dict | undefined;
    await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      original = (await this.view(ctx, [row], tx))[0]!;
      const s: Dict = { ...body, id, ip_version: Number(row.ip_version), cidr: row.cidr };
      this.validate(s, row);
      const cidr = parseCidr(row.cidr)!;
      const set: Partial<SubnetRow> = {};
      if ('name' in body) set.name = String(body.name);
      if ('description' in body) set.description = String(body.description);
      if ('enable_dhcp' in body) set.enable_dhcp = body.enable_dhcp ? 1 : 0;
      let gateway = row.gateway_ip;
      if ('gateway_ip' in body) {
        const next = body.gateway_ip === null ? null : formatIp(cidr.version, parseIp(String(body.gateway_ip))!.value);
        if (next !== row.gateway_ip && row.gateway_ip) {
          const routerPort = await tx.selectFrom('ipallocations').innerJoin('ports', 'ports.id', 'ipallocations.port_id')
            .select('ports.id').where('ipallocations.subnet_id', '=', id).where('ipallocations.ip_address', '=', row.gateway_ip)
            .where('ports.device_owner', 'in', [...ROUTER_INTERFACE_OWNERS, 'network:router_gateway']).executeTakeFirst();
          if (routerPort) throw new GatewayIpInUse(row.gateway_ip, routerPort.id);
        }
        gateway = next;
        set.gateway_ip = next;
      }
      let ranges: IpRange[] | undefined;
      if ('allocation_pools' in body && body.allocation_pools !== NOT_SPECIFIED) {
        ranges = validatePools(body.allocation_pools as PoolText[], cidr, row.cidr);
      }
      if (gateway && ('gateway_ip' in body || ranges)) {
        const current = ranges ?? (original.allocation_pools as PoolText[]).map((p) => ({ version: cidr.version, first: parseIp(p.start)!.value, last: parseIp(p.end)!.value }));
        const hit = poolContaining(current, parseIp(gateway)!);
        if (hit) throw new GatewayConflictWithAllocationPools(gateway, rangeText(hit));
      }
      if (ranges) await this.writePools(tx, id, ranges);
      if ('dns_nameservers' in body) await this.writeDns(tx, id, body.dns_nameservers as string[]);
      if ('host_routes' in body) await this.writeRoutes(tx, id, body.host_routes as Array<{ destination: string; nexthop: string }>);
      if ('service_types' in body) await this.writeServiceTypes(tx, id, body.service_types as string[]);
      await bumpRevision(tx, 'subnets', id, set);
      await bumpRevision(tx, 'networks', row.network_id);
      const network = await this.d.networks.getRow(ctx.elevated(), row.network_id, tx);
      netView = (await this.d.networks.view(ctx.elevated(), [network], tx))[0]!;
      const current = (await this.view(ctx, [await this.getRow(ctx.elevated(), id, tx)], tx))[0]!;
      await this.d.mechanisms.precommit('updateSubnetPrecommit', { ctx, current, original, network: netView });
    });
    const current = await this.get(ctx.elevated(), id);
    await this.d.mechanisms.postcommit('updateSubnetPostcommit', { ctx, current, original, network: netView! });
    await this.d.events.publish({ resource: 'subnet', action: 'update', ctx, current, original });
    return this.get(ctx, id).catch(() => current);
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    let original: Dict | undefined;
    let netView: Dict | undefined;
    const touchedPorts: string[] = [];
    await this.d.store.write(async (tx) => {
      const row = await this.getRow(ctx, id, tx);
      checkRevision(opts.ifMatch, row.revision_number);
      original = (await this.view(ctx, [row], tx))[0]!;
      const network = await this.d.networks.getRow(ctx.elevated(), row.network_id, tx);
      netView = (await this.d.networks.view(ctx.elevated(), [network], tx))[0]!;
      touchedPorts.push(...await this.removeAllocations(tx, row));
      await this.d.mechanisms.precommit('deleteSubnetPrecommit', { ctx, current: original, network: netView });
      await this.deleteRow(tx, id);
      await bumpRevision(tx, 'networks', row.network_id);
    });
    await this.d.mechanisms.postcommit('deleteSubnetPostcommit', { ctx, current: original!, network: netView! });
    await this.d.events.publish({ resource: 'subnet', action: 'delete', ctx, current: original! });
  }

  /**
   * Frees the subnet's addresses held by ports that may lose them (DHCP ports, and every
   * non-router port on an auto-address subnet); refuses (SubnetInUse) when others remain.
   */
  private async removeAllocations(tx: Db, row: SubnetRow): Promise<string[]> {
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
    return allocs.map((a) => a.port_id);
  }

  private async deleteRow(tx: Db, id: string): Promise<void> {
    await tx.deleteFrom('tags').where('resource_type', '=', 'subnets').where('resource_id', '=', id).execute();
    await tx.deleteFrom('subnets').where('id', '=', id).execute();
  }

  /** Part of a network delete: the network's ports are gone already. */
  async deleteForNetwork(tx: Tx, _ctx: NeutronContext, id: string): Promise<void> {
    const row = await tx.selectFrom('subnets').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return;
    await this.removeAllocations(tx, row);
    await this.deleteRow(tx, id);
  }

  /** Subnets of a network, with service types, for IPAM. */
  async forNetwork(db: Db, networkId: string): Promise<Array<SubnetRow & { service_types: string[] }>> {
    const rows = await db.selectFrom('subnets').selectAll().where('network_id', '=', networkId).orderBy('created_at').orderBy('id').execute();
    if (rows.length === 0) return [];
    const types = await db.selectFrom('subnet_service_types').selectAll().where('subnet_id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => ({ ...r, service_types: types.filter((t) => t.subnet_id === r.id).map((t) => t.service_type) }));
  }

  /** Whether `ip` lies in the CIDR of subnet `id` (for router interfaces and floating IPs). */
  static contains(row: Pick<SubnetRow, 'cidr'>, ip: string): boolean {
    const c = parseCidr(row.cidr);
    const a = parseIp(ip);
    return Boolean(c && a && cidrContains(c, a));
  }
}
