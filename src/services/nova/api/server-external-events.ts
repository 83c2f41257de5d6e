/**
 * POST /os-server-external-events (nova's server_external_events.py): events other services
 * send about servers (Neutron's network-vif-plugged/-unplugged/-deleted, network-changed;
 * later microversions add volume-extended 2.51, power-update 2.76, accelerator-request-bound
 * 2.82, volume-reimaged 2.93). Each is answered with a code (200 accepted, 404 no such server,
 * 422 server on no host); 207 when some failed, 404 when none was accepted.
 */
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../../common/errors.js';
import type { APIVersion } from '../../../common/http/microversion.js';
import type { InstanceExternalEvent } from '../compute/rpcapi.js';
import type { ApiDeps } from './deps.js';
import { caller } from './request.js';
import { validateBody } from './validation.js';

const NAMES: Array<[string, string]> = [
  ['network-changed', '2.1'], ['network-vif-plugged', '2.1'], ['network-vif-unplugged', '2.1'], ['network-vif-deleted', '2.1'],
  ['volume-extended', '2.51'], ['power-update', '2.76'], ['accelerator-request-bound', '2.82'], ['volume-reimaged', '2.93'],
];

const schemas = new Map<string, Record<string, unknown>>();

function schemaFor(v: APIVersion): Record<string, unknown> {
  const names = NAMES.filter(([, min]) => v.atLeast(min)).map(([n]) => n);
  const key = names.join(',');
  let schema = schemas.get(key);
  if (!schema) {
    schema = {
      type: 'object',
      properties: {
        events: {
          type: 'array', minItems: 1,
          items: {
            type: 'object',
            properties: {
              server_uuid: { type: 'string', format: 'uuid' },
              name: { type: 'string', enum: names },
              status: { type: 'string', enum: ['failed', 'completed', 'in-progress'] },
              tag: { type: 'string', maxLength: 255 },
            },
            required: ['server_uuid', 'name'],
            additionalProperties: false,
          },
        },
      },
      required: ['events'],
      additionalProperties: false,
    };
    schemas.set(key, schema);
  }
  return schema;
}

interface EventsBody {
  events: Array<{ server_uuid: string; name: string; status?: 'failed' | 'completed' | 'in-progress'; tag?: string }>;
}

export function serverExternalEventsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/os-server-external-events', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, 'os_compute_api:os-server-external-events:create', { project_id: c.ctx.projectId ?? null });
    const body = validateBody<EventsBody>(schemaFor(c.version), req.body);
    const events: InstanceExternalEvent[] = body.events.map((e) => ({
      instance_uuid: e.server_uuid, name: e.name, status: e.status ?? 'completed', tag: e.tag ?? null,
    }));
    const answered = await deps.compute.externalInstanceEvents(c.ctx, events);
    const out = answered.map((e) => ({
      server_uuid: e.instance_uuid, name: e.name, status: e.status, code: e.code, ...(e.tag !== null ? { tag: e.tag } : {}),
    }));
    if (!out.some((e) => e.code === 200)) throw new NotFound('No instances found for any event');
    return reply.code(out.every((e) => e.code === 200) ? 200 : 207).send({ events: out });
  });
}
