/**
 * Request bodies of the move actions (nova/api/openstack/compute/schemas/servers.py resize,
 * migrate_server.py, evacuate.py, shelve.py), per microversion.
 */
import type { APIVersion } from '../../../../common/http/microversion.js';
import { BOOLEAN } from './servers.js';

type Schema = Record<string, unknown>;

const FLAVOR_REF: Schema = { type: ['string', 'integer'], minLength: 1 };
const DISK_CONFIG: Schema = { type: 'string', enum: ['AUTO', 'MANUAL'] };
/** parameter_types.fqdn (a host name). */
const HOST: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' };
/** parameter_types.hostname_or_ip_address, nullable (os-migrateLive's host). */
const HOST_OR_NULL: Schema = { type: ['string', 'null'], maxLength: 255, pattern: '^[a-zA-Z0-9-_.:]*$' };
const AZ: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\x00-\\x1F\\x7F]*$' };

/** oslo strutils.bool_from_string(strict) on a value BOOLEAN admitted. */
export function toBool(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', '1', 'on', 'yes', 'y', 't'].includes(v.toLowerCase()));
}

export const RESIZE: Schema = {
  type: 'object', properties: { flavorRef: FLAVOR_REF, 'OS-DCF:diskConfig': DISK_CONFIG }, required: ['flavorRef'], additionalProperties: false,
};

/** migrate from 2.56 (the body is ignored before). */
export const MIGRATE_V256: Schema = { type: ['object', 'null'], properties: { host: HOST }, additionalProperties: false };

const liveCache = new Map<string, Schema>();
export function migrateLiveSchema(v: APIVersion): Schema {
  const key = v.atLeast('2.68') ? '2.68' : v.atLeast('2.30') ? '2.30' : v.atLeast('2.25') ? '2.25' : '2.1';
  let s = liveCache.get(key);
  if (!s) {
    const props: Schema = { host: HOST_OR_NULL };
    const required = ['block_migration', 'host'];
    if (key === '2.1') {
      props['block_migration'] = BOOLEAN;
      props['disk_over_commit'] = BOOLEAN;
      required.push('disk_over_commit');
    } else {
      props['block_migration'] = { anyOf: [BOOLEAN, { type: 'string', enum: ['auto'] }] };
    }
    if (key === '2.30') props['force'] = BOOLEAN;
    s = { type: 'object', properties: props, required, additionalProperties: false };
    liveCache.set(key, s);
  }
  return s;
}

const evacuateCache = new Map<string, Schema>();
export function evacuateSchema(v: APIVersion): Schema {
  const key = v.atLeast('2.68') ? '2.68' : v.atLeast('2.29') ? '2.29' : v.atLeast('2.14') ? '2.14' : '2.1';
  let s = evacuateCache.get(key);
  if (!s) {
    const props: Schema = { host: HOST, adminPass: { type: 'string' } };
    const required: string[] = [];
    if (key === '2.1') {
      props['onSharedStorage'] = BOOLEAN;
      required.push('onSharedStorage');
    }
    if (key === '2.29') props['force'] = BOOLEAN;
    s = { type: 'object', properties: props, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
    evacuateCache.set(key, s);
  }
  return s;
}

/** null, or an availability_zone (required). */
export const UNSHELVE_V277: Schema = { type: ['object', 'null'], properties: { availability_zone: AZ }, required: ['availability_zone'], additionalProperties: false };
/** null, or an object with an availability_zone (null unpins) and/or a host, not empty. */
export const UNSHELVE_V291: Schema = {
  type: ['object', 'null'], properties: { availability_zone: { type: ['string', 'null'] }, host: { type: 'string' } }, minProperties: 1, additionalProperties: false,
};
