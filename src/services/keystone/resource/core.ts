/**
 * Domains and projects (keystone/resource/core.py Manager), over a ResourceDriver. Domains are
 * projects with is_domain set; a regular project has a domain and a parent (its domain for a
 * top-level project). The rules are upstream's: hierarchy depth, enabled parents, disabled
 * subtree before disable/delete, leaf-only delete unless cascading, domains disabled before
 * deletion, immutable resources. What other subsystems keep about a deleted project or domain
 * is removed by their callbacks on `project.deleted`, `domain.deleting` (users and groups) and
 * `domain.deleted`; disabling or deleting emits the events that revoke tokens.
 */
import type { ResourceConfig } from '../config.js';
import {
  DomainNotFound, ForbiddenNotSecurity, KeystoneConflict, ProjectNotFound, ProjectTagNotFound, ResourceUpdateForbidden,
  ValidationError,
} from '../errors.js';
import { extraAttributes } from '../lib/extra-attributes.js';
import { toBoolean } from '../lib/booleans.js';
import { Hints } from '../lib/hints.js';
import { checkImmutableDelete, checkImmutableUpdate, isImmutable, mergeOptions } from '../lib/resource-options.js';
import type { KeystoneEvents } from '../events.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { DomainRecord, ProjectRecord, ResourceDriver } from './backends/base.js';
import type { DomainConfigManager } from './domain-configs.js';

/** Attributes stored in columns; anything else a client sends is kept in `extra`. */
const PROJECT_ATTRS = new Set(['id', 'name', 'domain_id', 'description', 'enabled', 'parent_id', 'is_domain', 'tags', 'options']);
const URL_RESERVED_CHARS = ":/?#[]@!$&'()*+,;=";

function unsafeChars(name: string): string {
  return [...name].filter((c) => URL_RESERVED_CHARS.includes(c)).join('');
}

const extraOf = (ref: Record<string, unknown>): Record<string, unknown> => extraAttributes(ref, PROJECT_ATTRS);

export function domainFromProject(p: ProjectRecord): DomainRecord {
  const { parent_id: _p, domain_id: _d, is_domain: _i, ...rest } = p;
  return rest as DomainRecord;
}

/** A project or domain as the API creates it: the known attributes plus any extra ones. */
export interface ProjectInput {
  name?: unknown;
  domain_id?: string | null;
  parent_id?: string | null;
  is_domain?: unknown;
  description?: string | null;
  enabled?: unknown;
  tags?: unknown;
  options?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface ResourceManagerDeps {
  /** [resource] and [unified_limit] (the enforcement model bounds the hierarchy depth). */
  config: Pick<ResourceConfig, 'resource' | 'unifiedLimit'>;
  /** The domains' stored configuration, removed with the domain. */
  domainConfigs: DomainConfigManager;
  events: KeystoneEvents;
  audit: IdentityAudit;
}

export class ResourceManager {
  constructor(private readonly driver: ResourceDriver, private readonly deps: ResourceManagerDeps) {}

  private get config() { return this.deps.config; }

  /** A project or domain by id, or undefined. */
  findProject(projectId: string): Promise<ProjectRecord | undefined> {
    return this.driver.getProject(projectId);
  }

  async getProject(projectId: string): Promise<ProjectRecord> {
    const p = await this.findProject(projectId);
    if (!p) throw new ProjectNotFound(projectId);
    return p;
  }

  /** By name in a domain; `domainId` null looks among domains. */
  findProjectByName(name: string, domainId: string | null): Promise<ProjectRecord | undefined> {
    return this.driver.getProjectByName(name, domainId);
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
   * Projects matching the hints: domain_id, name, enabled, parent_id, is_domain, the tag
   * filters (tags, tags-any, not-tags, not-tags-any) and inexact filters.
   */
  listProjects(hints: Hints = new Hints()): Promise<ProjectRecord[]> {
    return this.driver.listProjects(hints);
  }

  async listDomains(hints: Hints = new Hints()): Promise<DomainRecord[]> {
    hints.add('is_domain', '1');
    return (await this.listProjects(hints)).map(domainFromProject);
  }

  listProjectsFromIds(ids: string[]): Promise<ProjectRecord[]> {
    return this.driver.listProjectsFromIds(ids);
  }

  async listDomainsFromIds(ids: string[]): Promise<DomainRecord[]> {
    return (await this.listProjectsFromIds(ids)).filter((p) => p.is_domain).map(domainFromProject);
  }

  /** Every project whose domain is `domainId` (not the domain itself). */
  async listProjectsInDomain(domainId: string): Promise<ProjectRecord[]> {
    await this.getDomain(domainId);
    return this.driver.listProjectsInDomain(domainId);
  }

  isLeafProject(projectId: string): Promise<boolean> {
    return this.driver.isLeafProject(projectId);
  }

  /** Parents from the direct parent up to the domain. */
  async listProjectParents(projectId: string): Promise<ProjectRecord[]> {
    return this.driver.listProjectParents(await this.getProject(projectId));
  }

  /** All descendants, breadth first. */
  async listProjectsInSubtree(projectId: string): Promise<ProjectRecord[]> {
    await this.getProject(projectId);
    return this.driver.listProjectsInSubtree(projectId);
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
    const mode = kind === 'Project' ? this.config.resource.project_name_url_safe : this.config.resource.domain_name_url_safe;
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
  async createProject(projectId: string, input: ProjectInput): Promise<ProjectRecord> {
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
    const tags = Array.isArray(input.tags) ? (input.tags as unknown[]).map((t) => String(t).trim()) : [];
    const record = {
      id: projectId,
      name,
      domain_id: domainId,
      description: input.description ?? '',
      enabled: toBoolean(input.enabled, true),
      parent_id: parentId,
      is_domain: isDomain,
    };
    try {
      await this.driver.createProject({ ...record, extra: extraOf(input), options: mergeOptions({}, input.options), tags });
    } catch (err) {
      if (err instanceof KeystoneConflict) throw new KeystoneConflict('project', this.conflictMessage(record));
      throw err;
    }
    this.deps.audit.created(isDomain ? 'domain' : 'project', projectId);
    return this.getProject(projectId);
  }

  /** Depth (parents + 1) may not exceed max_project_tree_depth + 1 (the domain counts). */
  private assertMaxDepth(projectId: string, parents: number): void {
    let max = this.config.resource.max_project_tree_depth + 1;
    if (this.config.unifiedLimit.enforcement_model === 'strict_two_level') max = Math.min(max, 3);
    if (parents + 1 > max) throw new ForbiddenNotSecurity(`Max hierarchy depth reached for ${projectId} branch.`);
  }

  async createDomain(domainId: string, input: ProjectInput): Promise<DomainRecord> {
    const p = await this.createProject(domainId, { ...input, is_domain: true, domain_id: null, parent_id: null });
    return domainFromProject(p);
  }

  /**
   * Updates a project or domain. `cascade` applies an enabled change to the whole subtree
   * (only `enabled` may change then).
   */
  async updateProject(projectId: string, changes: ProjectInput, cascade = false): Promise<ProjectRecord> {
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

    const name = 'name' in update ? String(update.name) : original.name;
    try {
      await this.driver.updateProject(projectId, {
        name,
        description: 'description' in update ? ((update.description as string | null) ?? null) : original.description,
        enabled,
        extra: { ...extraOf(original), ...extraOf(update) },
        options: mergeOptions(original.options, update.options as Record<string, unknown> | undefined),
        ...(Array.isArray(update.tags) ? { tags: (update.tags as unknown[]).map((t) => String(t).trim()) } : {}),
        ...(cascade ? { cascadeTo: subtree.filter((c) => c.enabled !== enabled).map((c) => c.id) } : {}),
      });
    } catch (err) {
      if (err instanceof KeystoneConflict) throw new KeystoneConflict('project', this.conflictMessage({ ...original, name }));
      throw err;
    }
    // As upstream: a domain is a project too; disabling shows on the bus as an update.
    this.deps.audit.updated('project', projectId);
    if (original.is_domain) this.deps.audit.updated('domain', projectId);

    if (wasEnabled && !enabled) {
      if (original.is_domain) {
        await this.deps.events.emit('domain.disabled', { domainId: projectId });
      } else {
        await this.deps.events.emit('project.disabled', { projectId });
      }
      if (cascade) {
        for (const child of subtree.filter((c) => c.enabled)) await this.deps.events.emit('project.disabled', { projectId: child.id });
      }
    }
    return this.getProject(projectId);
  }

  async updateDomain(domainId: string, changes: ProjectInput): Promise<DomainRecord> {
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
      await this.driver.deleteProject(p.id);
      // upstream's _post_delete_cleanup_project: the other subsystems' callbacks remove what
      // they keep about the project (assignments, credentials, limits, endpoint associations,
      // default projects, trusts) and revoke its tokens.
      this.deps.audit.deleted('project', p.id);
      await this.deps.events.emit('project.deleted', { projectId: p.id });
    }
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
    // upstream's internal DOMAIN_DELETED notification: identity deletes the domain's groups and users.
    await this.deps.events.emit('domain.deleting', { domainId: domain.id });
    await this.driver.deleteProject(domain.id);
    await this.deps.domainConfigs.deleteDomainConfig(domain.id);
    this.deps.audit.deleted('project', domain.id);
    this.deps.audit.deleted('domain', domain.id);
    // The assignments on the domain go with it (the assignment manager's callback), and its tokens are revoked.
    await this.deps.events.emit('domain.deleted', { domainId: domain.id });
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
      await this.driver.addProjectTag(projectId, name);
      this.deps.audit.created('project tag', name);
    }
    return name;
  }

  async replaceProjectTags(projectId: string, tags: string[]): Promise<string[]> {
    const project = await this.getProject(projectId);
    if (isImmutable(project)) {
      throw new ResourceUpdateForbidden('project', projectId, `Cannot update project tags for ${projectId}, project is immutable. Set "immutable" option to false before creating project tags.`);
    }
    const list = tags.map((t) => t.trim());
    await this.driver.replaceProjectTags(projectId, list);
    return list;
  }

  async deleteProjectTag(projectId: string, tag: string): Promise<void> {
    const project = await this.getProject(projectId);
    if (isImmutable(project)) {
      throw new ResourceUpdateForbidden('project', projectId, `Cannot delete project tags for ${projectId}, project is immutable. Set "immutable" option to false before creating project tags.`);
    }
    if (!project.tags.includes(tag)) throw new ProjectTagNotFound(tag);
    await this.driver.deleteProjectTag(projectId, tag);
    this.deps.audit.deleted('project tag', tag);
  }
}
