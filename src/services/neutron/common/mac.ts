/**
 * MAC addresses: validation and normalisation (netaddr's EUI with the unix_expanded dialect),
 * random generation under `[DEFAULT] base_mac` (neutron_lib.utils.net.get_random_mac) and the
 * modified EUI-64 interface identifier that SLAAC addresses are built from (RFC 4291 2.5.1).
 */
import { randomBytes } from 'node:crypto';
import { type Cidr, formatIp } from './netaddr.js';

const SEPARATED = /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i;
const BARE = /^[0-9a-f]{12}$/i;
const DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;

/** Addresses Neutron refuses for ports (neutron_lib.constants.INVALID_MAC_ADDRESSES). */
const INVALID = new Set(['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff']);

/** The six octets of a MAC written in any common notation, or undefined. */
export function parseMac(text: unknown): number[] | undefined {
  if (typeof text !== 'string') return undefined;
  let hex: string[] | undefined;
  const sep = SEPARATED.exec(text);
  if (sep) hex = [sep[1]!, sep[3]!, sep[4]!, sep[5]!, sep[6]!, sep[7]!];
  else if (BARE.test(text)) hex = text.match(/../g)!;
  else {
    const dot = DOTTED.exec(text);
    if (dot) hex = (dot[1]! + dot[2]! + dot[3]!).match(/../g)!;
  }
  return hex?.map((h) => parseInt(h, 16));
}

export function formatMac(octets: readonly number[]): string {
  return octets.map((o) => o.toString(16).padStart(2, '0')).join(':');
}

/** `aa:bb:cc:dd:ee:ff` lower case, or undefined when not a MAC. */
export function normalizeMac(text: unknown): string | undefined {
  const o = parseMac(text);
  return o ? formatMac(o) : undefined;
}

/** A MAC a port may use: well-formed, not all zeros or all ones. */
export function isValidPortMac(text: unknown): boolean {
  const m = normalizeMac(text);
  return m !== undefined && !INVALID.has(m);
}

/**
 * A random MAC keeping the prefix of `baseMac` (three octets, or four when the fourth is not
 * 00), as get_random_mac does.
 */
export function randomMac(baseMac: string): string {
  const base = parseMac(baseMac) ?? [0xfa, 0x16, 0x3e, 0, 0, 0];
  const keep = base[3] !== 0 ? 4 : 3;
  const rnd = randomBytes(6);
  const out = base.map((o, i) => (i < keep ? o : rnd[i]!));
  return formatMac(out);
}

/**
 * The SLAAC address of `mac` in a /64 `prefix`: the prefix with the modified EUI-64 interface
 * identifier (ff:fe inserted in the middle, universal/local bit flipped).
 */
export function eui64Address(prefix: Cidr, mac: string): string {
  const o = parseMac(mac);
  if (!o) throw new TypeError(`not a MAC address: ${mac}`);
  const eui = [o[0]! ^ 0x02, o[1]!, o[2]!, 0xff, 0xfe, o[3]!, o[4]!, o[5]!];
  let iid = 0n;
  for (const b of eui) iid = (iid << 8n) | BigInt(b);
  const mask = (1n << 64n) - 1n;
  return formatIp(6, (prefix.network & ~mask) | iid);
}
