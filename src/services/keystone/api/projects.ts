/**
 * /v3/projects (keystone/api/projects.py): CRUD with the hierarchy query options
 * (parents_as_list, parents_as_ids, subtree_as_list, subtree_as_ids) and project tags.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../errors.js';
import { newId } from '../db/rows.js';
import { immutableOptionsSchema } from '../lib/resource-options.js';
import type { ProjectRecord } from '../resource/backends/base.js';
import {
  authorize, body, buildHints, filterValues, normalizeDomainId, orUndefined, params, qs, queryFlag, type ResourceDeps,
  requireMatchingId, schemas, selfUrl, v3Url, withLink, wrapCollection, wrapMember,
} from './resource-common.js';

const FILTERS = ['domain_id', 'enabled', 'name', 'parent_id', 'is_domain'] as const;
const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'] as const;

const tagName = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^,/]*$' };
const tagList = { type: 'array', items: tagName, maxItems: 80, uniqueItems: true };
const projectName = { type: 'string', minLength: 1, maxLength: 64, pattern: '\\S+' };

const createSchema = schemas.wrap('project', {
  type: 'object',
  properties: {
    description: schemas.description, domain_id: schemas.nullableIdString, enabled: schemas.boolean, is_domain: schemas.boolean,
    parent_id: schemas.nullableIdString, name: projectName, tags: tagList, options: immutableOptionsSchema,
  },
  required: ['name'],
  additionalProperties: true,
});
const updateSchema = schemas.wrap('project', {
  type: 'object',
  properties: {
    description: schemas.description, domain_id: schemas.nullableIdString, enabled: schemas.boolean, is_domain: schemas.boolean,
    parent_id: schemas.nullableIdString, name: projectName, tags: tagList, options: immutableOptionsSchema,
  },
  minProperties: 1,
  additionalProperties: true,
});
const tagsSchema = { type: 'object', properties: { tags: tagList }, required: ['tags'], additionalProperties: false };

export function registerProjectRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const projectTarget = async (req: FastifyRequest): Promise<Record<string, unknown>> => {
    const project = await orUndefined(() => m.resource.getProject(params(req).project_id!));
    return project ? { project } : {};
  };

  /** _expand_project_ref: parents/subtree as lists (only those the caller can see) or as ids. */
  const expand = async (req: FastifyRequest, ref: ProjectRecord): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = { ...ref };
    const parentsList = queryFlag(req, 'parents_as_list');
    const parentsIds = queryFlag(req, 'parents_as_ids');
    const subtreeList = queryFlag(req, 'subtree_as_list');
    const subtreeIds = queryFlag(req, 'subtree_as_ids');
    if (parentsList && parentsIds) throw new ValidationError('Cannot use parents_as_list and parents_as_ids query params at the same time.');
    if (subtreeList && subtreeIds) throw new ValidationError('Cannot use subtree_as_list and subtree_as_ids query params at the same time.');
    const visible = async (list: ProjectRecord[]): Promise<ProjectRecord[]> => {
      const userId = req.ctx.userId;
      if (!userId) return list;
      const mine = new Set((await m.assignments.listProjectsForUser(userId)).map((p) => p.id));
      return list.filter((p) => mine.has(p.id));
    };
    if (parentsList) {
      out.parents = (await visible(await m.resource.listProjectParents(ref.id))).map((p) => ({ project: withLink(deps, 'projects', p) }));
    } else if (parentsIds) {
      out.parents = await m.resource.parentsAsIds(ref);
    }
    if (subtreeList) {
      out.subtree = (await visible(await m.resource.listProjectsInSubtree(ref.id))).map((p) => ({ project: withLink(deps, 'projects', p) }));
    } else if (subtreeIds) {
      out.subtree = await m.resource.subtreeAsIds(ref.id);
    }
    return out;
  };

  app.get('/v3/projects', async (req) => {
    const target = req.ctx.domainId ? { domain_id: req.ctx.domainId } : undefined;
    authorize(deps, req, 'identity:list_projects', { filters: filterValues(req, FILTERS), ...(target ? { target } : {}) });
    const hints = buildHints(req, [...FILTERS, ...TAG_FILTERS], deps.config.resource.list_limit);
    if (qs(req, 'is_domain') === undefined) hints.add('is_domain', '0');
    let refs = await m.resource.listProjects(hints);
    if (req.ctx.domainId) refs = refs.filter((p) => p.domain_id === req.ctx.domainId);
    return wrapCollection(deps, req, 'projects', refs, hints);
  });

  app.post('/v3/projects', { schema: { body: createSchema } }, async (req, reply) => {
    let project = { ...(body(req).project as Record<string, unknown>) };
    authorize(deps, req, 'identity:create_project', { target: { project } });
    const id = newId();
    const isDomain = project.is_domain === true || ['true', 'True', 'TRUE'].includes(String(project.is_domain));
    if (!isDomain) project = normalizeDomainId(deps, req.ctx, project);
    if (!project.parent_id) project.parent_id = project.domain_id ?? null;
    try {
      const ref = await m.resource.createProject(id, project);
      reply.code(201);
      return wrapMember(deps, 'projects', 'project', ref);
    } catch (err) {
      // A missing domain or parent is the client's mistake: 400 with the not-found message.
      if ((err as { status?: number }).status === 404) throw new ValidationError((err as Error).message);
      throw err;
    }
  });

  app.get('/v3/projects/:project_id', async (req) => {
    authorize(deps, req, 'identity:get_project', { target: await projectTarget(req) });
    const ref = await m.resource.getProject(params(req).project_id!);
    return { project: { ...(await expand(req, ref)), links: { self: v3Url(deps, `projects/${ref.id}`) } } };
  });

  app.patch('/v3/projects/:project_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_project', { target: await projectTarget(req) }); },
  }, async (req) => {
    const changes = body(req).project as Record<string, unknown>;
    requireMatchingId(changes, params(req).project_id);
    return wrapMember(deps, 'projects', 'project', await m.resource.updateProject(params(req).project_id!, changes));
  });

  app.delete('/v3/projects/:project_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_project', { target: await projectTarget(req) });
    await m.resource.deleteProject(params(req).project_id!);
    reply.code(204).send();
  });

  // Tags.
  const tagsBody = (req: FastifyRequest, tags: string[]) => ({ tags, links: { self: selfUrl(deps, req) } });

  app.get('/v3/projects/:project_id/tags', async (req) => {
    authorize(deps, req, 'identity:list_project_tags', { target: await projectTarget(req) });
    return tagsBody(req, await m.resource.listProjectTags(params(req).project_id!));
  });

  app.put('/v3/projects/:project_id/tags', { schema: { body: tagsSchema } }, async (req) => {
    authorize(deps, req, 'identity:update_project_tags', { target: await projectTarget(req) });
    return tagsBody(req, await m.resource.replaceProjectTags(params(req).project_id!, body(req).tags as string[]));
  });

  app.delete('/v3/projects/:project_id/tags', async (req, reply) => {
    authorize(deps, req, 'identity:delete_project_tags', { target: await projectTarget(req) });
    await m.resource.replaceProjectTags(params(req).project_id!, []);
    reply.code(204).send();
  });

  app.get('/v3/projects/:project_id/tags/:value', async (req, reply) => {
    authorize(deps, req, 'identity:get_project_tag', { target: await projectTarget(req) });
    await m.resource.checkProjectTag(params(req).project_id!, params(req).value!);
    reply.code(204).send();
  });

  app.put('/v3/projects/:project_id/tags/:value', async (req, reply) => {
    authorize(deps, req, 'identity:create_project_tag', { target: await projectTarget(req) });
    const { project_id, value } = params(req);
    if (!value || value.length > 255 || /[,/]/.test(value)) {
      throw new ValidationError(`Invalid input for field 'tag': '${value}' does not match '^[^,/]*$'`);
    }
    const tags = await m.resource.listProjectTags(project_id!);
    if (!tags.includes(value) && tags.length >= 80) throw new ValidationError('Invalid input for field \'tags\': too many tags (80 at most)');
    await m.resource.addProjectTag(project_id!, value);
    reply.code(201).header('location', v3Url(deps, `projects/${project_id}/tags/${encodeURIComponent(value)}`)).send();
  });

  app.delete('/v3/projects/:project_id/tags/:value', async (req, reply) => {
    authorize(deps, req, 'identity:delete_project_tag', { target: await projectTarget(req) });
    await m.resource.deleteProjectTag(params(req).project_id!, params(req).value!);
    reply.code(204).send();
  });
}
