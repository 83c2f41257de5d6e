/** The attribute maps of metering (neutron-lib api/definitions metering.py with metering_source_and_destination_fields). */
import type { AttrMap } from './attributes/spec.js';
import { c, id, name, tenantId, v } from './attributes/helpers.js';
import { VALID_DIRECTIONS } from '../types/qos.js';

/** db_const.LONG_DESCRIPTION_FIELD_SIZE */
const LONG_DESCRIPTION_FIELD_SIZE = 1024;

export const meteringLabelAttrs: AttrMap = {
  id: { ...id(), validate: undefined },
  name: name({ put: false }),
  description: { post: true, put: false, default: '', validate: v.string(LONG_DESCRIPTION_FIELD_SIZE), visible: true, filter: true, sort: true },
  tenant_id: tenantId(),
  shared: { post: true, put: false, default: false, convert: c.toBoolean, visible: true, filter: true, sort: true },
};

const prefix = { post: true, put: false, default: null, visible: true, filter: true, sort: true } as const;

export const meteringLabelRuleAttrs: AttrMap = {
  id: { ...id(), validate: undefined },
  metering_label_id: { post: true, put: false, validate: v.uuid, visible: true, filter: true, sort: true, requiredByPolicy: true },
  direction: { post: true, put: false, validate: v.values(VALID_DIRECTIONS), visible: true, filter: true, sort: true },
  excluded: { post: true, put: false, default: false, convert: c.toBoolean, visible: true, filter: true, sort: true },
  remote_ip_prefix: { ...prefix, validate: v.subnetOrNone },
  source_ip_prefix: { ...prefix },
  destination_ip_prefix: { ...prefix },
};
