/**
 * The SQL resource driver (keystone/resource/backends/sql.py): projects and domains in one
 * `project` table (domains have is_domain set and the NULL_DOMAIN_ID sentinel as domain_id),
 * tags in `project_tag`.
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../../../common/db/index.js';
import { duplicateEntry, KeystoneConflict, ProjectNotFound } from '../../errors.js';
import { b01, type KeystoneDB, NULL_DOMAIN_ID, type ProjectRow } from '../../db/schema.js';
import { bool, jsonText, parseJsonObject } from '../../db/rows.js';
import { applyHints, attrAsBoolean, type Hints } from '../../lib/hints.js';
import type { ProjectCreate, ProjectRecord, ProjectUpdate, ResourceDriver } from './base.js';

const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'] as const;
type TagFilters = Partial<Record<(typeof TAG_FILTERS)[number], string[]>>;

/** upstream list_projects_by_tags, on one project's tags. */
function matchesTags(tags: string[], f: TagFilters): boolean {
  const has = (t: string): boolean => tags.includes(t);
  if (f.tags && !f.tags.every(has)) return false;
  if (f['tags-any'] && !f['tags-any'].some(has)) return false;
  if (f['not-tags'] && f['not-tags'].every(has)) return false;
  if (f['not-tags-any'] && f['not-tags-any'].some(has)) return false;
  return true;
}

export class SqlResourceDriver implements ResourceDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  private async toRecords(rows: ProjectRow[]): Promise<ProjectRecord[]> {
    if (rows.length === 0) return [];
    const tagRows = await this.db.selectFrom('project_tag').selectAll()
      .where('project_id', 'in', rows.map((r) => r.id)).orderBy('name').execute();
    const tags = new Map<string, string[]>();
    for (const t of tagRows) tags.set(t.project_id, [...(tags.get(t.project_id) ?? []), t.name]);
    return rows.map((r) => ({
      ...parseJsonObject(r.extra),
      id: r.id,
      name: r.name,
      domain_id: r.domain_id === NULL_DOMAIN_ID ? null : r.domain_id,
      description: r.description ?? '',
      enabled: bool(r.enabled),
      parent_id: r.parent_id,
      is_domain: bool(r.is_domain),
      tags: tags.get(r.id) ?? [],
      options: parseJsonObject(r.options),
    }));
  }

  async getProject(projectId: string): Promise<ProjectRecord | undefined> {
    const row = await this.db.selectFrom('project').selectAll().where('id', '=', projectId).executeTakeFirst();
    // MariaDB compares ids case-insensitively.
    if (!row || row.id !== projectId) return undefined;
    return (await this.toRecords([row]))[0];
  }

  async getProjectByName(name: string, domainId: string | null): Promise<ProjectRecord | undefined> {
    const row = await this.db.selectFrom('project').selectAll()
      .where('name', '=', name).where('domain_id', '=', domainId ?? NULL_DOMAIN_ID).executeTakeFirst();
    return row ? (await this.toRecords([row]))[0] : undefined;
  }

  /** Exact domain_id, name, enabled, parent_id, is_domain in SQL, the tag filters and the rest in memory. */
  async listProjects(hints: Hints): Promise<ProjectRecord[]> {
    let q = this.db.selectFrom('project').selectAll();
    const domainId = hints.take('domain_id');
    if (domainId !== undefined) q = q.where('domain_id', '=', domainId === 'None' || domainId === '' ? NULL_DOMAIN_ID : domainId);
    const name = hints.take('name');
    if (name !== undefined) q = q.where('name', '=', name);
    const parentId = hints.take('parent_id');
    if (parentId !== undefined) q = q.where('parent_id', '=', parentId);
    const isDomain = hints.take('is_domain');
    if (isDomain !== undefined) q = q.where('is_domain', '=', b01(attrAsBoolean(isDomain)));
    const enabled = hints.take('enabled');
    if (enabled !== undefined) q = q.where('enabled', '=', b01(attrAsBoolean(enabled)));
    const tagFilters: TagFilters = {};
    for (const t of TAG_FILTERS) {
      const v = hints.take(t);
      if (v !== undefined) tagFilters[t] = v.split(',');
    }
    let refs = await this.toRecords(await q.orderBy('id').execute());
    if (Object.keys(tagFilters).length > 0) refs = refs.filter((r) => matchesTags(r.tags, tagFilters));
    return applyHints(refs, hints);
  }

  async listProjectsFromIds(ids: string[]): Promise<ProjectRecord[]> {
    if (ids.length === 0) return [];
    return this.toRecords(await this.db.selectFrom('project').selectAll().where('id', 'in', ids).orderBy('id').execute());
  }

  async listProjectsInDomain(domainId: string): Promise<ProjectRecord[]> {
    return this.toRecords(await this.db.selectFrom('project').selectAll().where('domain_id', '=', domainId).execute());
  }

  private async children(ids: string[]): Promise<ProjectRecord[]> {
    if (ids.length === 0) return [];
    return this.toRecords(await this.db.selectFrom('project').selectAll().where('parent_id', 'in', ids).orderBy('id').execute());
  }

  async listProjectParents(project: ProjectRecord): Promise<ProjectRecord[]> {
    const parents: ProjectRecord[] = [];
    const seen = new Set<string>([project.id]);
    let current = project;
    while (current.parent_id) {
      if (seen.has(current.parent_id)) break;
      seen.add(current.parent_id);
      const parent = await this.getProject(current.parent_id);
      if (!parent) throw new ProjectNotFound(current.parent_id);
      parents.push(parent);
      current = parent;
    }
    return parents;
  }

  async listProjectsInSubtree(projectId: string): Promise<ProjectRecord[]> {
    const subtree: ProjectRecord[] = [];
    const seen = new Set<string>([projectId]);
    let level = await this.children([projectId]);
    while (level.length > 0) {
      const fresh = level.filter((p) => !seen.has(p.id));
      for (const p of fresh) seen.add(p.id);
      subtree.push(...fresh);
      level = await this.children(fresh.map((p) => p.id));
    }
    return subtree;
  }

  async isLeafProject(projectId: string): Promise<boolean> {
    const row = await this.db.selectFrom('project').select('id').where('parent_id', '=', projectId).executeTakeFirst();
    return row === undefined;
  }

  async createProject(p: ProjectCreate): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('project').values({
          id: p.id,
          name: p.name,
          domain_id: p.domain_id ?? NULL_DOMAIN_ID,
          description: p.description,
          enabled: p.enabled,
          extra: jsonText(p.extra),
          parent_id: p.parent_id,
          is_domain: p.is_domain,
          options: jsonText(p.options),
        }).execute();
        for (const tag of new Set(p.tags)) await trx.insertInto('project_tag').values({ project_id: p.id, name: tag }).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('project', duplicateEntry('name', p.name));
      throw err;
    }
  }

  async updateProject(projectId: string, u: ProjectUpdate): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('project').set({
          name: u.name, description: u.description, enabled: u.enabled, extra: jsonText(u.extra), options: jsonText(u.options),
        }).where('id', '=', projectId).execute();
        if (u.tags) {
          await trx.deleteFrom('project_tag').where('project_id', '=', projectId).execute();
          for (const tag of new Set(u.tags)) await trx.insertInto('project_tag').values({ project_id: projectId, name: tag }).execute();
        }
        if (u.cascadeTo && u.cascadeTo.length > 0) {
          await trx.updateTable('project').set({ enabled: u.enabled }).where('id', 'in', u.cascadeTo).execute();
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('project', duplicateEntry('name', u.name));
      throw err;
    }
  }

  async deleteProject(projectId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('project_tag').where('project_id', '=', projectId).execute();
      await trx.deleteFrom('project').where('id', '=', projectId).execute();
    });
  }

  async addProjectTag(projectId: string, tag: string): Promise<void> {
    await this.db.insertInto('project_tag').values({ project_id: projectId, name: tag }).execute();
  }

  async replaceProjectTags(projectId: string, tags: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('project_tag').where('project_id', '=', projectId).execute();
      for (const name of new Set(tags)) await trx.insertInto('project_tag').values({ project_id: projectId, name }).execute();
    });
  }

  async deleteProjectTag(projectId: string, tag: string): Promise<void> {
    await this.db.deleteFrom('project_tag').where('project_id', '=', projectId).where('name', '=', tag).execute();
  }
}
