/**
 * The (deprecated, admin-only) tasks API: GET /v2/tasks and GET /v2/tasks/{id}
 * (glance/api/v2/tasks.py). Tasks are created by imports; deleting them is not allowed.
 */
import type { RequestContext } from '../../../common/context.js';
import { BadRequest, MethodNotAllowed, NotFound } from '../../../common/errors.js';
import type { Task } from '../db/task-repo.js';
import { parseLimit, type QueryPairs } from '../domain/list-query.js';
import type { GlanceDeps } from './deps.js';
import { isImportUriAllowed } from './web-download.js';

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

  /** POST /v2/tasks: only the legacy `import` type can be started this way. */
  async create(ctx: RequestContext, body: unknown, start: (task: Task) => void): Promise<Task> {
    this.access(ctx);
    if (body === undefined || body === null) throw new BadRequest('Body expected in request.');
    if (typeof body !== 'object' || Array.isArray(body)) throw new BadRequest("Task 'type' is required");
    for (const key of ['type', 'input']) if (!(key in body)) throw new BadRequest(`Task '${key}' is required`);
    this.d.validator.validate('task', body);
    const { type, input } = body as { type: string; input: Record<string, unknown> | null };
    if (type !== 'import') throw new BadRequest(`Task type ${type} cannot be created through the tasks API`);
    const from = input?.['import_from'];
    if (typeof from !== 'string' || from === '') throw new BadRequest(`Invalid location: ${String(from)}`);
    if (/^(file|filesystem):\/\/\//.test(from)) throw new BadRequest('File based imports are not allowed. Please use a non-local source of image data.');
    if (!/^https?:\/\//.test(from)) throw new BadRequest("The given uri is not valid. Please specify a valid uri from the following list of supported uri ['http']");
    if (!isImportUriAllowed(from, this.d.settings.importFilter)) throw new BadRequest(`URI for legacy import task does not pass filtering: ${from}`);
    this.d.policy.enforce(ctx, 'add_task', {});
    const viewer = this.d.policy.viewer(ctx);
    const task = await this.d.tasks.create({
      type: 'import', owner: viewer.projectId, imageId: null, userId: ctx.userId ?? null, requestId: ctx.requestId, input: input ?? {},
    });
    this.d.notifier.task('task.create', task);
    start(task);
    return task;
  }

  delete(ctx: RequestContext): never {
    this.access(ctx);
    const err = new MethodNotAllowed('This operation is currently not permitted on Glance Tasks. They are auto deleted after reaching the time based on their expires_at property.');
    err.headers['allow'] = 'GET';
    throw err;
  }
}
