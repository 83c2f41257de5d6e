/**
 * os-server-groups (nova/api/openstack/compute/server_groups.py): list (the caller's project,
 * or every project for an admin asking all_projects; offset/limit), create with the
 * server_groups quota (checked, then rechecked once the group exists), show and delete.
 * Before 2.64 a group has `policies` (one of affinity / anti-affinity, and from 2.15 the soft
 * ones) and an empty `metadata`; from 2.64 `policy` and `rules` (max_server_per_host, for
 * anti-affinity only). 2.13 adds project_id and user_id. Members are the live servers.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { BadRequest, Forbidden } from '../../../common/errors.js';
import type { APIVersion } from '../../../common/http/microversion.js';
import { InstanceGroupNotFound, OverQuota } from '../errors.js';
import type { GroupPolicy, InstanceGroup } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { nonNegativeParam, rejectUnknownParams, type RawQuery } from './query.js';
import { caller, type Caller } from './request.js';
import { NAME, POSITIVE_INTEGER } from './schemas/servers.js';
import { validateBody } from './validation.js';

const rule = (name: string): string => `os_compute_api:os-server-groups:${name}`;

type Schema = Record<string, unknown>;
const schemas = new Map<string, Schema>();

/** schemas/server_groups.py create (2.1), create_v215 (soft policies), create_v264 (policy and rules). */
function createSchema(v: APIVersion): Schema {
  const key = v.atLeast('2.64') ? '2.64' : v.atLeast('2.15') ? '2.15' : '2.1';
  const cached = schemas.get(key);
  if (cached) return cached;
  const policies = ['anti-affinity', 'affinity', ...(key === '2.1' ? [] : ['soft-anti-affinity', 'soft-affinity'])];
  const group: Schema = key === '2.64'
    ? {
      type: 'object',
      properties: {
        name: NAME,
        policy: { type: 'string', enum: policies },
        rules: { type: 'object', properties: { max_server_per_host: POSITIVE_INTEGER }, additionalProperties: false },
      },
      required: ['name', 'policy'],
      additionalProperties: false,
    }
    : {
      type: 'object',
      properties: {
        name: NAME,
        policies: { type: 'array', items: [{ type: 'string', enum: policies }], additionalItems: false, uniqueItems: true, minItems: 1, maxItems: 1 },
      },
      required: ['name', 'policies'],
      additionalProperties: false,
    };
  const schema: Schema = { type: 'object', properties: { server_group: group }, required: ['server_group'], additionalProperties: false };
  schemas.set(key, schema);
  return schema;
}

interface CreateBody {
  server_group: { name: string; policies?: [GroupPolicy]; policy?: GroupPolicy; rules?: { max_server_per_host?: number | string } };
}

async function view(deps: ApiDeps, group: InstanceGroup, v: APIVersion): Promise<Record<string, unknown>> {
  const g = group.data;
  const out: Record<string, unknown> = { id: g.uuid, name: g.name };
  if (v.atLeast('2.64')) {
    out['policy'] = g.policy;
    out['rules'] = g.rules;
  } else {
    out['policies'] = [g.policy];
    out['metadata'] = {};
  }
  out['members'] = await deps.repos.groups.liveMembers(group);
  if (v.atLeast('2.13')) {
    out['project_id'] = g.project_id;
    out['user_id'] = g.user_id;
  }
  return out;
}

export function serverGroupsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-server-groups', async (req) => {
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    rejectUnknownParams(q, ['all_projects', 'limit', 'offset'], c.version);
    const limit = nonNegativeParam(q, 'limit');
    const offset = nonNegativeParam(q, 'offset') ?? 0;
    const projectId = c.ctx.projectId ?? '';
    deps.policy.can(c.ctx, rule('index'), { project_id: projectId });
    let all = false;
    if ('all_projects' in q && c.isAdmin) {
      deps.policy.can(c.ctx, rule('index:all_projects'), { project_id: projectId });
      all = true;
    }
    const groups = await deps.repos.groups.list(all ? null : projectId);
    const size = Math.min(deps.settings.maxLimit, limit || deps.settings.maxLimit);
    const page = groups.slice(offset, offset + size);
    return { server_groups: await Promise.all(page.map((g) => view(deps, g, c.version))) };
  });

  app.post('/os-server-groups', async (req) => {
    const c = caller(req, deps);
    const body = validateBody<CreateBody>(createSchema(c.version), req.body);
    const projectId = c.ctx.projectId ?? '';
    const userId = c.ctx.userId ?? '';
    deps.policy.can(c.ctx, rule('create'), { project_id: projectId });
    const quotaError = (err: unknown): unknown => (err instanceof OverQuota ? new Forbidden(err.message) : err);
    await deps.quotas.checkServerGroups(projectId, userId, 1).catch((err: unknown) => { throw quotaError(err); });
    const vals = body.server_group;
    let policy: GroupPolicy;
    let rules: Record<string, number> = {};
    if (c.version.atLeast('2.64')) {
      policy = vals.policy!;
      if (vals.rules?.max_server_per_host !== undefined) rules = { max_server_per_host: Number(vals.rules.max_server_per_host) };
      if (policy !== 'anti-affinity' && Object.keys(vals.rules ?? {}).length > 0) throw new BadRequest('Only anti-affinity policy supports rules.');
    } else {
      policy = vals.policies![0];
    }
    const group = await deps.repos.groups.create({ uuid: randomUUID(), name: vals.name ?? null, user_id: userId, project_id: projectId, policy, rules });
    if (deps.recheckQuota) {
      try {
        await deps.quotas.checkServerGroups(projectId, userId, 0);
      } catch (err) {
        await deps.repos.groups.destroy(group.data.uuid).catch(() => undefined);
        throw quotaError(err);
      }
    }
    return { server_group: await view(deps, group, c.version) };
  });

  app.get<{ Params: { id: string } }>('/os-server-groups/:id', async (req) => {
    const c = caller(req, deps);
    const group = await visibleGroup(deps, c, req.params.id);
    deps.policy.can(c.ctx, rule('show'), { project_id: group.data.project_id });
    return { server_group: await view(deps, group, c.version) };
  });

  app.delete<{ Params: { id: string } }>('/os-server-groups/:id', async (req, reply) => {
    const c = caller(req, deps);
    const group = await visibleGroup(deps, c, req.params.id);
    deps.policy.can(c.ctx, rule('delete'), { project_id: group.data.project_id });
    await deps.repos.groups.destroy(group.data.uuid);
    return reply.code(204).send();
  });
}

/**
 * A group of the caller's project, or any group for an admin. Nova answers 403 for another
 * project's group (its policy check); Nubo keeps other projects' resources invisible: 404.
 */
async function visibleGroup(deps: ApiDeps, c: Caller, id: string): Promise<InstanceGroup> {
  const group = await deps.repos.groups.get(id);
  if (group.data.project_id !== c.ctx.projectId && !deps.policy.isAdmin(c.ctx)) throw new InstanceGroupNotFound(id);
  return group;
}
