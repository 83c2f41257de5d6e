/**
 * Attribute maps, Neutron's way of describing an API resource (neutron_lib RESOURCE_ATTRIBUTE_MAP):
 * for each attribute, whether POST/PUT may set it, its default, how it is converted and
 * validated, whether responses show it, and whether lists may filter and sort on it.
 * `prepareBody` is the request half of neutron.api.v2.base.Controller.prepare_request_body.
 */
import { NOT_SPECIFIED } from '../../common/attributes.js';
import type { KeyValueFilter } from '../../db/listing.js';
import { HTTPBadRequest } from '../../errors.js';
import { type Fields, isFields } from '../fields.js';
import type { Validator } from './validators.js';

export interface AttrSpec {
  post: boolean;
  put: boolean;
  /** Absent: required on POST (when `post`). May be NOT_SPECIFIED. */
  default?: unknown;
  convert?: (value: unknown) => unknown;
  /** Converts the repeated values of a query filter (fixed_ips=ip_address=...). */
  convertList?: (values: string[]) => KeyValueFilter;
  validate?: Validator;
  visible: boolean;
  filter?: boolean;
  sort?: boolean;
  primaryKey?: boolean;
  requiredByPolicy?: boolean;
  enforcePolicy?: boolean;
}

export type AttrMap = Record<string, AttrSpec>;

/** Merges extension attribute maps into a resource's core map (extensions win). */
export function mergeMaps(...maps: AttrMap[]): AttrMap {
  return Object.assign({}, ...maps) as AttrMap;
}

export interface RequestContextInfo {
  projectId: string | undefined;
  /** Admins (and services) may create resources for other projects. */
  canSetProjectId: boolean;
}

/**
 * Validates one resource dict from a request body: known attributes only, project_id/tenant_id
 * filled and consistent, defaults on create, read-only attributes refused on update, then
 * conversions and validations. Returns the processed dict (a copy).
 */
export function prepareResource(
  ctx: RequestContextInfo,
  input: unknown,
  isCreate: boolean,
  attrs: AttrMap,
): Fields {
  if (!isFields(input)) throw new HTTPBadRequest('Body contains invalid data');
  const res: Fields = { ...input };
  const hasProject = 'tenant_id' in attrs || 'project_id' in attrs;

  // populate_project_info + privilege check
  if ('tenant_id' in res && !('project_id' in res)) res.project_id = res.tenant_id;
  else if ('project_id' in res && !('tenant_id' in res)) res.tenant_id = res.project_id;
  if (res.project_id !== res.tenant_id) throw new HTTPBadRequest("'project_id' and 'tenant_id' do not match");
  if ('project_id' in res && res.project_id !== ctx.projectId && !ctx.canSetProjectId) {
    throw new HTTPBadRequest("Specifying 'project_id' other than the authenticated project in request is not allowed for the current user.");
  }
  if (isCreate && hasProject && !('project_id' in res)) {
    if (!ctx.projectId) throw new HTTPBadRequest('Running without keystone AuthN requires that project_id is specified');
    res.project_id = ctx.projectId;
    res.tenant_id = ctx.projectId;
  }
  if (!hasProject) {
    delete res.project_id;
    delete res.tenant_id;
    if ('project_id' in input || 'tenant_id' in input) {
      const extra = Object.keys(input).filter((k) => k === 'project_id' || k === 'tenant_id');
      throw new HTTPBadRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
    }
  }

  const known = new Set(Object.keys(attrs));
  if (hasProject) {
    known.add('project_id');
    known.add('tenant_id');
  }
  const extra = Object.keys(res).filter((k) => !known.has(k));
  if (extra.length) throw new HTTPBadRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);

  if (isCreate) {
    for (const [name, spec] of Object.entries(attrs)) {
      if (spec.post) {
        if (!('default' in spec) && !(name in res)) {
          throw new HTTPBadRequest(`Failed to parse request. Required attribute '${name}' not specified`);
        }
        if (!(name in res)) res[name] = spec.default;
      } else if (name in res && name !== 'project_id' && name !== 'tenant_id') {
        throw new HTTPBadRequest(`Attribute '${name}' not allowed in POST`);
      }
    }
  } else {
    for (const [name, spec] of Object.entries(attrs)) {
      if (name in res && !spec.put) throw new HTTPBadRequest(`Cannot update read-only attribute ${name}`);
    }
  }

  for (const [name, spec] of Object.entries(attrs)) {
    if (!(name in res) || res[name] === NOT_SPECIFIED) continue;
    if (spec.convert) res[name] = spec.convert(res[name]);
    const reason = spec.validate?.(res[name]);
    if (reason) throw new HTTPBadRequest(`Invalid input for ${name}. Reason: ${reason}.`);
  }
  return res;
}
