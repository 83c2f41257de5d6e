/**
 * Response bodies of the Images API v2 (glance's ResponseSerializers): images with their
 * custom properties flattened in, members, tasks, and list pages with first/next links.
 */
import type { ImageMember } from '../db/member-repo.js';
import type { Task } from '../db/task-repo.js';
import type { Image } from '../domain/image.js';
import { isotime } from '../domain/time.js';
import { setOwnValue } from '../../../common/own.js';

/** Internal properties never shown (glance's _hidden_properties). */
const HIDDEN = new Set(['os_glance_stage_host', 'os_glance_hash_op_host']);

export interface ImageViewOptions {
  schemaProperties: ReadonlySet<string>;
  showDirectUrl: boolean;
}

export function imageView(image: Image, opts: ImageViewOptions): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(image.properties)) {
    if (HIDDEN.has(k)) continue;
    // v1-era null custom properties show as '' (glance.schema.Schema.filter)
    setOwnValue(view, k, v === null && !opts.schemaProperties.has(k) ? '' : v);
  }
  Object.assign(view, {
    name: image.name,
    disk_format: image.disk_format,
    container_format: image.container_format,
    visibility: image.visibility,
    size: image.size,
    virtual_size: image.virtual_size,
    status: image.status,
    checksum: image.checksum,
    protected: image.protected,
    min_ram: image.min_ram,
    min_disk: image.min_disk,
    owner: image.owner,
    os_hidden: image.os_hidden,
    os_hash_algo: image.os_hash_algo,
    os_hash_value: image.os_hash_value,
    id: image.id,
    created_at: isotime(image.created_at),
    updated_at: isotime(image.updated_at),
  });
  if (opts.showDirectUrl && image.locations.length > 0) view['direct_url'] = image.locations[0]!.url;
  view['tags'] = [...image.tags];
  view['self'] = `/v2/images/${image.id}`;
  view['file'] = `/v2/images/${image.id}/file`;
  view['schema'] = '/v2/schemas/image';
  const stores = image.locations.map((l) => l.metadata['store']).filter((s): s is string => typeof s === 'string' && s !== '');
  if (stores.length > 0) view['stores'] = stores.join(',');
  return view;
}

/** `first` and `next` links of a list page (the query string kept, marker replaced). */
export function pageLinks(base: string, pairs: ReadonlyArray<readonly [string, string]>, nextMarker: string | undefined): { first: string; next?: string } {
  const kept: Array<[string, string]> = pairs.filter(([k]) => k !== 'marker').map(([k, v]) => [k, v]);
  const qs = new URLSearchParams(kept).toString();
  const links: { first: string; next?: string } = { first: qs ? `${base}?${qs}` : base };
  if (nextMarker !== undefined) links.next = `${base}?${new URLSearchParams([...kept, ['marker', nextMarker]]).toString()}`;
  return links;
}

export function memberView(m: ImageMember): Record<string, unknown> {
  return {
    member_id: m.member_id, image_id: m.image_id, status: m.status, created_at: isotime(m.created_at), updated_at: isotime(m.updated_at),
    schema: '/v2/schemas/member',
  };
}

export function taskView(t: Task): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: t.id, input: t.input, type: t.type, status: t.status, owner: t.owner, message: t.message, result: t.result,
    created_at: isotime(t.created_at), updated_at: isotime(t.updated_at), self: `/v2/tasks/${t.id}`, schema: '/v2/schemas/task',
  };
  if (t.image_id) view['image_id'] = t.image_id;
  if (t.request_id) view['request_id'] = t.request_id;
  if (t.user_id) view['user_id'] = t.user_id;
  if (t.expires_at) view['expires_at'] = isotime(t.expires_at);
  return view;
}

export function taskStubView(t: Task): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: t.id, type: t.type, status: t.status, owner: t.owner, created_at: isotime(t.created_at), updated_at: isotime(t.updated_at),
    self: `/v2/tasks/${t.id}`, schema: '/v2/schemas/task',
  };
  if (t.expires_at) view['expires_at'] = isotime(t.expires_at);
  return view;
}

/** GET /v2/images/{id}/tasks shows the database view of tasks (glance's tasks_get_by_image). */
export function imageTaskView(t: Task): Record<string, unknown> {
  return {
    id: t.id, type: t.type, status: t.status, owner: t.owner, expires_at: t.expires_at && isotime(t.expires_at),
    created_at: isotime(t.created_at), updated_at: isotime(t.updated_at), deleted_at: null, deleted: false, image_id: t.image_id, request_id: t.request_id,
    user_id: t.user_id, input: t.input, result: t.result, message: t.message,
  };
}
