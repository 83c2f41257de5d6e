/**
 * os-volumes and os-snapshots (nova/api/openstack/compute/volumes.py VolumeController and
 * SnapshotController): Nova's proxies to Cinder, up to 2.35 (404 from 2.36), asked with the
 * caller's token so Cinder's project scoping applies. Cinder's shapes are translated to
 * Nova's camelCase views (_translate_volume_summary_view, _translate_snapshot_summary_view);
 * lists are sliced by `offset` and `limit` (common.limited, capped by [api] max_limit).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Volume, VolumeSnapshot } from '../../../common/clients/index.js';
import { Forbidden } from '../../../common/errors.js';
import { NotFound, OverQuota } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { authorizeProxy } from './proxy-gate.js';
import { nonNegativeParam, type RawQuery } from './query.js';
import { caller, type Caller } from './request.js';
import { BOOLEAN } from './schemas/servers.js';
import { validateBody } from './validation.js';

const CREATE_VOLUME = {
  type: 'object',
  properties: {
    volume: {
      type: 'object',
      properties: {
        volume_type: { type: 'string' },
        metadata: { type: 'object' },
        snapshot_id: { type: 'string' },
        size: { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1 },
        availability_zone: { type: 'string' },
        display_name: { type: 'string' },
        display_description: { type: 'string' },
      },
      required: ['size'],
      additionalProperties: false,
    },
  },
  required: ['volume'],
  additionalProperties: false,
};

const CREATE_SNAPSHOT = {
  type: 'object',
  properties: {
    snapshot: {
      type: 'object',
      properties: {
        volume_id: { type: 'string' },
        force: BOOLEAN,
        display_name: { type: 'string' },
        display_description: { type: 'string' },
      },
      required: ['volume_id'],
      additionalProperties: false,
    },
  },
  required: ['snapshot'],
  additionalProperties: false,
};

interface CreateVolumeBody {
  volume: {
    size: number | string; volume_type?: string; metadata?: Record<string, string>; snapshot_id?: string; availability_zone?: string;
    display_name?: string; display_description?: string;
  };
}
interface CreateSnapshotBody {
  snapshot: { volume_id: string; force?: boolean | string; display_name?: string; display_description?: string };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** _translate_volume_summary_view over nova's cinder.py _untranslate_volume_summary_view. */
export function volumeView(v: Volume): Record<string, unknown> {
  const first = v.attachments[0];
  const attachments = first
    ? [{ id: v.id, volumeId: v.id, serverId: first.server_id, ...(first.device ? { device: first.device } : {}) }]
    : [{}];
  const metadata = v['metadata'];
  return {
    id: v.id, status: v.status, size: v.size, availabilityZone: v.availability_zone, createdAt: v['created_at'] ?? null, attachments,
    displayName: v.name, displayDescription: str(v['description']), volumeType: v.volume_type, snapshotId: str(v['snapshot_id']),
    metadata: metadata && typeof metadata === 'object' ? metadata : {},
  };
}

/** _translate_snapshot_summary_view (the snapshot's size is shown as its volume's, as nova maps it). */
export function snapshotView(s: VolumeSnapshot): Record<string, unknown> {
  return {
    id: s.id, volumeId: s.volume_id, status: s.status, size: s.size, createdAt: s['created_at'] ?? null,
    displayName: str(s['name']), displayDescription: str(s['description']),
  };
}

/** common.limited: `offset` and `limit` (non-negative; 0 or none means [api] max_limit). @throws BadRequest */
function limited<T>(req: FastifyRequest, deps: ApiDeps, items: readonly T[]): T[] {
  const q = req.query as RawQuery;
  const offset = nonNegativeParam(q, 'offset') ?? 0;
  const limit = Math.min(deps.settings.maxLimit, nonNegativeParam(q, 'limit') || deps.settings.maxLimit);
  return items.slice(offset, offset + limit);
}

/** Cinder's over-quota answer is a 403 here, as nova's controllers turn OverQuota. */
async function quotaForbidden<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof OverQuota) throw new Forbidden(err.message);
    throw err;
  }
}

export function volumesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const allowed = (req: FastifyRequest, rule: string): Caller => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, `os_compute_api:os-volumes:${rule}`);
    return c;
  };
  const cinder = () => deps.compute.volume;
  /** GET `base` and `base`/detail (the same view: nova's detail view is its summary view), sliced by offset and limit. */
  const lists = (base: string, rulePrefix: string, key: string, all: (c: Caller) => Promise<unknown[]>): void => {
    for (const [path, rule] of [[base, 'list'], [`${base}/detail`, 'detail']] as const) {
      app.get(path, async (req) => {
        // the router ignores a trailing slash; nova's does not: `/os-volumes/` is a show of an empty id (404)
        if (req.url.split('?')[0]!.endsWith('/')) throw new NotFound('The resource could not be found.');
        const c = allowed(req, `${rulePrefix}${rule}`);
        return { [key]: limited(req, deps, await all(c)) };
      });
    }
  };

  // --- os-volumes ----------------------------------------------------------------------------

  lists('/os-volumes', '', 'volumes', async (c) => (await cinder().volumes(c.ctx)).map(volumeView));

  app.get<{ Params: { id: string } }>('/os-volumes/:id', async (req) => {
    const c = allowed(req, 'show');
    return { volume: volumeView(await cinder().get(c.ctx, req.params.id)) };
  });

  app.post('/os-volumes', async (req, reply) => {
    const c = allowed(req, 'create');
    const v = validateBody<CreateVolumeBody>(CREATE_VOLUME, req.body).volume;
    const snapshot = v.snapshot_id !== undefined ? await cinder().getSnapshot(c.ctx, v.snapshot_id) : undefined;
    const created = await quotaForbidden(cinder().create(c.ctx, {
      size: Number(v.size ?? snapshot?.size),
      ...(v.display_name !== undefined ? { name: v.display_name } : {}),
      ...(v.display_description !== undefined ? { description: v.display_description } : {}),
      ...(snapshot ? { snapshot_id: snapshot.id } : {}),
      ...(v.volume_type !== undefined ? { volume_type: v.volume_type } : {}),
      ...(v.availability_zone !== undefined ? { availability_zone: v.availability_zone } : {}),
      ...(v.metadata ? { metadata: v.metadata } : {}),
    }));
    reply.header('location', `${deps.links.resource('os-volumes', created.id)[0]!.href}`);
    return { volume: volumeView(created) };
  });

  app.delete<{ Params: { id: string } }>('/os-volumes/:id', async (req, reply) => {
    const c = allowed(req, 'delete');
    await cinder().delete(c.ctx, req.params.id);
    return reply.code(202).send();
  });

  // --- os-snapshots --------------------------------------------------------------------------

  lists('/os-snapshots', 'snapshots:', 'snapshots', async (c) => (await cinder().snapshots(c.ctx)).map(snapshotView));

  app.get<{ Params: { id: string } }>('/os-snapshots/:id', async (req) => {
    const c = allowed(req, 'snapshots:show');
    return { snapshot: snapshotView(await cinder().getSnapshot(c.ctx, req.params.id)) };
  });

  app.post('/os-snapshots', async (req) => {
    const c = allowed(req, 'snapshots:create');
    const s = validateBody<CreateSnapshotBody>(CREATE_SNAPSHOT, req.body).snapshot;
    const force = s.force === true || (typeof s.force === 'string' && /^(1|t|true|on|y|yes)$/i.test(s.force));
    const created = await quotaForbidden(cinder().createSnapshot(c.ctx, s.volume_id, {
      name: s.display_name ?? null, description: s.display_description ?? null, force,
    }));
    return { snapshot: snapshotView(created) };
  });

  app.delete<{ Params: { id: string } }>('/os-snapshots/:id', async (req, reply) => {
    const c = allowed(req, 'snapshots:delete');
    await cinder().deleteSnapshot(c.ctx, req.params.id);
    return reply.code(202).send();
  });
}
