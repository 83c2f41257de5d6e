/**
 * Server tags, from 2.26 (nova/api/openstack/compute/server_tags.py): GET/PUT/DELETE
 * /servers/{id}/tags and GET/PUT/DELETE /servers/{id}/tags/{tag}. At most 50 tags of 1-60
 * characters without ',' or '/'; changes need the server in ACTIVE, PAUSED, SUSPENDED or
 * STOPPED (else 409). Each change is announced by an instance.update from nova-api.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, Conflict } from '../../../common/errors.js';
import { checkInstanceState, SETTLED_VM_STATES } from '../compute/instance-state.js';
import { InstanceInvalidState, NotFound } from '../errors.js';
import { Instance } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller } from './request.js';
import { authorizedServer } from './server-scope.js';
import { TAG } from './schemas/servers.js';
import { validateBody } from './validation.js';
import { requireVersion } from './version-gate.js';

/** nova.objects.instance.MAX_TAG_COUNT. */
export const MAX_TAG_COUNT = 50;

const rule = (name: string): string => `os_compute_api:os-server-tags:${name}`;
const updateAllBody = { type: 'object', properties: { tags: { type: 'array', items: TAG, maxItems: MAX_TAG_COUNT } }, required: ['tags'], additionalProperties: false };

type Params = { id: string; tag: string };

/** The server (2.26 on), after the policy `name` allowed the caller on its project; `action` also asks for a settled server. */
async function authorized(req: FastifyRequest<{ Params: { id: string } }>, deps: ApiDeps, name: string, action?: string): Promise<Instance> {
  requireVersion(caller(req, deps), '2.26');
  const { instance } = await authorizedServer(req, deps, rule(name));
  if (action) {
    try {
      checkInstanceState(instance, action, SETTLED_VM_STATES);
    } catch (err) {
      if (err instanceof InstanceInvalidState) throw new Conflict(`Cannot '${action}' instance ${instance.uuid} while it is in vm_state ${instance.data.vm_state}`);
      throw err;
    }
  }
  return instance;
}

/** instance.update from nova-api with the server's tags as the change left them (nova sends it after every change). */
async function announce(req: FastifyRequest, deps: ApiDeps, instance: Instance, tags: string[]): Promise<void> {
  await deps.notifier.instanceUpdate(caller(req, deps).ctx, new Instance({ ...instance.data, tags }));
}

/** parameter_types.tag, with nova's message for a tag in the URL. */
function checkTag(tag: string): void {
  let why = '';
  if (tag.length < 1) why = `'${tag}' is too short`;
  else if (tag.length > 60) why = `'${tag}' is too long`;
  else if (/[,/]/.test(tag)) why = `'${tag}' does not match '^[^,/]*$'`;
  if (why) throw new BadRequest(`Tag '${tag}' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: ${why}`);
}

export function serverTagsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/tags', async (req) => {
    const instance = await authorized(req, deps, 'index');
    return { tags: await deps.repos.tags.list(instance.uuid) };
  });

  app.put<{ Params: { id: string } }>('/servers/:id/tags', async (req) => {
    requireVersion(caller(req, deps), '2.26');
    const body = validateBody<{ tags: string[] }>(updateAllBody, req.body);
    const instance = await authorized(req, deps, 'update_all', 'update tags');
    const tags = await deps.repos.tags.replace(instance.uuid, body.tags);
    await announce(req, deps, instance, tags);
    return { tags };
  });

  app.delete<{ Params: { id: string } }>('/servers/:id/tags', async (req, reply) => {
    const instance = await authorized(req, deps, 'delete_all', 'delete tags');
    await deps.repos.tags.removeAll(instance.uuid);
    await announce(req, deps, instance, []);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/servers/:id/tags/:tag', async (req, reply) => {
    const instance = await authorized(req, deps, 'show');
    if (!(await deps.repos.tags.exists(instance.uuid, req.params.tag))) throw new NotFound(`Server ${instance.uuid} has no tag '${req.params.tag}'`);
    return reply.code(204).send();
  });

  app.put<{ Params: Params }>('/servers/:id/tags/:tag', async (req, reply) => {
    requireVersion(caller(req, deps), '2.26');
    if (req.body !== undefined && req.body !== null) throw new BadRequest(`Invalid input for field/attribute body. Value: ${JSON.stringify(req.body)}. ${JSON.stringify(req.body)} is not of type 'null'`);
    const instance = await authorized(req, deps, 'update', 'update tag');
    const { tag } = req.params;
    checkTag(tag);
    const tags = await deps.repos.tags.list(instance.uuid);
    if (tags.length >= MAX_TAG_COUNT) throw new BadRequest(`The number of tags exceeded the per-server limit ${MAX_TAG_COUNT}`);
    if (tags.includes(tag)) return reply.code(204).send();
    await deps.repos.tags.add(instance.uuid, tag);
    await announce(req, deps, instance, [...tags, tag]);
    const location = `${deps.links.resource('servers', instance.uuid)[0]!.href}/tags/${encodeURIComponent(tag)}`;
    return reply.code(201).header('location', location).send();
  });

  app.delete<{ Params: Params }>('/servers/:id/tags/:tag', async (req, reply) => {
    const instance = await authorized(req, deps, 'delete', 'delete tag');
    if (!(await deps.repos.tags.remove(instance.uuid, req.params.tag))) {
      throw new NotFound(`Instance ${instance.uuid} has no tag '${req.params.tag}'`);
    }
    await announce(req, deps, instance, instance.data.tags.filter((t) => t !== req.params.tag));
    return reply.code(204).send();
  });
}
