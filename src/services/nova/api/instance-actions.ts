/**
 * os-instance-actions (nova/api/openstack/compute/instance_actions.py): what was asked of a
 * server and by whom, GET /servers/{id}/os-instance-actions (from 2.21 also of a deleted
 * server; from 2.58 updated_at, paging by request id and changes-since, 2.66 changes-before)
 * and GET /servers/{id}/os-instance-actions/{request_id} with its events: for callers the
 * events policy allows, with traceback (and host from 2.62); for others from 2.51 without;
 * hostId from 2.62; details from 2.84 where the events:details policy allows.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { actionByRequestId, actionEvents, listActions, type ActionListQuery, type ActionRow } from '../db/instance-action-list.js';
import { InstanceNotFound, MarkerNotFound, NotFound } from '../errors.js';
import type { Instance } from '../objects/index.js';
import { lastOf, pageLimit, queryTime, rejectUnknown, type RawQuery } from './admin-query.js';
import type { ApiDeps } from './deps.js';
import { caller, type Caller } from './request.js';
import { hostId } from './views/servers.js';
import { naiveTime } from './views/times.js';

const rule = (name: string): string => `os_compute_api:os-instance-actions:${name}`;

/** The server, deleted ones too from 2.21; another project's is not found for a non-admin. */
async function serverOf(req: FastifyRequest<{ Params: { id: string } }>, deps: ApiDeps, c: Caller): Promise<Instance> {
  const uuid = req.params.id;
  const instance = await deps.repos.instances.find(uuid, { readDeleted: c.version.atLeast('2.21') });
  if (!instance || (!c.isAdmin && instance.data.project_id !== c.ctx.projectId)) throw new InstanceNotFound(uuid);
  return instance;
}

function actionView(a: ActionRow, c: Caller): Record<string, unknown> {
  const view: Record<string, unknown> = {
    action: a.action, instance_uuid: a.instance_uuid, request_id: a.request_id, user_id: a.user_id, project_id: a.project_id,
    start_time: naiveTime(a.start_time), message: a.message,
  };
  if (c.version.atLeast('2.58')) view['updated_at'] = naiveTime(a.updated_at);
  return view;
}

export function instanceActionsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/os-instance-actions', async (req) => {
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    const paged = c.version.atLeast('2.58');
    const query: ActionListQuery = {};
    if (paged) {
      rejectUnknown(q, ['limit', 'marker', 'changes-since', ...(c.version.atLeast('2.66') ? ['changes-before'] : [])]);
      const since = lastOf(q, 'changes-since');
      const before = lastOf(q, 'changes-before');
      if (since !== undefined) query.changesSince = queryTime('changes-since', since);
      if (before !== undefined) query.changesBefore = queryTime('changes-before', before);
      if (query.changesSince && query.changesBefore && query.changesBefore < query.changesSince) {
        throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
      }
      query.limit = pageLimit(q, deps.settings.maxLimit);
      const marker = lastOf(q, 'marker');
      if (marker !== undefined) query.marker = marker;
    }
    const instance = await serverOf(req, deps, c);
    deps.policy.can(c.ctx, rule('list'), { project_id: instance.data.project_id });
    let rows: ActionRow[];
    try {
      rows = await listActions(deps.db, instance.uuid, query);
    } catch (err) {
      if (err instanceof MarkerNotFound) throw new BadRequest(err.message);
      throw err;
    }
    const body: Record<string, unknown> = { instanceActions: rows.map((a) => actionView(a, c)) };
    if (paged && rows.length > 0 && rows.length === query.limit) {
      body['links'] = [deps.links.next(`servers/${req.params.id}/os-instance-actions`, q, rows.at(-1)!.request_id)];
    }
    return body;
  });

  app.get<{ Params: { id: string; requestId: string } }>('/servers/:id/os-instance-actions/:requestId', async (req) => {
    const c = caller(req, deps);
    const instance = await serverOf(req, deps, c);
    const target = { project_id: instance.data.project_id };
    deps.policy.can(c.ctx, rule('show'), target);
    const action = await actionByRequestId(deps.db, instance.uuid, req.params.requestId);
    if (!action) throw new NotFound(`Action ${req.params.requestId} not found`);
    const view = actionView(action, c);
    const privileged = deps.policy.check(c.ctx, rule('events'), target);
    if (privileged || c.version.atLeast('2.51')) {
      const showHost = privileged && c.version.atLeast('2.62');
      const showHostId = c.version.atLeast('2.62');
      const showDetails = c.version.atLeast('2.84') && deps.policy.check(c.ctx, rule('events:details'), target);
      const projectId = action.project_id || instance.data.project_id;
      view['events'] = (await actionEvents(deps.db, action.id)).map((e) => {
        const event: Record<string, unknown> = {
          event: e.event, start_time: naiveTime(e.start_time), finish_time: naiveTime(e.finish_time), result: e.result,
        };
        if (privileged) event['traceback'] = e.traceback;
        if (showHost) event['host'] = e.host;
        if (showHostId) event['hostId'] = hostId(e.host, projectId);
        if (showDetails) event['details'] = e.details;
        return event;
      });
    }
    return { instanceAction: view };
  });
}
