/**
 * JSON schemas of os-quota-sets and os-quota-class-sets updates per microversion
 * (nova/api/openstack/compute/schemas/quota_sets.py and quota_classes.py): every resource a
 * non-negative-or--1 integer (or its digits as a string), `force` on quota sets; 2.36 (quota
 * sets) and 2.50 (quota classes) drop the nova-network resources, 2.57 the injected files.
 * Also which resources a body shows at a microversion (the controllers' FILTERED_QUOTAS).
 */
import type { APIVersion } from '../../../../common/http/microversion.js';
import { QUOTA_RESOURCES, type QuotaResource } from '../../compute/quota.js';
import { BOOLEAN } from './servers.js';

type Schema = Record<string, unknown>;

const LIMIT: Schema = { type: ['integer', 'string'], pattern: '^-?[0-9]+$', minimum: -1, maximum: 0x7fffffff };
const NETWORK: readonly QuotaResource[] = ['fixed_ips', 'floating_ips', 'security_groups', 'security_group_rules'];
const INJECTED: readonly QuotaResource[] = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'];

/** The resources left out of bodies: nova-network ones from `networkGate`, injected files from 2.57. */
export function filteredQuotas(v: APIVersion, networkGate: '2.36' | '2.50'): QuotaResource[] {
  const out: QuotaResource[] = [];
  if (v.atLeast(networkGate)) out.push(...NETWORK);
  if (v.atLeast('2.57')) out.push(...INJECTED);
  return out;
}

const cache = new Map<string, Schema>();

/** The update body `{<key>: {resource: limit, ...}}` at this microversion. */
export function quotaUpdateSchema(v: APIVersion, key: 'quota_set' | 'quota_class_set'): Schema {
  const gate = key === 'quota_set' ? '2.36' : '2.50';
  const filtered = filteredQuotas(v, gate);
  const id = `${key}:${filtered.join(',')}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const props: Schema = {};
  for (const r of QUOTA_RESOURCES) if (!filtered.includes(r)) props[r] = LIMIT;
  // networks: only ever rejected (nova-network), but accepted by the schema where the network resources are
  if (!v.atLeast(gate)) props['networks'] = LIMIT;
  if (key === 'quota_set') props['force'] = BOOLEAN;
  const schema: Schema = {
    type: 'object',
    properties: { [key]: { type: 'object', properties: props, additionalProperties: false } },
    required: [key],
    additionalProperties: false,
  };
  cache.set(id, schema);
  return schema;
}
