/** Request bodies of os-aggregates (nova/api/openstack/compute/schemas/aggregates.py). */
import { AZ_NAME, FQDN, METADATA_WITH_NULL } from './admin-types.js';
import { NAME, NAME_WITH_SPACES, UUID } from './servers.js';

const AVAILABILITY_ZONE = { oneOf: [AZ_NAME, { type: 'null' }] };

export const createAggregateSchema = {
  type: 'object',
  properties: {
    aggregate: {
      type: 'object', properties: { name: NAME, availability_zone: AVAILABILITY_ZONE }, required: ['name'], additionalProperties: false,
    },
  },
  required: ['aggregate'],
  additionalProperties: false,
};

export const updateAggregateSchema = {
  type: 'object',
  properties: {
    aggregate: {
      type: 'object', properties: { name: NAME_WITH_SPACES, availability_zone: AVAILABILITY_ZONE }, additionalProperties: false,
      anyOf: [{ required: ['name'] }, { required: ['availability_zone'] }],
    },
  },
  required: ['aggregate'],
  additionalProperties: false,
};

/** add_host / remove_host: { host }. */
export const aggregateHostSchema = { type: 'object', properties: { host: FQDN }, required: ['host'], additionalProperties: false };

export const setMetadataSchema = { type: 'object', properties: { metadata: METADATA_WITH_NULL }, required: ['metadata'], additionalProperties: false };

/** POST /os-aggregates/{id}/images (2.81, schemas/aggregate_images.py): the images to pre-cache. */
export const aggregateImagesSchema = {
  type: 'object',
  properties: {
    cache: {
      type: 'array', minItems: 1,
      items: { type: 'object', properties: { id: UUID }, required: ['id'], additionalProperties: false },
    },
  },
  required: ['cache'],
  additionalProperties: false,
};
