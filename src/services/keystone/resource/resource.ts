/**
 * Domains and projects (keystone/resource/core.py). Domains are projects with is_domain set;
 * a regular project has a domain and a parent (its domain for a top-level project). The rules
 * are upstream's: hierarchy depth, enabled parents, disabled subtree before disable/delete,
 * leaf-only delete unless cascading, domains disabled before deletion, immutable resources,
 * and the events that revoke tokens.
 */
import { isUniqueViolation } from '../../../common/db/index.js';
import {
  DomainNotFound, ForbiddenNotSecurity, KeystoneConflict, ProjectNotFound, ProjectTagNotFound, ResourceUpdateForbidden,
  ValidationError,
} from '../errors.js';
import { b01, NULL_DOMAIN_ID, type ProjectRow } from '../db/schema.js';
import { bool, jsonText, parseJsonObject } from '../db/rows.js';
import { applyHints, attrAsBoolean, Hints } from '../lib/hints.js';
import { checkImmutableDelete, checkImmutableUpdate, isImmutable, mergeOptions } from '../lib/resource-options.js';
import type { ManagerContext } from '../manager-context.js';

export interface ProjectRecord {
  id: string;
  name: string;
  domain_id: string | null;
  description: string;
  enabled: boolean;
  parent_id: string | null;
  is_domain: boolean;
  tags: string[];
  options: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface DomainRecord {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  options: Record<string, unknown>;
  [extra: string]: unknown;
}

/** Attributes stored in columns; anything else a client sends is kept in `extra`. */
const PROJECT_ATTRS = new Set(['id', 'name', 'domain_id', 'description', 'enabled', 'parent_id', 'is_domain', 'tags', 'options']);
const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'] as const;
const URL_RESERVED_CHARS = ":/?#[]@!$&'()*+,;=";

function unsafeChars(name: string): string {
  return [...name].filter((c) => URL_RESERVED_CHARS.includes(c)).join('');
}

/** Body booleans may be "true"/"False" strings (parameter_types.boolean). */
export function toBoolean(v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  return attrAsBoolean(String(v));
}

export function domainFromProject(p: ProjectRecord): DomainRecord {
  const { parent_id: _p, domain_id: _d, is_domain: _i, ...rest } = p;
  return rest as DomainRecord;
}

export class ResourceManager {
  constructor(private readonly ctx: ManagerContext) {}

  private get db() { return this.ctx.db; }

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

  /** A project or domain by id, or undefined. */
  async findProject(projectId: string): Promise<ProjectRecord | undefined> {
    const row = await this.db.selectFrom('project').selectAll().where('id', '=', projectId).executeTakeFirst();
    if (!row || row.id !== projectId) return undefined;
    return (await this.toRecords([row]))[0];
  }

  async getProject(projectId: string): Promise<ProjectRecord> {
    const p = await this.findProject(projectId);
    if (!p) throw new ProjectNotFound(projectId);
    return p;
  }

  /** By name in a domain; `domainId` null looks among domains. */
  async findProjectByName(name: string, domainId: string | null): Promise<ProjectRecord | undefined> {
    const row = await this.db.selectFrom('project').selectAll()
      .where('name', '=', name).where('domain_id', '=', domainId ?? NULL_DOMAIN_ID).executeTakeFirst();
    return row ? (await this.toRecords([row]))[0] : undefined;
  }

  async getProjectByName(name: string, domainId: string | null): Promise<ProjectRecord> {
    const p = await this.findProjectByName(name, domainId);
    if (!p) throw new ProjectNotFound(name);
    return p;
  }

  async findDomain(domainId: string): Promise<DomainRecord | undefined> {
    const p = await this.findProject(domainId);
    return p?.is_domain ? domainFromProject(p) : undefined;
  }

  async getDomain(domainId: string): Promise<DomainRecord> {
    const d = await this.findDomain(domainId);
    if (!d) throw new DomainNotFound(domainId);
    return d;
  }

  async findDomainByName(name: string): Promise<DomainRecord | undefined> {
    const p = await this.findProjectByName(name, null);
    return p ? domainFromProject(p) : undefined;
  }

  async getDomainByName(name: string): Promise<DomainRecord> {
    const d = await this.findDomainByName(name);
    if (!d) throw new DomainNotFound(name);
    return d;
  }

  /**
   * Projects matching the hints: exact domain_id, name, enabled, parent_id, is_domain in SQL,
   * the tag filters (tags, tags-any, not-tags, not-tags-any), the rest in memory.
   */
  async listProjects(hints: Hints = new Hints()): Promise<ProjectRecord[]> {
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
    const tagFilters: Partial<Record<(typeof TAG_FILTERS)[number], string[]>> = {};
    for (const t of TAG_FILTERS) {
      const v = hints.take(t);
      if (v !== undefined) tagFilters[t] = v.split(',');
    }
    let refs = await this.toRecords(await q.orderBy('id').execute());
    if (Object.keys(tagFilters).length > 0) refs = refs.filter((r) => matchesTags(r.tags, tagFilters));
    return applyHints(refs, hints);
  }

  async listDomains(hints: Hints = new Hints()): Promise<DomainRecord[]> {
    hints.add('is_domain', '1');
    return (await this.listProjects(hints)).map(domainFromProject);
  }

  async listProjectsFromIds(ids: string[]): Promise<ProjectRecord[]> {
    if (ids.length === 0) return [];
    return this.toRecords(await this.db.selectFrom('project').selectAll().where('id', 'in', ids).orderBy('id').execute());
  }

  async listDomainsFromIds(ids: string[]): Promise<DomainRecord[]> {
    return (await this.listProjectsFromIds(ids)).filter((p) => p.is_domain).map(domainFromProject);
  }

  /** Every project whose domain is `domainId` (not the domain itself). */
  async listProjectsInDomain(domainId: string): Promise<ProjectRecord[]> {
    await this.getDomain(domainId);
    return this.toRecords(await this.db.selectFrom('project').selectAll().where('domain_id', '=', domainId).execute());
  }

  private async children(ids: string[]): Promise<ProjectRecord[]> {
    if (ids.length === 0) return [];
    return this.toRecords(await this.db.selectFrom('project').selectAll().where('parent_id', 'in', ids).orderBy('id').execute());
  }

  async isLeafProject(projectId: string): Promise<boolean> {
    const row = await this.db.selectFrom('project').select('id').where('parent_id', '=', projectId).executeTakeFirst();
    return row === undefined;
  }

  /** Parents from the direct parent up to the domain. */
  async listProjectParents(projectId: string): Promise<ProjectRecord[]> {
    let project = await this.getProject(projectId);
    const parents: ProjectRecord[] = [];
    const seen = new Set<string>([project.id]);
    while (project.parent_id) {
      if (seen.has(project.parent_id)) break;
      seen.add(project.parent_id);
      project = await this.getProject(project.parent_id);
      parents.push(project);
    }
    return parents;
  }

  /** All descendants, breadth first. */
  async listProjectsInSubtree(projectId: string): Promise<ProjectRecord[]> {
    await this.getProject(projectId);
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

  /** {parent: {grandparent: null}} up to the top (get_project_parents_as_ids). */
  async parentsAsIds(project: ProjectRecord): Promise<Record<string, unknown> | null> {
    const byId = new Map((await this.listProjectParents(project.id)).map((p) => [p.id, p]));
    const up = (p: ProjectRecord): Record<string, unknown> | null => {
      if (!p.parent_id) return null;
      const parent = byId.get(p.parent_id);
      return { [p.parent_id]: parent ? up(parent) : null };
    };
    return up(project);
  }

  /** {child: {grandchild: null}} (get_projects_in_subtree_as_ids). */
  async subtreeAsIds(projectId: string): Promise<Record<string, unknown> | null> {
    const byParent = new Map<string, ProjectRecord[]>();
    for (const p of await this.listProjectsInSubtree(projectId)) {
      if (p.parent_id) byParent.set(p.parent_id, [...(byParent.get(p.parent_id) ?? []), p]);
    }
    const down = (id: string): Record<string, unknown> | null => {
      const kids = byParent.get(id);
      if (!kids) return null;
      return Object.fromEntries(kids.map((k) => [k.id, down(k.id)]));
    };
    return down(projectId);
  }

  private checkName(kind: 'Project' | 'Domain', name: string): void {
    const mode = kind === 'Project' ? this.ctx.config.resource.project_name_url_safe : this.ctx.config.resource.domain_name_url_safe;
    if (mode === 'off') return;
    const chars = unsafeChars(name);
    if (chars) throw new ValidationError(`${kind} name cannot contain the following reserved characters: ${chars}`);
  }

  private conflictMessage(p: { is_domain: boolean; name: string; id: string }): string {
    return p.is_domain
      ? `it is not permitted to have two projects acting as domains with the same name: ${p.name}`
      : `it is not permitted to have two projects with either the same name or same id in the same domain: name is ${p.name}, project id ${p.id}`;
  }

  /**
   * Creates a project (or, with is_domain, a domain). `input` holds the API attributes;
   * unknown ones are kept as extra attributes. domain_id must already be normalized.
   */
  async createProject(projectId: string, input: Record<string, unknown>): Promise<ProjectRecord> {
    const isDomain = toBoolean(input.is_domain, false);
    const name = String(input.name ?? '').trim();
    this.checkName(isDomain ? 'Domain' : 'Project', String(input.name ?? ''));
    const domainId = isDomain ? null : ((input.domain_id as string | null | undefined) ?? null);
    const parentId = isDomain ? null : ((input.parent_id as string | null | undefined) || domainId);
    if (isDomain && input.parent_id) throw new ValidationError('only root projects are allowed to act as domains.');
    if (!isDomain) {
      if (!domainId) throw new ValidationError('Project field is required and cannot be empty.');
      const domain = await this.getDomain(domainId);
      const parent = await this.getProject(parentId!);
      if (parent.is_domain && parent.id !== domain.id) {
        throw new ValidationError(`Cannot create project, the parent (${parent.id}) is acting as a domain, but this project's domain id (${domain.id}) does not match the parent's id.`);
      }
      if (!parent.is_domain && parent.domain_id !== domain.id) {
        throw new ValidationError(`Cannot create project, since it specifies its domain_id ${domain.id}, but specifies a parent in a different domain (${parent.domain_id}).`);
      }
      const chain = [...(await this.listProjectParents(parent.id)), parent];
      for (const ref of chain) {
        if (!ref.enabled) throw new ValidationError(`cannot create a project in a branch containing a disabled project: ${ref.id}`);
      }
      this.assertMaxDepth(parent.id, chain.length);
    }
    const extra = Object.fromEntries(Object.entries(input).filter(([k]) => !PROJECT_ATTRS.has(k)));
    const tags = Array.isArray(input.tags) ? (input.tags as string[]).map((t) => String(t).trim()) : [];
    const record = {
      id: projectId,
      name,
      domain_id: domainId,
      description: (input.description as string | null | undefined) ?? '',
      enabled: toBoolean(input.enabled, true),
      parent_id: parentId,
      is_domain: isDomain,
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('project').values({
          id: record.id,
          name: record.name,
          domain_id: record.domain_id ?? NULL_DOMAIN_ID,
          description: record.description,
          enabled: record.enabled,
          extra: jsonText(extra),
          parent_id: record.parent_id,
          is_domain: record.is_domain,
          options: jsonText(mergeOptions({}, input.options as Record<string, unknown> | undefined)),
        }).execute();
        for (const tag of new Set(tags)) await trx.insertInto('project_tag').values({ project_id: projectId, name: tag }).execute();
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('project', this.conflictMessage(record));
      throw err;
    }
    this.ctx.audit.created(isDomain ? 'domain' : 'project', projectId);
    return this.getProject(projectId);
  }

  /** Depth (parents + 1) may not exceed max_project_tree_depth + 1 (the domain counts). */
  private assertMaxDepth(projectId: string, parents: number): void {
    let max = this.ctx.config.resource.max_project_tree_depth + 1;
    if (this.ctx.config.unifiedLimit.enforcement_model === 'strict_two_level') max = Math.min(max, 3);
    if (parents + 1 > max) throw new ForbiddenNotSecurity(`Max hierarchy depth reached for ${projectId} branch.`);
  }

  async createDomain(domainId: string, input: Record<string, unknown>): Promise<DomainRecord> {
    const p = await this.createProject(domainId, { ...input, is_domain: true, domain_id: null, parent_id: null });
    return domainFromProject(p);
  }

  /**
   * Updates a project or domain. `cascade` applies an enabled change to the whole subtree
   * (only `enabled` may change then).
   */
  async updateProject(projectId: string, changes: Record<string, unknown>, cascade = false): Promise<ProjectRecord> {
    const original = await this.getProject(projectId);
    const kind = original.is_domain ? 'domain' : 'project';
    if ('domain_id' in changes && changes.domain_id !== original.domain_id) throw new ValidationError('Cannot change Domain ID');
    checkImmutableUpdate(original, changes, kind, projectId);
    const update: Record<string, unknown> = { ...changes };
    if ('name' in update && update.name !== original.name) {
      this.checkName(original.is_domain ? 'Domain' : 'Project', String(update.name));
      update.name = String(update.name).trim();
    }
    if ('parent_id' in update && update.parent_id !== original.parent_id) throw new ForbiddenNotSecurity('Update of `parent_id` is not allowed.');
    if ('is_domain' in update && toBoolean(update.is_domain, false) !== original.is_domain) {
      throw new ValidationError('Update of `is_domain` is not allowed.');
    }
    const wasEnabled = original.enabled;
    const enabled = 'enabled' in update ? toBoolean(update.enabled, true) : wasEnabled;
    if (!wasEnabled && enabled) {
      for (const p of await this.listProjectParents(projectId)) {
        if (!p.enabled) throw new ForbiddenNotSecurity(`Cannot enable project ${projectId} since it has disabled parents`);
      }
    }
    const subtree = cascade || (wasEnabled && !enabled && !original.is_domain) ? await this.listProjectsInSubtree(projectId) : [];
    if (wasEnabled && !enabled && !original.is_domain && !cascade && subtree.some((p) => p.enabled)) {
      throw new ForbiddenNotSecurity(`Cannot disable project ${projectId} since its subtree contains enabled projects.`);
    }
    if (cascade) {
      for (const [k, v] of Object.entries(update)) {
        if (k !== 'enabled' && JSON.stringify(v) !== JSON.stringify(original[k])) {
          throw new ValidationError('Cascade update is only allowed for enabled attribute.');
        }
      }
    }

    const extraChanges = Object.fromEntries(Object.entries(update).filter(([k]) => !PROJECT_ATTRS.has(k)));
    const extra = { ...Object.fromEntries(Object.entries(original).filter(([k]) => !PROJECT_ATTRS.has(k))), ...extraChanges };
    const name = 'name' in update ? String(update.name) : original.name;
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('project').set({
          name,
          description: 'description' in update ? ((update.description as string | null) ?? null) : original.description,
          enabled,
          extra: jsonText(extra),
          options: jsonText(mergeOptions(original.options, update.options as Record<string, unknown> | undefined)),
        }).where('id', '=', projectId).execute();
        if (Array.isArray(update.tags)) {
          await trx.deleteFrom('project_tag').where('project_id', '=', projectId).execute();
          for (const tag of new Set((update.tags as unknown[]).map((t) => String(t).trim()))) {
            await trx.insertInto('project_tag').values({ project_id: projectId, name: tag }).execute();
          }
        }
        if (cascade) {
          const ids = subtree.filter((c) => c.enabled !== enabled).map((c) => c.id);
          if (ids.length > 0) await trx.updateTable('project').set({ enabled }).where('id', 'in', ids).execute();
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeystoneConflict('project', this.conflictMessage({ ...original, name }));
      throw err;
    }
    // As upstream: a domain is a project too; disabling shows on the bus as an update.
    this.ctx.audit.updated('project', projectId);
    if (original.is_domain) this.ctx.audit.updated('domain', projectId);

    if (wasEnabled && !enabled) {
      if (original.is_domain) {
        await this.ctx.events.emit('domain.disabled', { domainId: projectId });
      } else {
        await this.ctx.events.emit('project.disabled', { projectId });
      }
      if (cascade) {
        for (const child of subtree.filter((c) => c.enabled)) await this.ctx.events.emit('project.disabled', { projectId: child.id });
      }
    }
    return this.getProject(projectId);
  }

  async updateDomain(domainId: string, changes: Record<string, unknown>): Promise<DomainRecord> {
    await this.getDomain(domainId);
    return domainFromProject(await this.updateProject(domainId, changes));
  }

  /** Deletes a project (or a whole disabled subtree with cascade) or, for a domain, the domain. */
  async deleteProject(projectId: string, cascade = false): Promise<void> {
    const project = await this.getProject(projectId);
    if (project.is_domain) return this.deleteDomainProject(project);
    await this.deleteRegularProject(project, cascade);
  }

  private async deleteRegularProject(project: ProjectRecord, cascade: boolean): Promise<void> {
    checkImmutableDelete(project, 'project', project.id);
    if (project.is_domain && project.enabled) {
      throw new ValidationError(`cannot delete an enabled project acting as a domain. Please disable the project ${project.id} first.`);
    }
    if (!cascade && !(await this.isLeafProject(project.id))) {
      throw new ForbiddenNotSecurity(`Cannot delete the project ${project.id} since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.`);
    }
    let victims = [project];
    if (cascade) {
      const subtree = (await this.listProjectsInSubtree(project.id)).reverse();
      if (subtree.some((p) => p.enabled)) {
        throw new ForbiddenNotSecurity(`Cannot delete project ${project.id} since its subtree contains enabled projects.`);
      }
      victims = [...subtree, project];
    }
    for (const p of victims) {
      await this.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('project_tag').where('project_id', '=', p.id).execute();
        await trx.deleteFrom('project').where('id', '=', p.id).execute();
      });
      await this.cleanupDeletedProject(p.id);
    }
  }

  /** What upstream's _post_delete_cleanup_project and its listeners do. */
  private async cleanupDeletedProject(projectId: string): Promise<void> {
    const m = this.ctx.managers;
    await m.assignments.deleteProjectAssignments(projectId);
    await m.credentials.deleteCredentialsForProject(projectId);
    await m.limits.deleteLimitsForProject(projectId);
    await m.users.unsetDefaultProject(projectId);
    await m.endpointFilter.deleteAssociationsForProject(projectId);
    this.ctx.audit.deleted('project', projectId);
    await this.ctx.events.emit('project.deleted', { projectId });
  }

  async deleteDomain(domainId: string): Promise<void> {
    const project = await this.findProject(domainId);
    if (!project?.is_domain) throw new DomainNotFound(domainId);
    await this.deleteDomainProject(project);
  }

  private async deleteDomainProject(domain: ProjectRecord): Promise<void> {
    checkImmutableDelete(domain, 'domain', domain.id);
    if (domain.enabled) throw new ForbiddenNotSecurity('Cannot delete a domain that is enabled, please disable it first.');
    // Delete the projects of the domain from the leaves up, then its users and groups.
    const projects = await this.listProjectsInDomain(domain.id);
    const examined = new Set<string>();
    const remove = async (p: ProjectRecord): Promise<void> => {
      if (examined.has(p.id)) return;
      examined.add(p.id);
      for (const child of projects.filter((c) => c.parent_id === p.id)) await remove(child);
      await this.deleteRegularProject(p, false);
    };
    for (const root of projects.filter((p) => p.parent_id === domain.id)) await remove(root);
    const m = this.ctx.managers;
    await m.groups.deleteGroupsInDomain(domain.id);
    await m.users.deleteUsersInDomain(domain.id);
    await m.assignments.deleteDomainAssignments(domain.id);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('project_tag').where('project_id', '=', domain.id).execute();
      await trx.deleteFrom('project').where('id', '=', domain.id).execute();
    });
    await m.assignments.deleteProjectAssignments(domain.id);
    await m.domainConfigs.deleteDomainConfig(domain.id);
    this.ctx.audit.deleted('project', domain.id);
    this.ctx.audit.deleted('domain', domain.id);
    await this.ctx.events.emit('domain.deleted', { domainId: domain.id });
  }

  /** Project tags. */
  async listProjectTags(projectId: string): Promise<string[]> {
    return (await this.getProject(projectId)).tags;
  }

  async checkProjectTag(projectId: string, tag: string): Promise<void> {
    if (!(await this.getProject(projectId)).tags.includes(tag)) throw new ProjectTagNotFound(tag);
  }

  async addProjectTag(projectId: string, tag: string): Promise<string> {
    const project = await this.getProject(projectId);
    if (isImmutable(project)) {
      throw new ResourceUpdateForbidden('project', projectId, `Cannot create project tags for ${projectId}, project is immutable. Set "immutable" option to false before creating project tags.`);
    }
    const name = tag.trim();
    if (!project.tags.includes(name)) {
      await this.db.insertInto('project_tag').values({ project_id: projectId, name }).execute();
      this.ctx.audit.created('project tag', name);
    }
    return name;
  }

  async replaceProjectTags(projectId: string, tags: string[]): Promise<string[]> {
    const project = await this.getProject(projectId);
    if (isImmutable(project)) {
      throw new ResourceUpdateForbidden('project', projectId, `Cannot update project tags for ${projectId}, project is immutable. Set "immutable" option to false before creating project tags.`);
    }
    const list = tags.map((t) => t.trim());
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('project_tag').where('project_id', '=', projectId).execute();
      for (const name of new Set(list)) await trx.insertInto('project_tag').values({ project_id: projectId, name }).execute();
    });
    return list;
  }

  async deleteProjectTag(projectId: string, tag: string): Promise<void> {
    const project = await this.getProject(projectId);
    if (isImmutable(project)) {
      throw new ResourceUpdateForbidden('project', projectId, `Cannot delete project tags for ${projectId}, project is immutable. Set "immutable" option to false before creating project tags.`);
    }
    if (!project.tags.includes(tag)) throw new ProjectTagNotFound(tag);
    await this.db.deleteFrom('project_tag').where('project_id', '=', projectId).where('name', '=', tag).execute();
    this.ctx.audit.deleted('project tag', tag);
  }
}

/** upstream list_projects_by_tags, on one project's tags. */
function matchesTags(tags: string[], f: Partial<Record<(typeof TAG_FILTERS)[number], string[]>>): boolean {
  const has = (t: string): boolean => tags.includes(t);
  if (f.tags && !f.tags.every(has)) return false;
  if (f['tags-any'] && !f['tags-any'].some(has)) return false;
  if (f['not-tags'] && f['not-tags'].every(has)) return false;
  if (f['not-tags-any'] && f['not-tags-any'].some(has)) return false;
  return true;
}
