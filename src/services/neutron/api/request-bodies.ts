/**
 * The bodies of the calls that have no attribute map (member actions, tags, quotas), checked
 * and turned into the inputs their managers take, with upstream's messages: router interface
 * info (l3_db._validate_interface_info), subnet pool prefix lists, trunk subport lists
 * (validate_subports, which the actions' bodies get from the plugin), tag lists
 * (extensions/tagging.py), quota limits (quotasv2 with the resource and limit checks).
 */
import { isSet } from '../common/attributes.js';
import { parseCidr } from '../common/netaddr.js';
import { HTTPBadRequest, InvalidInput, NeutronBadRequest } from '../errors.js';
import { displayValue } from '../../../common/display.js';
import { isQuotaResource, type QuotaLimits, type QuotaUpdate } from '../types/quota.js';
import type { RouterInterfaceRequest } from '../types/router.js';
import type { SubPortRequest } from '../types/trunk.js';
import { MAX_TAG_LEN } from './attributes/helpers.js';
import { show, subports } from './attributes/validators.js';
import type { Fields } from './fields.js';

/** neutron_lib.db.constants.DB_INTEGER_MAX_VALUE */
const DB_INTEGER_MAX = 2 ** 31 - 1;

/** add_router_interface / remove_router_interface: exactly one of subnet_id and port_id, each a UUID. */
export function routerInterfaceRequest(info: Fields): RouterInterfaceRequest {
  const byPort = isSet(info.port_id);
  const bySubnet = isSet(info.subnet_id) ? displayValue(info.subnet_id) : undefined;
  if (!byPort && !bySubnet) throw new NeutronBadRequest('router', 'Either subnet_id or port_id must be specified');
  if (byPort && bySubnet) throw new NeutronBadRequest('router', 'Cannot specify both subnet-id and port-id');
  for (const k of ['port_id', 'subnet_id']) {
    if (isSet(info[k]) && !(typeof info[k] === 'string' && /^[0-9a-f-]{32,36}$/i.test(info[k]))) throw new NeutronBadRequest('router', `'${displayValue(info[k])}' is not a valid UUID`);
  }
  return byPort ? { port_id: displayValue(info.port_id) } : { subnet_id: bySubnet ?? '' };
}

/** add_prefixes / remove_prefixes: {"prefixes": [CIDR, ...]}. */
export function prefixesRequest(body: Fields): string[] {
  const list = body.prefixes;
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || !parseCidr(p))) throw new InvalidInput(`Invalid data format for prefixes: '${JSON.stringify(list)}'`);
  return list.map(String);
}

/** add_subports / remove_subports: {"sub_ports": [...]}, each subport a dict with a port UUID. */
export function subportsRequest(body: Fields): SubPortRequest[] {
  const msg = subports(body.sub_ports);
  if (msg) throw new InvalidInput(msg);
  return body.sub_ports as SubPortRequest[];
}

export function validateTag(tag: unknown): string {
  if (typeof tag !== 'string') throw new InvalidInput(`'${show(tag)}' is not a valid string`);
  if (tag.length > MAX_TAG_LEN) throw new InvalidInput(`'${tag}' exceeds maximum length of ${MAX_TAG_LEN}`);
  return tag;
}

/** validate_tags: {"tags": [unique strings]}. */
export function validateTagsBody(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || !('tags' in body)) throw new InvalidInput('Invalid tags body');
  const tags = body.tags;
  if (!Array.isArray(tags)) throw new InvalidInput(`'${show(tags)}' is not a list`);
  const seen = new Set<string>();
  for (const t of tags) {
    const tag = validateTag(t);
    if (seen.has(tag)) throw new InvalidInput(`Duplicate items in the list: '${tag}'`);
    seen.add(tag);
  }
  return [...seen];
}

/** PUT /v2.0/quotas/{project}: {"quota": {<resource>: <limit>, ..., "check_limit": bool, "force": bool}}. */
export function quotaRequest(body: unknown): QuotaUpdate {
  const quota = typeof body === 'object' && body !== null && 'quota' in body ? body.quota : undefined;
  if (typeof quota !== 'object' || quota === null) throw new HTTPBadRequest("Unable to find 'quota' in request body");
  const entries = Object.entries(quota);
  const checkLimit = entries.find(([k]) => k === 'check_limit')?.[1];
  const limits: Partial<QuotaLimits> = {};
  for (const [k, v] of entries) {
    if (k === 'force' || k === 'check_limit') continue;
    if (!isQuotaResource(k)) throw new HTTPBadRequest(`Unrecognized attribute(s) '${k}'`);
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n)) throw new HTTPBadRequest(`Invalid input for ${k}. Reason: '${displayValue(v)}' is not an integer.`);
    if (n < -1) throw new HTTPBadRequest(`Invalid input for ${k}. Reason: '${n}' is too small - must be at least '-1'.`);
    if (n > DB_INTEGER_MAX) throw new HTTPBadRequest(`Invalid input for ${k}. Reason: '${n}' is too large - must be no larger than '${DB_INTEGER_MAX}'.`);
    limits[k] = n;
  }
  return { limits, checkLimit: checkLimit === true || checkLimit === 'True' || checkLimit === 'true' };
}
