/**
 * The JSON schemas Glance publishes under /v2/schemas and validates requests with: image
 * (glance/api/v2/images.py get_base_properties plus the custom properties of etc/schema-image.json,
 * a permissive schema whose extra properties must be strings), images, member(s), task(s).
 */

const UUID_PATTERN = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';

export type JsonSchema = Record<string, unknown>;

function baseProperties(diskFormats: readonly string[], containerFormats: readonly string[]): Record<string, JsonSchema> {
  return {
    id: { type: 'string', description: 'An identifier for the image', pattern: UUID_PATTERN },
    name: { type: ['null', 'string'], description: 'Descriptive name for the image', maxLength: 255 },
    status: {
      type: 'string', readOnly: true, description: 'Status of the image',
      enum: ['queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated'],
    },
    visibility: { type: 'string', description: 'Scope of image accessibility', enum: ['community', 'public', 'private', 'shared'] },
    protected: { type: 'boolean', description: 'If true, image will not be deletable.' },
    os_hidden: { type: 'boolean', description: 'If true, image will not appear in default image list response.' },
    checksum: { type: ['null', 'string'], readOnly: true, description: 'md5 hash of image contents.', maxLength: 32 },
    os_hash_algo: { type: ['null', 'string'], readOnly: true, description: 'Algorithm to calculate the os_hash_value', maxLength: 64 },
    os_hash_value: {
      type: ['null', 'string'], readOnly: true,
      description: 'Hexdigest of the image contents using the algorithm specified by the os_hash_algo', maxLength: 128,
    },
    owner: { type: ['null', 'string'], description: 'Owner of the image', maxLength: 255 },
    size: { type: ['null', 'integer'], readOnly: true, description: 'Size of image file in bytes' },
    virtual_size: { type: ['null', 'integer'], readOnly: true, description: 'Virtual size of image in bytes' },
    container_format: { type: ['null', 'string'], description: 'Format of the container', enum: [null, ...containerFormats] },
    disk_format: { type: ['null', 'string'], description: 'Format of the disk', enum: [null, ...diskFormats] },
    created_at: { type: 'string', readOnly: true, description: 'Date and time of image registration' },
    updated_at: { type: 'string', readOnly: true, description: 'Date and time of the last image modification' },
    tags: { type: 'array', description: 'List of strings related to the image', items: { type: 'string', maxLength: 255 } },
    direct_url: { type: 'string', readOnly: true, description: 'URL to access the image file kept in external store' },
    min_ram: { type: 'integer', description: 'Amount of ram (in MB) required to boot image.' },
    min_disk: { type: 'integer', description: 'Amount of disk space (in GB) required to boot image.' },
    self: { type: 'string', readOnly: true, description: 'An image self url' },
    file: { type: 'string', readOnly: true, description: 'An image file url' },
    stores: {
      type: 'string', readOnly: true,
      description: 'Store in which image data resides.  Only present when the operator has enabled multiple stores.  May be a comma-separated list of store identifiers.',
    },
    schema: { type: 'string', readOnly: true, description: 'An image schema url' },
    locations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          url: { type: 'string', maxLength: 255 },
          metadata: { type: 'object' },
          validation_data: {
            description: "Values to be used to populate the corresponding image properties. If the image status is not 'queued', values must exactly match those already contained in the image properties.",
            type: 'object', writeOnly: true, additionalProperties: false,
            properties: {
              checksum: { type: 'string', minLength: 32, maxLength: 32 },
              os_hash_algo: { type: 'string', maxLength: 64 },
              os_hash_value: { type: 'string', maxLength: 128 },
            },
            required: ['os_hash_algo', 'os_hash_value'],
          },
        },
        required: ['url', 'metadata'],
      },
      description: 'A set of URLs to access the image file kept in external store',
    },
  };
}

/** etc/schema-image.json, the custom properties a default Glance ships. */
const CUSTOM_PROPERTIES: Record<string, JsonSchema> = {
  kernel_id: {
    type: ['null', 'string'], pattern: UUID_PATTERN,
    description: 'ID of image stored in Glance that should be used as the kernel when booting an AMI-style image.',
  },
  ramdisk_id: {
    type: ['null', 'string'], pattern: UUID_PATTERN,
    description: 'ID of image stored in Glance that should be used as the ramdisk when booting an AMI-style image.',
  },
  instance_uuid: {
    type: 'string',
    description: 'Metadata which can be used to record which instance this image is associated with. (Informational only, does not create an instance snapshot.)',
  },
  architecture: {
    description: 'Operating system architecture as specified in https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html',
    type: 'string',
  },
  os_distro: {
    description: 'Common name of operating system distribution as specified in https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html',
    type: 'string',
  },
  os_version: { description: 'Operating system version as specified by the distributor.', type: 'string' },
  description: { description: 'A human-readable string describing this image.', type: 'string' },
  cinder_encryption_key_id: {
    description: 'Identifier in the OpenStack Key Management Service for the encryption key for the Block Storage Service to use when mounting a volume created from this image',
    type: 'string',
  },
  cinder_encryption_key_deletion_policy: {
    description: "States the condition under which the Image Service will delete the object associated with the 'cinder_encryption_key_id' image property.  If this property is missing, the Image Service will take no action",
    type: 'string', enum: ['on_image_deletion', 'do_not_delete'],
  },
};

/** Keys of the image schema's base properties (not custom). */
export const BASE_PROPERTY_NAMES: readonly string[] = Object.keys(baseProperties([], []));

export function imageSchema(diskFormats: readonly string[], containerFormats: readonly string[]): JsonSchema {
  const custom = Object.fromEntries(Object.entries(CUSTOM_PROPERTIES).map(([k, v]) => [k, { ...v, is_base: false }]));
  return {
    name: 'image',
    properties: { ...baseProperties(diskFormats, containerFormats), ...custom },
    additionalProperties: { type: 'string' },
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

/** Property names of the image schema (base and custom). */
export function schemaPropertyNames(): Set<string> {
  return new Set([...BASE_PROPERTY_NAMES, ...Object.keys(CUSTOM_PROPERTIES)]);
}

function collection(name: string, item: JsonSchema, full: boolean): JsonSchema {
  return full
    ? {
      name,
      properties: { [name]: { type: 'array', items: item }, first: { type: 'string' }, next: { type: 'string' }, schema: { type: 'string' } },
      links: [{ rel: 'first', href: '{first}' }, { rel: 'next', href: '{next}' }, { rel: 'describedby', href: '{schema}' }],
    }
    : {
      name,
      properties: { [name]: { type: 'array', items: item }, schema: { type: 'string' } },
      links: [{ rel: 'describedby', href: '{schema}' }],
    };
}

export function imagesSchema(diskFormats: readonly string[], containerFormats: readonly string[]): JsonSchema {
  return collection('images', imageSchema(diskFormats, containerFormats), true);
}

const MEMBER_PROPERTIES: Record<string, JsonSchema> = {
  member_id: { type: 'string', description: 'An identifier for the image member (tenantId)' },
  image_id: { type: 'string', description: 'An identifier for the image', pattern: UUID_PATTERN },
  created_at: { type: 'string', description: 'Date and time of image member creation' },
  updated_at: { type: 'string', description: 'Date and time of last modification of image member' },
  status: { type: 'string', description: 'The status of this image member', enum: ['pending', 'accepted', 'rejected'] },
  schema: { readOnly: true, type: 'string' },
};

export function memberSchema(): JsonSchema {
  return { name: 'member', properties: MEMBER_PROPERTIES };
}

export function membersSchema(): JsonSchema {
  return collection('members', memberSchema(), false);
}

const TASK_PROPERTIES: Record<string, JsonSchema> = {
  id: { description: 'An identifier for the task', pattern: UUID_PATTERN, type: 'string' },
  type: { description: 'The type of task represented by this content', enum: ['import', 'api_image_import', 'location_import'], type: 'string' },
  status: { description: 'The current status of this task', enum: ['pending', 'processing', 'success', 'failure'], type: 'string' },
  input: { description: 'The parameters required by task, JSON blob', type: ['null', 'object'] },
  result: { description: 'The result of current task, JSON blob', type: ['null', 'object'] },
  owner: { description: 'An identifier for the owner of this task', type: 'string' },
  message: { description: 'Human-readable informative message only included when appropriate (usually on failure)', type: 'string' },
  image_id: { description: 'Image associated with the task', type: 'string' },
  request_id: { description: 'Human-readable informative request-id', type: 'string' },
  user_id: { description: 'User associated with the task', type: 'string' },
  expires_at: { description: 'Datetime when this resource would be subject to removal', type: ['null', 'string'] },
  created_at: { description: 'Datetime when this resource was created', type: 'string' },
  updated_at: { description: 'Datetime when this resource was updated', type: 'string' },
  self: { readOnly: true, type: 'string' },
  schema: { readOnly: true, type: 'string' },
};

export function taskSchema(): JsonSchema {
  return { name: 'task', properties: TASK_PROPERTIES };
}

export function tasksSchema(): JsonSchema {
  const partial = Object.fromEntries(Object.entries(TASK_PROPERTIES).filter(([k]) => !['input', 'result', 'message'].includes(k)));
  return collection('tasks', { name: 'task', properties: partial }, false);
}
