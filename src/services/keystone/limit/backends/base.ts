/**
 * The unified limit driver interface (keystone/limit/backends/base.py UnifiedLimitDriverBase):
 * registered (default) limits per service, region and resource, and the project and domain
 * limits that override them. The LimitManager (../core.ts) checks references, duplicates and
 * the enforcement model.
 */
import type { Hints } from '../../lib/hints.js';

export interface RegisteredLimitRecord {
  id: string;
  service_id: string;
  region_id: string | null;
  resource_name: string;
  default_limit: number;
  description: string | null;
}

export interface LimitRecord {
  id: string;
  project_id: string | null;
  domain_id: string | null;
  service_id: string;
  region_id: string | null;
  resource_name: string;
  resource_limit: number;
  description: string | null;
}

/** A project or domain limit as stored: it names its registered limit. */
export interface LimitCreate {
  id: string;
  project_id: string | null;
  domain_id: string | null;
  registered_limit_id: string;
  resource_limit: number;
  description: string | null;
}

export interface UnifiedLimitDriver {
  getRegisteredLimit(id: string): Promise<RegisteredLimitRecord | undefined>;
  /** The registered limit of a service's resource in a region (`regionId` null: no region). */
  findRegisteredLimit(serviceId: string, resourceName: string, regionId: string | null): Promise<RegisteredLimitRecord | undefined>;
  /** Registered limits matching the hints (service_id, region_id, resource_name and the rest); the driver applies them all. */
  listRegisteredLimits(hints: Hints): Promise<RegisteredLimitRecord[]>;
  /** All or none. */
  createRegisteredLimits(limits: RegisteredLimitRecord[]): Promise<void>;
  updateRegisteredLimit(id: string, limit: Omit<RegisteredLimitRecord, 'id'>): Promise<void>;
  deleteRegisteredLimit(id: string): Promise<void>;
  /** Whether a project or domain limit overrides the registered limit. */
  isRegisteredLimitReferenced(id: string): Promise<boolean>;

  getLimit(id: string): Promise<LimitRecord | undefined>;
  /** Limits matching the hints (project_id, domain_id and the rest); the driver applies them all. */
  listLimits(hints: Hints): Promise<LimitRecord[]>;
  /** Whether the project (or domain) already has a limit for the registered limit. */
  limitExists(registeredLimitId: string, target: { projectId: string | null; domainId: string | null }): Promise<boolean>;
  /** All or none; returns the limits created. */
  createLimits(limits: LimitCreate[]): Promise<LimitRecord[]>;
  updateLimit(id: string, changes: { resource_limit?: number; description?: string }): Promise<void>;
  deleteLimit(id: string): Promise<void>;
  /** The limits of a project, or of a domain with this id. */
  deleteLimitsForProject(projectId: string): Promise<void>;
}
