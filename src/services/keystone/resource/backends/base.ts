/**
 * The resource driver interface (keystone/resource/backends/base.py ResourceDriverBase): the
 * storage of projects, domains (projects acting as domains) and project tags. Drivers store and
 * find; the rules (hierarchy depth, enabled parents, immutable resources, names) are the
 * ResourceManager's (../core.ts).
 */
import type { Hints } from '../../lib/hints.js';

export interface ProjectRecord {
  id: string;
  name: string;
  /** null for a domain. */
  domain_id: string | null;
  description: string;
  enabled: boolean;
  parent_id: string | null;
  is_domain: boolean;
  tags: string[];
  options: Record<string, unknown>;
  /** Extra attributes given at create or update, returned as given. */
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

/** A project as it is stored: its columns, extra attributes and tags. */
export interface ProjectCreate {
  id: string;
  name: string;
  domain_id: string | null;
  description: string | null;
  enabled: boolean;
  parent_id: string | null;
  is_domain: boolean;
  options: Record<string, unknown>;
  extra: Record<string, unknown>;
  tags: string[];
}

/** What an update writes; `tags` replaces the tags when given. */
export interface ProjectUpdate {
  name: string;
  description: string | null;
  enabled: boolean;
  options: Record<string, unknown>;
  extra: Record<string, unknown>;
  tags?: string[];
  /** Projects (the subtree of a cascading update) whose enabled flag follows the project's. */
  cascadeTo?: string[];
}

export interface ResourceDriver {
  /** A project or domain by id. */
  getProject(projectId: string): Promise<ProjectRecord | undefined>;
  /** By name in a domain; `domainId` null looks among domains. */
  getProjectByName(name: string, domainId: string | null): Promise<ProjectRecord | undefined>;
  /**
   * Projects matching the hints: the driver satisfies the filters it can (taking them out of
   * `hints`), then applies the rest, the marker and the limit (applyHints).
   */
  listProjects(hints: Hints): Promise<ProjectRecord[]>;
  listProjectsFromIds(ids: string[]): Promise<ProjectRecord[]>;
  /** Every project whose domain is `domainId` (not the domain itself). */
  listProjectsInDomain(domainId: string): Promise<ProjectRecord[]>;
  /** Parents from the direct parent up to the domain (ProjectNotFound for a missing one). */
  listProjectParents(project: ProjectRecord): Promise<ProjectRecord[]>;
  /** All descendants, breadth first. */
  listProjectsInSubtree(projectId: string): Promise<ProjectRecord[]>;
  isLeafProject(projectId: string): Promise<boolean>;
  /** Throws KeystoneConflict on a duplicate id or (domain, name). */
  createProject(project: ProjectCreate): Promise<void>;
  /** Throws KeystoneConflict on a duplicate name. */
  updateProject(projectId: string, update: ProjectUpdate): Promise<void>;
  /** The project (or domain) and its tags. */
  deleteProject(projectId: string): Promise<void>;
  addProjectTag(projectId: string, tag: string): Promise<void>;
  replaceProjectTags(projectId: string, tags: string[]): Promise<void>;
  deleteProjectTag(projectId: string, tag: string): Promise<void>;
}
