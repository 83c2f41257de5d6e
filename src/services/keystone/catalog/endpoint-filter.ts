/**
 * Endpoint filtering (OS-EP-FILTER, keystone/catalog/core.py and backends/sql.py): endpoints
 * associated with a project directly or through endpoint groups (filters on service_id,
 * region_id, interface). A project with associations sees only those endpoints in its
 * token catalog.
 */
import { NotFound } from '../../../common/errors.js';
import { isUniqueViolation } from '../../../common/db/index.js';
import { EndpointGroupNotFound, MissingAttribute, ValidationError } from '../errors.js';
import type { EndpointGroupTable } from '../db/schema.js';
import { jsonText, newId, parseJsonObject } from '../db/rows.js';
import { applyHints, Hints } from '../lib/hints.js';
import type { ManagerContext } from '../manager-context.js';
import type { EndpointRecord } from './catalog.js';

export interface EndpointGroupRecord {
  id: string;
  name: string;
  description: string | null;
  filters: Record<string, unknown>;
}

const VALID_FILTERS = ['service_id', 'region_id', 'interface'];

const toRecord = (r: EndpointGroupTable): EndpointGroupRecord => ({
  id: r.id, name: r.name, description: r.description, filters: parseJsonObject(r.filters),
});

export class EndpointFilterManager {
  constructor(private readonly ctx: ManagerContext) {}

  private get db() { return this.ctx.db; }

  /** _require_valid_filter. */
  private checkFilters(filters: unknown): void {
    for (const key of Object.keys((filters as Record<string, unknown>) ?? {})) {
      if (!VALID_FILTERS.includes(key)) throw new MissingAttribute(VALID_FILTERS.join(' or '), 'endpoint_group');
    }
  }

  async getEndpointGroup(id: string): Promise<EndpointGroupRecord> {
    const row = await this.db.selectFrom('endpoint_group').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.id !== id) throw new EndpointGroupNotFound(id);
    return toRecord(row);
  }

  async listEndpointGroups(hints: Hints = new Hints()): Promise<EndpointGroupRecord[]> {
    return applyHints((await this.db.selectFrom('endpoint_group').selectAll().orderBy('id').execute()).map(toRecord), hints);
  }

  async createEndpointGroup(input: Record<string, unknown>): Promise<EndpointGroupRecord> {
    const filters = input.filters as Record<string, unknown> | undefined;
    if (!filters || Object.keys(filters).length === 0) throw new ValidationError('filters field is required and cannot be empty');
    this.checkFilters(filters);
    const id = newId();
    await this.db.insertInto('endpoint_group').values({
      id, name: String(input.name), description: (input.description as string | null | undefined) ?? null, filters: JSON.stringify(filters),
    }).execute();
    return this.getEndpointGroup(id);
  }

  async updateEndpointGroup(id: string, changes: Record<string, unknown>): Promise<EndpointGroupRecord> {
    const current = await this.getEndpointGroup(id);
    if ('filters' in changes) this.checkFilters(changes.filters);
    await this.db.updateTable('endpoint_group').set({
      name: 'name' in changes ? String(changes.name) : current.name,
      description: 'description' in changes ? ((changes.description as string | null) ?? null) : current.description,
      filters: 'filters' in changes ? JSON.stringify(changes.filters ?? {}) : jsonText(current.filters) ?? '{}',
    }).where('id', '=', id).execute();
    return this.getEndpointGroup(id);
  }

  async deleteEndpointGroup(id: string): Promise<void> {
    await this.getEndpointGroup(id);
    await this.db.deleteFrom('project_endpoint_group').where('endpoint_group_id', '=', id).execute();
    await this.db.deleteFrom('endpoint_group').where('id', '=', id).execute();
  }

  /** Endpoints whose attributes equal every filter of the group. */
  async endpointsInGroup(id: string): Promise<EndpointRecord[]> {
    const { filters } = await this.getEndpointGroup(id);
    return (await this.ctx.managers.catalog.listEndpoints()).filter((e) => Object.entries(filters).every(([k, v]) => e[k] === v));
  }

  // Project <-> endpoint.

  async addEndpointToProject(endpointId: string, projectId: string): Promise<void> {
    try {
      await this.db.insertInto('project_endpoint').values({ endpoint_id: endpointId, project_id: projectId }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async checkEndpointInProject(endpointId: string, projectId: string): Promise<void> {
    const row = await this.db.selectFrom('project_endpoint').select('project_id')
      .where('endpoint_id', '=', endpointId).where('project_id', '=', projectId).executeTakeFirst();
    if (!row) throw new NotFound(`Endpoint ${endpointId} not found in project ${projectId}`);
  }

  async removeEndpointFromProject(endpointId: string, projectId: string): Promise<void> {
    await this.checkEndpointInProject(endpointId, projectId);
    await this.db.deleteFrom('project_endpoint').where('endpoint_id', '=', endpointId).where('project_id', '=', projectId).execute();
  }

  async listProjectIdsForEndpoint(endpointId: string): Promise<string[]> {
    return (await this.db.selectFrom('project_endpoint').select('project_id').where('endpoint_id', '=', endpointId).execute()).map((r) => r.project_id);
  }

  // Project <-> endpoint group.

  async addEndpointGroupToProject(groupId: string, projectId: string): Promise<void> {
    try {
      await this.db.insertInto('project_endpoint_group').values({ endpoint_group_id: groupId, project_id: projectId }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async getEndpointGroupInProject(groupId: string, projectId: string): Promise<{ endpoint_group_id: string; project_id: string }> {
    const row = await this.db.selectFrom('project_endpoint_group').selectAll()
      .where('endpoint_group_id', '=', groupId).where('project_id', '=', projectId).executeTakeFirst();
    if (!row) throw new NotFound('Endpoint Group Project Association not found');
    return row;
  }

  async removeEndpointGroupFromProject(groupId: string, projectId: string): Promise<void> {
    await this.getEndpointGroupInProject(groupId, projectId);
    await this.db.deleteFrom('project_endpoint_group').where('endpoint_group_id', '=', groupId).where('project_id', '=', projectId).execute();
  }

  async listProjectIdsForEndpointGroup(groupId: string): Promise<string[]> {
    return (await this.db.selectFrom('project_endpoint_group').select('project_id').where('endpoint_group_id', '=', groupId).execute()).map((r) => r.project_id);
  }

  async listEndpointGroupsForProject(projectId: string): Promise<EndpointGroupRecord[]> {
    await this.ctx.managers.resource.getProject(projectId);
    const ids = (await this.db.selectFrom('project_endpoint_group').select('endpoint_group_id').where('project_id', '=', projectId).execute())
      .map((r) => r.endpoint_group_id);
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('endpoint_group').selectAll().where('id', 'in', ids).orderBy('id').execute()).map(toRecord);
  }

  /** The endpoints of a project: direct associations plus its endpoint groups' (list_endpoints_for_project). */
  async listEndpointsForProject(projectId: string): Promise<Map<string, EndpointRecord>> {
    const out = new Map<string, EndpointRecord>();
    const direct = (await this.db.selectFrom('project_endpoint').select('endpoint_id').where('project_id', '=', projectId).execute()).map((r) => r.endpoint_id);
    const all = await this.ctx.managers.catalog.listEndpoints();
    for (const e of all) if (direct.includes(e.id)) out.set(e.id, e);
    const groupIds = (await this.db.selectFrom('project_endpoint_group').select('endpoint_group_id').where('project_id', '=', projectId).execute())
      .map((r) => r.endpoint_group_id);
    for (const gid of groupIds) {
      const group = await this.db.selectFrom('endpoint_group').selectAll().where('id', '=', gid).executeTakeFirst();
      if (!group) continue;
      const filters = parseJsonObject(group.filters);
      for (const e of all) if (!out.has(e.id) && Object.entries(filters).every(([k, v]) => e[k] === v)) out.set(e.id, e);
    }
    return out;
  }

  /** Clean-ups when a project or an endpoint goes away. */
  async deleteAssociationsForProject(projectId: string): Promise<void> {
    await this.db.deleteFrom('project_endpoint').where('project_id', '=', projectId).execute();
    await this.db.deleteFrom('project_endpoint_group').where('project_id', '=', projectId).execute();
  }

  async deleteAssociationsForEndpoint(endpointId: string): Promise<void> {
    await this.db.deleteFrom('project_endpoint').where('endpoint_id', '=', endpointId).execute();
  }
}
