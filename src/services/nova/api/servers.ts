/**
 * The servers resource (nova/api/openstack/compute/servers.py): list (GET /servers,
 * /servers/detail), show, create (servers-create.ts), update, delete, and the action
 * dispatcher of POST /servers/{id}/action (server-actions/).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { FaultRecord } from '../db/faults.js';
import { listInstances } from '../db/instance-list.js';
import { serviceIsUp } from '../db/services.js';
import { FlavorNotFound, InstanceInvalidState, InstanceIsLocked } from '../errors.js';
import type { Instance } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance, type Caller } from './request.js';
import { UPDATE_SERVER_V20 } from './schemas/legacy-v20.js';
import { invalidStateConflict, serverAction } from './server-actions/index.js';
import { createServer } from './servers-create.js';
import { parseServerQuery, type RawQuery } from './servers-query.js';
import { updateServerSchema } from './schemas/servers.js';
import { validateBody } from './validation.js';
import { basicView, detailView, type HostStatus, type ServerViewOptions } from './views/servers.js';
import { Conflict } from '../../../common/errors.js';

const rule = (name: string): string => `os_compute_api:servers:${name}`;

/** compute API get_instances_host_statuses: UP, DOWN (forced down), MAINTENANCE (disabled), UNKNOWN (not heard from), '' (no host). */
async function hostStatuses(deps: ApiDeps, instances: readonly Instance[]): Promise<Map<string, HostStatus>> {
  const services = await deps.repos.services.list({ binary: 'nova-compute' });
  const out = new Map<string, HostStatus>();
  for (const i of instances) {
    const service = i.data.host ? services.find((s) => s.host === i.data.host) : undefined;
    let status: HostStatus = '';
    if (service) status = service.forced_down ? 'DOWN' : service.disabled ? 'MAINTENANCE' : serviceIsUp(service, deps.settings.serviceDownTime) ? 'UP' : 'UNKNOWN';
    out.set(i.uuid, status);
  }
  return out;
}

/** What the detailed view may show this caller, for these servers. */
/** The view options of one server's page (show, update, rebuild): from 2.71 with its server group. */
export async function singleViewOptions(deps: ApiDeps, c: Caller, instance: Instance): Promise<ServerViewOptions> {
  const opts = await viewOptions(deps, c, [instance], instance.data.project_id);
  if (c.version.atLeast('2.71')) {
    const group = await deps.repos.groups.forInstance(instance.uuid);
    opts.serverGroups = new Map([[instance.uuid, group ? [group.data.uuid] : []]]);
  }
  return opts;
}

export async function viewOptions(deps: ApiDeps, c: Caller, instances: readonly Instance[], projectId: string | null): Promise<ServerViewOptions> {
  const target = { project_id: projectId ?? c.ctx.projectId ?? null };
  const errored = instances.filter((i) => i.data.vm_state === 'error' || i.data.deleted).map((i) => i.uuid);
  const faults: Map<string, FaultRecord> = await deps.repos.faults.latest(errored);
  const opts: ServerViewOptions = {
    version: c.version, links: deps.links, isAdmin: c.isAdmin, faults,
    showExtendedAttributes: deps.policy.check(c.ctx, 'os_compute_api:os-extended-server-attributes', target),
    showExtraSpecs: c.version.atLeast('2.47') && deps.policy.check(c.ctx, rule('show:flavor-extra-specs'), target),
    volumes: await deps.repos.bdms.volumesOf(instances.map((i) => i.uuid)),
  };
  if (c.version.atLeast('2.16')) {
    const all = deps.policy.check(c.ctx, rule('show:host_status'), target);
    const unknownOnly = !all && deps.policy.check(c.ctx, rule('show:host_status:unknown-only'), target);
    if (all || unknownOnly) {
      const statuses = await hostStatuses(deps, instances);
      if (unknownOnly) for (const [k, s] of statuses) if (s !== 'UNKNOWN') statuses.delete(k);
      opts.hostStatus = statuses;
    }
  }
  return opts;
}

async function listServers(req: FastifyRequest, deps: ApiDeps, detail: boolean): Promise<unknown> {
  const c = caller(req, deps);
  deps.policy.can(c.ctx, rule(detail ? 'detail' : 'index'), { project_id: c.ctx.projectId ?? null });
  const parsed = parseServerQuery(req.query as RawQuery, c.ctx, c.isAdmin, c.version, deps.settings.maxLimit);
  if (parsed.allTenants) deps.policy.can(c.ctx, rule(`${detail ? 'detail' : 'index'}:get_all_tenants`), { project_id: c.ctx.projectId ?? null });
  if (parsed.empty) return { servers: [] };
  if (parsed.flavor !== undefined) {
    try {
      parsed.query.exact.instance_type_id = [(await deps.repos.flavors.getByFlavorId(parsed.flavor)).data.id];
    } catch (err) {
      if (err instanceof FlavorNotFound) return { servers: [] };
      throw err;
    }
  }
  let instances: Instance[];
  try {
    instances = await listInstances(deps.db, deps.repos.instances, parsed.query);
  } catch (err) {
    if (err instanceof Error && err.name === 'MarkerNotFound') throw new BadRequest(`marker [${parsed.query.marker}] not found`);
    throw err;
  }
  const body: Record<string, unknown> = {};
  if (detail) {
    const opts = await viewOptions(deps, c, instances, null);
    body['servers'] = instances.map((i) => detailView(i, opts));
  } else {
    body['servers'] = instances.map((i) => basicView(i, deps.links));
  }
  if (instances.length > 0 && instances.length === parsed.query.limit) {
    body['servers_links'] = [deps.links.next(detail ? 'servers/detail' : 'servers', req.query as Record<string, unknown>, instances.at(-1)!.uuid)];
  }
  return body;
}

interface UpdateBody {
  server: { name?: string; description?: string | null; accessIPv4?: string; accessIPv6?: string; 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL'; hostname?: string };
}

export function serversRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/servers', (req) => listServers(req, deps, false));
  app.get('/servers/detail', (req) => listServers(req, deps, true));

  app.get<{ Params: { id: string } }>('/servers/:id', async (req) => {
    const c = caller(req, deps);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, rule('show'), { project_id: instance.data.project_id });
    const opts = await singleViewOptions(deps, c, instance);
    return { server: detailView(instance, opts) };
  });

  app.post('/servers', (req, reply) => createServer(req, reply, deps));

  app.put<{ Params: { id: string } }>('/servers/:id', async (req) => {
    const c = caller(req, deps);
    const body = validateBody<UpdateBody>(updateServerSchema(c.version), req.body, UPDATE_SERVER_V20);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, rule('update'), { user_id: instance.data.user_id, project_id: instance.data.project_id });
    const s = body.server;
    const updated = await deps.repos.instances.save(instance.uuid, {
      ...(s.name !== undefined ? { display_name: s.name.trim() } : {}),
      ...(s.description !== undefined ? { display_description: s.description } : {}),
      ...(s.accessIPv4 !== undefined ? { access_ip_v4: s.accessIPv4 } : {}),
      ...(s.accessIPv6 !== undefined ? { access_ip_v6: s.accessIPv6 } : {}),
      ...(s['OS-DCF:diskConfig'] !== undefined ? { auto_disk_config: s['OS-DCF:diskConfig'] === 'AUTO' } : {}),
      ...(s.hostname !== undefined ? { hostname: s.hostname } : {}),
    });
    const opts = await singleViewOptions(deps, c, updated);
    opts.plainAddresses = !c.version.atLeast('2.75');
    const view = detailView(updated, opts);
    if (c.version.atLeast('2.75')) return { server: view };
    // Before 2.75 the answer of an update leaves the extended attributes out (views/servers.py show(...False)).
    for (const key of Object.keys(view)) {
      if (/^(OS-EXT-AZ|OS-EXT-SRV-ATTR|OS-EXT-STS|OS-SRV-USG|os-extended-volumes):/.test(key) || ['config_drive', 'key_name', 'security_groups', 'host_status'].includes(key)) delete view[key];
    }
    return { server: view };
  });

  // servers.py _delete: a soft delete while [DEFAULT] reclaim_instance_interval is set (a server
  // never launched is deleted all the same); a lock or a state that forbids it is a 409.
  app.delete<{ Params: { id: string } }>('/servers/:id', async (req, reply) => {
    const c = caller(req, deps);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, rule('delete'), { user_id: instance.data.user_id, project_id: instance.data.project_id });
    try {
      if ((deps.settings.reclaimInstanceInterval ?? 0) > 0) {
        try {
          await deps.compute.softDelete(c.ctx, instance, { isAdmin: c.isAdmin });
        } catch (err) {
          if (!(err instanceof InstanceInvalidState)) throw err;
          await deps.compute.delete(c.ctx, instance, { isAdmin: c.isAdmin });
        }
      } else {
        await deps.compute.delete(c.ctx, instance, { isAdmin: c.isAdmin });
      }
    } catch (err) {
      if (err instanceof InstanceIsLocked) throw new Conflict(err.message);
      throw invalidStateConflict(err, 'delete', instance.uuid);
    }
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/servers/:id/action', (req, reply) => serverAction(req, reply, deps));
}
