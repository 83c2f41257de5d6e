/** OS-EP-FILTER (keystone/api/os_ep_filter.py): endpoint groups and project/endpoint associations. */
import type { FastifyInstance } from 'fastify';
import type { EndpointRecord } from '../catalog/backends/base.js';
import { authorize, body, buildHints, params, type ResourceDeps, requireMatchingId, schemas, v3Url, wrapCollection, wrapMember } from './resource-common.js';

const groupProperties = { description: schemas.description, filters: { type: 'object' }, name: { type: 'string', minLength: 1, maxLength: 255 } };
const createSchema = schemas.wrap('endpoint_group', { type: 'object', properties: groupProperties, required: ['name', 'filters'], additionalProperties: true });
const updateSchema = schemas.wrap('endpoint_group', { type: 'object', properties: groupProperties, minProperties: 1, additionalProperties: true });
const PREFIX = 'OS-EP-FILTER/endpoint_groups';

const shown = (e: EndpointRecord): EndpointRecord => ({ ...e, region: e.region_id });

export function registerEndpointFilterRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const ef = m.endpointFilter;

  app.get('/v3/OS-EP-FILTER/endpoint_groups', async (req) => {
    authorize(deps, req, 'identity:list_endpoint_groups');
    const hints = buildHints(req, ['name']);
    return wrapCollection(deps, req, PREFIX, await ef.listEndpointGroups(hints), hints, { key: 'endpoint_groups' });
  });

  app.post('/v3/OS-EP-FILTER/endpoint_groups', { schema: { body: createSchema } }, async (req, reply) => {
    authorize(deps, req, 'identity:create_endpoint_group');
    reply.code(201);
    return wrapMember(deps, PREFIX, 'endpoint_group', await ef.createEndpointGroup(body(req).endpoint_group as Record<string, unknown>));
  });

  app.get('/v3/OS-EP-FILTER/endpoint_groups/:endpoint_group_id', async (req) => {
    authorize(deps, req, 'identity:get_endpoint_group');
    return wrapMember(deps, PREFIX, 'endpoint_group', await ef.getEndpointGroup(params(req).endpoint_group_id!));
  });

  app.patch('/v3/OS-EP-FILTER/endpoint_groups/:endpoint_group_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_endpoint_group'); },
  }, async (req) => {
    const changes = body(req).endpoint_group as Record<string, unknown>;
    requireMatchingId(changes, params(req).endpoint_group_id);
    return wrapMember(deps, PREFIX, 'endpoint_group', await ef.updateEndpointGroup(params(req).endpoint_group_id!, changes));
  });

  app.delete('/v3/OS-EP-FILTER/endpoint_groups/:endpoint_group_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_endpoint_group');
    await ef.deleteEndpointGroup(params(req).endpoint_group_id!);
    reply.code(204).send();
  });

  app.get('/v3/OS-EP-FILTER/endpoint_groups/:endpoint_group_id/endpoints', async (req) => {
    authorize(deps, req, 'identity:list_endpoints_associated_with_endpoint_group');
    return wrapCollection(deps, req, 'endpoints', (await m.catalog.listEndpointsInGroup(params(req).endpoint_group_id!)).map(shown));
  });

  app.get('/v3/OS-EP-FILTER/endpoint_groups/:endpoint_group_id/projects', async (req) => {
    authorize(deps, req, 'identity:list_projects_associated_with_endpoint_group');
    const ids = await ef.listProjectIdsForEndpointGroup(params(req).endpoint_group_id!);
    return wrapCollection(deps, req, 'projects', await m.resource.listProjectsFromIds(ids));
  });

  const association = (groupId: string, projectId: string) => ({
    endpoint_group_id: groupId, project_id: projectId, links: { self: v3Url(deps, `${PREFIX}/${groupId}/projects/${projectId}`) },
  });
  app.get('/v3/OS-EP-FILTER/endpoint_groups/:endpoint_group_id/projects/:project_id', async (req) => {
    authorize(deps, req, 'identity:get_endpoint_group_in_project');
    const { endpoint_group_id: gid, project_id: pid } = params(req);
    await m.resource.getProject(pid!);
    await ef.getEndpointGroup(gid!);
    await ef.getEndpointGroupInProject(gid!, pid!);
    return { project_endpoint_group: association(gid!, pid!) };
  });
  app.put('/v3/OS-EP-FILTER/endpoint_groups/:endpoint_group_id/projects/:project_id', async (req, reply) => {
    authorize(deps, req, 'identity:add_endpoint_group_to_project');
    const { endpoint_group_id: gid, project_id: pid } = params(req);
    await m.resource.getProject(pid!);
    await ef.getEndpointGroup(gid!);
    await ef.addEndpointGroupToProject(gid!, pid!);
    reply.code(204).send();
  });
  app.delete('/v3/OS-EP-FILTER/endpoint_groups/:endpoint_group_id/projects/:project_id', async (req, reply) => {
    authorize(deps, req, 'identity:remove_endpoint_group_from_project');
    const { endpoint_group_id: gid, project_id: pid } = params(req);
    await m.resource.getProject(pid!);
    await ef.getEndpointGroup(gid!);
    await ef.removeEndpointGroupFromProject(gid!, pid!);
    reply.code(204).send();
  });

  app.get('/v3/OS-EP-FILTER/projects/:project_id/endpoint_groups', async (req) => {
    authorize(deps, req, 'identity:list_endpoint_groups_for_project');
    return wrapCollection(deps, req, PREFIX, await ef.listEndpointGroupsForProject(params(req).project_id!), undefined, { key: 'endpoint_groups' });
  });

  app.get('/v3/OS-EP-FILTER/projects/:project_id/endpoints', async (req) => {
    authorize(deps, req, 'identity:list_endpoints_for_project');
    await m.resource.getProject(params(req).project_id!);
    return wrapCollection(deps, req, 'endpoints', [...(await m.catalog.listEndpointsForProject(params(req).project_id!)).values()].map(shown));
  });

  app.get('/v3/OS-EP-FILTER/projects/:project_id/endpoints/:endpoint_id', async (req, reply) => {
    authorize(deps, req, 'identity:check_endpoint_in_project');
    await m.catalog.getEndpoint(params(req).endpoint_id!);
    await m.resource.getProject(params(req).project_id!);
    await ef.checkEndpointInProject(params(req).endpoint_id!, params(req).project_id!);
    reply.code(204).send();
  });
  app.put('/v3/OS-EP-FILTER/projects/:project_id/endpoints/:endpoint_id', async (req, reply) => {
    authorize(deps, req, 'identity:add_endpoint_to_project');
    await m.catalog.getEndpoint(params(req).endpoint_id!);
    await m.resource.getProject(params(req).project_id!);
    await ef.addEndpointToProject(params(req).endpoint_id!, params(req).project_id!);
    reply.code(204).send();
  });
  app.delete('/v3/OS-EP-FILTER/projects/:project_id/endpoints/:endpoint_id', async (req, reply) => {
    authorize(deps, req, 'identity:remove_endpoint_from_project');
    await ef.removeEndpointFromProject(params(req).endpoint_id!, params(req).project_id!);
    reply.code(204).send();
  });

  app.get('/v3/OS-EP-FILTER/endpoints/:endpoint_id/projects', async (req) => {
    authorize(deps, req, 'identity:list_projects_for_endpoint');
    await m.catalog.getEndpoint(params(req).endpoint_id!);
    return wrapCollection(deps, req, 'projects', await m.resource.listProjectsFromIds(await ef.listProjectIdsForEndpoint(params(req).endpoint_id!)));
  });
}
