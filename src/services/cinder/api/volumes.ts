/**
 * The volumes resource (cinder/api/v3/volumes.py): list (summary and detail, with the resource
 * filters, sorting and paging, count from 3.45), summary (3.12, metadata from 3.36), create
 * (202; empty, from a snapshot or from another volume), show, update (name, description,
 * metadata) and delete (202; cascade, force from 3.23).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { VolumeRecord } from '../db/records.js';
import { VolumeNotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { listOptions, nextLinks, page, param, parseDictFilter, timeFilter, type ListOptions, type RawQuery } from './list-params.js';
import { bodyOf, boolParam, caller, metadataOf, optString, sizeOf, uuidOf, type Caller } from './request.js';
import { Links, volumeDetail, volumeSummary } from './views.js';

type IdParams = { Params: { project_id?: string; id: string } };

/** cinder's default resource_filters.json for volumes. */
const VOLUME_FILTERS = ['name', 'status', 'metadata', 'bootable', 'migration_status', 'availability_zone', 'group_id', 'size', 'created_at', 'updated_at', 'volume_type', 'glance_metadata'];

const SORT_KEYS: Record<string, (v: VolumeRecord) => unknown> = {
  id: (v) => v.id, created_at: (v) => v.created_at, updated_at: (v) => v.updated_at, name: (v) => v.display_name, display_name: (v) => v.display_name,
  size: (v) => v.size, status: (v) => v.status, availability_zone: (v) => v.availability_zone, bootable: (v) => v.bootable, project_id: (v) => v.project_id,
  volume_type: (v) => v.volume_type?.name ?? null, user_id: (v) => v.user_id, host: (v) => v.host,
};

function matches(v: VolumeRecord, filters: Record<string, string>, c: Caller): boolean {
  for (const [rawKey, value] of Object.entries(filters)) {
    const like = rawKey.endsWith('~') && c.version.atLeast('3.34');
    const key = like ? rawKey.slice(0, -1) : rawKey;
    const text = (s: string | null): boolean => (like ? (s ?? '').toLowerCase().includes(value.toLowerCase()) : s === value);
    switch (key) {
      case 'name': if (!text(v.display_name)) return false; break;
      case 'status': if (!text(v.status)) return false; break;
      case 'availability_zone': if (!text(v.availability_zone)) return false; break;
      case 'migration_status': if (!text(v.migration_status)) return false; break;
      case 'volume_type': if (v.volume_type?.name !== value && v.volume_type_id !== value) return false; break;
      case 'bootable': if (v.bootable !== boolParam('bootable', value)) return false; break;
      case 'size': if (String(v.size) !== value) return false; break;
      case 'group_id': if ((v.group_id ?? null) !== value) return false; break;
      case 'metadata': {
        const want = parseDictFilter('metadata', value);
        if (!Object.entries(want).every(([k, x]) => v.metadata[k] === x)) return false;
        break;
      }
      case 'glance_metadata': {
        const want = parseDictFilter('glance_metadata', value);
        if (!Object.entries(want).every(([k, x]) => v.image_metadata[k] === x)) return false;
        break;
      }
      case 'created_at': case 'updated_at':
        if (c.version.atLeast('3.60') && !timeFilter(key, value)(v[key])) return false;
        break;
      default: break; // before 3.31 unknown filters are ignored
    }
  }
  return true;
}

async function visibleVolumes(deps: ApiDeps, c: Caller, o: ListOptions): Promise<VolumeRecord[]> {
  deps.policy.authorize(c.ctx, 'volume:get_all', { project_id: c.ctx.projectId ?? null });
  const all = c.isAdmin && o.allTenants;
  const project = all ? (o.filters['project_id'] ?? null) : (c.ctx.projectId ?? '');
  const volumes = await deps.repos.volumes.list(project);
  return volumes.filter((v) => matches(v, o.filters, c));
}

export function volumesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const links = new Links(deps.baseUrl);
  const viewOptions = (c: Caller, v: VolumeRecord) => ({
    tenantAttribute: deps.policy.check(c.ctx, 'volume_extension:volume_tenant_attribute', { project_id: v.project_id }),
    hostAttribute: deps.policy.check(c.ctx, 'volume_extension:volume_host_attribute', { project_id: v.project_id }),
    migStatusAttribute: deps.policy.check(c.ctx, 'volume_extension:volume_mig_status_attribute', { project_id: v.project_id }),
    imageMetadata: deps.policy.check(c.ctx, 'volume_extension:volume_image_metadata:show', { project_id: v.project_id }),
  });
  const detail = (c: Caller, v: VolumeRecord) => volumeDetail(v, c, links, viewOptions(c, v));
  /** The answer of create and update: the extension attributes (os-vol-*) extend only show and detail. */
  const plain = (c: Caller, v: VolumeRecord) => volumeDetail(v, c, links, { tenantAttribute: false, hostAttribute: false, migStatusAttribute: false, imageMetadata: false });

  async function list(req: FastifyRequest, detailed: boolean): Promise<Record<string, unknown>> {
    const c = caller(req, deps);
    // `/volumes/` is a show of the volume '' for cinder's router (404), not the list
    if (req.url.split('?')[0]!.endsWith('/')) throw new VolumeNotFound('');
    const o = listOptions(req, c.version, VOLUME_FILTERS, deps.settings.maxLimit);
    if (o.filters['project_id'] !== undefined) delete o.filters['project_id'];
    const q = req.query as RawQuery;
    const filterProject = param(q, 'project_id');
    const matching = await visibleVolumes(deps, c, { ...o, filters: { ...o.filters, ...(filterProject && c.isAdmin && o.allTenants ? { project_id: filterProject } : {}) } });
    for (const s of o.sort) if (!(s.key in SORT_KEYS)) throw new BadRequest(`Invalid input received: Invalid sort key ${s.key}`);
    const items = page(matching, o, (v, key) => SORT_KEYS[key]?.(v));
    const body: Record<string, unknown> = { volumes: items.map((v) => (detailed ? detail(c, v) : volumeSummary(v, c, links))) };
    const next = nextLinks(links.collection(c.urlProject, detailed ? 'volumes/detail' : 'volumes'), q, items, o.limit, deps.settings.maxLimit);
    if (next.length > 0) body['volumes_links'] = next;
    if (o.withCount) body['count'] = matching.length;
    return body;
  }

  app.get('/volumes', async (req) => list(req, false));
  app.get('/volumes/detail', async (req) => list(req, true));

  app.get('/volumes/summary', async (req) => {
    const c = caller(req, deps);
    if (!c.version.atLeast('3.12')) throw new BadRequest('Invalid input received: volumes/summary needs microversion 3.12');
    const o = listOptions(req, c.version, VOLUME_FILTERS, deps.settings.maxLimit);
    const volumes = await visibleVolumes(deps, c, o);
    const summary: Record<string, unknown> = { total_count: volumes.length, total_size: volumes.reduce((s, v) => s + v.size, 0) };
    if (c.version.atLeast('3.36')) {
      const meta: Record<string, string[]> = {};
      for (const v of volumes) for (const [k, x] of Object.entries(v.metadata)) if (!(meta[k] ??= []).includes(x)) meta[k].push(x);
      for (const values of Object.values(meta)) values.sort();
      summary['metadata'] = meta;
    }
    return { 'volume-summary': summary };
  });

  app.post('/volumes', async (req, reply) => {
    const c = caller(req, deps);
    const body = bodyOf(req.body, 'volume');
    deps.policy.authorize(c.ctx, 'volume:create', { project_id: c.ctx.projectId ?? null });
    const name = optString(body, 'name') ?? optString(body, 'display_name') ?? null;
    const description = optString(body, 'description') ?? optString(body, 'display_description') ?? null;
    const size = body['size'] === undefined || body['size'] === null ? null : sizeOf('size', body['size']);
    const volumeType = optString(body, 'volume_type') ?? null;
    const zone = optString(body, 'availability_zone') ?? null;
    const snapshotId = body['snapshot_id'] === undefined ? null : uuidOf('snapshot_id', body['snapshot_id']);
    const sourceVolid = body['source_volid'] === undefined ? null : uuidOf('source_volid', body['source_volid']);
    // backup_id counts from 3.47; before 3.53 the schema lets other properties through unread, and
    // cinderclient sends `backup_id: null` at every version
    const backupId = body['backup_id'] === undefined || body['backup_id'] === null || !c.version.atLeast('3.47') ? null : uuidOf('backup_id', body['backup_id']);
    const imageRaw = body['imageRef'] ?? body['image_id'] ?? null;
    const imageId = imageRaw === null ? null : uuidOf(body['imageRef'] !== undefined ? 'imageRef' : 'image_id', imageRaw);
    if ([snapshotId, sourceVolid, imageId, backupId].filter(Boolean).length > 1) {
      throw new BadRequest('Invalid input received: Cannot specify more than one of snapshot_id, source_volid, imageRef and backup_id.');
    }
    if (imageId) deps.policy.authorize(c.ctx, 'volume:create_from_image', { project_id: c.ctx.projectId ?? null });
    const multiattachRaw = body['multiattach'];
    const multiattach = multiattachRaw === undefined || multiattachRaw === null ? false : boolParam('multiattach', multiattachRaw);
    if (multiattach) deps.policy.authorize(c.ctx, 'volume:multiattach', { project_id: c.ctx.projectId ?? null });
    const metadata = body['metadata'] === undefined || body['metadata'] === null ? {} : metadataOf(body['metadata']);
    const groupId = body['group_id'] === undefined || body['group_id'] === null || !c.version.atLeast('3.13') ? null : uuidOf('group_id', body['group_id']);
    let volumeTypeRef = volumeType;
    if (groupId) {
      // a volume joins a group at create (3.13): the group's own volume type rules (group/api.py)
      const group = await deps.groups.get(c.ctx, groupId, c.isAdmin);
      const type = volumeType !== null ? await deps.types.byNameOrId(volumeType, c.ctx.projectId, c.isAdmin) : await deps.types.getDefault(c.ctx.projectId);
      await deps.groups.checkVolumeCreate(group, type.id);
      volumeTypeRef = type.id;
    }
    const v = await deps.volumes.create(c.ctx, c.isAdmin, {
      size, name, description, metadata, volume_type: volumeTypeRef, availability_zone: zone, snapshot_id: snapshotId, source_volid: sourceVolid, image_id: imageId, backup_id: backupId, multiattach,
      group_id: groupId,
    });
    return reply.code(202).send({ volume: plain(c, v) });
  });

  app.get<IdParams>('/volumes/:id', async (req) => {
    const c = caller(req, deps);
    const v = await deps.volumes.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:get', { project_id: v.project_id });
    return { volume: detail(c, v) };
  });

  app.put<IdParams>('/volumes/:id', async (req) => {
    const c = caller(req, deps);
    const body = bodyOf(req.body, 'volume');
    const allowed = ['name', 'description', 'display_name', 'display_description', 'metadata'];
    const extra = Object.keys(body).filter((k) => !allowed.includes(k));
    if (extra.length > 0) throw new BadRequest(`Invalid input for field/attribute volume. Value: ${JSON.stringify(body)}. Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)`);
    if (Object.keys(body).length === 0) throw new BadRequest(`Invalid input for field/attribute volume. Value: {}. {} does not have enough properties`);
    const v = await deps.volumes.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:update', { project_id: v.project_id });
    const fields: { display_name?: string | null; display_description?: string | null; metadata?: Record<string, string> } = {};
    const name = optString(body, 'name') ?? optString(body, 'display_name');
    if (body['name'] !== undefined || body['display_name'] !== undefined) fields.display_name = name ?? null;
    const description = optString(body, 'description') ?? optString(body, 'display_description');
    if (body['description'] !== undefined || body['display_description'] !== undefined) fields.display_description = description ?? null;
    if (body['metadata'] !== undefined) fields.metadata = body['metadata'] === null ? {} : metadataOf(body['metadata']);
    return { volume: plain(c, await deps.volumes.update(v, fields)) };
  });

  app.delete<IdParams>('/volumes/:id', async (req, reply) => {
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    const cascadeRaw = param(q, 'cascade');
    const cascade = cascadeRaw === undefined ? false : boolParam('cascade', cascadeRaw);
    const forceRaw = c.version.atLeast('3.23') ? param(q, 'force') : undefined;
    const force = forceRaw === undefined ? false : boolParam('force', forceRaw);
    const v = await deps.volumes.get(c.ctx, req.params.id, c.isAdmin);
    deps.policy.authorize(c.ctx, 'volume:delete', { project_id: v.project_id });
    if (force) deps.policy.authorize(c.ctx, 'volume:force_delete', { project_id: v.project_id });
    await deps.volumes.delete(c.ctx, v, { cascade, force });
    return reply.code(202).send();
  });
}
