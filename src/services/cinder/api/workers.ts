/**
 * POST /workers/cleanup (cinder/api/v3/workers.py, 3.24, admin): the services the filters
 * select (service_id, host, binary, disabled, is_up, false unless given, as CleanupRequest's
 * default) are asked to settle the resources they left in transitional states; those that are
 * up clean (the volume services do it), the others are unavailable (this cloud has no clusters
 * whose other members could clean for them). 202 with both lists.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { ServiceRecord } from '../db/records.js';
import { InvalidInput } from '../errors.js';
import { VOLUME_BINARY } from '../rpc/topics.js';
import { serviceIsUp } from '../scheduler/host-manager.js';
import type { ApiDeps } from './deps.js';
import { since } from './group-types.js';
import { boolParam, caller, uuidOf } from './request.js';
import { onlyProperties } from './volume-action-registry.js';

const view = (s: ServiceRecord) => ({ id: s.id, host: s.host, binary: s.binary, cluster_name: null });

export function workersRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/workers/cleanup', async (req, reply) => {
    const c = caller(req, deps);
    since(c, '3.24');
    deps.policy.authorize(c.ctx, 'workers:cleanup');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('Malformed request body');
    onlyProperties('cleanup', body, ['cluster_name', 'service_id', 'host', 'binary', 'is_up', 'disabled', 'resource_id', 'resource_type']);
    const str = (k: string): string | null => {
      const v = body[k];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'string') throw new BadRequest(`Invalid input for field/attribute ${k}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'string', 'null'`);
      return v;
    };
    const bool = (k: string): boolean | null => (body[k] === undefined || body[k] === null ? null : boolParam(k, body[k]));
    const rawType = str('resource_type');
    const resourceType = rawType === null ? null : rawType.charAt(0).toUpperCase() + rawType.slice(1).toLowerCase();
    if (resourceType !== null && resourceType !== 'Volume' && resourceType !== 'Snapshot') {
      throw new InvalidInput(`Resource type ${rawType} not valid, must be Snapshot or Volume`);
    }
    const resourceId = body['resource_id'] === undefined || body['resource_id'] === null ? null : uuidOf('resource_id', body['resource_id']);
    const serviceId = body['service_id'];
    if (serviceId !== undefined && serviceId !== null && (typeof serviceId !== 'number' || !Number.isInteger(serviceId))) {
      throw new BadRequest(`Invalid input for field/attribute service_id. Value: ${JSON.stringify(serviceId)}. ${JSON.stringify(serviceId)} is not of type 'integer', 'null'`);
    }
    const cluster = str('cluster_name');
    const host = str('host');
    const binary = str('binary');
    const disabled = bool('disabled');
    const isUp = bool('is_up') ?? false;
    const services = cluster !== null ? [] : (await deps.repos.services.list()).filter((s) =>
      (serviceId === undefined || serviceId === null || s.id === serviceId) && (host === null || s.host === host || s.host.split('@')[0] === host)
      && (binary === null || s.binary === binary) && (disabled === null || s.disabled === disabled)
      && serviceIsUp(s.updated_at, s.created_at) === isUp);
    const cleaning: ServiceRecord[] = [];
    const unavailable: ServiceRecord[] = [];
    for (const s of services) {
      if (!serviceIsUp(s.updated_at, s.created_at)) { unavailable.push(s); continue; }
      if (s.binary === VOLUME_BINARY) await deps.cleanup.doCleanup(c.ctx, s.host, { resource_type: resourceType, resource_id: resourceId });
      cleaning.push(s);
    }
    return reply.code(202).send({ cleaning: cleaning.map(view), unavailable: unavailable.map(view) });
  });
}
