/**
 * The JSON schemas of request bodies and query strings per microversion
 * (placement/schemas/*.py at Zed), key order kept as upstream writes them because jsonschema
 * reports violations in that order.
 */
import type { JsonSchema } from './jsonschema.js';
import { GROUP_PAT, GROUP_PAT_1_33 } from './query-params.js';

const clone = <T>(v: T): T => structuredClone(v);

/** db/constants.py */
const MAX_INT = 0x7fffffff;
const SQL_SP_FLOAT_MAX = 3.40282e38;

export const UUID_PATTERN = '^[0-9a-fA-F-]{36}$';
export const RC_PATTERN = '^[A-Z0-9_]+$';
export const CUSTOM_RC_PATTERN = '^CUSTOM_[A-Z0-9_]+$';
export const CUSTOM_TRAIT_PATTERN = CUSTOM_RC_PATTERN;
const CONSUMER_TYPE_PATTERN = RC_PATTERN;
const CONSUMER_TYPE_GET_PATTERN = `${CONSUMER_TYPE_PATTERN}|^all|^unknown$`;

const UUID = { type: 'string', format: 'uuid' };

// --- resource providers --------------------------------------------------------------------

export const POST_RESOURCE_PROVIDER: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 200 }, uuid: UUID },
  required: ['name'],
  additionalProperties: false,
};
export const PUT_RESOURCE_PROVIDER: JsonSchema = clone(POST_RESOURCE_PROVIDER);
delete (PUT_RESOURCE_PROVIDER['properties'] as Record<string, unknown>)['uuid'];

export const POST_RP_1_14: JsonSchema = clone(POST_RESOURCE_PROVIDER);
(POST_RP_1_14['properties'] as Record<string, unknown>)['parent_provider_uuid'] = { anyOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] };
export const PUT_RP_1_14: JsonSchema = clone(POST_RP_1_14);
delete (PUT_RP_1_14['properties'] as Record<string, unknown>)['uuid'];

const withProps = (base: JsonSchema, props: Record<string, unknown>): JsonSchema => {
  const s = clone(base);
  Object.assign(s['properties'] as Record<string, unknown>, props);
  return s;
};

export const GET_RPS_1_0: JsonSchema = { type: 'object', properties: { name: { type: 'string' }, uuid: UUID }, additionalProperties: false };
export const GET_RPS_1_3 = withProps(GET_RPS_1_0, { member_of: { type: 'string' } });
export const GET_RPS_1_4 = withProps(GET_RPS_1_3, { resources: { type: 'string' } });
export const GET_RPS_1_14 = withProps(GET_RPS_1_4, { in_tree: UUID });
export const GET_RPS_1_18 = withProps(GET_RPS_1_14, { required: { type: 'string' } });

// --- inventories ---------------------------------------------------------------------------

const INT_FIELD = (minimum: number) => ({ type: 'integer', maximum: MAX_INT, minimum });

export const BASE_INVENTORY: JsonSchema = {
  type: 'object',
  properties: {
    resource_provider_generation: { type: 'integer' },
    total: INT_FIELD(1),
    reserved: INT_FIELD(0),
    min_unit: INT_FIELD(1),
    max_unit: INT_FIELD(1),
    step_size: INT_FIELD(1),
    allocation_ratio: { type: 'number', maximum: SQL_SP_FLOAT_MAX },
  },
  required: ['total', 'resource_provider_generation'],
  additionalProperties: false,
};

export const POST_INVENTORY: JsonSchema = withProps(BASE_INVENTORY, { resource_class: { type: 'string', pattern: RC_PATTERN } });
POST_INVENTORY['required'] = ['total', 'resource_class'];

const PUT_INVENTORY_RECORD: JsonSchema = clone(BASE_INVENTORY);
PUT_INVENTORY_RECORD['required'] = ['total'];

export const PUT_INVENTORIES: JsonSchema = {
  type: 'object',
  properties: {
    resource_provider_generation: { type: 'integer' },
    inventories: { type: 'object', patternProperties: { [RC_PATTERN]: PUT_INVENTORY_RECORD } },
  },
  required: ['resource_provider_generation', 'inventories'],
  additionalProperties: false,
};

// --- aggregates ----------------------------------------------------------------------------

const AGGREGATES_LIST = { type: 'array', items: { type: 'string', format: 'uuid' }, uniqueItems: true };
export const PUT_AGGREGATES_1_1: JsonSchema = clone(AGGREGATES_LIST);
export const PUT_AGGREGATES_1_19: JsonSchema = {
  type: 'object',
  properties: { aggregates: clone(AGGREGATES_LIST), resource_provider_generation: { type: 'integer' } },
  required: ['aggregates', 'resource_provider_generation'],
  additionalProperties: false,
};

// --- traits and resource classes ------------------------------------------------------------

export const TRAIT: JsonSchema = { type: 'string', minLength: 1, maxLength: 255 };
export const CUSTOM_TRAIT: JsonSchema = { ...TRAIT, pattern: CUSTOM_TRAIT_PATTERN };
export const SET_TRAITS_FOR_RP: JsonSchema = {
  type: 'object',
  properties: { traits: { type: 'array', items: TRAIT }, resource_provider_generation: { type: 'integer' } },
  required: ['traits', 'resource_provider_generation'],
  additionalProperties: false,
};
export const LIST_TRAITS: JsonSchema = { type: 'object', properties: { name: { type: 'string' }, associated: { type: 'string' } }, additionalProperties: false };

export const POST_RC_1_2: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string', pattern: CUSTOM_RC_PATTERN, maxLength: 255 } },
  required: ['name'],
  additionalProperties: false,
};
export const PUT_RC_1_2: JsonSchema = clone(POST_RC_1_2);

// --- usages --------------------------------------------------------------------------------

const ID_STRING = { type: 'string', minLength: 1, maxLength: 255 };
export const GET_USAGES_1_9: JsonSchema = {
  type: 'object',
  properties: { project_id: ID_STRING, user_id: ID_STRING },
  required: ['project_id'],
  additionalProperties: false,
};
export const GET_USAGES_1_38 = withProps(GET_USAGES_1_9, { consumer_type: { type: 'string', pattern: CONSUMER_TYPE_GET_PATTERN, minLength: 1, maxLength: 255 } });

// --- allocations ---------------------------------------------------------------------------

const RESOURCES = { type: 'object', minProperties: 1, patternProperties: { [RC_PATTERN]: { type: 'integer', minimum: 1 } }, additionalProperties: false };

export const ALLOCATION_1_0: JsonSchema = {
  type: 'object',
  properties: {
    allocations: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: {
          resource_provider: { type: 'object', properties: { uuid: UUID }, additionalProperties: false, required: ['uuid'] },
          resources: RESOURCES,
        },
        required: ['resource_provider', 'resources'],
        additionalProperties: false,
      },
    },
  },
  required: ['allocations'],
  additionalProperties: false,
};

export const ALLOCATION_1_8 = withProps(ALLOCATION_1_0, { project_id: ID_STRING, user_id: ID_STRING });
ALLOCATION_1_8['required'] = ['allocations', 'project_id', 'user_id'];

export const ALLOCATION_1_12: JsonSchema = {
  type: 'object',
  properties: {
    allocations: {
      type: 'object',
      minProperties: 1,
      patternProperties: {
        [UUID_PATTERN]: {
          type: 'object',
          properties: { generation: { type: 'integer' }, resources: RESOURCES },
          required: ['resources'],
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    project_id: ID_STRING,
    user_id: ID_STRING,
  },
  additionalProperties: false,
  required: ['allocations', 'project_id', 'user_id'],
};

const DELETABLE_ALLOCATIONS: JsonSchema = clone(ALLOCATION_1_12);
(DELETABLE_ALLOCATIONS['properties'] as Record<string, Record<string, unknown>>)['allocations']!['minProperties'] = 0;

const byConsumer = (each: JsonSchema): JsonSchema => ({ type: 'object', minProperties: 1, additionalProperties: false, patternProperties: { [UUID_PATTERN]: each } });

export const POST_ALLOCATIONS_1_13 = byConsumer(DELETABLE_ALLOCATIONS);

const CONSUMER_GENERATION = { type: ['integer', 'null'], additionalProperties: false };
export const ALLOCATION_1_28 = withProps(DELETABLE_ALLOCATIONS, { consumer_generation: CONSUMER_GENERATION });
ALLOCATION_1_28['required'] = ['allocations', 'project_id', 'user_id', 'consumer_generation'];
export const POST_ALLOCATIONS_1_28 = byConsumer(ALLOCATION_1_28);

const MAPPINGS = {
  type: 'object',
  minProperties: 1,
  patternProperties: { [GROUP_PAT_1_33]: { type: 'array', minItems: 1, items: { type: 'string', format: 'uuid' } } },
};
export const ALLOCATION_1_34 = withProps(ALLOCATION_1_28, { mappings: MAPPINGS });
export const POST_ALLOCATIONS_1_34 = byConsumer(ALLOCATION_1_34);

export const ALLOCATION_1_38 = withProps(ALLOCATION_1_34, { consumer_type: { type: 'string', pattern: CONSUMER_TYPE_PATTERN, minLength: 1, maxLength: 255 } });
ALLOCATION_1_38['required'] = ['allocations', 'project_id', 'user_id', 'consumer_generation', 'consumer_type'];
export const POST_ALLOCATIONS_1_38 = byConsumer(ALLOCATION_1_38);

// --- reshaper ------------------------------------------------------------------------------

const reshaper = (allocations: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: {
    inventories: { type: 'object', patternProperties: { [UUID_PATTERN]: PUT_INVENTORIES }, minProperties: 1, additionalProperties: false },
    allocations: { ...clone(allocations), minProperties: 0 },
  },
  required: ['inventories', 'allocations'],
  additionalProperties: false,
});
export const POST_RESHAPER_1_30 = reshaper(POST_ALLOCATIONS_1_28);
export const POST_RESHAPER_1_34 = reshaper(POST_ALLOCATIONS_1_34);
export const POST_RESHAPER_1_38 = reshaper(POST_ALLOCATIONS_1_38);

// --- allocation candidates -----------------------------------------------------------------

export const GET_AC_1_10: JsonSchema = { type: 'object', properties: { resources: { type: 'string' } }, required: ['resources'], additionalProperties: false };
export const GET_AC_1_16 = withProps(GET_AC_1_10, { limit: { type: ['integer', 'string'], pattern: '^[1-9][0-9]*$', minimum: 1, minLength: 1 } });
export const GET_AC_1_17 = withProps(GET_AC_1_16, { required: { type: ['string'] } });
export const GET_AC_1_21 = withProps(GET_AC_1_17, { member_of: { type: ['string'] } });

const groupKeys = (pattern: string, kinds: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(kinds.map((k) => [`^${k}(${pattern})?$`, { type: 'string' }]));

export const GET_AC_1_25: JsonSchema = (() => {
  const s = clone(GET_AC_1_21);
  const props = s['properties'] as Record<string, unknown>;
  delete props['resources'];
  delete s['required'];
  delete props['required'];
  delete props['member_of'];
  s['patternProperties'] = groupKeys(GROUP_PAT, ['resources', 'required', 'member_of']);
  props['group_policy'] = { type: 'string', enum: ['none', 'isolate'] };
  return s;
})();
export const GET_AC_1_31: JsonSchema = (() => {
  const s = clone(GET_AC_1_25);
  Object.assign(s['patternProperties'] as Record<string, unknown>, groupKeys(GROUP_PAT, ['in_tree']));
  return s;
})();
export const GET_AC_1_33: JsonSchema = { ...clone(GET_AC_1_31), patternProperties: groupKeys(GROUP_PAT_1_33, ['resources', 'required', 'member_of', 'in_tree']) };
export const GET_AC_1_35 = withProps(GET_AC_1_33, { root_required: { type: ['string'] } });
export const GET_AC_1_36 = withProps(GET_AC_1_35, { same_subtree: { type: ['string'] } });
