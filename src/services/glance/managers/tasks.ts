/**
 * The (deprecated, admin-only) tasks API: GET /v2/tasks and GET /v2/tasks/{id}
 * (glance/api/v2/tasks.py). Tasks are created by imports; deleting them is not allowed.
 */
import type { RequestContext } from '../../../common/context.js';
import { BadRequest, MethodNotAllowed, NotFound } from '../../../common/errors.js';
import type { Task } from '../db/task-repo.js';
import { parseLimit, type QueryPairs } from '../domain/list-query.js';
import type { GlanceDeps } from './deps.js';

const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export interface TaskPage {
  tasks: Task[];
  nextMarker: string | undefined;
}

export class TaskManager {
  constructor(private readonly d: GlanceDeps) {}

  private access(ctx: RequestContext): void {
    this.d.policy.enforce(ctx, 'tasks_api_access', {});
  }

  async list(ctx: RequestContext, pairs: QueryPairs): Promise<TaskPage> {
    this.access(ctx);
    const params = new Map<string, string>();
    for (const [k, v] of pairs) if (!params.has(k)) params.set(k, v);
    const sortDir = params.get('sort_dir') ?? 'desc';
    if (sortDir !== 'asc' && sortDir !== 'desc') throw new BadRequest(`Invalid sort direction: ${sortDir}`);
    const status = params.get('status');
    if (status && !['pending', 'processing', 'success', 'failure'].includes(status)) throw new BadRequest(`Invalid status value: ${status}`);
    const type = params.get('type');
    if (type && type !== 'import') throw new BadRequest(`Invalid type value: ${type}`);
    const markerId = params.get('marker');
    if (markerId && !UUID_LIKE.test(markerId)) throw new BadRequest('Invalid marker format');
    const limitRaw = params.get('limit');
    const limit = Math.min(this.d.settings.limitMax, limitRaw !== undefined ? parseLimit(limitRaw) : this.d.settings.limitDefault);
    const viewer = this.d.policy.viewer(ctx);
    let marker: Task | undefined;
    if (markerId) {
      marker = await this.d.tasks.get(markerId);
      if (!marker) throw new BadRequest(`Task with the given ID ${markerId} was not found`);
    }
    const tasks = await this.d.tasks.list({
      owner: viewer.projectId, isAdmin: viewer.isAdmin, sortKey: params.get('sort_key') ?? 'created_at', sortDir, limit,
      ...(status ? { status } : {}), ...(type ? { type } : {}), ...(marker ? { marker } : {}),
    });
    return { tasks, nextMarker: tasks.length > 0 && tasks.length === limit ? tasks[tasks.length - 1]!.id : undefined };
  }

  async get(ctx: RequestContext, id: string): Promise<Task> {
    this.access(ctx);
    const task = await this.d.tasks.get(id);
    const viewer = this.d.policy.viewer(ctx);
    if (!task || !(viewer.isAdmin || task.owner === null || task.owner === viewer.projectId)) {
      throw new NotFound(`Task with the given ID ${id} was not found`);
    }
    return task;
  }

  delete(ctx: RequestContext): never {
    this.access(ctx);
    const err = new MethodNotAllowed('This operation is currently not permitted on Glance Tasks. They are auto deleted after reaching the time based on their expires_at property.');
    err.headers['allow'] = 'GET';
    throw err;
  }
}
