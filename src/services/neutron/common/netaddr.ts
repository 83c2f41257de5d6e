/**
 * IP address and CIDR arithmetic on BigInt, the subset of python-netaddr Neutron relies on:
 * parse/format (IPv4 dotted quads, IPv6 in RFC 5952 compact form), networks, ranges,
 * containment and overlap. Parsing of IPv6 text is delegated to `ip-address`; the arithmetic
 * is a few lines of BigInt, written here because no library offers netaddr's range/set model.
 */
import { Address6 } from 'ip-address';

export type IpVersion = 4 | 6;

export interface IpAddress {
  readonly version: IpVersion;
  readonly value: bigint;
}

/** A prefix as written: `ip` may carry host bits (10.0.0.5/24); `network` has them cleared. */
export interface Cidr {
  readonly version: IpVersion;
  readonly ip: bigint;
  readonly prefixlen: number;
  readonly network: bigint;
}

export interface IpRange {
  readonly version: IpVersion;
  readonly first: bigint;
  readonly last: bigint;
}

const V4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function bits(version: IpVersion): number {
  return version === 4 ? 32 : 128;
}

/** Parses an IPv4 or IPv6 address; undefined when it is not one. Leading zeros in IPv4 are refused. */
export function parseIp(text: unknown): IpAddress | undefined {
  if (typeof text !== 'string' || text === '' || /\s/.test(text)) return undefined;
  const m = V4_RE.exec(text);
  if (m) {
    let value = 0n;
    for (let i = 1; i <= 4; i++) {
      const part = m[i]!;
      if (part.length > 1 && part.startsWith('0')) return undefined;
      const n = Number(part);
      if (n > 255) return undefined;
      value = (value << 8n) | BigInt(n);
    }
    return { version: 4, value };
  }
  if (!text.includes(':') || text.includes('/') || text.includes('%')) return undefined;
  try {
    const a = new Address6(text);
    return { version: 6, value: a.bigInt() };
  } catch {
    return undefined;
  }
}

/** Formats an address as netaddr does (IPv4 dotted quad, IPv6 compact lower case). */
export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  }
  return Address6.fromBigInt(value).correctForm();
}

export function ipToString(ip: IpAddress): string {
  return formatIp(ip.version, ip.value);
}

/** The canonical text of an address, or undefined when it is not one. */
export function canonicalIp(text: unknown): string | undefined {
  const ip = parseIp(text);
  return ip ? ipToString(ip) : undefined;
}

function maskOf(version: IpVersion, prefixlen: number): bigint {
  const total = bits(version);
  return ((1n << BigInt(total)) - 1n) ^ ((1n << BigInt(total - prefixlen)) - 1n);
}

/** Parses `addr/len` (or a bare address as a host prefix when `allowBare`). */
export function parseCidr(text: unknown, allowBare = false): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  if (slash < 0 && !allowBare) return undefined;
  const ip = parseIp(addrText);
  if (!ip) return undefined;
  let prefixlen = bits(ip.version);
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return undefined;
    prefixlen = Number(lenText);
    if (prefixlen > bits(ip.version)) return undefined;
  }
  return { version: ip.version, ip: ip.value, prefixlen, network: ip.value & maskOf(ip.version, prefixlen) };
}

export function cidrToString(c: Pick<Cidr, 'version' | 'network' | 'prefixlen'>): string {
  return `${formatIp(c.version, c.network)}/${c.prefixlen}`;
}

/** The CIDR as written, with only the address canonicalised (netaddr's str(IPNetwork)). */
export function cidrAsWritten(c: Cidr): string {
  return `${formatIp(c.version, c.ip)}/${c.prefixlen}`;
}

export function cidrSize(c: Pick<Cidr, 'version' | 'prefixlen'>): bigint {
  return 1n << BigInt(bits(c.version) - c.prefixlen);
}

export function cidrFirst(c: Cidr): bigint {
  return c.network;
}

export function cidrLast(c: Cidr): bigint {
  return c.network + cidrSize(c) - 1n;
}

export function cidrContains(c: Cidr, ip: IpAddress | bigint, version?: IpVersion): boolean {
  const value = typeof ip === 'bigint' ? ip : ip.value;
  const v = typeof ip === 'bigint' ? (version ?? c.version) : ip.version;
  return v === c.version && value >= cidrFirst(c) && value <= cidrLast(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && cidrFirst(a) <= cidrLast(b) && cidrFirst(b) <= cidrLast(a);
}

/** `inner` lies entirely within `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.version === outer.version && cidrFirst(inner) >= cidrFirst(outer) && cidrLast(inner) <= cidrLast(outer);
}

export function rangeSize(r: IpRange): bigint {
  return r.last - r.first + 1n;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.version === b.version && a.first <= b.last && b.first <= a.last;
}

/**
 * The default allocation pools of a subnet, as Neutron's ipam utils generate_pools: the whole
 * CIDR minus the network address (IPv6: the subnet-router anycast address), the IPv4 broadcast
 * address and the gateway. IPv4 /31 and /32 keep all their addresses.
 */
export function defaultPools(c: Cidr, gateway: IpAddress | undefined): IpRange[] {
  let first = cidrFirst(c);
  let last = cidrLast(c);
  if (first === last) return [{ version: c.version, first, last }];
  if (c.version === 4) {
    if (c.prefixlen <= 30) {
      first += 1n;
      last -= 1n;
    }
  } else {
    first += 1n;
  }
  const ranges: IpRange[] = [{ version: c.version, first, last }];
  if (!gateway || gateway.version !== c.version) return ranges;
  return subtract(ranges, gateway.value);
}

/** Removes the addresses first..last from a list of ranges. */
export function subtractRange(ranges: readonly IpRange[], first: bigint, last: bigint): IpRange[] {
  const out: IpRange[] = [];
  for (const r of ranges) {
    if (last < r.first || first > r.last) {
      out.push(r);
      continue;
    }
    if (r.first < first) out.push({ version: r.version, first: r.first, last: first - 1n });
    if (last < r.last) out.push({ version: r.version, first: last + 1n, last: r.last });
  }
  return out;
}

/** Removes one address from a list of ranges. */
export function subtract(ranges: readonly IpRange[], value: bigint): IpRange[] {
  return subtractRange(ranges, value, value);
}

/** Orders networks by (version, network, prefixlen), as sorted(netaddr.IPNetwork) does. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefixlen - b.prefixlen;
}

/**
 * Merges a list of CIDRs into the smallest equivalent list (netaddr.cidr_merge): removes
 * contained prefixes and joins adjacent halves.
 */
export function cidrMerge(input: readonly Cidr[]): Cidr[] {
  const ranges = input
    .map((c) => ({ version: c.version, first: cidrFirst(c), last: cidrLast(c) }))
    .sort((a, b) => (a.version !== b.version ? a.version - b.version : a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: IpRange[] = [];
  for (const r of ranges) {
    const prev = merged[merged.length - 1];
    if (prev && prev.version === r.version && r.first <= prev.last + 1n) {
      if (r.last > prev.last) merged[merged.length - 1] = { ...prev, last: r.last };
    } else {
      merged.push(r);
    }
  }
  return merged.flatMap(rangeToCidrs);
}

/** The minimal list of CIDRs exactly covering a range (netaddr.iprange_to_cidrs). */
export function rangeToCidrs(r: IpRange): Cidr[] {
  const out: Cidr[] = [];
  const total = bits(r.version);
  let start = r.first;
  while (start <= r.last) {
    let len = total;
    // grow the block while it stays aligned and inside the range
    while (len > 0) {
      const size = 1n << BigInt(total - len + 1);
      if (start % size !== 0n || start + size - 1n > r.last) break;
      len--;
    }
    out.push({ version: r.version, ip: start, network: start, prefixlen: len });
    start += 1n << BigInt(total - len);
  }
  return out;
}

/** `whole` minus the given CIDRs, as a list of CIDRs (netaddr IPSet difference). */
export function cidrExclude(whole: Cidr, remove: readonly Cidr[]): Cidr[] {
  let ranges: IpRange[] = [{ version: whole.version, first: cidrFirst(whole), last: cidrLast(whole) }];
  for (const c of remove) {
    if (c.version === whole.version) ranges = subtractRange(ranges, cidrFirst(c), cidrLast(c));
  }
  return ranges.flatMap(rangeToCidrs);
}
