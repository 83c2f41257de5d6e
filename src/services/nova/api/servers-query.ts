/**
 * GET /servers and /servers/detail query strings to a list query (nova's
 * servers.py _get_servers with remove_invalid_options, remove_invalid_sort_keys and
 * common.get_limit_and_marker): the filters a non-admin may use per microversion, status to
 * vm/task states, changes-since/changes-before, deleted, all_tenants, tags, sorting and paging.
 * Before 2.75 unknown parameters are ignored; from 2.75 they are a 400.
 */
import type { APIVersion } from '../../../common/http/microversion.js';
import type { RequestContext } from '../../../common/context.js';
import type { InstanceColumn, InstanceListQuery } from '../db/instance-list.js';
import { BadRequest, Forbidden } from '../../../common/errors.js';
import { statesFromStatus } from './views/status.js';
import { limitAndMarker } from './list-params.js';

export type RawQuery = Record<string, string | string[] | undefined>;

/** Query parameters that name a column compared as is. */
const EXACT: Readonly<Record<string, InstanceColumn>> = {
  user_id: 'user_id', launch_index: 'launch_index', image: 'image_ref', image_ref: 'image_ref', vm_state: 'vm_state', task_state: 'task_state',
  host: 'host', uuid: 'uuid',
};
/** Query parameters nova matches as regular expressions. */
const REGEX: Readonly<Record<string, InstanceColumn>> = {
  kernel_id: 'kernel_id', ramdisk_id: 'ramdisk_id', hostname: 'hostname', key_name: 'key_name', power_state: 'power_state', node: 'node',
  reservation_id: 'reservation_id', launched_at: 'launched_at', terminated_at: 'terminated_at', availability_zone: 'availability_zone',
  name: 'display_name', display_name: 'display_name', description: 'display_description', display_description: 'display_description',
  locked_by: 'locked_by', root_device_name: 'root_device_name', config_drive: 'config_drive', access_ip_v4: 'access_ip_v4',
  access_ip_v6: 'access_ip_v6', auto_disk_config: 'auto_disk_config', progress: 'progress', created_at: 'created_at',
};
const OTHER = ['project_id', 'tenant_id', 'flavor', 'sort_key', 'sort_dir', 'all_tenants', 'soft_deleted', 'deleted', 'status', 'changes-since', 'ip', 'ip6', 'limit', 'marker'];
const JOINED = ['block_device_mapping', 'services', 'metadata', 'system_metadata', 'info_cache', 'security_groups', 'pci_devices'];
const SORT_KEYS = new Set(['access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'availability_zone', 'config_drive', 'created_at', 'display_description',
  'display_name', 'host', 'hostname', 'image_ref', 'instance_type_id', 'kernel_id', 'key_name', 'launch_index', 'launched_at', 'locked_by', 'node',
  'power_state', 'progress', 'project_id', 'ramdisk_id', 'root_device_name', 'task_state', 'terminated_at', 'updated_at', 'user_id', 'uuid', 'vm_state', 'locked']);
const IGNORED_SORT_KEYS = new Set(['architecture', 'cell_name', 'cleaned', 'default_ephemeral_device', 'default_swap_device', 'deleted', 'deleted_at',
  'disable_terminate', 'ephemeral_gb', 'ephemeral_key_uuid', 'id', 'key_data', 'launched_on', 'locked', 'memory_mb', 'os_type', 'reservation_id',
  'root_gb', 'shutdown_terminate', 'user_data', 'vcpus', 'vm_mode']);

/** The filters a non-admin may use at this microversion (_get_server_search_options). */
function userOptions(v: APIVersion): Set<string> {
  const opts = ['reservation_id', 'name', 'status', 'image', 'flavor', 'ip', 'changes-since', 'all_tenants'];
  if (v.atLeast('2.5')) opts.push('ip6');
  if (v.atLeast('2.26')) opts.push('tags', 'tags-any', 'not-tags', 'not-tags-any');
  if (v.atLeast('2.66')) opts.push('changes-before');
  if (v.atLeast('2.73')) opts.push('locked');
  if (v.atLeast('2.83')) opts.push('availability_zone', 'config_drive', 'key_name', 'created_at', 'launched_at', 'terminated_at', 'power_state', 'task_state', 'vm_state', 'progress', 'user_id');
  if (v.atLeast('2.90')) opts.push('hostname');
  return new Set(opts);
}

const TRUE = new Set(['1', 't', 'true', 'on', 'y', 'yes']);
const FALSE = new Set(['0', 'f', 'false', 'off', 'n', 'no']);

function strictBool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new BadRequest(`Invalid input received: Unrecognized value '${value}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes' (${name})`);
}

function all(q: RawQuery, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function last(q: RawQuery, key: string): string | undefined {
  return all(q, key).at(-1);
}

function time(name: string, value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`);
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface ParsedServerQuery {
  query: InstanceListQuery;
  allTenants: boolean;
  /** flavorid to resolve into instance_type_id. */
  flavor?: string;
  /** An unknown status before 2.38: the answer is an empty list. */
  empty: boolean;
}

export function parseServerQuery(raw: RawQuery, ctx: RequestContext, isAdmin: boolean, v: APIVersion, maxLimit: number): ParsedServerQuery {
  const known = new Set([...Object.keys(EXACT), ...Object.keys(REGEX), ...OTHER, ...JOINED, 'tags', 'tags-any', 'not-tags', 'not-tags-any', 'changes-before', 'locked']);
  for (const key of Object.keys(raw)) {
    if (v.atLeast('2.75') && !known.has(key)) throw new BadRequest(`Invalid input for query parameters ${key}. Additional properties are not allowed ('${key}' was unexpected)`);
  }
  const allowed = userOptions(v);
  const q: RawQuery = {};
  for (const [k, val] of Object.entries(raw)) if (isAdmin || allowed.has(k)) q[k] = val;
  for (const k of Object.keys(q)) {
    if (JOINED.includes(k) || k.startsWith('_')) throw new BadRequest(`Invalid filter field: ${k}.`);
  }

  const query: InstanceListQuery = { deleted: false, exact: {}, regex: {}, sortKeys: [], sortDirs: [], limit: maxLimit };
  let empty = false;
  const statuses = all(q, 'status');
  if (statuses.length > 0) {
    const pairs = statesFromStatus(statuses);
    if (pairs.length === 0) {
      if (v.atLeast('2.38')) throw new BadRequest('Invalid status value');
      empty = true;
    }
    query.vmStates = [...new Set(pairs.map((p) => p.vmState))];
    const tasks = new Set(pairs.map((p) => p.taskState));
    if (!tasks.has('default')) query.taskStates = [...tasks];
  }
  for (const [param, col] of Object.entries(EXACT)) {
    const vals = all(q, param);
    if (vals.length === 0) continue;
    if (col === 'vm_state') query.vmStates = [...(query.vmStates ?? []), ...vals];
    else if (col === 'task_state') query.taskStates = [...(query.taskStates ?? []), ...vals];
    else query.exact[col] = vals;
  }
  for (const [param, col] of Object.entries(REGEX)) {
    const val = last(q, param);
    if (val !== undefined) query.regex[col] = val;
  }
  const since = last(q, 'changes-since');
  const before = v.atLeast('2.66') ? last(q, 'changes-before') : undefined;
  if (since) query.changesSince = time('changes-since', since);
  if (before) query.changesBefore = time('changes-before', before);
  if (query.changesSince && query.changesBefore && query.changesBefore < query.changesSince) {
    throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
  }
  const deleted = last(q, 'deleted');
  if (deleted !== undefined) query.deleted = TRUE.has(deleted.toLowerCase());
  // soft_deleted reaches nova's database filter as the query string, so any non-empty value is true.
  const softDeleted = last(q, 'soft_deleted');
  if (softDeleted !== undefined) query.softDeleted = softDeleted !== '';
  else if (query.changesSince || query.changesBefore) query.deleted = 'any';
  if (query.vmStates?.length === 1 && query.vmStates[0] === 'deleted') {
    if (!isAdmin) throw new Forbidden('Only administrators may list deleted instances');
    query.deleted = true;
  }
  if (v.atLeast('2.26')) {
    const split = (k: string) => { const s = last(q, k); return s === undefined ? undefined : s.split(','); };
    const tags = split('tags');
    const tagsAny = split('tags-any');
    const notTags = split('not-tags');
    const notTagsAny = split('not-tags-any');
    if (tags) query.tags = tags;
    if (tagsAny) query.tagsAny = tagsAny;
    if (notTags) query.notTags = notTags;
    if (notTagsAny) query.notTagsAny = notTagsAny;
  }
  if (v.atLeast('2.73') && last(q, 'locked') !== undefined) query.exact.locked = [strictBool('locked', last(q, 'locked')!) ? 1 : 0];
  const ip = last(q, 'ip');
  const ip6 = last(q, 'ip6');
  if (ip) query.ip = ip;
  if (ip6) query.ip6 = ip6;

  const allTenantsRaw = q['all_tenants'];
  let allTenants = false;
  if (allTenantsRaw !== undefined) {
    const s = last(q, 'all_tenants') ?? '';
    allTenants = s === '' ? true : strictBool('all_tenants', s);
  }
  if (allTenants) {
    const tenant = last(q, 'tenant_id') ?? last(q, 'project_id');
    if (tenant) query.projectId = tenant;
  } else if (ctx.projectId) {
    query.projectId = ctx.projectId;
  } else {
    query.userId = ctx.userId ?? '';
  }

  // sorting and paging come from the request's parameters (get_sort_params, get_limit_and_marker),
  // not from the search options a non-admin is limited to
  const keys = all(raw, 'sort_key');
  const dirs = all(raw, 'sort_dir');
  for (const d of dirs) if (d !== 'asc' && d !== 'desc') throw new BadRequest(`Invalid input received: Unknown sort direction, must be one of: asc, desc`);
  keys.forEach((key, i) => {
    if (!SORT_KEYS.has(key) && !IGNORED_SORT_KEYS.has(key)) throw new BadRequest(`Invalid input for query parameters sort_key. Value: ${key}.`);
    const ignored = IGNORED_SORT_KEYS.has(key) && !(key === 'locked' && v.atLeast('2.73'));
    if (ignored && v.atLeast('2.75')) throw new BadRequest(`Invalid input for query parameters sort_key. Value: ${key}.`);
    if (ignored || (!isAdmin && (key === 'host' || key === 'node'))) return;
    query.sortKeys.push((key === 'locked' ? 'locked' : key) as InstanceColumn);
    query.sortDirs.push((dirs[i] ?? dirs[0] ?? 'desc') as 'asc' | 'desc');
  });
  if (query.sortKeys.length === 0) {
    query.sortKeys = ['created_at'];
    query.sortDirs = [(dirs[0] as 'asc' | 'desc' | undefined) ?? 'desc'];
  }

  const paging = limitAndMarker(raw, maxLimit);
  query.limit = paging.limit;
  if (paging.marker !== undefined) query.marker = paging.marker;
  const flavor = last(q, 'flavor');
  return { query, allTenants, ...(flavor !== undefined ? { flavor } : {}), empty };
}
