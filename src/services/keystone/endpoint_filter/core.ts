/**
 * Endpoint filtering (OS-EP-FILTER, keystone/catalog/core.py): endpoints associated with a
 * project directly or through endpoint groups (filters on service_id, region_id, interface),
 * over an EndpointFilterDriver (backends/base.ts) chosen by `[endpoint_filter] driver`. A
 * project with associations sees only those endpoints in its token catalog (the
 * CatalogManager's business); a deleted project or endpoint loses its associations (callbacks, as
 * upstream's catalog Manager registers).
 */
import { NotFound } from '../../../common/errors.js';
import { EndpointGroupNotFound, MissingAttribute, ValidationError } from '../errors.js';
import { newId } from '../db/rows.js';
import { Hints } from '../lib/hints.js';
import type { KeystoneEvents } from '../events.js';
import type { ResourceManager } from '../resource/core.js';
import type { EndpointFilterDriver, EndpointGroupRecord } from './backends/base.js';

/** An endpoint group as the API creates or updates it. */
export interface EndpointGroupInput {
  name?: unknown;
  description?: string | null;
  filters?: Record<string, unknown> | null;
  [extra: string]: unknown;
}

const VALID_FILTERS = ['service_id', 'region_id', 'interface'];

export interface EndpointFilterManagerDeps {
  /** The projects of listings are checked against it. */
  resource: ResourceManager;
  events: KeystoneEvents;
}

export class EndpointFilterManager {
  constructor(private readonly driver: EndpointFilterDriver, private readonly deps: EndpointFilterManagerDeps) {
    deps.events.on('project.deleted', ({ projectId }) => driver.deleteAssociationsByProject(projectId));
    deps.events.on('endpoint.deleted', ({ endpointId }) => driver.deleteAssociationsByEndpoint(endpointId));
  }

  /** _require_valid_filter. */
  private checkFilters(filters: unknown): void {
    for (const key of Object.keys((filters as Record<string, unknown>) ?? {})) {
      if (!VALID_FILTERS.includes(key)) throw new MissingAttribute(VALID_FILTERS.join(' or '), 'endpoint_group');
    }
  }

  async getEndpointGroup(id: string): Promise<EndpointGroupRecord> {
    const group = await this.driver.getEndpointGroup(id);
    if (!group) throw new EndpointGroupNotFound(id);
    return group;
  }

  listEndpointGroups(hints: Hints = new Hints()): Promise<EndpointGroupRecord[]> {
    return this.driver.listEndpointGroups(hints);
  }

  async createEndpointGroup(input: EndpointGroupInput): Promise<EndpointGroupRecord> {
    const filters = input.filters as Record<string, unknown> | undefined;
    if (!filters || Object.keys(filters).length === 0) throw new ValidationError('filters field is required and cannot be empty');
    this.checkFilters(filters);
    const id = newId();
    await this.driver.createEndpointGroup({ id, name: String(input.name), description: (input.description as string | null | undefined) ?? null, filters });
    return this.getEndpointGroup(id);
  }

  async updateEndpointGroup(id: string, changes: EndpointGroupInput): Promise<EndpointGroupRecord> {
    const current = await this.getEndpointGroup(id);
    if ('filters' in changes) this.checkFilters(changes.filters);
    await this.driver.updateEndpointGroup(id, {
      name: 'name' in changes ? String(changes.name) : current.name,
      description: 'description' in changes ? ((changes.description as string | null) ?? null) : current.description,
      filters: 'filters' in changes ? ((changes.filters as Record<string, unknown> | null) ?? {}) : current.filters,
    });
    return this.getEndpointGroup(id);
  }

  async deleteEndpointGroup(id: string): Promise<void> {
    await this.getEndpointGroup(id);
    await this.driver.deleteEndpointGroup(id);
  }

  // Project <-> endpoint.

  addEndpointToProject(endpointId: string, projectId: string): Promise<void> {
    return this.driver.addEndpointToProject(endpointId, projectId);
  }

  async checkEndpointInProject(endpointId: string, projectId: string): Promise<void> {
    if (!(await this.driver.checkEndpointInProject(endpointId, projectId))) throw new NotFound(`Endpoint ${endpointId} not found in project ${projectId}`);
  }

  async removeEndpointFromProject(endpointId: string, projectId: string): Promise<void> {
    await this.checkEndpointInProject(endpointId, projectId);
    await this.driver.removeEndpointFromProject(endpointId, projectId);
  }

  listProjectIdsForEndpoint(endpointId: string): Promise<string[]> {
    return this.driver.listProjectIdsForEndpoint(endpointId);
  }

  /** The endpoints associated with the project directly. */
  listEndpointIdsForProject(projectId: string): Promise<string[]> {
    return this.driver.listEndpointIdsForProject(projectId);
  }

  // Project <-> endpoint group.

  addEndpointGroupToProject(groupId: string, projectId: string): Promise<void> {
    return this.driver.addEndpointGroupToProject(groupId, projectId);
  }

  async getEndpointGroupInProject(groupId: string, projectId: string): Promise<{ endpoint_group_id: string; project_id: string }> {
    if (!(await this.driver.checkEndpointGroupInProject(groupId, projectId))) throw new NotFound('Endpoint Group Project Association not found');
    return { endpoint_group_id: groupId, project_id: projectId };
  }

  async removeEndpointGroupFromProject(groupId: string, projectId: string): Promise<void> {
    await this.getEndpointGroupInProject(groupId, projectId);
    await this.driver.removeEndpointGroupFromProject(groupId, projectId);
  }

  listProjectIdsForEndpointGroup(groupId: string): Promise<string[]> {
    return this.driver.listProjectIdsForEndpointGroup(groupId);
  }

  /** The endpoint groups associated with the project, in association order (missing groups skipped). */
  async endpointGroupsOfProject(projectId: string): Promise<EndpointGroupRecord[]> {
    const groups: EndpointGroupRecord[] = [];
    for (const id of await this.driver.listEndpointGroupIdsForProject(projectId)) {
      const group = await this.driver.getEndpointGroup(id);
      if (group) groups.push(group);
    }
    return groups;
  }

  /** GET /v3/OS-EP-FILTER/projects/{id}/endpoint_groups: the project's groups by id. */
  async listEndpointGroupsForProject(projectId: string): Promise<EndpointGroupRecord[]> {
    await this.deps.resource.getProject(projectId);
    return (await this.endpointGroupsOfProject(projectId)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
