/**
 * os-hosts (cinder/api/contrib/hosts.py, admin): the services by host (status from the
 * heartbeat, state enabled/disabled), and the volume usage of one volume host, in total and by
 * project (counts and GiB as strings, as upstream answers them).
 */
import type { FastifyInstance } from 'fastify';
import { ServiceNotFound } from '../errors.js';
import { VOLUME_BINARY } from '../rpc/topics.js';
import { serviceIsUp } from '../scheduler/host-manager.js';
import type { ApiDeps } from './deps.js';
import { param, type RawQuery } from './list-params.js';
import { caller } from './request.js';
import { cinderTime } from './views.js';

type Params = { Params: { project_id?: string; host: string } };

export function hostsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-hosts', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:hosts');
    const zone = param(req.query as RawQuery, 'zone');
    const services = (await deps.repos.services.list()).filter((s) => zone === undefined || s.availability_zone === zone);
    return {
      hosts: services.map((s) => ({
        host_name: s.host, service: s.binary, zone: s.availability_zone, 'service-status': serviceIsUp(s.updated_at, s.created_at) ? 'available' : 'unavailable',
        'service-state': s.disabled ? 'disabled' : 'enabled', 'last-update': cinderTime(s.updated_at),
      })),
    };
  });

  app.get<Params>('/os-hosts/:host', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:hosts');
    const host = req.params.host;
    const service = (await deps.repos.services.list()).find((s) => s.binary === VOLUME_BINARY && s.host === host);
    if (!service) throw new ServiceNotFound(`${host} (topic cinder-volume)`);
    const volumes = await deps.repos.volumes.onHost(service.host);
    const byProject = new Map<string, { volumes: number; volumeGb: number; snapshots: number; snapshotGb: number }>();
    for (const v of volumes) {
      const p = byProject.get(v.project_id) ?? { volumes: 0, volumeGb: 0, snapshots: 0, snapshotGb: 0 };
      p.volumes += 1;
      p.volumeGb += v.size;
      for (const s of await deps.repos.snapshots.ofVolume(v.id)) {
        p.snapshots += 1;
        p.snapshotGb += s.volume_size;
      }
      byProject.set(v.project_id, p);
    }
    const resource = (project: string, u: { volumes: number; volumeGb: number; snapshots: number; snapshotGb: number }) => ({
      resource: {
        host, project, volume_count: String(u.volumes), total_volume_gb: String(u.volumeGb), snapshot_count: String(u.snapshots), total_snapshot_gb: String(u.snapshotGb),
      },
    });
    const total = [...byProject.values()].reduce((t, u) => ({
      volumes: t.volumes + u.volumes, volumeGb: t.volumeGb + u.volumeGb, snapshots: t.snapshots + u.snapshots, snapshotGb: t.snapshotGb + u.snapshotGb,
    }), { volumes: 0, volumeGb: 0, snapshots: 0, snapshotGb: 0 });
    return { host: [resource('(total)', total), ...[...byProject].map(([project, u]) => resource(project, u))] };
  });
}
