/**
 * os-services (cinder/api/contrib/services.py) and scheduler-stats/get_pools
 * (cinder/api/contrib/scheduler_stats.py), both admin only: the scheduler and volume services
 * with their zone, status and state (up when their heartbeat is recent), enable / disable /
 * disable-log-reason; the pools the schedulers know, with their capabilities when detail=true.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { ServiceNotFound } from '../errors.js';
import { serviceIsUp } from '../scheduler/host-manager.js';
import type { ServiceRecord } from '../db/records.js';
import type { ApiDeps } from './deps.js';
import { param, type RawQuery } from './list-params.js';
import { boolParam, caller, type Caller } from './request.js';
import { cinderTime } from './views.js';

function serviceView(s: ServiceRecord, c: Caller): Record<string, unknown> {
  const view: Record<string, unknown> = {
    binary: s.binary, host: s.host, zone: s.availability_zone, status: s.disabled ? 'disabled' : 'enabled',
    state: serviceIsUp(s.updated_at, s.created_at) ? 'up' : 'down', updated_at: cinderTime(s.updated_at), disabled_reason: s.disabled_reason,
  };
  if (s.binary === 'cinder-volume') Object.assign(view, { replication_status: 'disabled', active_backend_id: null, frozen: s.frozen });
  if (c.version.atLeast('3.7')) view['cluster'] = null;
  if (c.version.atLeast('3.49') && s.binary === 'cinder-volume') view['backend_state'] = serviceIsUp(s.updated_at, s.created_at) ? 'up' : 'down';
  return view;
}

export function servicesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-services', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:services:index');
    const q = req.query as RawQuery;
    const host = param(q, 'host');
    const binary = param(q, 'binary');
    const services = (await deps.repos.services.list())
      .filter((s) => host === undefined || s.host === host || s.host.split('@')[0] === host)
      .filter((s) => binary === undefined || s.binary === binary);
    return { services: services.map((s) => serviceView(s, c)) };
  });

  app.put<{ Params: { project_id?: string; action: string } }>('/os-services/:action', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:services:update');
    const action = req.params.action;
    if (!['enable', 'disable', 'disable-log-reason'].includes(action)) throw new BadRequest(`Unknown action: ${action}`);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('Malformed request body');
    const host = body['host'];
    const binary = body['binary'] ?? 'cinder-volume';
    if (typeof host !== 'string' || host === '') throw new BadRequest("Missing required element 'host' in request body.");
    if (typeof binary !== 'string') throw new BadRequest('Invalid binary');
    const reason = body['disabled_reason'];
    if (action === 'disable-log-reason' && (typeof reason !== 'string' || reason.trim() === '' || reason.length > 255)) {
      throw new BadRequest('Disabled reason contains invalid characters or is too long');
    }
    const matches = (await deps.repos.services.list()).filter((s) => s.binary === binary && (s.host === host || s.host.split('@')[0] === host));
    if (matches.length === 0) throw new ServiceNotFound(host);
    const disabled = action !== 'enable';
    for (const s of matches) await deps.repos.services.setDisabled(s.id, disabled, action === 'disable-log-reason' ? String(reason) : null);
    const out: Record<string, unknown> = { host, binary, status: disabled ? 'disabled' : 'enabled', disabled };
    if (action === 'disable-log-reason') out['disabled_reason'] = reason;
    return out;
  });

  app.get('/scheduler-stats/get_pools', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'scheduler_extension:scheduler_stats:get_pools');
    const q = req.query as RawQuery;
    const detailRaw = param(q, 'detail');
    const detail = detailRaw !== undefined && boolParam('detail', detailRaw);
    const filters: Record<string, unknown> = {};
    if (c.version.atLeast('3.28')) {
      for (const [k, v] of Object.entries(q)) if (k !== 'detail' && v !== undefined) filters[k] = Array.isArray(v) ? v.at(-1) : v;
    }
    const pools = await deps.scheduler.getPools(c.ctx, Object.keys(filters).length ? filters : null);
    return { pools: pools.map((p) => (detail ? p : { name: p.name })) };
  });
}
