/**
 * The legacy v2 API's own request schemas (nova's `*_v20`, declared with
 * `@validation.schema(..., '2.0', '2.0')`; nova/api/openstack/compute/schemas/, Zed): the 2.1
 * schema, but names may start or end with blanks (`name_with_leading_trailing_spaces`: printable,
 * at least one character that is not blank), which the API strips (common.normalize_name), and a
 * server's user_data may be null. Validation picks them for legacy requests (validation.ts);
 * where Nova has none, a legacy request is validated against the 2.1 schema.
 */
import { APIVersion } from '../../../../common/http/microversion.js';
import { createAggregateSchema, updateAggregateSchema } from './aggregates.js';
import { createFlavorSchema } from './flavors.js';
import { createKeypairSchema } from './keypairs.js';
import { BASE64, createServerSchema, NAME_WITH_SPACES, rebuildServerSchema, updateServerSchema } from './servers.js';

type Schema = Record<string, unknown>;

/** az_name_with_leading_trailing_spaces: the same, without ':'. */
const AZ_NAME_WITH_SPACES: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?=.*\\S)[^:\\x00-\\x1F\\x7F]*$' };

const V21 = APIVersion.parse('2.1');

/**
 * A copy of `schema` whose `member` (the body's one key: `server`, `flavor`; none for a schema of
 * an action's value) has `replace` among its properties.
 */
function v20(schema: Schema, member: string | undefined, replace: Record<string, Schema>): Schema {
  const copy = structuredClone(schema);
  const target = (member === undefined ? copy : (copy['properties'] as Record<string, Schema>)[member]!) as { properties: Record<string, Schema> };
  Object.assign(target.properties, replace);
  return copy;
}

export const CREATE_SERVER_V20 = v20(createServerSchema(V21), 'server', {
  name: NAME_WITH_SPACES,
  availability_zone: NAME_WITH_SPACES,
  key_name: NAME_WITH_SPACES,
  security_groups: { type: 'array', items: { type: 'object', properties: { name: NAME_WITH_SPACES }, additionalProperties: false } },
  user_data: { oneOf: [BASE64, { type: 'null' }] },
});
export const UPDATE_SERVER_V20 = v20(updateServerSchema(V21), 'server', { name: NAME_WITH_SPACES });
/** The value under `rebuild`. */
export const REBUILD_SERVER_V20 = v20(rebuildServerSchema(V21), undefined, { name: NAME_WITH_SPACES });
export const CREATE_FLAVOR_V20 = v20(createFlavorSchema(V21), 'flavor', { name: NAME_WITH_SPACES });
/** Any printable name: the 2.1 API's character check (keypair_name_20) is not the legacy API's. */
export const CREATE_KEYPAIR_V20 = v20(createKeypairSchema(V21), 'keypair', { name: NAME_WITH_SPACES });
const AVAILABILITY_ZONE_V20: Schema = { oneOf: [AZ_NAME_WITH_SPACES, { type: 'null' }] };
export const CREATE_AGGREGATE_V20 = v20(createAggregateSchema, 'aggregate', { name: NAME_WITH_SPACES, availability_zone: AVAILABILITY_ZONE_V20 });
export const UPDATE_AGGREGATE_V20 = v20(updateAggregateSchema, 'aggregate', { name: NAME_WITH_SPACES, availability_zone: AVAILABILITY_ZONE_V20 });
