/**
 * JSON schemas of the flavor resources (nova/api/openstack/compute/schemas/flavor_manage.py,
 * flavors_extraspecs.py and flavor_access.py): create (2.1, and 2.55 with a description),
 * update (2.55: the description only), extra specs create and update, add and remove tenant
 * access.
 */
import type { APIVersion } from '../../../../common/http/microversion.js';
import { BOOLEAN, NAME } from './servers.js';

type Schema = Record<string, unknown>;

/** parameter_types.flavor_param_positive / _non_negative (volume_size with its minimum). */
const flavorParam = (minimum: number): Schema => ({ type: ['integer', 'string'], pattern: '^[0-9]+$', minimum, maximum: 0x7fffffff });
const FLAVOR_DESCRIPTION: Schema = { type: ['string', 'null'], minLength: 0, maxLength: 65535, pattern: '^[^\\x00-\\x1F\\x7F]*$' };

function createSchema(withDescription: boolean): Schema {
  const props: Schema = {
    name: NAME,
    id: { type: ['string', 'number', 'null'], minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$' },
    ram: flavorParam(1),
    vcpus: flavorParam(1),
    disk: flavorParam(0),
    'OS-FLV-EXT-DATA:ephemeral': flavorParam(0),
    swap: flavorParam(0),
    rxtx_factor: { type: ['number', 'string'], pattern: '^[0-9]+(\\.[0-9]+)?$', exclusiveMinimum: 0, maximum: 3.40282e+38 },
    'os-flavor-access:is_public': BOOLEAN,
  };
  if (withDescription) props['description'] = FLAVOR_DESCRIPTION;
  return {
    type: 'object',
    properties: { flavor: { type: 'object', properties: props, required: ['name', 'ram', 'vcpus', 'disk'], additionalProperties: false } },
    required: ['flavor'],
    additionalProperties: false,
  };
}

const CREATE = createSchema(false);
const CREATE_V255 = createSchema(true);

export function createFlavorSchema(v: APIVersion): Schema {
  return v.atLeast('2.55') ? CREATE_V255 : CREATE;
}

export const updateFlavorSchema: Schema = {
  type: 'object',
  properties: {
    flavor: { type: 'object', properties: { description: FLAVOR_DESCRIPTION }, required: ['description'], additionalProperties: false },
  },
  required: ['flavor'],
  additionalProperties: false,
};

/** parameter_types.metadata with numbers allowed as values. */
const EXTRA_SPECS: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: ['string', 'number'], maxLength: 255 } },
  additionalProperties: false,
};

export const createExtraSpecsSchema: Schema = {
  type: 'object', properties: { extra_specs: EXTRA_SPECS }, required: ['extra_specs'], additionalProperties: false,
};

export const updateExtraSpecSchema: Schema = { ...EXTRA_SPECS, minProperties: 1, maxProperties: 1 };

function tenantAccess(action: string): Schema {
  return {
    type: 'object',
    properties: {
      [action]: {
        type: 'object', properties: { tenant: { type: 'string', minLength: 1, maxLength: 255 } }, required: ['tenant'], additionalProperties: false,
      },
    },
    required: [action],
    additionalProperties: false,
  };
}

export const addTenantAccessSchema = tenantAccess('addTenantAccess');
export const removeTenantAccessSchema = tenantAccess('removeTenantAccess');
