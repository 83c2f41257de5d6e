/**
 * Short builders for attribute specs, so the resource maps in ../definitions read like
 * neutron-lib's RESOURCE_ATTRIBUTE_MAPs.
 */
import { NOT_SPECIFIED } from '../../common/attributes.js';
import type { AttrSpec } from './spec.js';
import * as c from './converters.js';
import * as v from './validators.js';

export const NAME_FIELD_SIZE = 255;
export const DESCRIPTION_FIELD_SIZE = 255;
export const PROJECT_ID_FIELD_SIZE = 255;
export const DEVICE_ID_FIELD_SIZE = 255;
export const DEVICE_OWNER_FIELD_SIZE = 255;
export const MAX_TAG_LEN = 255;

type Extra = Partial<AttrSpec>;

export const id = (extra: Extra = {}): AttrSpec => ({
  post: false, put: false, validate: v.uuid, visible: true, filter: true, sort: true, primaryKey: true, ...extra,
});

export const name = (extra: Extra = {}): AttrSpec => ({
  post: true, put: true, default: '', validate: v.nameString(NAME_FIELD_SIZE), visible: true, filter: true, sort: true, ...extra,
});

export const tenantId = (extra: Extra = {}): AttrSpec => ({
  post: true, put: false, validate: v.string(PROJECT_ID_FIELD_SIZE), requiredByPolicy: true, visible: true, filter: true, sort: true, ...extra,
});

export const status = (extra: Extra = {}): AttrSpec => ({ post: false, put: false, visible: true, filter: true, sort: true, ...extra });

export const adminStateUp = (extra: Extra = {}): AttrSpec => ({
  post: true, put: true, default: true, convert: c.toBoolean, visible: true, filter: true, sort: true, ...extra,
});

export const readOnly = (extra: Extra = {}): AttrSpec => ({ post: false, put: false, visible: true, ...extra });

export const bool = (def: unknown, extra: Extra = {}): AttrSpec => ({
  post: true, put: true, default: def, convert: c.toBoolean, visible: true, filter: true, ...extra,
});

export const uuidRef = (extra: Extra = {}): AttrSpec => ({
  post: true, put: false, validate: v.uuid, visible: true, filter: true, sort: true, ...extra,
});

/** description, created_at, updated_at, revision_number, tags (standard attributes). */
export function standardAttrs(opts: { sortable?: boolean } = {}): Record<string, AttrSpec> {
  return {
    description: {
      post: true, put: true, default: '', validate: v.string(DESCRIPTION_FIELD_SIZE), visible: true, filter: true, sort: opts.sortable ?? false,
    },
    created_at: { post: false, put: false, visible: true, filter: true, sort: opts.sortable ?? false },
    updated_at: { post: false, put: false, visible: true, filter: true, sort: opts.sortable ?? false },
    revision_number: { post: false, put: false, visible: true, filter: true, sort: opts.sortable ?? false },
    tags: {
      post: true, put: false, default: NOT_SPECIFIED, validate: v.listOf(v.string(MAX_TAG_LEN)), visible: true, filter: true,
    },
  };
}

export { c, v };
