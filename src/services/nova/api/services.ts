/**
 * os-services (nova/api/openstack/compute/services.py): list the services (binary and host
 * filters; forced_down from 2.11; uuids as ids from 2.53), update a compute service (before
 * 2.53 PUT /os-services/{enable|disable|disable-log-reason|force-down} with host and binary in
 * the body; from 2.53 PUT /os-services/{uuid} with status, disabled_reason and forced_down) and
 * delete one (409 while it hosts servers or in-progress migrations).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, Conflict, NotFound } from '../../../common/errors.js';
import { ServiceInUse, type ServiceView } from '../compute/host-api.js';
import { HostBinaryNotFound, ServiceNotFound } from '../errors.js';
import { integerId, isUuidLike, requireUuid } from './admin-ids.js';
import { lastOf, rejectUnknown, type RawQuery } from './admin-query.js';
import type { ApiDeps } from './deps.js';
import { caller, type Caller } from './request.js';
import { legacyUpdateSchemaV21, legacyUpdateSchemaV211, updateServiceSchemaV253 } from './schemas/services.js';
import { validateBody } from './validation.js';
import { naiveTime } from './views/times.js';

const rule = (name: string): string => `os_compute_api:os-services:${name}`;
const TRUE_VALUES = new Set(['1', 't', 'true', 'on', 'y', 'yes']);

/** oslo bool_from_string of a schema-checked boolean. */
function asBool(v: boolean | string): boolean {
  return typeof v === 'boolean' ? v : TRUE_VALUES.has(v.toLowerCase());
}

function serviceView(s: ServiceView, c: Caller): Record<string, unknown> {
  const view: Record<string, unknown> = {
    binary: s.binary, host: s.host, id: c.version.atLeast('2.53') ? s.uuid : s.id, zone: s.zone,
    status: s.disabled ? 'disabled' : 'enabled', state: s.up ? 'up' : 'down', updated_at: naiveTime(s.updated_at), disabled_reason: s.disabled_reason,
  };
  if (c.version.atLeast('2.11')) view['forced_down'] = s.forced_down;
  return view;
}

function onlyCompute(binary: string): void {
  if (binary !== 'nova-compute') throw new BadRequest(`Updating a ${binary} service is not supported. Only nova-compute services can be updated.`);
}

interface LegacyBody { host: string; binary: string; disabled_reason?: string; forced_down?: boolean | string }

/** The service of (host, binary) a legacy update names. @throws HostBinaryNotFound */
async function byHostAndBinary(deps: ApiDeps, body: LegacyBody): Promise<ServiceView> {
  onlyCompute(body.binary);
  const found = (await deps.hosts.services({ host: body.host, binary: body.binary }))[0];
  if (!found) throw new HostBinaryNotFound(body.binary, body.host);
  return found;
}

type LegacyAction = (deps: ApiDeps, body: LegacyBody) => Promise<Record<string, unknown>>;

async function enableDisable(deps: ApiDeps, body: LegacyBody, disabled: boolean, reason: string | null): Promise<Record<string, unknown>> {
  const service = await byHostAndBinary(deps, body);
  await deps.hosts.updateService(service.id, { disabled, disabled_reason: reason });
  return { service: { host: body.host, binary: body.binary, status: disabled ? 'disabled' : 'enabled', ...(reason ? { disabled_reason: reason } : {}) } };
}

const LEGACY_ACTIONS: Readonly<Record<string, LegacyAction>> = {
  enable: (deps, body) => enableDisable(deps, body, false, null),
  disable: (deps, body) => enableDisable(deps, body, true, null),
  'disable-log-reason': (deps, body) => {
    if (body.disabled_reason === undefined) throw new BadRequest('Missing disabled reason field');
    return enableDisable(deps, body, true, body.disabled_reason);
  },
  'force-down': async (deps, body) => {
    if (body.forced_down === undefined) throw new BadRequest('Missing forced_down field');
    const forcedDown = asBool(body.forced_down);
    if (body.binary === 'nova-compute' && !forcedDown) await checkForEvacuations(deps, body.host);
    const service = await byHostAndBinary(deps, body);
    await deps.hosts.updateService(service.id, { forced_down: forcedDown });
    return { service: { host: body.host, binary: body.binary, forced_down: forcedDown } };
  },
};

async function checkForEvacuations(deps: ApiDeps, host: string): Promise<void> {
  if (await deps.hosts.hasDoneEvacuations(host)) {
    throw new BadRequest(`Unable to force up host ${host} as \`done\` evacuation migration records remain associated with the host. Ensure the compute service has been restarted, allowing these records to move to \`completed\` before retrying this request.`);
  }
}

async function updateV253(req: FastifyRequest<{ Params: { id: string } }>, deps: ApiDeps, c: Caller): Promise<unknown> {
  const body = validateBody<{ status?: 'enabled' | 'disabled'; disabled_reason?: string; forced_down?: boolean | string }>(updateServiceSchemaV253, req.body);
  const id = requireUuid(req.params.id);
  deps.policy.can(c.ctx, rule('update'), {});
  const service = await deps.hosts.service({ uuid: id });
  if (!service) throw new ServiceNotFound(id);
  onlyCompute(service.binary);
  const changes: { disabled?: boolean; disabled_reason?: string | null; forced_down?: boolean } = {};
  if (body.status === 'enabled') {
    if (body.disabled_reason) throw new BadRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.");
    if (service.disabled) changes.disabled = false;
    if (service.disabled_reason !== null) changes.disabled_reason = null;
  } else if (body.status === 'disabled') {
    if (!service.disabled) changes.disabled = true;
    if ((body.disabled_reason ?? null) !== service.disabled_reason) changes.disabled_reason = body.disabled_reason ?? null;
  }
  if (body.forced_down !== undefined) {
    const forcedDown = asBool(body.forced_down);
    if (forcedDown !== service.forced_down) changes.forced_down = forcedDown;
    if (!forcedDown) await checkForEvacuations(deps, service.host);
  }
  if (Object.keys(changes).length === 0 && body.status === undefined && body.forced_down === undefined) {
    throw new BadRequest("No updates were requested. Fields 'status' or 'forced_down' should be specified.");
  }
  if (Object.keys(changes).length > 0) await deps.hosts.updateService(service.id, changes);
  const updated = await deps.hosts.service({ id: service.id });
  return { service: serviceView(updated!, c) };
}

export function servicesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-services', async (req) => {
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    if (c.version.atLeast('2.75')) rejectUnknown(q, ['host', 'binary']);
    deps.policy.can(c.ctx, rule('list'), {});
    const host = lastOf(q, 'host');
    const binary = lastOf(q, 'binary');
    const services = await deps.hosts.services({ ...(host ? { host } : {}), ...(binary ? { binary } : {}) });
    return { services: services.map((s) => serviceView(s, c)) };
  });

  app.put<{ Params: { id: string } }>('/os-services/:id', async (req) => {
    const c = caller(req, deps);
    if (c.version.atLeast('2.53')) return updateV253(req, deps, c);
    const body = validateBody<LegacyBody>(c.version.atLeast('2.11') ? legacyUpdateSchemaV211 : legacyUpdateSchemaV21, req.body);
    deps.policy.can(c.ctx, rule('update'), {});
    const actions = c.version.atLeast('2.11') ? LEGACY_ACTIONS : Object.fromEntries(Object.entries(LEGACY_ACTIONS).filter(([k]) => k !== 'force-down'));
    const action = Object.hasOwn(actions, req.params.id) ? actions[req.params.id] : undefined;
    if (!action) throw new NotFound('Unknown action');
    return action(deps, body);
  });

  app.delete<{ Params: { id: string } }>('/os-services/:id', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('delete'), {});
    const raw = req.params.id;
    let service: ServiceView | undefined;
    if (c.version.atLeast('2.53')) {
      if (!isUuidLike(raw)) throw new BadRequest(`Invalid uuid ${raw}`);
      service = await deps.hosts.service({ uuid: raw });
    } else {
      const n = integerId(raw);
      service = n === null ? undefined : await deps.hosts.service({ id: n });
    }
    if (!service) throw new NotFound(`Service ${raw} not found.`);
    try {
      await deps.hosts.deleteService(c.ctx, service);
    } catch (err) {
      if (err instanceof ServiceInUse) throw new Conflict(err.message);
      throw err;
    }
    return reply.code(204).send();
  });
}
