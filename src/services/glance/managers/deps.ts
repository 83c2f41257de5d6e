/**
 * What the image service's managers share: repositories, policy, notifier, quotas, stores,
 * schema validator and the settings resolved from configuration.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { GlancePolicy } from '../policies/index.js';
import type { ImageRepo } from '../db/image-repo.js';
import type { MemberRepo } from '../db/member-repo.js';
import type { TaskRepo } from '../db/task-repo.js';
import type { SchemaValidator } from '../domain/validator.js';
import type { ImageNotifier } from '../rpc/notifications.js';
import type { StoreRegistry } from '../stores/registry.js';
import type { StoreContext } from '../stores/store.js';
import type { QuotaEnforcer } from './quota.js';

/** What a store needs to know of the caller (multi-tenant Swift acts with the user's token). */
export function storeContext(ctx: RequestContext): StoreContext {
  return { token: ctx.token, projectId: ctx.projectId };
}

export interface ImportFilter {
  allowedSchemes: readonly string[];
  disallowedSchemes: readonly string[];
  allowedHosts: readonly string[];
  disallowedHosts: readonly string[];
  allowedPorts: readonly number[];
  disallowedPorts: readonly number[];
}

export interface GlanceSettings {
  hashingAlgorithm: string;
  diskFormats: readonly string[];
  containerFormats: readonly string[];
  requireFormatMatch: boolean;
  vmdkAllowedTypes: readonly string[];
  gptNonfatalChecks: readonly string[];
  importMethods: readonly string[];
  limitDefault: number;
  limitMax: number;
  imageSizeCap: number;
  memberQuota: number;
  propertyQuota: number;
  tagQuota: number;
  showDirectUrl: boolean;
  importFilter: ImportFilter;
}

export interface GlanceDeps {
  images: ImageRepo;
  members: MemberRepo;
  tasks: TaskRepo;
  policy: GlancePolicy;
  notifier: ImageNotifier;
  quota: QuotaEnforcer;
  stores: StoreRegistry;
  validator: SchemaValidator;
  settings: GlanceSettings;
  log: Logger;
}
