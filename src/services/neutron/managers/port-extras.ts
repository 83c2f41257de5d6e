/**
 * Port extensions stored beside the port row: allowed address pairs
 * (neutron/db/allowedaddresspairs_db.py), extra DHCP options (extradhcpopt_db.py) and the
 * DNS assignment of the dns-integration extension (neutron/db/dns_db.py).
 */
import { normalizeMac } from '../common/mac.js';
import { parseCidr } from '../common/netaddr.js';
import type { Db } from '../db/store.js';
import {
  AllowedAddressPairExhausted, AllowedAddressPairsMissingIP, DuplicateAddressPairInRequest, InvalidInput,
} from '../errors.js';
import { isJsonObject } from '../types/common.js';
import type { AddressPair, DnsAssignment, FixedIp } from '../types/port.js';

/**
 * type:allowed_address_pairs plus the defaults and limits of the extension. `value` is the
 * request's, unchecked by the attribute map.
 */
export function checkAddressPairs(value: unknown, portMac: string, max: number): AddressPair[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new InvalidInput(`Allowed address pairs must be a list.`);
  if (value.length > max) throw new AllowedAddressPairExhausted(max);
  const out: AddressPair[] = [];
  for (const item of value) {
    if (!isJsonObject(item)) throw new InvalidInput(`Allowed address pairs must be a list of dictionaries.`);
    const pair = item;
    const extra = Object.keys(pair).filter((k) => k !== 'ip_address' && k !== 'mac_address');
    if (extra.length) throw new InvalidInput(`Unrecognized attribute(s) '${extra.join(', ')}'`);
    if (pair.ip_address === undefined || pair.ip_address === null) throw new AllowedAddressPairsMissingIP();
    const ipText = String(pair.ip_address);
    const cidr = parseCidr(ipText, true);
    if (!cidr) throw new InvalidInput(`'${ipText}' is not a valid IP address`);
    let mac = portMac;
    if (pair.mac_address !== undefined && pair.mac_address !== null) {
      const m = normalizeMac(pair.mac_address);
      if (!m) throw new InvalidInput(`'${String(pair.mac_address)}' is not a valid MAC address`);
      mac = m;
    }
    const ip = ipText;
    if (out.some((p) => p.ip_address === ip && p.mac_address === mac)) throw new DuplicateAddressPairInRequest(mac, ip);
    out.push({ ip_address: ip, mac_address: mac });
  }
  return out;
}

export async function writeAddressPairs(tx: Db, portId: string, pairs: AddressPair[]): Promise<void> {
  await tx.deleteFrom('allowedaddresspairs').where('port_id', '=', portId).execute();
  for (const p of pairs) await tx.insertInto('allowedaddresspairs').values({ port_id: portId, ...p }).execute();
}

/** A requested DHCP option; a null value removes the option (update). */
export interface DhcpOpt {
  opt_name: string;
  opt_value: string | null;
  ip_version: number;
}

/** type:list_of_any_key_specs_or_none for extra_dhcp_opts (`value` is the request's, unchecked). */
export function checkDhcpOpts(value: unknown): DhcpOpt[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidInput(`'${JSON.stringify(value)}' is not a list`);
  return value.map((item) => {
    if (typeof item !== 'object' || item === null) throw new InvalidInput(`No valid key specs matched for: ${JSON.stringify(item)}`);
    const o: { readonly [key: string]: unknown } = item;
    const keys = Object.keys(o);
    if (!keys.includes('opt_name') || keys.some((k) => !['opt_name', 'opt_value', 'ip_version'].includes(k))) {
      throw new InvalidInput(`No valid key specs matched for: ${JSON.stringify(item).replace(/"/g, "'")}`);
    }
    if (typeof o.opt_name !== 'string' || o.opt_name.trim() === '') throw new InvalidInput(`No valid key specs matched for: ${JSON.stringify(item).replace(/"/g, "'")}`);
    const version = o.ip_version === undefined || o.ip_version === null ? 4 : Number(o.ip_version);
    if (version !== 4 && version !== 6) throw new InvalidInput(`No valid key specs matched for: ${JSON.stringify(item).replace(/"/g, "'")}`);
    const v = o.opt_value;
    if (v !== null && v !== undefined && (typeof v !== 'string' || v.trim() === '')) {
      throw new InvalidInput(`No valid key specs matched for: ${JSON.stringify(item).replace(/"/g, "'")}`);
    }
    return { opt_name: o.opt_name, opt_value: typeof v === 'string' ? v : null, ip_version: version };
  });
}

/** Creates or replaces options; an option with a null value is removed (update semantics). */
export async function applyDhcpOpts(tx: Db, portId: string, opts: DhcpOpt[], replaceAll: boolean): Promise<void> {
  if (replaceAll) await tx.deleteFrom('extradhcpopts').where('port_id', '=', portId).execute();
  for (const o of opts) {
    await tx.deleteFrom('extradhcpopts').where('port_id', '=', portId).where('opt_name', '=', o.opt_name).where('ip_version', '=', o.ip_version).execute();
    if (o.opt_value !== null) {
      await tx.insertInto('extradhcpopts').values({ id: crypto.randomUUID(), port_id: portId, opt_name: o.opt_name, opt_value: o.opt_value, ip_version: o.ip_version }).execute();
    }
  }
}

/** dns_assignment: one entry per fixed IP, hostname from dns_name or from the address. */
export function dnsAssignment(dnsName: string, fixedIps: readonly FixedIp[], dnsDomain: string): DnsAssignment[] {
  const domain = dnsDomain.endsWith('.') ? dnsDomain : `${dnsDomain}.`;
  return fixedIps.map((f) => {
    const hostname = dnsName !== '' ? dnsName : `host-${f.ip_address.replace(/[.:]/g, '-')}`;
    return { hostname, ip_address: f.ip_address, fqdn: `${hostname}.${domain}` };
  });
}
