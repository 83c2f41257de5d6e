/**
 * The metadata definition schemas Glance publishes under /v2/schemas/metadefs/* and validates
 * metadef requests with (glance/api/v2/metadef_*.py get_schema).
 */
import type { JsonSchema } from './schemas.js';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string', null];

/** Shared definitions (metadef_namespaces.get_schema_definitions). */
function definitions(): Record<string, JsonSchema> {
  return {
    positiveInteger: { type: 'integer', minimum: 0 },
    positiveIntegerDefault0: { allOf: [{ $ref: '#/definitions/positiveInteger' }, { default: 0 }] },
    stringArray: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    property: {
      type: 'object',
      additionalProperties: { type: 'object', required: ['title', 'type'], properties: propertyTypeProperties() },
    },
  };
}

/** The attributes of one property definition. */
function propertyTypeProperties(): Record<string, JsonSchema> {
  return {
    name: { type: 'string', maxLength: 80 },
    title: { type: 'string' },
    description: { type: 'string' },
    operators: { type: 'array', items: { type: 'string' } },
    type: { type: 'string', enum: TYPES },
    required: { $ref: '#/definitions/stringArray' },
    minimum: { type: 'number' },
    maximum: { type: 'number' },
    maxLength: { $ref: '#/definitions/positiveInteger' },
    minLength: { $ref: '#/definitions/positiveIntegerDefault0' },
    pattern: { type: 'string', format: 'regex' },
    enum: { type: 'array' },
    readonly: { type: 'boolean' },
    default: {},
    items: { type: 'object', properties: { type: { type: 'string', enum: TYPES }, enum: { type: 'array' } } },
    maxItems: { $ref: '#/definitions/positiveInteger' },
    minItems: { $ref: '#/definitions/positiveIntegerDefault0' },
    uniqueItems: { type: 'boolean', default: false },
    additionalItems: { type: 'boolean' },
  };
}

const readOnly = { readOnly: true, type: 'string' };
const time = (what: string): JsonSchema => ({ type: 'string', readOnly: true, description: what, format: 'date-time' });

function schema(name: string, properties: Record<string, JsonSchema>, required?: string[], defs?: Record<string, JsonSchema>): JsonSchema {
  return {
    name,
    properties,
    additionalProperties: false,
    ...(defs ? { definitions: defs } : {}),
    ...(required && required.length > 0 ? { required } : {}),
  };
}

/** glance.schema.CollectionSchema.raw() (definitions hoisted to the top). */
function collection(name: string, item: JsonSchema): JsonSchema {
  const { definitions: defs, ...rest } = item;
  return {
    name,
    properties: { [name]: { type: 'array', items: rest }, first: { type: 'string' }, next: { type: 'string' }, schema: { type: 'string' } },
    links: [{ rel: 'first', href: '{first}' }, { rel: 'next', href: '{next}' }, { rel: 'describedby', href: '{schema}' }],
    ...(defs ? { definitions: defs } : {}),
  };
}

export function namespaceSchema(): JsonSchema {
  return schema('namespace', {
    namespace: { type: 'string', description: 'The unique namespace text.', maxLength: 80 },
    display_name: { type: 'string', description: 'The user friendly name for the namespace. Used by UI if available.', maxLength: 80 },
    description: { type: 'string', description: 'Provides a user friendly description of the namespace.', maxLength: 500 },
    visibility: { type: 'string', description: 'Scope of namespace accessibility.', enum: ['public', 'private'] },
    protected: { type: 'boolean', description: 'If true, namespace will not be deletable.' },
    owner: { type: 'string', description: 'Owner of the namespace.', maxLength: 255 },
    created_at: time('Date and time of namespace creation'),
    updated_at: time('Date and time of the last namespace modification'),
    schema: readOnly,
    self: readOnly,
    resource_type_associations: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, prefix: { type: 'string' }, properties_target: { type: 'string' } } },
    },
    properties: { $ref: '#/definitions/property' },
    objects: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' }, description: { type: 'string' }, required: { $ref: '#/definitions/stringArray' },
          properties: { $ref: '#/definitions/property' },
        },
      },
    },
    tags: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
  }, ['namespace'], definitions());
}

export function objectSchema(): JsonSchema {
  return schema('object', {
    name: { type: 'string', maxLength: 80 },
    description: { type: 'string' },
    required: { $ref: '#/definitions/stringArray' },
    properties: { $ref: '#/definitions/property' },
    schema: readOnly,
    self: readOnly,
    created_at: time('Date and time of object creation'),
    updated_at: time('Date and time of the last object modification'),
  }, ['name'], definitions());
}

export function propertySchema(requireName = true): JsonSchema {
  const defs = definitions();
  delete defs['property'];
  return schema('property', propertyTypeProperties(), requireName ? ['title', 'type', 'name'] : ['title', 'type'], defs);
}

export function tagSchema(): JsonSchema {
  return schema('tag', {
    name: { type: 'string', maxLength: 80 },
    created_at: time('Date and time of tag creation'),
    updated_at: time('Date and time of the last tag modification'),
  }, ['name']);
}

/** The body of POST /namespaces/{ns}/tags. */
export function tagsCreateSchema(): JsonSchema {
  return schema('tags', {
    tags: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } },
  });
}

export function resourceTypeSchema(): JsonSchema {
  return schema('resource_type_association', {
    name: {
      type: 'string', maxLength: 80,
      description: 'Resource type names should be aligned with Heat resource types whenever possible: https://docs.openstack.org/heat/latest/template_guide/openstack.html',
    },
    prefix: {
      type: 'string', maxLength: 80,
      description: 'Specifies the prefix to use for the given resource type. Any properties in the namespace should be prefixed with this prefix when being applied to the specified resource type. Must include prefix separator (e.g. a colon :).',
    },
    properties_target: {
      type: 'string', maxLength: 80,
      description: 'Some resource types allow more than one key / value pair per instance.  For example, Cinder allows user and image metadata on volumes. Only the image properties metadata is evaluated by Nova (scheduling or drivers). This property allows a namespace target to remove the ambiguity.',
    },
    created_at: time('Date and time of resource type association'),
    updated_at: time('Date and time of the last resource type association modification'),
  }, ['name']);
}

/** Every metadef schema by its /v2/schemas/metadefs/<name>. */
export function metadefSchemas(): Record<string, JsonSchema> {
  const properties = propertySchema(false);
  const { definitions: propDefs, ...propItem } = properties;
  return {
    namespace: namespaceSchema(),
    namespaces: collection('namespaces', namespaceSchema()),
    object: objectSchema(),
    objects: collection('objects', objectSchema()),
    property: propertySchema(),
    properties: {
      name: 'properties',
      properties: {
        properties: { type: 'object', additionalProperties: propItem },
        first: { type: 'string' }, next: { type: 'string' }, schema: { type: 'string' },
      },
      links: [{ rel: 'first', href: '{first}' }, { rel: 'next', href: '{next}' }, { rel: 'describedby', href: '{schema}' }],
      definitions: propDefs,
    },
    tag: tagSchema(),
    tags: collection('tags', tagSchema()),
    resource_type: resourceTypeSchema(),
    resource_types: collection('resource_type_associations', resourceTypeSchema()),
  };
}
