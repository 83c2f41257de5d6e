/**
 * IP address allocation for ports (neutron/db/ipam_pluggable_backend.py with the
 * neutrondb_ipam driver), inside the port's transaction.
 *
 * Concurrency: the ipallocations primary key (ip_address, subnet_id) makes a double
 * allocation impossible; a request that loses a race gets a unique violation and its whole
 * transaction is replayed (Store.write), now seeing the other's address. On PostgreSQL and
 * MySQL the subnet rows are also locked (SELECT ... FOR UPDATE, in id order) so concurrent
 * allocations on one subnet queue instead of colliding; SQLite serialises writers anyway.
 * Candidates are picked at random among the first free addresses (as upstream's MAX_WIN) so
 * that even without the lock collisions stay rare. Gateway, network and broadcast addresses
 * are outside the pools and never handed out automatically.
 */
import { randomInt } from 'node:crypto';
import { dialectOf } from '../../../common/db/index.js';
import { eui64Address } from '../common/mac.js';
import { formatIp, type IpRange, parseCidr, parseIp } from '../common/netaddr.js';
import type { SubnetRow } from '../db/schema.js';
import type { Db } from '../db/store.js';
import {
  InvalidInput, InvalidIpForNetwork, InvalidIpForSubnet, IpAddressGenerationFailure, IpAddressInUse,
} from '../errors.js';
import type { FixedIp, FixedIpRequest } from '../types/port.js';
import { isAutoAddressSubnet, ROUTER_INTERFACE_OWNERS, subnetIpValid } from './pools.js';

/** How many of the lowest free addresses a request chooses among (neutrondb_ipam MAX_WIN). */
const WINDOW = 1000;

export interface PortAddressing {
  id: string;
  network_id: string;
  mac_address: string;
  device_owner: string;
}

export type SubnetForIpam = Pick<SubnetRow, 'id' | 'network_id' | 'ip_version' | 'cidr' | 'gateway_ip' | 'ipv6_address_mode' | 'ipv6_ra_mode'> & { service_types: string[] };

function ipVersion(subnet: SubnetForIpam): 4 | 6 {
  return Number(subnet.ip_version) === 6 ? 6 : 4;
}

/** Locks the subnets' rows for the rest of the transaction (no-op on SQLite). */
export async function lockSubnets(tx: Db, subnetIds: string[]): Promise<void> {
  if (subnetIds.length === 0 || dialectOf(tx) === 'sqlite') return;
  await tx.selectFrom('subnets').select('id').where('id', 'in', [...new Set(subnetIds)].sort()).orderBy('id').forUpdate().execute();
}

async function pools(tx: Db, subnetId: string, version: 4 | 6): Promise<IpRange[]> {
  const rows = await tx.selectFrom('ipallocationpools').select(['first_ip', 'last_ip']).where('subnet_id', '=', subnetId).execute();
  return rows
    .map((r) => ({ version, first: parseIp(r.first_ip)!.value, last: parseIp(r.last_ip)!.value }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
}

/** A free address of the subnet's pools, or undefined when they are exhausted. */
async function pickFree(tx: Db, subnet: SubnetForIpam): Promise<string | undefined> {
  const version = ipVersion(subnet);
  const ranges = await pools(tx, subnet.id, version);
  const used = new Set((await tx.selectFrom('ipallocations').select('ip_address').where('subnet_id', '=', subnet.id).execute())
    .map((r) => parseIp(r.ip_address)?.value));
  const candidates: bigint[] = [];
  for (const r of ranges) {
    for (let v = r.first; v <= r.last && candidates.length < WINDOW; v++) if (!used.has(v)) candidates.push(v);
    if (candidates.length >= WINDOW) break;
  }
  if (candidates.length === 0) return undefined;
  return formatIp(version, candidates[randomInt(candidates.length)]!);
}

async function insert(tx: Db, port: PortAddressing, subnetId: string, ip: string): Promise<void> {
  await tx.insertInto('ipallocations').values({ port_id: port.id, ip_address: ip, subnet_id: subnetId, network_id: port.network_id }).execute();
}

async function allocateSpecific(tx: Db, port: PortAddressing, subnet: SubnetForIpam, ip: string): Promise<FixedIp> {
  const canonical = formatIp(ipVersion(subnet), parseIp(ip)!.value);
  const taken = await tx.selectFrom('ipallocations').select('port_id').where('subnet_id', '=', subnet.id).where('ip_address', '=', canonical).executeTakeFirst();
  if (taken) throw new IpAddressInUse(port.network_id, canonical);
  await insert(tx, port, subnet.id, canonical);
  return { subnet_id: subnet.id, ip_address: canonical };
}

/** One address from the first of `subnets` that has one (IpamSubnetGroup.allocate). */
async function allocateAny(tx: Db, port: PortAddressing, subnets: SubnetForIpam[]): Promise<FixedIp> {
  for (const s of subnets) {
    const ip = await pickFree(tx, s);
    if (ip === undefined) continue;
    await insert(tx, port, s.id, ip);
    return { subnet_id: s.id, ip_address: ip };
  }
  throw new IpAddressGenerationFailure(port.network_id);
}

/** Subnets usable for a port with this device owner (subnet service types). */
export function subnetsForOwner(subnets: SubnetForIpam[], deviceOwner: string): SubnetForIpam[] {
  const exact = subnets.filter((s) => s.service_types.includes(deviceOwner));
  if (exact.length) return exact;
  return subnets.filter((s) => s.service_types.length === 0);
}

/** Which subnet a requested fixed IP is for (_get_subnet_for_fixed_ip). */
function subnetFor(req: FixedIpRequest, subnets: SubnetForIpam[], port: PortAddressing): SubnetForIpam {
  if (subnets.length === 0) throw new InvalidInput('IP allocation requires subnets for network');
  if (req.subnet_id !== undefined) {
    const s = subnets.find((x) => x.id === req.subnet_id);
    if (!s) throw new InvalidInput(`Failed to create port on network ${port.network_id}, because fixed_ips included invalid subnet ${req.subnet_id}`);
    if (req.ip_address !== undefined && !subnetIpValid(parseCidr(s.cidr)!, parseIp(req.ip_address)!, port.device_owner)) {
      throw new InvalidIpForSubnet(req.ip_address);
    }
    return s;
  }
  if (req.ip_address === undefined) throw new InvalidInput('IP allocation requires subnet_id or ip_address');
  const ip = parseIp(req.ip_address)!;
  const s = subnets.find((x) => subnetIpValid(parseCidr(x.cidr)!, ip, port.device_owner));
  if (!s) throw new InvalidIpForNetwork(req.ip_address);
  return s;
}

/**
 * Allocates the fixed IPs of a new port: the requested ones, or (none requested) one IPv4
 * address, one stateful DHCPv6 address, and the SLAAC address of every auto-address IPv6
 * subnet. `subnets` are all subnets of the port's network.
 */
export async function allocateForPort(tx: Db, port: PortAddressing, requested: FixedIpRequest[] | undefined, subnets: SubnetForIpam[]): Promise<FixedIp[]> {
  const isRouter = ROUTER_INTERFACE_OWNERS.includes(port.device_owner);
  const plan: Array<{ subnet: SubnetForIpam; ip?: string } | { anyOf: SubnetForIpam[] }> = [];
  if (requested !== undefined) {
    for (const req of requested) {
      const s = subnetFor(req, subnets, port);
      const auto = isAutoAddressSubnet(s);
      if (req.ip_address !== undefined) {
        if (auto && !isRouter) {
          const expected = eui64Address(parseCidr(s.cidr)!, port.mac_address);
          if (parseIp(expected)!.value !== parseIp(req.ip_address)!.value) {
            throw new InvalidInput(`IPv6 address ${req.ip_address} cannot be directly assigned to a port on subnet ${s.id} since the subnet is configured for automatic addresses`);
          }
        }
        plan.push({ subnet: s, ip: req.ip_address });
      } else if (isRouter || !auto) {
        plan.push({ subnet: s });
      } else {
        plan.push({ subnet: s, ip: eui64Address(parseCidr(s.cidr)!, port.mac_address) });
      }
    }
  } else {
    const usable = subnetsForOwner(subnets, port.device_owner);
    const v4 = usable.filter((s) => Number(s.ip_version) === 4);
    const v6Stateful = usable.filter((s) => Number(s.ip_version) === 6 && !isAutoAddressSubnet(s));
    const v6Auto = usable.filter((s) => isAutoAddressSubnet(s));
    if (v4.length) plan.push({ anyOf: v4 });
    if (v6Stateful.length) plan.push({ anyOf: v6Stateful });
    if (!isRouter) for (const s of v6Auto) plan.push({ subnet: s, ip: eui64Address(parseCidr(s.cidr)!, port.mac_address) });
  }
  const lockIds = plan.flatMap((p) => ('anyOf' in p ? p.anyOf.map((s) => s.id) : [p.subnet.id]));
  await lockSubnets(tx, lockIds);
  // specific addresses first, as upstream sorts them
  plan.sort((a, b) => Number(!('ip' in a && a.ip)) - Number(!('ip' in b && b.ip)));
  const out: FixedIp[] = [];
  for (const p of plan) {
    if ('anyOf' in p) out.push(await allocateAny(tx, port, p.anyOf));
    else if (p.ip !== undefined) out.push(await allocateSpecific(tx, port, p.subnet, p.ip));
    else out.push(await allocateAny(tx, port, [p.subnet]));
  }
  return out;
}

/** Releases addresses of a port (all, or those listed). */
export async function release(tx: Db, portId: string, ips?: FixedIp[]): Promise<void> {
  if (!ips) {
    await tx.deleteFrom('ipallocations').where('port_id', '=', portId).execute();
    return;
  }
  for (const ip of ips) {
    await tx.deleteFrom('ipallocations').where('port_id', '=', portId).where('subnet_id', '=', ip.subnet_id).where('ip_address', '=', ip.ip_address).execute();
  }
}
