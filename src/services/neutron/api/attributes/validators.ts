/**
 * Attribute validators (neutron_lib.api.validators): each returns undefined when the value is
 * valid, or the human-readable reason it is not. The API layer wraps the reason as Neutron
 * does: "Invalid input for <attr>. Reason: <reason>."
 */
import { isUuid } from '../../common/attributes.js';
import { isFields } from '../fields.js';
import { isValidPortMac } from '../../common/mac.js';
import { parseCidr, parseIp } from '../../common/netaddr.js';
import { SecurityGroupDefaultAlreadyExists } from '../../errors.js';

export type Validator = (value: unknown) => string | undefined;

/** Python's repr-ish rendering used in upstream's messages ('%s' % data). */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value).replace(/"/g, "'");
}

export const string = (maxLen?: number): Validator => (data) => {
  if (typeof data !== 'string') return `'${show(data)}' is not a valid string`;
  if (maxLen !== undefined && [...data].length > maxLen) return `'${data}' exceeds maximum length of ${maxLen}`;
  return undefined;
};

export const stringOrNone = (maxLen?: number): Validator => (data) => (data === null ? undefined : string(maxLen)(data));

/** Printable characters only, no leading/trailing non-space whitespace (valid_name_regex). */
const NAME_RE = /^(?![\p{C}\p{Zl}\p{Zp}])[^\p{C}\p{Zl}\p{Zp}]*(?<![\p{C}\p{Zl}\p{Zp}])$/u;

export const nameString = (maxLen?: number): Validator => (data) => {
  const msg = string(maxLen)(data);
  if (msg) return msg;
  if (!NAME_RE.test(data as string)) return `'${data as string}' is not a valid string`;
  return undefined;
};

export const notEmptyString = (maxLen?: number): Validator => (data) => {
  const msg = string(maxLen)(data);
  if (msg) return msg;
  if ((data as string).trim() === '') return `'${data as string}' Blank strings are not permitted`;
  return undefined;
};

export const notEmptyNameString = (maxLen?: number): Validator => (data) => notEmptyString(maxLen)(data) ?? nameString(maxLen)(data);

/**
 * Security group names: any string except 'default' (type:name_not_default), which raises
 * SecurityGroupDefaultAlreadyExists (409) as upstream's validator does.
 */
export const nameNotDefault = (maxLen?: number): Validator => (data) => {
  const msg = string(maxLen)(data);
  if (msg) return msg;
  if ((data as string).toLowerCase() === 'default') throw new SecurityGroupDefaultAlreadyExists();
  return undefined;
};

export const values = (allowed: readonly unknown[], display?: string): Validator => (data) =>
  allowed.includes(data) ? undefined : `${show(data)} is not in ${display ?? `[${allowed.map((v) => (typeof v === 'string' ? `'${v}'` : show(v))).join(', ')}]`}`;

export const uuid: Validator = (data) => (isUuid(data) ? undefined : `'${show(data)}' is not a valid UUID`);
export const uuidOrNone: Validator = (data) => (data === null ? undefined : uuid(data));

export const integer: Validator = (data) => {
  if (typeof data === 'boolean') return `'${show(data)}' is not an integer:boolean`;
  const n = typeof data === 'number' ? data : typeof data === 'string' && data.trim() !== '' ? Number(data) : NaN;
  return Number.isInteger(n) ? undefined : `'${show(data)}' is not an integer`;
};

export const nonNegative: Validator = (data) => {
  const n = toIntOrNaN(data);
  if (Number.isNaN(n)) return `'${show(data)}' is not an integer`;
  if (n < 0) return `'${show(data)}' should be non-negative`;
  return undefined;
};

export const range = (min: number | null, max: number | null): Validator => (data) => {
  const n = toIntOrNaN(data);
  if (Number.isNaN(n)) return `'${show(data)}' is not an integer`;
  if (min !== null && n < min) return `'${n}' is too small - must be at least '${min}'`;
  if (max !== null && n > max) return `'${n}' is too large - must be no larger than '${max}'`;
  return undefined;
};

export const rangeOrNone = (min: number | null, max: number | null): Validator => (data) => (data === null ? undefined : range(min, max)(data));

export function toIntOrNaN(data: unknown): number {
  if (typeof data === 'boolean') return data ? 1 : 0;
  if (typeof data === 'number') return Number.isInteger(data) ? data : Math.trunc(data);
  if (typeof data === 'string' && /^\s*[+-]?\d+\s*$/.test(data)) return Number(data);
  return NaN;
}

export const booleanish: Validator = (data) => {
  if (typeof data === 'boolean') return undefined;
  const s = typeof data === 'string' || typeof data === 'number' ? String(data).trim().toLowerCase() : '';
  return ['true', 'false', '1', '0', 't', 'f', 'yes', 'no', 'y', 'n', 'on', 'off'].includes(s) ? undefined : `'${show(data)}' is not a valid boolean value`;
};

export const macAddress: Validator = (data) => (typeof data === 'string' && isValidPortMac(data) ? undefined : `'${show(data)}' is not a valid MAC address`);
export const macAddressOrNone: Validator = (data) => (data === null ? undefined : macAddress(data));

export const ipAddress: Validator = (data) => {
  if (typeof data !== 'string') return `'${show(data)}' is not a valid IP address`;
  if (/\s/.test(data)) return `'${data}' is not a valid IP address`;
  const ip = parseIp(data);
  if (ip) return undefined;
  // netaddr accepts zero-filled IPv4 octets but Neutron recommends the canonical form
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(data);
  if (m && m.slice(1).every((p) => Number(p) <= 255)) {
    return `'${data}' is not an accepted IP address, '${m.slice(1).map(Number).join('.')}' is recommended`;
  }
  return `'${data}' is not a valid IP address`;
};

export const ipAddressOrNone: Validator = (data) => (data === null ? undefined : ipAddress(data));

export const subnet: Validator = (data) => {
  if (typeof data !== 'string' || /\s/.test(data) || !data.includes('/')) return `'${show(data)}' is not a valid IP subnet`;
  const c = parseCidr(data);
  if (!c) return `'${data}' is not a valid IP subnet`;
  return undefined;
};

export const subnetOrNone: Validator = (data) => (data === null ? undefined : subnet(data));

export const routeCidr: Validator = (data) => {
  const c = typeof data === 'string' && !/\s/.test(data) && data.includes('/') ? parseCidr(data) : undefined;
  if (!c || c.network !== c.ip) return `'${show(data)}' is not a valid CIDR`;
  if (c.version === 4 ? (c.network >> 24n) === 127n : c.network === 1n && c.prefixlen === 128) return `'${show(data)}' is not a routable CIDR`;
  return undefined;
};

export const ipOrSubnetOrNone: Validator = (data) => {
  if (data === null) return undefined;
  if (ipAddress(data) === undefined || subnet(data) === undefined) return undefined;
  return `'${show(data)}' is neither a valid IP address, nor is it a valid IP subnet`;
};

function keysMessage(expected: string[], target: unknown, strict = true): string | undefined {
  if (!isFields(target)) return `Invalid input. '${show(target)}' must be a dictionary with keys: ${pySet(expected)}`;
  const provided = Object.keys(target);
  const ok = strict ? provided.length === expected.length && expected.every((k) => provided.includes(k)) : expected.every((k) => provided.includes(k));
  if (!ok) return `Validation of dictionary's keys failed. Expected keys: ${pySet(expected)} Provided keys: ${pySet(provided)}`;
  return undefined;
}

function pySet(keys: string[]): string {
  return `{${keys.map((k) => `'${k}'`).join(', ')}}`;
}

function duplicates(list: unknown[]): unknown[] {
  const seen: string[] = [];
  const dups: unknown[] = [];
  for (const item of list) {
    const key = JSON.stringify(item);
    if (seen.includes(key)) {
      if (!dups.some((d) => JSON.stringify(d) === key)) dups.push(item);
    } else seen.push(key);
  }
  return dups;
}

export const listOf = (item: Validator): Validator => (data) => {
  if (!Array.isArray(data)) return `'${show(data)}' is not a list`;
  const dups = duplicates(data);
  if (dups.length) return `Duplicate items in the list: '${dups.map(show).join(', ')}'`;
  for (const v of data) {
    const msg = item(v);
    if (msg) return msg;
  }
  return undefined;
};

export const subnetList: Validator = listOf(subnet);
export const uuidList: Validator = listOf(uuid);

export const ipPools: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for IP pool: '${show(data)}'`;
  for (const pool of data) {
    const msg = keysMessage(['start', 'end'], pool);
    if (msg) return msg;
    const p = pool as Record<string, unknown>;
    const m = ipAddress(p.start) ?? ipAddress(p.end);
    if (m) return m;
  }
  return undefined;
};

export const fixedIps: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for fixed IP: '${show(data)}'`;
  const ips: unknown[] = [];
  for (const f of data) {
    if (!isFields(f)) return `Invalid data format for fixed IP: '${show(f)}'`;
    if ('ip_address' in f) {
      if (ips.includes(f.ip_address)) return `Duplicate IP address '${show(f.ip_address)}'`;
      const msg = ipAddress(f.ip_address);
      if (msg) return msg;
      ips.push(f.ip_address);
    }
    if ('subnet_id' in f) {
      const msg = uuid(f.subnet_id);
      if (msg) return msg;
    }
  }
  return undefined;
};

export const nameservers: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for nameserver: '${show(data)}'`;
  const hosts: unknown[] = [];
  for (const h of data) {
    const msg = ipAddress(h);
    if (msg) return `'${show(h)}' is not a valid nameserver. ${msg}`;
    if (hosts.includes(h)) return `Duplicate nameserver '${show(h)}'`;
    hosts.push(h);
  }
  return undefined;
};

export const hostroutes: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for hostroute: '${show(data)}'`;
  const seen: string[] = [];
  for (const r of data) {
    const msg = keysMessage(['destination', 'nexthop'], r);
    if (msg) return msg;
    const route = r as Record<string, unknown>;
    const m = routeCidr(route.destination) ?? ipAddress(route.nexthop);
    if (m) return m;
    const key = `${String(route.destination)}|${String(route.nexthop)}`;
    if (seen.includes(key)) return `Duplicate hostroute '${show(route)}'`;
    seen.push(key);
  }
  return undefined;
};

export const dict = (specs?: Record<string, { validate?: Validator; required?: boolean; convert?: (v: unknown) => unknown }>): Validator => (data) => {
  if (!isFields(data)) return `'${show(data)}' is not a dictionary`;
  if (!specs) return undefined;
  const required = Object.entries(specs).filter(([, s]) => s.required).map(([k]) => k);
  if (required.length) {
    const msg = keysMessage(required, data, false);
    if (msg) return msg;
  }
  const unexpected = Object.keys(data).filter((k) => !(k in specs));
  if (unexpected.length) return `Unexpected keys supplied: ${unexpected.join(', ')}`;
  for (const [k, spec] of Object.entries(specs)) {
    if (!(k in data)) continue;
    if (spec.convert) (data as Record<string, unknown>)[k] = spec.convert(data[k]);
    const msg = spec.validate?.(data[k]);
    if (msg) return msg;
  }
  return undefined;
};

export const dictOrNone = (specs?: Parameters<typeof dict>[0]): Validator => (data) => (data === null ? undefined : dict(specs)(data));
export const dictOrNodata = (specs?: Parameters<typeof dict>[0]): Validator => (data) =>
  data === null || data === undefined || (isFields(data) && Object.keys(data).length === 0) ? undefined : dict(specs)(data);

/** `[a-z0-9-]` labels (RFC 1123) of at most `maxLen` characters: port dns_name. */
export const dnsHostName = (maxLen: number): Validator => (data) => {
  if (data === '' || data === null) return undefined;
  if (typeof data !== 'string') return `'${show(data)}' is not a valid string`;
  if (data.length > maxLen) return `'${data}' exceeds the ${maxLen} character FQDN limit`;
  const name = data.endsWith('.') ? data.slice(0, -1) : data;
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return `Encountered an empty component`;
    if (label.length > 63) return `'${label}' exceeds the 63 character limit`;
    if (!/^[a-z0-9-]+$/i.test(label)) return `'${label}' not a valid PQDN or FQDN. Reason: 'Name ${label} contains invalid characters'`;
    if (label.startsWith('-') || label.endsWith('-')) return `Name '${label}' must not start or end with a hyphen`;
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) return `TLD '${labels[labels.length - 1]}' must not be all numeric`;
  return undefined;
};

export const dnsDomainName = (maxLen: number): Validator => (data) => {
  if (data === '' || data === null) return undefined;
  return dnsHostName(maxLen)(data);
};

export const portRangeOrNone: Validator = (data) => {
  if (data === null || data === undefined) return undefined;
  const ports = (typeof data === 'string' || typeof data === 'number' ? String(data) : show(data)).split(':');
  if (ports.length > 2 || ports.some((p) => p === '')) return 'Port range must be two integers separated by a colon';
  for (const p of ports) {
    if (!/^\d+$/.test(p) || Number(p) > 65535) return `Invalid port: ${p}`;
  }
  if (ports.length === 2 && Number(ports[0]) > Number(ports[1])) return 'First port in a port range must be lower than the second port';
  return undefined;
};

export const ethertype = (allowed: readonly string[]): Validator => values(allowed);

/** One check after another; the first failure wins. */
export function all(...vs: Validator[]): Validator {
  return (data) => {
    for (const v of vs) {
      const m = v(data);
      if (m) return m;
    }
    return undefined;
  };
}

/**
 * A trunk's subports (validate_subports): a list of dicts, each with a unique valid port_id and,
 * unless it only names the port, both segmentation_type and segmentation_id, no segmentation
 * given twice. As upstream, the first subport asking to inherit its segmentation ends the check.
 */
export const subports: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for subports: '${show(data)}' is not a list`;
  const ids = new Set<unknown>();
  const segmentations = new Map<unknown, Set<unknown>>();
  for (const sp of data) {
    if (!isFields(sp)) return `Invalid data format for subport: '${show(sp)}' is not a dict`;
    if (!('port_id' in sp)) return 'A valid port UUID must be specified';
    if (uuid(sp.port_id)) return `Invalid UUID for subport: '${show(sp.port_id)}'`;
    if (ids.has(sp.port_id)) return `Non unique UUID for subport: '${show(sp.port_id)}'`;
    ids.add(sp.port_id);
    const type = sp.segmentation_type;
    if (type === 'inherit') return undefined;
    const segId = sp.segmentation_id;
    if ((!type || segId === undefined || segId === null) && Object.keys(sp).length > 1) {
      return `Invalid subport details '${show(sp)}': missing segmentation information. Must specify both segmentation_id and segmentation_type`;
    }
    if (segmentations.get(type)?.has(segId)) return `Segmentation ID '${show(segId)}' for '${show(sp.port_id)}' is not unique`;
    if (segId !== undefined && segId !== null) segmentations.set(type, (segmentations.get(type) ?? new Set()).add(segId));
  }
  return undefined;
};
