/**
 * JSON schemas of the servers resource per microversion (nova/api/openstack/compute/schemas/
 * servers.py and api/validation/parameter_types.py): create (2.1, 2.19 description, 2.32/2.42
 * device tags, 2.37 networks auto|none and required, 2.52 tags, 2.57 no personality, 2.63
 * trusted certificates, 2.67 volume_type, 2.74 host and hypervisor_hostname, 2.90 hostname) and
 * update (2.19 description, 2.90 hostname). Each version's schema is built once.
 */
import type { APIVersion } from '../../../../common/http/microversion.js';

type Schema = Record<string, unknown>;

/** nova's 'name' format: 1-255 printable characters, no leading or trailing blank. */
export const NAME: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?!\\s)[^\\x00-\\x1F\\x7F]*(?<!\\s)$' };
/** nova's name_with_leading_trailing_spaces: printable, not blank only (trimmed by the API). */
export const NAME_WITH_SPACES: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?=.*\\S)[^\\x00-\\x1F\\x7F]*$' };
export const DESCRIPTION: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 255, pattern: '^[^\\x00-\\x1F\\x7F]*$' };
export const UUID: Schema = { type: 'string', format: 'uuid' };
export const BOOLEAN: Schema = {
  type: ['boolean', 'string'],
  enum: [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'],
};
export const POSITIVE_INTEGER: Schema = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1, minLength: 1 };
export const METADATA: Schema = {
  type: 'object', patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } }, additionalProperties: false,
};
export const TAG: Schema = { type: 'string', minLength: 1, maxLength: 60, pattern: '^[^,/]*$' };
const IP_ADDRESS: Schema = { type: 'string', oneOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };
const HOSTNAME: Schema = { type: 'string', minLength: 2, maxLength: 63, pattern: '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$' };
const FQDN: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' };
const DISK_CONFIG: Schema = { type: 'string', enum: ['AUTO', 'MANUAL'] };
export const BASE64: Schema = { type: 'string', maxLength: 65535, pattern: '^[A-Za-z0-9+/\\s]*={0,2}\\s*$' };
const VOLUME_SIZE: Schema = { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1, maximum: 0x7fffffff };

const HINTS: Schema = {
  type: 'object',
  properties: {
    group: UUID,
    different_host: { oneOf: [UUID, { type: 'array', items: UUID }] },
    same_host: { type: ['string', 'array'], items: UUID },
    query: { type: ['string', 'object'] },
    target_cell: NAME,
    different_cell: { type: ['string', 'array'], items: { type: 'string' } },
    build_near_host_ip: IP_ADDRESS,
    cidr: { type: 'string', pattern: '^/[0-9a-f.:]+$' },
  },
  additionalProperties: true,
};

function bdmV2(v: APIVersion): Schema {
  const props: Schema = {
    virtual_name: { type: 'string', maxLength: 255 },
    volume_id: UUID,
    snapshot_id: UUID,
    volume_size: VOLUME_SIZE,
    device_name: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._\\-r/]*$' },
    delete_on_termination: BOOLEAN,
    no_device: {},
    connection_info: { type: 'string', maxLength: 16777215 },
    source_type: { type: 'string', enum: ['volume', 'image', 'snapshot', 'blank'] },
    uuid: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' },
    image_id: UUID,
    destination_type: { type: 'string', enum: ['local', 'volume'] },
    guest_format: { type: 'string', maxLength: 255 },
    device_type: { type: 'string', maxLength: 255 },
    disk_bus: { type: 'string', maxLength: 255 },
    boot_index: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$' },
  };
  if (v.atLeast('2.32') && !v.inRange('2.33', '2.41')) props['tag'] = TAG;
  if (v.atLeast('2.67')) props['volume_type'] = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
  return { type: 'object', properties: props, additionalProperties: false };
}

function networks(v: APIVersion): Schema {
  const item: Schema = {
    type: 'object',
    properties: {
      fixed_ip: IP_ADDRESS,
      port: { oneOf: [UUID, { type: 'null' }] },
      uuid: v.atLeast('2.37') ? UUID : { type: 'string' },
      ...(v.atLeast('2.32') && !v.inRange('2.37', '2.41') ? { tag: TAG } : {}),
    },
    additionalProperties: false,
  };
  const list: Schema = { type: 'array', items: item };
  return v.atLeast('2.37') ? { oneOf: [list, { type: 'string', enum: ['none', 'auto'] }] } : list;
}

function buildCreate(v: APIVersion): Schema {
  const server: Record<string, Schema> = {
    name: NAME,
    imageRef: { oneOf: [UUID, { type: 'string', maxLength: 0 }] },
    flavorRef: { type: ['string', 'integer'], minLength: 1 },
    adminPass: { type: 'string' },
    metadata: METADATA,
    networks: networks(v),
    'OS-DCF:diskConfig': DISK_CONFIG,
    accessIPv4: { type: 'string', format: 'ipv4' },
    accessIPv6: { type: 'string', format: 'ipv6' },
    availability_zone: NAME,
    block_device_mapping_v2: { type: 'array', items: bdmV2(v) },
    config_drive: BOOLEAN,
    key_name: NAME,
    min_count: POSITIVE_INTEGER,
    max_count: POSITIVE_INTEGER,
    return_reservation_id: BOOLEAN,
    security_groups: { type: 'array', items: { type: 'object', properties: { name: NAME }, additionalProperties: false } },
    user_data: BASE64,
  };
  if (!v.atLeast('2.57')) {
    server['personality'] = {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, contents: { type: 'string', pattern: '^[A-Za-z0-9+/\\s]*={0,2}\\s*$' } }, additionalProperties: false },
    };
  }
  if (v.atLeast('2.19')) server['description'] = DESCRIPTION;
  if (v.atLeast('2.52')) server['tags'] = { type: 'array', items: TAG, maxItems: 50 };
  if (v.atLeast('2.63')) server['trusted_image_certificates'] = { type: ['array', 'null'], minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1 } };
  if (v.atLeast('2.74')) {
    server['host'] = FQDN;
    server['hypervisor_hostname'] = FQDN;
  }
  if (v.atLeast('2.90')) server['hostname'] = HOSTNAME;
  return {
    type: 'object',
    properties: {
      server: { type: 'object', properties: server, required: v.atLeast('2.37') ? ['name', 'flavorRef', 'networks'] : ['name', 'flavorRef'], additionalProperties: false },
      'os:scheduler_hints': HINTS,
      'OS-SCH-HNT:scheduler_hints': HINTS,
    },
    required: ['server'],
    additionalProperties: false,
  };
}

function buildUpdate(v: APIVersion): Schema {
  const server: Record<string, Schema> = {
    name: NAME, 'OS-DCF:diskConfig': DISK_CONFIG, accessIPv4: { type: 'string', format: 'ipv4' }, accessIPv6: { type: 'string', format: 'ipv6' },
  };
  if (v.atLeast('2.19')) server['description'] = DESCRIPTION;
  if (v.atLeast('2.90')) server['hostname'] = HOSTNAME;
  return {
    type: 'object',
    properties: { server: { type: 'object', properties: server, additionalProperties: false } },
    required: ['server'],
    additionalProperties: false,
  };
}

/** The microversions where a schema changes (each range shares one schema). */
const CREATE_STEPS = ['2.1', '2.19', '2.32', '2.33', '2.37', '2.42', '2.52', '2.57', '2.63', '2.67', '2.74', '2.90'];
const UPDATE_STEPS = ['2.1', '2.19', '2.90'];

function cached(steps: readonly string[], build: (v: APIVersion) => Schema): (v: APIVersion) => Schema {
  const cache = new Map<string, Schema>();
  return (v) => {
    const step = [...steps].reverse().find((s) => v.atLeast(s)) ?? steps[0]!;
    let schema = cache.get(step);
    if (!schema) {
      schema = build(v);
      cache.set(step, schema);
    }
    return schema;
  };
}

export const createServerSchema = cached(CREATE_STEPS, buildCreate);
export const updateServerSchema = cached(UPDATE_STEPS, buildUpdate);

/** The rebuild action (2.1, 2.19 description, 2.54 key_name, 2.57 user_data for personality, 2.63 trusted certificates, 2.90 hostname). */
function buildRebuild(v: APIVersion): Schema {
  const rebuild: Record<string, Schema> = {
    name: NAME, imageRef: UUID, adminPass: { type: 'string' }, metadata: METADATA, preserve_ephemeral: BOOLEAN, 'OS-DCF:diskConfig': DISK_CONFIG,
    accessIPv4: { type: 'string', format: 'ipv4' }, accessIPv6: { type: 'string', format: 'ipv6' },
  };
  if (!v.atLeast('2.57')) {
    rebuild['personality'] = {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, contents: { type: 'string', pattern: '^[A-Za-z0-9+/\\s]*={0,2}\\s*$' } }, additionalProperties: false },
    };
  }
  if (v.atLeast('2.19')) rebuild['description'] = DESCRIPTION;
  if (v.atLeast('2.54')) rebuild['key_name'] = { oneOf: [{ type: 'string', minLength: 1, maxLength: 255 }, { type: 'null' }] };
  if (v.atLeast('2.57')) rebuild['user_data'] = { oneOf: [BASE64, { type: 'null' }] };
  if (v.atLeast('2.63')) rebuild['trusted_image_certificates'] = { type: ['array', 'null'], minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1 } };
  if (v.atLeast('2.90')) rebuild['hostname'] = HOSTNAME;
  return { type: 'object', properties: rebuild, required: ['imageRef'], additionalProperties: false };
}

const REBUILD_STEPS = ['2.1', '2.19', '2.54', '2.57', '2.63', '2.90'];

/** The schema of the value under `rebuild`. */
export const rebuildServerSchema = cached(REBUILD_STEPS, buildRebuild);
