/** Request bodies of os-services (nova/api/openstack/compute/schemas/services.py). */
import { FQDN } from './admin-types.js';
import { BOOLEAN } from './servers.js';

const BINARY = { type: 'string', minLength: 1, maxLength: 255 };
const REASON = { type: 'string', minLength: 1, maxLength: 255 };

/** PUT /os-services/{action} before 2.53 (forced_down from 2.11). */
export function legacyUpdateSchema(withForcedDown: boolean): Record<string, unknown> {
  return {
    type: 'object',
    properties: { host: FQDN, binary: BINARY, disabled_reason: REASON, ...(withForcedDown ? { forced_down: BOOLEAN } : {}) },
    required: ['host', 'binary'],
    additionalProperties: false,
  };
}
export const legacyUpdateSchemaV21 = legacyUpdateSchema(false);
export const legacyUpdateSchemaV211 = legacyUpdateSchema(true);

/** PUT /os-services/{service_id} from 2.53. */
export const updateServiceSchemaV253 = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['enabled', 'disabled'] }, disabled_reason: REASON, forced_down: BOOLEAN },
  additionalProperties: false,
};
