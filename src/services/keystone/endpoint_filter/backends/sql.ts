/** The SQL endpoint filter driver: `project_endpoint`, `endpoint_group` and `project_endpoint_group`. */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../../../common/db/index.js';
import type { EndpointGroupTable, KeystoneDB } from '../../db/schema.js';
import { parseJsonObject } from '../../db/rows.js';
import { applyHints, type Hints } from '../../lib/hints.js';
import type { EndpointFilterDriver, EndpointGroupRecord } from './base.js';

const toRecord = (r: EndpointGroupTable): EndpointGroupRecord => ({
  id: r.id, name: r.name, description: r.description, filters: parseJsonObject(r.filters),
});

export class SqlEndpointFilterDriver implements EndpointFilterDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async addEndpointToProject(endpointId: string, projectId: string): Promise<void> {
    try {
      await this.db.insertInto('project_endpoint').values({ endpoint_id: endpointId, project_id: projectId }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async checkEndpointInProject(endpointId: string, projectId: string): Promise<boolean> {
    const row = await this.db.selectFrom('project_endpoint').select('project_id')
      .where('endpoint_id', '=', endpointId).where('project_id', '=', projectId).executeTakeFirst();
    return row !== undefined;
  }

  async removeEndpointFromProject(endpointId: string, projectId: string): Promise<void> {
    await this.db.deleteFrom('project_endpoint').where('endpoint_id', '=', endpointId).where('project_id', '=', projectId).execute();
  }

  async listProjectIdsForEndpoint(endpointId: string): Promise<string[]> {
    return (await this.db.selectFrom('project_endpoint').select('project_id').where('endpoint_id', '=', endpointId).execute()).map((r) => r.project_id);
  }

  async listEndpointIdsForProject(projectId: string): Promise<string[]> {
    return (await this.db.selectFrom('project_endpoint').select('endpoint_id').where('project_id', '=', projectId).execute()).map((r) => r.endpoint_id);
  }

  async deleteAssociationsByEndpoint(endpointId: string): Promise<void> {
    await this.db.deleteFrom('project_endpoint').where('endpoint_id', '=', endpointId).execute();
  }

  async deleteAssociationsByProject(projectId: string): Promise<void> {
    await this.db.deleteFrom('project_endpoint').where('project_id', '=', projectId).execute();
    await this.db.deleteFrom('project_endpoint_group').where('project_id', '=', projectId).execute();
  }

  async getEndpointGroup(groupId: string): Promise<EndpointGroupRecord | undefined> {
    const row = await this.db.selectFrom('endpoint_group').selectAll().where('id', '=', groupId).executeTakeFirst();
    // MariaDB compares ids case-insensitively.
    return row && row.id === groupId ? toRecord(row) : undefined;
  }

  async listEndpointGroups(hints: Hints): Promise<EndpointGroupRecord[]> {
    return applyHints((await this.db.selectFrom('endpoint_group').selectAll().orderBy('id').execute()).map(toRecord), hints);
  }

  async createEndpointGroup(g: EndpointGroupRecord): Promise<void> {
    await this.db.insertInto('endpoint_group').values({ id: g.id, name: g.name, description: g.description, filters: JSON.stringify(g.filters) }).execute();
  }

  async updateEndpointGroup(groupId: string, u: Omit<EndpointGroupRecord, 'id'>): Promise<void> {
    await this.db.updateTable('endpoint_group').set({ name: u.name, description: u.description, filters: JSON.stringify(u.filters) })
      .where('id', '=', groupId).execute();
  }

  async deleteEndpointGroup(groupId: string): Promise<void> {
    await this.db.deleteFrom('project_endpoint_group').where('endpoint_group_id', '=', groupId).execute();
    await this.db.deleteFrom('endpoint_group').where('id', '=', groupId).execute();
  }

  async addEndpointGroupToProject(groupId: string, projectId: string): Promise<void> {
    try {
      await this.db.insertInto('project_endpoint_group').values({ endpoint_group_id: groupId, project_id: projectId }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  async checkEndpointGroupInProject(groupId: string, projectId: string): Promise<boolean> {
    const row = await this.db.selectFrom('project_endpoint_group').selectAll()
      .where('endpoint_group_id', '=', groupId).where('project_id', '=', projectId).executeTakeFirst();
    return row !== undefined;
  }

  async removeEndpointGroupFromProject(groupId: string, projectId: string): Promise<void> {
    await this.db.deleteFrom('project_endpoint_group').where('endpoint_group_id', '=', groupId).where('project_id', '=', projectId).execute();
  }

  async listProjectIdsForEndpointGroup(groupId: string): Promise<string[]> {
    return (await this.db.selectFrom('project_endpoint_group').select('project_id').where('endpoint_group_id', '=', groupId).execute()).map((r) => r.project_id);
  }

  async listEndpointGroupIdsForProject(projectId: string): Promise<string[]> {
    return (await this.db.selectFrom('project_endpoint_group').select('endpoint_group_id').where('project_id', '=', projectId).execute())
      .map((r) => r.endpoint_group_id);
  }
}
