/**
 * os-hosts (nova/api/openstack/compute/hosts.py), up to 2.42 (deprecated for os-hypervisors
 * and os-services): the enabled services' hosts with their topic and zone (zone filter), a
 * compute host's resources (its first node's totals and use, and its servers' sums, overall
 * and per project), and the host operations a virt driver would carry out (enable/disable,
 * maintenance mode, startup/shutdown/reboot): no Nubo driver can, so for an existing host they
 * answer 501 as nova does when the driver raises NotImplementedError.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FeatureNotSupported, HostMappingNotFound, ComputeHostNotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { lastOf, type RawQuery } from './admin-query.js';
import { caller, type Caller } from './request.js';
import { validateBody } from './validation.js';
import { requireVersionAtMost } from './version-gate.js';

const MAX_VERSION = '2.42';
const rule = (name: string): string => `os_compute_api:os-hosts:${name}`;
const API_SERVICES = new Set(['nova-osapi_compute', 'nova-metadata']);
const MODE = { type: 'string', enum: ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'] };
const updateBody = { type: 'object', properties: { status: MODE, maintenance_mode: MODE }, additionalProperties: false };

interface Resource { host: string; project: string; cpu: number; memory_mb: number; disk_gb: number }

function allowed(req: FastifyRequest, deps: ApiDeps, action: string): Caller {
  const c = caller(req, deps);
  requireVersionAtMost(c, MAX_VERSION);
  deps.policy.can(c.ctx, rule(action), {});
  return c;
}

/** target_host_cell then _assert_host_exists: a host with a compute service. @throws HostMappingNotFound */
async function assertHostExists(deps: ApiDeps, host: string): Promise<void> {
  if ((await deps.hosts.services({ host, binary: 'nova-compute' })).length === 0) throw new HostMappingNotFound(host);
}

/** The compute RPC the operation needs reaches a driver without it (NotImplementedError). @throws HostMappingNotFound, FeatureNotSupported */
async function driverOperation(deps: ApiDeps, host: string): Promise<never> {
  await assertHostExists(deps, host);
  throw new FeatureNotSupported();
}

async function show(deps: ApiDeps, host: string): Promise<Resource[]> {
  await assertHostExists(deps, host);
  const node = (await deps.repos.computeNodes.byHost(host))[0];
  if (!node) throw new ComputeHostNotFound(host);
  const instances = await deps.repos.instances.byHost(host);
  const resources: Resource[] = [
    { host, project: '(total)', cpu: node.vcpus, memory_mb: node.memory_mb, disk_gb: node.local_gb },
    { host, project: '(used_now)', cpu: node.vcpus_used, memory_mb: node.memory_mb_used, disk_gb: node.local_gb_used },
  ];
  const usedMax: Resource = { host, project: '(used_max)', cpu: 0, memory_mb: 0, disk_gb: 0 };
  const byProject = new Map<string, Resource>();
  for (const { data: i } of instances) {
    let project = byProject.get(i.project_id);
    if (!project) byProject.set(i.project_id, project = { host, project: i.project_id, cpu: 0, memory_mb: 0, disk_gb: 0 });
    for (const r of [usedMax, project]) {
      r.cpu += i.vcpus;
      r.memory_mb += i.memory_mb;
      r.disk_gb += i.root_gb + i.ephemeral_gb;
    }
  }
  return [...resources, usedMax, ...byProject.values()];
}

export function hostsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-hosts', async (req) => {
    allowed(req, deps, 'list');
    const zone = lastOf(req.query as RawQuery, 'zone');
    const services = (await deps.hosts.services()).filter((s) => !s.disabled && !API_SERVICES.has(s.binary) && (!zone || s.zone === zone));
    return { hosts: services.map((s) => ({ host_name: s.host, service: s.topic ?? s.binary.replace(/^nova-/, ''), zone: s.zone })) };
  });

  app.get<{ Params: { host: string } }>('/os-hosts/:host', async (req) => {
    allowed(req, deps, 'show');
    return { host: (await show(deps, req.params.host)).map((resource) => ({ resource })) };
  });

  app.put<{ Params: { host: string } }>('/os-hosts/:host', async (req) => {
    const c = caller(req, deps);
    requireVersionAtMost(c, MAX_VERSION);
    const body = validateBody<{ status?: string; maintenance_mode?: string }>(updateBody, req.body);
    deps.policy.can(c.ctx, rule('update'), {});
    // status first, then maintenance_mode; a body with neither echoes the host, as upstream's schema lets it
    if (body.status !== undefined || body.maintenance_mode !== undefined) await driverOperation(deps, req.params.host);
    return { host: req.params.host };
  });

  for (const [action, policy] of [['startup', 'start'], ['shutdown', 'shutdown'], ['reboot', 'reboot']] as const) {
    app.get<{ Params: { host: string } }>(`/os-hosts/:host/${action}`, async (req) => {
      allowed(req, deps, policy);
      return driverOperation(deps, req.params.host);
    });
  }
}
